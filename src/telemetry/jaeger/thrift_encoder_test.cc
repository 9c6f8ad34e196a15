#include "telemetry/jaeger/thrift_encoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "telemetry/otlp/test_spans.h"

namespace tdemo::telemetry::jaeger {
namespace {

// TBinaryProtocol spelled out from jaeger.thrift, independently of the encoder's writer:
// a field is its type byte and big-endian i16 id; a list its element type and i32 size.
class Bytes {
 public:
  static constexpr std::uint8_t kI32 = 8, kI64 = 10, kString = 11, kStruct = 12, kList = 15;
  static constexpr std::uint8_t kBool = 2;

  Bytes& field(std::uint8_t type, int id) {
    return byte(type).be(static_cast<std::uint64_t>(id), 2);
  }
  Bytes& i32(std::int32_t v) { return be(static_cast<std::uint32_t>(v), 4); }
  Bytes& i64(std::int64_t v) { return be(static_cast<std::uint64_t>(v), 8); }
  Bytes& str(const std::string& s) {
    i32(static_cast<std::int32_t>(s.size()));
    out += s;
    return *this;
  }
  Bytes& list(std::uint8_t element, int size) { return byte(element).i32(size); }
  Bytes& stop() { return byte(0); }
  // Tag {1: key, 2: vType, 3: vStr} / {..., 6: vLong} / {..., 5: vBool}.
  Bytes& string_tag(const std::string& key, const std::string& value) {
    return field(kString, 1).str(key).field(kI32, 2).i32(0).field(kString, 3).str(value).stop();
  }
  Bytes& long_tag(const std::string& key, std::int64_t value) {
    return field(kString, 1).str(key).field(kI32, 2).i32(3).field(kI64, 6).i64(value).stop();
  }
  Bytes& bool_tag(const std::string& key, bool value) {
    return field(kString, 1)
        .str(key)
        .field(kI32, 2)
        .i32(2)
        .field(kBool, 5)
        .byte(value ? 1 : 0)
        .stop();
  }
  Bytes& byte(std::uint8_t b) {
    out += static_cast<char>(b);
    return *this;
  }

  std::string out;

