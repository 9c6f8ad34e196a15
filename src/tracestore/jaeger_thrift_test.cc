#include "tracestore/jaeger_thrift.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>

#include "tracestore/otlp_ingest.h"
#include "tracestore/trace_store.h"

namespace tdemo::tracestore {
namespace {

using telemetry::AttributeValue;
using telemetry::find_attribute;

// A Thrift binary-protocol writer for building test batches by hand.
class Thrift {
 public:
  Thrift& field(std::uint8_t type, std::int16_t id) {
    return u8(type).be(static_cast<std::uint16_t>(id), 2);
  }
  Thrift& stop() { return u8(0); }
  Thrift& i32(std::int16_t id, std::int32_t v) {
    return field(8, id).be(static_cast<std::uint32_t>(v), 4);
  }
  Thrift& i64(std::int16_t id, std::int64_t v) {
    return field(10, id).be(static_cast<std::uint64_t>(v), 8);
  }
  Thrift& f64(std::int16_t id, double v) {
    return field(4, id).be(std::bit_cast<std::uint64_t>(v), 8);
  }
  Thrift& boolean(std::int16_t id, bool v) { return field(2, id).u8(v ? 1 : 0); }
  Thrift& str(std::int16_t id, std::string_view v) {
    field(11, id).be(v.size(), 4);
    out.append(v);
    return *this;
  }
  Thrift& list(std::int16_t id, std::uint8_t element, std::int32_t size) {
    return field(15, id).u8(element).be(static_cast<std::uint32_t>(size), 4);
  }
  Thrift& begin_struct(std::int16_t id) { return field(12, id); }
  // Tag {key, vType, value}
  Thrift& tag(std::string_view key, std::string_view v) {
    return str(1, key).i32(2, 0).str(3, v).stop();
  }
  Thrift& tag(std::string_view key, double v) { return str(1, key).i32(2, 1).f64(4, v).stop(); }
  Thrift& tag(std::string_view key, bool v) { return str(1, key).i32(2, 2).boolean(5, v).stop(); }
  Thrift& tag(std::string_view key, std::int64_t v) {
    return str(1, key).i32(2, 3).i64(6, v).stop();
  }
  Thrift& binary_tag(std::string_view key, std::string_view v) {
    return str(1, key).i32(2, 4).str(7, v).stop();
  }
  Thrift& u8(std::uint8_t v) {
    out.push_back(static_cast<char>(v));
    return *this;
  }
  Thrift& be(std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
    return *this;
  }
  std::string out;
};

constexpr std::int64_t kHigh = 0x0af7651916cd43dd,
                       kLow = static_cast<std::int64_t>(0x8448eb211c80319cULL);

// Process {serviceName "shop", tags [host.name=h1]}, then `spans` spans written by the caller.
Thrift batch_header(int spans) {
  Thrift t;
  t.begin_struct(1).str(1, "shop").list(2, 12, 1).tag("host.name", std::string_view("h1")).stop();
  t.list(2, 12, spans);
  return t;
}

TEST(JaegerThrift, DecodesASpanTheWayTheCollectorTranslatesIt) {
  Thrift t = batch_header(1);
  t.i64(1, kLow)
      .i64(2, kHigh)
      .i64(3, 0x00f067aa0ba902b7)
      .i64(4, 0x1111111111111111)
      .str(5, "GET /users/{id}");
  t.list(6, 12, 2)
      .i32(1, 0)
      .i64(2, kLow)
      .i64(3, kHigh)
      .i64(4, 0x1111111111111111)
      .stop()  // the parent
      .i32(1, 1)
      .i64(2, 7)
      .i64(3, 0)
      .i64(4, 0x2222222222222222)
      .stop();  // a link
  t.i32(7, 1).i64(8, 1'700'000'000'000'000).i64(9, 1500);
  t.list(10, 12, 10)
      .tag("http.request.method", std::string_view("GET"))
      .tag("http.response.status_code", std::int64_t{404})
      .tag("ratio", 0.25)
      .tag("cached", false)
      .binary_tag("blob", std::string("\x01\x02\xff", 3))
      .tag("span.kind", std::string_view("server"))
      .tag("otel.status_code", std::string_view("ERROR"))
      .tag("otel.status_description", std::string_view("User 42 not found"))
      .tag("otel.scope.name", std::string_view("interop"))
      .tag("w3c.tracestate", std::string_view("vendor=abc"));
  t.list(11, 12, 1)
      .i64(1, 1'700'000'000'000'700)
      .list(2, 12, 2)
      .tag("event", std::string_view("cache.miss"))
      .tag("cache.key", std::string_view("user:42"))
      .stop();
  t.stop();  // span
  t.stop();  // batch

  const auto decoded = decode_jaeger_thrift_batch(t.out);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  ASSERT_EQ(decoded.spans.size(), 1u);
  const auto& s = *decoded.spans[0];
  EXPECT_EQ(s.context.trace_id().hex(), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(s.context.span_id().hex(), "00f067aa0ba902b7");
  EXPECT_TRUE(s.context.sampled());
  EXPECT_EQ(s.parent_span_id.hex(), "1111111111111111");
  EXPECT_EQ(s.name, "GET /users/{id}");
  EXPECT_EQ(s.kind, telemetry::SpanKind::kServer);
  EXPECT_EQ(s.start_time_unix_nano, 1'700'000'000'000'000'000ULL);
  EXPECT_EQ(s.end_time_unix_nano - s.start_time_unix_nano, 1'500'000u);
  EXPECT_EQ(s.status_code, telemetry::StatusCode::kError);
  EXPECT_EQ(s.status_message, "User 42 not found");
  ASSERT_NE(s.scope, nullptr);
  EXPECT_EQ(s.scope->name, "interop");
  EXPECT_EQ(s.context.trace_state().serialize(), "vendor=abc");
  // Only the plain tags remain as attributes, with their types.
  ASSERT_EQ(s.attributes.size(), 5u);
  EXPECT_EQ(*find_attribute<std::string>(s.attributes, "http.request.method"), "GET");
  EXPECT_EQ(*find_attribute<std::int64_t>(s.attributes, "http.response.status_code"), 404);
  EXPECT_EQ(*find_attribute<double>(s.attributes, "ratio"), 0.25);
  EXPECT_EQ(*find_attribute<bool>(s.attributes, "cached"), false);
  EXPECT_EQ(*find_attribute<std::string>(s.attributes, "blob"), "AQL/");
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0].context.trace_id().hex(), "00000000000000000000000000000007");
  EXPECT_EQ(s.links[0].context.span_id().hex(), "2222222222222222");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].name, "cache.miss");
  EXPECT_EQ(s.events[0].time_unix_nano, 1'700'000'000'000'700'000ULL);
  ASSERT_EQ(s.events[0].attributes.size(), 1u);
  EXPECT_EQ(*find_attribute<std::string>(s.events[0].attributes, "cache.key"), "user:42");
  ASSERT_NE(s.resource, nullptr);
  EXPECT_EQ(s.resource->service_name(), "shop");
  EXPECT_EQ(*find_attribute<std::string>(s.resource->attributes, "host.name"), "h1");
}

TEST(JaegerThrift, ParentFromAChildOfReferenceAndErrorTagWins) {
  Thrift t = batch_header(1);
  t.i64(1, kLow).i64(2, kHigh).i64(3, 5).i64(4, 0).str(5, "op");
  t.list(6, 12, 3)
      .i32(1, 0)
      .i64(2, kLow)
      .i64(3, kHigh)
      .i64(4, 9)
      .stop()
      .i32(1, 1)
      .i64(2, 0)
      .i64(3, 0)
      .i64(4, 4)
      .stop()  // no trace id: names no span
      .i32(1, 1)
      .i64(2, kLow)
      .i64(3, kHigh)
      .i64(4, 0)
      .stop();  // no span id either
  t.i32(7, 0).i64(8, 10).i64(9, 1);
  t.list(10, 12, 2).tag("error", true).tag("otel.status_code", std::string_view("OK"));
  t.stop().stop();
  const auto decoded = decode_jaeger_thrift_batch(t.out);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  const auto& s = *decoded.spans.at(0);
  EXPECT_EQ(s.parent_span_id.hex(), "0000000000000009");
  EXPECT_TRUE(s.links.empty());
  EXPECT_FALSE(s.context.sampled());
  EXPECT_EQ(s.status_code, telemetry::StatusCode::kError);  // error=true is the truth
  EXPECT_TRUE(s.attributes.empty());                        // both status tags consumed
  EXPECT_EQ(s.kind, telemetry::SpanKind::kInternal);
}

TEST(JaegerThrift, ZeroIdsAreRejectedOthersKept) {
  Thrift t = batch_header(2);
  t.i64(1, 0)
      .i64(2, 0)
      .i64(3, 5)
      .i64(4, 0)
      .str(5, "no trace id")
      .i32(7, 1)
      .i64(8, 1)
      .i64(9, 1)
      .stop();
  t.i64(1, kLow)
      .i64(2, kHigh)
      .i64(3, 6)
      .i64(4, 0)
      .str(5, "fine")
      .i32(7, 1)
      .i64(8, 1)
      .i64(9, 1)
      .stop();
  t.stop();
  const auto decoded = decode_jaeger_thrift_batch(t.out);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  ASSERT_EQ(decoded.spans.size(), 1u);
  EXPECT_EQ(decoded.spans[0]->name, "fine");
  EXPECT_EQ(decoded.rejected_spans, 1);
  EXPECT_NE(decoded.rejection_summary().find("trace id is zero"), std::string::npos);
}

TEST(JaegerThrift, UnknownFieldsAreSkipped) {
  Thrift t;
  t.begin_struct(1).str(1, "svc").i64(9, 1).stop();  // Process with an unknown field 9
  t.list(2, 12, 1).i64(1, 1).i64(2, 0).i64(3, 2).str(5, "op").i64(8, 1).i64(9, 1);
  t.field(13, 42).u8(11).u8(8).be(1, 4).be(1, 4).u8('k').be(7, 4);  // unknown map<string,i32>
  t.stop();
  t.i64(3, 99);  // Batch.seqNo
  t.stop();
  const auto decoded = decode_jaeger_thrift_batch(t.out);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  ASSERT_EQ(decoded.spans.size(), 1u);
  EXPECT_EQ(decoded.spans[0]->name, "op");
}

TEST(JaegerThrift, MalformedBodiesAreErrorsNotCrashes) {
  Thrift good = batch_header(1);
  good.i64(1, 1).i64(2, 0).i64(3, 2).str(5, "op").stop().stop();
  ASSERT_TRUE(decode_jaeger_thrift_batch(good.out).ok());
  // Every truncation of a valid batch is an error.
  for (std::size_t n = 0; n < good.out.size(); ++n) {
    EXPECT_FALSE(decode_jaeger_thrift_batch(good.out.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(decode_jaeger_thrift_batch(good.out + "x").ok());  // trailing bytes
  EXPECT_FALSE(decode_jaeger_thrift_batch("{\"json\": true}").ok());

  Thrift huge;  // a list that claims 2^31-1 spans in a tiny body
  huge.begin_struct(1).str(1, "s").stop().list(2, 12, 0x7fffffff);
  const auto r = decode_jaeger_thrift_batch(huge.out);
  EXPECT_FALSE(r.ok());

  Thrift wrong;  // operationName sent as an i64
  wrong.begin_struct(1).str(1, "s").stop().list(2, 12, 1).i64(5, 3).stop().stop();
  EXPECT_NE(decode_jaeger_thrift_batch(wrong.out).error.find("Span.operationName"),
            std::string::npos);

  std::string deep;  // an unknown field nesting structs 100 deep
  Thrift d;
  d.field(12, 77);
  for (int i = 0; i < 100; ++i) d.field(12, 1);
  EXPECT_NE(decode_jaeger_thrift_batch(d.out).error.find("nesting"), std::string::npos);

  telemetry::otlp::DecodeLimits limits;
  limits.max_spans = 0;
  EXPECT_FALSE(decode_jaeger_thrift_batch(good.out, limits).ok());
}

TEST(JaegerThrift, ExtremeTimesSaturateInsteadOfOverflowing) {
  Thrift t = batch_header(2);
  t.i64(1, 1)
      .i64(2, 0)
      .i64(3, 2)
      .str(5, "huge")
      .i64(8, 0x7000000000000000)
      .i64(9, 0x7000000000000000)
      .stop();
  t.i64(1, 1).i64(2, 0).i64(3, 3).str(5, "negative").i64(8, -5).i64(9, -7).stop();
  t.stop();
  const auto decoded = decode_jaeger_thrift_batch(t.out);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  ASSERT_EQ(decoded.spans.size(), 2u);
  EXPECT_EQ(decoded.spans[0]->start_time_unix_nano, UINT64_MAX);
  EXPECT_EQ(decoded.spans[0]->end_time_unix_nano, UINT64_MAX);
  EXPECT_EQ(decoded.spans[1]->start_time_unix_nano, 0u);
  EXPECT_EQ(decoded.spans[1]->end_time_unix_nano, 0u);
}

TEST(JaegerThrift, InvalidUtf8IsRepaired) {
  Thrift t = batch_header(1);
  t.i64(1, 1).i64(2, 0).i64(3, 2).str(5, "bad \xff name").stop().stop();
  const auto decoded = decode_jaeger_thrift_batch(t.out);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  EXPECT_EQ(decoded.spans.at(0)->name, "bad \xEF\xBF\xBD name");
}

http::Request thrift_post(std::string body, std::string type = "application/x-thrift") {
  http::Request r;
  r.method = http::Method::kPost;
  r.headers.set("Content-Type", type);
  r.body = std::move(body);
  return r;
}

TEST(JaegerThriftHttp, AnswersLikeJaegersCollectorAndStoresTheSpans) {
  TraceStore store;
  IngestOptions options;
  options.max_body_bytes = 4096;
  OtlpIngest ingest(store, nullptr, options);
  Thrift t = batch_header(1);
  t.i64(1, kLow)
      .i64(2, kHigh)
      .i64(3, 5)
      .str(5, "checkout")
      .i32(7, 1)
      .i64(8, 1'700'000'000'000'000)
      .i64(9, 20);
  t.stop().stop();

  const auto ok = handle_jaeger_thrift_http(ingest, thrift_post(t.out));
  EXPECT_EQ(ok.status, 202);
  EXPECT_TRUE(ok.body.empty());
  TraceQuery query;
  query.service = "shop";
  const auto found = store.find_traces(query);
  ASSERT_EQ(found.size(), 1u);
  ASSERT_EQ(found[0].spans.size(), 1u);
  EXPECT_EQ(found[0].spans[0].name, "checkout");

  const auto wrong_type = handle_jaeger_thrift_http(ingest, thrift_post(t.out, "application/json"));
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_NE(wrong_type.body.find("Unsupported content type: application/json"), std::string::npos);
  const auto garbage = handle_jaeger_thrift_http(ingest, thrift_post("\x0c\x00"));
  EXPECT_EQ(garbage.status, 400);
  EXPECT_NE(garbage.body.find("Unable to process request body"), std::string::npos);
  EXPECT_EQ(handle_jaeger_thrift_http(ingest, thrift_post(std::string(5000, 'x'))).status, 413);
  EXPECT_EQ(store.stats().spans_stored, 1u);
  // Jaeger's other Thrift media type is accepted too.
  Thrift other = batch_header(1);
  other.i64(1, 3).i64(2, 0).i64(3, 4).str(5, "other").i32(7, 1).i64(8, 1).i64(9, 1).stop().stop();
  EXPECT_EQ(handle_jaeger_thrift_http(
                ingest, thrift_post(other.out, "application/vnd.apache.thrift.binary; x=1"))
                .status,
            202);
  EXPECT_EQ(store.stats().spans_stored, 2u);
}

}  // namespace
}  // namespace tdemo::tracestore