 private:
  Bytes& be(std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out += static_cast<char>(v >> (8 * i));
    return *this;
  }
};

std::string hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(JaegerThriftEncoder, WritesTheBatchByteForByteAsJaegerThriftDefinesIt) {
  Resource resource;
  resource.attributes = {{"service.name", attribute("svc")}, {"host.name", attribute("h")}};
  SpanData span;
  TraceId trace;
  for (std::uint8_t i = 0; i < 16; ++i) trace.bytes[i] = static_cast<std::uint8_t>(i + 1);
  SpanId id;
  id.bytes = {0xff, 0, 0, 0, 0, 0, 0, 0x01};
  span.context = SpanContext(trace, id, kTraceFlagSampled, false);
  span.name = "op";
  span.kind = SpanKind::kServer;
  span.start_time_unix_nano = 1'700'000'000'123'456'789ULL;
  span.end_time_unix_nano = span.start_time_unix_nano + 2'500'999;  // 2500 us, truncated
  span.attributes = {{"n", attribute(7)}, {"error", attribute("not a bool")}};
  span.status_code = StatusCode::kError;
  span.events = {Event{"", 1'700'000'000'124'000'999ULL, {}, 0},
                 Event{"retry", 1'700'000'000'125'000'000ULL, {{"attempt", attribute(2)}}, 1}};
  std::string body;
  encode_thrift_batch(&resource, {&span}, body);

  // clang-format off
  Bytes expected;
  expected.field(Bytes::kStruct, 1)                                   // Batch.process
      .field(Bytes::kString, 1).str("svc")                            //   serviceName
      .field(Bytes::kList, 2).list(Bytes::kStruct, 1)                 //   tags
      .string_tag("host.name", "h")
      .stop()
      .field(Bytes::kList, 2).list(Bytes::kStruct, 1)                 // Batch.spans
      .field(Bytes::kI64, 1).i64(0x090a0b0c0d0e0f10)                  //   traceIdLow
      .field(Bytes::kI64, 2).i64(0x0102030405060708)                  //   traceIdHigh
      .field(Bytes::kI64, 3).i64(-72057594037927935)                  //   spanId (signed)
      .field(Bytes::kI64, 4).i64(0)                                   //   parentSpanId: root
      .field(Bytes::kString, 5).str("op")                             //   operationName
      .field(Bytes::kI32, 7).i32(1)                                   //   flags: sampled
      .field(Bytes::kI64, 8).i64(1'700'000'000'123'456)               //   startTime (us)
      .field(Bytes::kI64, 9).i64(2500)                                //   duration (us)
      .field(Bytes::kList, 10).list(Bytes::kStruct, 4)                //   tags
      .long_tag("n", 7)                      // the "error" attribute gives way to error=true
      .string_tag("span.kind", "server")
      .string_tag("otel.status_code", "ERROR")
      .bool_tag("error", true)
      .field(Bytes::kList, 11).list(Bytes::kStruct, 2)                //   logs
      .field(Bytes::kI64, 1).i64(1'700'000'000'124'000)               //     timestamp (us)
      .field(Bytes::kList, 2).list(Bytes::kStruct, 0)                 //     fields: required
      .stop()
      .field(Bytes::kI64, 1).i64(1'700'000'000'125'000)
      .field(Bytes::kList, 2).list(Bytes::kStruct, 3)
      .string_tag("event", "retry")
      .long_tag("attempt", 2)
      .long_tag("otel.dropped_attributes_count", 1)
      .stop()
      .stop()   // Span
      .stop();  // Batch
  // clang-format on
  EXPECT_EQ(hex(body), hex(expected.out));
}

TEST(JaegerThriftEncoder, ParentAndLinksBecomeReferencesAndRootsHaveNone) {
  SpanData span;
  TraceId trace;
  trace.bytes[15] = 9;
  SpanId id, parent, linked;
  id.bytes[7] = 1;
  parent.bytes[7] = 2;
  linked.bytes[7] = 3;
  TraceId other_trace;
  other_trace.bytes[0] = 0x80;
  span.context = SpanContext(trace, id, 0, false);
  span.parent_span_id = parent;
  span.links = {Link{SpanContext(other_trace, linked, 1, true), {{"ignored", attribute(1)}}, 0}};
  span.start_time_unix_nano = 5000;
  span.end_time_unix_nano = 4000;  // ends before it starts: duration 0
  std::string body;
  encode_thrift_batch(nullptr, {&span}, body);

  // clang-format off
  Bytes expected;
  expected.field(Bytes::kStruct, 1)
      .field(Bytes::kString, 1).str("unknown_service")  // no resource: the SDK's default name
      .stop()
      .field(Bytes::kList, 2).list(Bytes::kStruct, 1)
      .field(Bytes::kI64, 1).i64(9)
      .field(Bytes::kI64, 2).i64(0)
      .field(Bytes::kI64, 3).i64(1)
      .field(Bytes::kI64, 4).i64(2)                                   // parentSpanId
      .field(Bytes::kString, 5).str("")
      .field(Bytes::kList, 6).list(Bytes::kStruct, 2)                 // references
      .field(Bytes::kI32, 1).i32(0)                                   //   CHILD_OF the parent
      .field(Bytes::kI64, 2).i64(9).field(Bytes::kI64, 3).i64(0).field(Bytes::kI64, 4).i64(2)
      .stop()
      .field(Bytes::kI32, 1).i32(1)                                   //   FOLLOWS_FROM the link
      .field(Bytes::kI64, 2).i64(0)
      .field(Bytes::kI64, 3).i64(std::numeric_limits<std::int64_t>::min())
      .field(Bytes::kI64, 4).i64(3)
      .stop()
      .field(Bytes::kI32, 7).i32(0)                                   // not sampled
      .field(Bytes::kI64, 8).i64(5)
      .field(Bytes::kI64, 9).i64(0)
      .stop()                                                         // no tags, no logs
      .stop();
  // clang-format on
  EXPECT_EQ(hex(body), hex(expected.out));
}

TEST(JaegerThriftEncoder, ArraysAreJsonLists) {
  struct Case {
    AttributeValue value;
    std::string json;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const Case cases[] = {
      {std::vector<std::string>{"a", "", "q\"b\\s\n\x01 é"}, R"(["a","","q\"b\\s\n\u0001 é"])"},
      {std::vector<bool>{true, false}, "[true,false]"},
      {std::vector<std::int64_t>{1, -2, std::numeric_limits<std::int64_t>::min()},
       "[1,-2,-9223372036854775808]"},
      {std::vector<double>{1.5, -0.25, 0.0, 100.0, 1e20, 1e21, 1e-6, 1e-7, 5e-324},
       "[1.5,-0.25,0,100,100000000000000000000,1e+21,0.000001,1e-7,5e-324]"},
      {std::vector<double>{nan, inf, -inf}, R"(["NaN","Infinity","-Infinity"])"},
      {std::vector<std::string>{}, "[]"},
      {std::string("plain"), R"("plain")"},
  };
  for (const auto& c : cases) EXPECT_EQ(json_text(c.value), c.json) << c.json;
}

TEST(JaegerThriftEncoder, OneBatchPerResourceInOrderOfFirstAppearance) {
  const SpanBatch batch = otlp::testing::full_batch();  // resources r1, r1, r2, r1, r2
  const std::vector<ThriftBatch> parts = encode_thrift_batches(batch);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].resource, batch[0]->resource.get());
  EXPECT_EQ(parts[0].span_count, 3u);
  EXPECT_EQ(parts[1].resource, batch[2]->resource.get());
  EXPECT_EQ(parts[1].span_count, 2u);
  std::string first;
  encode_thrift_batch(batch[0]->resource.get(), {batch[0].get(), batch[1].get(), batch[3].get()},
                      first);
  EXPECT_EQ(parts[0].body, first);
  EXPECT_TRUE(encode_thrift_batches(SpanBatch{}).empty());
}

TEST(JaegerThriftEncoder, InvalidUtf8IsRepaired) {
  Resource resource;
  resource.attributes = {{"service.name", attribute("bad\xff")}};
  SpanData span;
  span.name = "op\xc3";
  std::string body;
  encode_thrift_batch(&resource, {&span}, body);
  EXPECT_NE(body.find("bad\xEF\xBF\xBD"), std::string::npos);
  EXPECT_NE(body.find("op\xEF\xBF\xBD"), std::string::npos);
  EXPECT_EQ(body.find('\xff'), std::string::npos);
}

}  // namespace
}  // namespace tdemo::telemetry::jaeger
