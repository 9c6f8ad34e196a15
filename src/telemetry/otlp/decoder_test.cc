#include "telemetry/otlp/decoder.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <thread>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/decoder_internal.h"
#include "telemetry/otlp/protobuf_encoder.h"
#include "telemetry/otlp/reference_decoder.h"
#include "telemetry/span_data_pool.h"
#include "telemetry/otlp/test_spans.h"

namespace tdemo::telemetry::otlp {
namespace {

namespace pb_common = opentelemetry::proto::common::v1;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

constexpr const char* kIds = R"("traceId":"0102030405060708090A0B0C0D0E0F10","spanId":"a1a2a3a4a5a6a7a8")";

std::string json_request(const std::string& spans) {
  return R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"js"}}]},)"
         R"("scopeSpans":[{"scope":{"name":"s","version":"1"},"spans":[)" + spans + "]}]}]}";
}

TEST(Decoder, JsonAcceptsStringAndNumberIntegersUppercaseHexAndEnumNames) {
  const auto r = decode_export_request(json_request(std::string("{") + kIds + R"(,"name":"op","kind":"SPAN_KIND_CLIENT",)"
      R"("startTimeUnixNano":"1700000000000000001","endTimeUnixNano":1700000000000000002,"flags":769,)"
      R"("attributes":[{"key":"a","value":{"intValue":"-5"}},{"key":"b","value":{"intValue":7}},)"
      R"({"key":"c","value":{"doubleValue":"NaN"}},{"key":"d","value":{"doubleValue":2}},)"
      R"({"key":"e","value":{"kvlistValue":{"values":[{"key":"x","value":{"intValue":"1"}}]}}},)"
      R"({"key":"f","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"1"}]}}},)"
      R"({"key":"g","value":{}},{"key":"h","value":{"bytesValue":"AAE="}}],)"
      R"("status":{"code":"STATUS_CODE_ERROR","message":"bad"}})"), Format::kJson);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.spans.size(), 1u);
  const SpanData& s = *r.spans[0];
  EXPECT_EQ(s.context.trace_id().bytes[9], 0x0A);
  EXPECT_EQ(s.kind, SpanKind::kClient);
  EXPECT_EQ(s.start_time_unix_nano, 1700000000000000001ull);
  EXPECT_EQ(s.end_time_unix_nano, 1700000000000000002ull);
  EXPECT_EQ(s.context.flags(), 1);
  EXPECT_TRUE(s.parent_is_remote);
  EXPECT_EQ(std::get<std::int64_t>(s.attributes[0].value), -5);
  EXPECT_EQ(std::get<std::int64_t>(s.attributes[1].value), 7);
  EXPECT_TRUE(std::isnan(std::get<double>(s.attributes[2].value)));
  EXPECT_EQ(std::get<double>(s.attributes[3].value), 2.0);
  EXPECT_EQ(std::get<std::string>(s.attributes[4].value), R"({"values":[{"key":"x","value":{"intValue":"1"}}]})");
  EXPECT_NE(std::get<std::string>(s.attributes[5].value).find("stringValue"), std::string::npos);
  EXPECT_EQ(std::get<std::string>(s.attributes[6].value), "");
  EXPECT_EQ(std::get<std::string>(s.attributes[7].value), "AAE=");
  EXPECT_EQ(s.status_code, StatusCode::kError);
  EXPECT_EQ(s.status_message, "bad");
  EXPECT_EQ(std::get<std::string>(s.resource->attributes.at(0).value), "js");
  EXPECT_EQ(s.scope->name, "s");
  EXPECT_EQ(s.scope->version, "1");
}

// Ids as sent: exactly 16 (8) bytes, any one of them not zero; each byte is kept.
TEST(Decoder, IdsFromBytesNeedTheSizeAndOneNonZeroByteAnywhere) {
  for (std::size_t at = 0; at < 16; ++at) {
    std::string bytes(16, '\0');
    bytes[at] = static_cast<char>(0x80 | at);
    TraceId trace;
    ASSERT_TRUE(detail::trace_id_from_bytes(bytes, trace)) << at;
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(trace.bytes.data()), 16), bytes);
    if (at < 8) {
      SpanId span;
      ASSERT_TRUE(detail::span_id_from_bytes(bytes.substr(0, 8), span)) << at;
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(span.bytes.data()), 8), bytes.substr(0, 8));
    }
  }
  TraceId trace;
  SpanId span;
  EXPECT_FALSE(detail::trace_id_from_bytes(std::string(16, '\0'), trace));
  EXPECT_FALSE(detail::span_id_from_bytes(std::string(8, '\0'), span));
  EXPECT_FALSE(detail::trace_id_from_bytes(std::string(15, '\1'), trace));
  EXPECT_FALSE(detail::trace_id_from_bytes(std::string(17, '\1'), trace));
  EXPECT_FALSE(detail::span_id_from_bytes(std::string(7, '\1'), span));
  EXPECT_FALSE(detail::span_id_from_bytes(std::string(16, '\1'), span));
}

TEST(Decoder, JsonAcceptsSnakeCaseFieldNames) {
  const auto r = decode_export_request(
      R"({"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":"0102030405060708090a0b0c0d0e0f10",)"
      R"("span_id":"a1a2a3a4a5a6a7a8","parent_span_id":"0000000000000001","name":"x","start_time_unix_nano":"5"}]}]}]})",
      Format::kJson);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.spans.size(), 1u);
  EXPECT_EQ(r.spans[0]->start_time_unix_nano, 5u);
  EXPECT_EQ(r.spans[0]->parent_span_id.bytes[7], 1);
  EXPECT_EQ(r.spans[0]->kind, SpanKind::kInternal);  // unspecified
}

TEST(Decoder, InvalidIdsRejectSpansNotTheRequest) {
  const std::string good = std::string("{") + kIds + R"(,"name":"good"})";
  const std::string spans = good +
      R"(,{"traceId":"00000000000000000000000000000000","spanId":"a1a2a3a4a5a6a7a8","name":"zero-trace"})"
      R"(,{"traceId":"0102","spanId":"a1a2a3a4a5a6a7a8","name":"short"})"
      R"(,{"traceId":"0102030405060708090a0b0c0d0e0f1g","spanId":"a1a2a3a4a5a6a7a8","name":"non-hex"})"
      R"(,{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000000","name":"zero-span"})"
      R"(,{"traceId":"0102030405060708090a0b0c0d0e0f10","name":"missing-span-id"})"
      R"(,{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"a1a2a3a4a5a6a7a8","parentSpanId":"12","name":"bad-parent"})";
  DecodeLimits limits;
  limits.max_rejection_messages = 3;
  const auto r = decode_export_request(json_request(spans), Format::kJson, limits);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.spans.size(), 1u);
  EXPECT_EQ(r.spans[0]->name, "good");
  EXPECT_EQ(r.rejected_spans, 6);
  EXPECT_EQ(r.messages.size(), 3u);
  EXPECT_NE(r.rejection_summary().find("zero-trace"), std::string::npos);
  EXPECT_NE(r.rejection_summary().find("..."), std::string::npos);
}

TEST(Decoder, ProtobufInvalidIdsRejectSpans) {
  SpanBatch batch = testing::realistic_batch(3);
  batch[1]->context = SpanContext(TraceId{}, batch[1]->context.span_id(), 1, false);
  const auto r = decode_export_request(encode_protobuf(batch), Format::kProtobuf);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.spans.size(), 2u);
  EXPECT_EQ(r.rejected_spans, 1);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_NE(r.messages[0].find("trace_id"), std::string::npos);

  ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(encode_protobuf(testing::realistic_batch(1))));
  request.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->set_span_id("short");
  const auto r2 = decode_export_request(request.SerializeAsString(), Format::kProtobuf);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2.rejected_spans, 1);
  EXPECT_TRUE(r2.spans.empty());
}

TEST(Decoder, ProtobufNonApiValuesBecomeStrings) {
  ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(encode_protobuf(testing::realistic_batch(1))));
  auto* span = request.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  span->clear_attributes();
  auto* bytes = span->add_attributes();
  bytes->set_key("bytes");
  bytes->mutable_value()->set_bytes_value(std::string("\x00\x01\x02", 3));
  auto* kv = span->add_attributes();
  kv->set_key("kv");
  auto* inner = kv->mutable_value()->mutable_kvlist_value()->add_values();
  inner->set_key("n");
  inner->mutable_value()->set_int_value(3);
  auto* mixed = span->add_attributes();
  mixed->set_key("mixed");
  mixed->mutable_value()->mutable_array_value()->add_values()->set_bool_value(true);
  mixed->mutable_value()->mutable_array_value()->add_values()->set_string_value("s");
  span->add_attributes()->set_key("empty");
  const auto r = decode_export_request(request.SerializeAsString(), Format::kProtobuf);
  ASSERT_TRUE(r.ok()) << r.error;
  const Attributes& a = r.spans.at(0)->attributes;
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(std::get<std::string>(a[0].value), "AAEC");
  EXPECT_EQ(std::get<std::string>(a[1].value), R"({"n":3})");
  EXPECT_EQ(std::get<std::string>(a[2].value), R"([true,"s"])");
  EXPECT_EQ(std::get<std::string>(a[3].value), "");
}

TEST(Decoder, SpansShareResourceAndScopeObjects) {
  const auto r = decode_export_request(encode_protobuf(testing::realistic_batch(3)), Format::kProtobuf);
  ASSERT_EQ(r.spans.size(), 3u);
  EXPECT_EQ(r.spans[0]->resource.get(), r.spans[2]->resource.get());
  EXPECT_EQ(r.spans[0]->scope.get(), r.spans[2]->scope.get());
}

TEST(Decoder, MalformedProtobufIsAnError) {
  const std::string good = encode_protobuf(testing::realistic_batch(4));
  const std::vector<std::string> bad = {
      good.substr(0, good.size() / 2),                                      // truncated
      std::string("\x0a\xff\xff\xff\xff\x0f", 6),                           // length 4 GiB, no data
      std::string("\x0a\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 12),  // overlong varint
      std::string("\x0f", 1),                                               // wire type 7 (invalid)
      std::string("\x0a\x05hello", 7),  // resource_spans that is not a message
  };
  for (const auto& body : bad) {
    const auto r = decode_export_request(body, Format::kProtobuf);
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(r.spans.empty());
  }
  EXPECT_TRUE(decode_export_request("", Format::kProtobuf).ok());  // empty request is valid
}

// Protobuf wire bytes, written by hand to reach what an encoder never sends.
std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string field(std::uint32_t number, std::uint32_t wire_type) { return varint((number << 3) | wire_type); }
std::string message(std::uint32_t number, const std::string& payload) {
  return field(number, 2) + varint(payload.size()) + payload;
}
std::string fixed64(std::uint32_t number, std::uint64_t v) {
  std::string out = field(number, 1);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}
const std::string kTraceId = message(1, "0123456789abcdef");
const std::string kSpanId = message(2, "01234567");
// A request of one ResourceSpans holding `resource_fields` and one ScopeSpans with `span`.
std::string request(const std::string& span, const std::string& resource_fields = "",
                    const std::string& scope_spans_fields = "") {
  return message(1, resource_fields + message(2, scope_spans_fields + message(2, span)));
}
std::string string_value(const std::string& s) { return message(1, s); }
std::string key_value(const std::string& key, const std::string& any_value) {
  return message(1, key) + message(2, any_value);
}
// An AnyValue of arrays nested `depth` deep around an int.
std::string nested_arrays(int depth) {
  std::string value = field(3, 0) + varint(7);
  for (int i = 0; i < depth; ++i) value = message(5, message(1, value));
  return value;
}

// The wire decoder answers what the libprotobuf-based one answers: the same error, or the same
// spans (compared by their encoding), rejections and messages.
void expect_same_as_libprotobuf(const std::string& body, const std::string& what) {
  SCOPED_TRACE(what);
  const DecodeResult ours = decode_export_request(body, Format::kProtobuf);
  const DecodeResult reference = decode_protobuf_with_libprotobuf(body);
  EXPECT_EQ(ours.error, reference.error);
  EXPECT_EQ(ours.rejected_spans, reference.rejected_spans);
  EXPECT_EQ(ours.messages, reference.messages);
  ASSERT_EQ(ours.spans.size(), reference.spans.size());
  EXPECT_EQ(encode_protobuf(ours.spans), encode_protobuf(reference.spans));
  // And the decoder that hands span attributes on as references, once they are copied.
  DecodeResult refs = decode_protobuf_attribute_refs(body);
  EXPECT_EQ(refs.error, ours.error);
  EXPECT_EQ(refs.rejected_spans, ours.rejected_spans);
  EXPECT_EQ(refs.messages, ours.messages);
  ASSERT_EQ(refs.spans.size(), ours.spans.size());
  for (const auto& span : refs.spans) EXPECT_TRUE(span->attributes.empty());
  materialize_attribute_refs(refs);
  EXPECT_EQ(encode_protobuf(refs.spans), encode_protobuf(ours.spans));
}

TEST(Decoder, AttributeRefsPointIntoTheBodyAndSkipRejectedSpans) {
  const std::string ids = kTraceId + kSpanId;
  const std::string bad_ids = kTraceId + message(2, "short");
  const std::string array = message(5, message(1, field(3, 0) + varint(1)) + message(1, field(3, 0) + varint(2)));
  const std::string body = request(
      ids + message(5, "a") + message(9, key_value("http.route", string_value("/users/{id}"))) +
      message(9, key_value("n", field(3, 0) + varint(42))) + message(9, key_value("ok", field(2, 0) + varint(1))) +
      message(9, key_value("ratio", fixed64(4, std::bit_cast<std::uint64_t>(0.5)))) +
      message(9, key_value("empty", ""))) +
      message(1, message(2, message(2, bad_ids + message(5, "b") + message(9, key_value("x", string_value("y")))))) +
      message(1, message(2, message(2, ids + message(5, "c") + message(9, key_value("list", array)))));
  const DecodeResult r = decode_protobuf_attribute_refs(body);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.rejected_spans, 1);
  ASSERT_EQ(r.spans.size(), 2u);
  ASSERT_EQ(r.attribute_ranges.size(), 2u);
  const auto a = r.attribute_refs_of(0);
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].key, "http.route");
  const auto route = std::get<std::string_view>(a[0].value);
  EXPECT_EQ(route, "/users/{id}");
  EXPECT_TRUE(route.data() >= body.data() && route.data() + route.size() <= body.data() + body.size());
  EXPECT_EQ(std::get<std::int64_t>(a[1].value), 42);
  EXPECT_EQ(std::get<bool>(a[2].value), true);
  EXPECT_EQ(std::get<double>(a[3].value), 0.5);
  EXPECT_EQ(*std::get<const AttributeValue*>(a[4].value), AttributeValue(std::string()));  // empty AnyValue
  const auto c = r.attribute_refs_of(1);  // the rejected span's attribute is not among them
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].key, "list");
  EXPECT_EQ(*std::get<const AttributeValue*>(c[0].value), AttributeValue(std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(r.attribute_refs.size(), 6u);
  EXPECT_TRUE(r.spans[0]->attributes.empty());
  EXPECT_EQ(to_key_value(a[0]), (KeyValue{"http.route", std::string("/users/{id}")}));
}

// The store recycles each result's buffers: the next decoding on the thread writes its
// references into the same memory (not regrown from empty), and decodes as before.
TEST(Decoder, RecycledBuffersAreReusedOnTheThreadAndDecodeTheSame) {
  const std::string big = encode_protobuf(testing::realistic_batch(200));
  const std::string small = encode_protobuf(testing::realistic_batch(1));
  DecodeResult first = decode_protobuf_attribute_refs(big);
  ASSERT_TRUE(first.ok()) << first.error;
  const std::size_t kept = first.attribute_refs.capacity();
  const AttributeRef* memory = first.attribute_refs.data();
  ASSERT_GT(kept, 200u);
  for (auto& span : first.spans) recycle_burst_span_data(std::move(span));
  recycle_decode_buffers(std::move(first));

  DecodeResult second = decode_protobuf_attribute_refs(small);
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_EQ(second.attribute_refs.data(), memory);
  EXPECT_EQ(second.attribute_refs.capacity(), kept);  // a fresh vector grows only to the small batch's size
  ASSERT_EQ(second.spans.size(), 1u);
  ASSERT_EQ(second.attribute_ranges.size(), 1u);
  EXPECT_EQ(second.attribute_ranges[0].first, 0u);
  materialize_attribute_refs(second);
  EXPECT_EQ(encode_protobuf(second.spans), small);

  // Another thread has its own spares: it does not see this thread's memory.
  std::thread([&] {
    const DecodeResult other = decode_protobuf_attribute_refs(small);
    EXPECT_NE(other.attribute_refs.data(), memory);
    EXPECT_LT(other.attribute_refs.capacity(), kept);
  }).join();
}

TEST(Decoder, AHugeRequestsBuffersAreNotKept) {
  const std::string huge = encode_protobuf(testing::realistic_batch(12000));  // > 65536 attributes
  DecodeResult first = decode_protobuf_attribute_refs(huge);
  ASSERT_TRUE(first.ok()) << first.error;
  ASSERT_GT(first.attribute_refs.size(), 1u << 16);
  const std::size_t huge_capacity = first.attribute_refs.capacity();
  recycle_decode_buffers(std::move(first));
  const DecodeResult next = decode_protobuf_attribute_refs(encode_protobuf(testing::realistic_batch(1)));
  EXPECT_LT(next.attribute_refs.capacity(), huge_capacity);

  // Nor one of many spans with few attributes each: its span list is as large.
  DecodeResult many;
  many.spans.resize((1u << 16) + 1);
  const std::size_t many_capacity = many.spans.capacity();
  recycle_decode_buffers(std::move(many));
  const DecodeResult after = decode_protobuf_attribute_refs(encode_protobuf(testing::realistic_batch(1)));
  EXPECT_LT(after.spans.capacity(), many_capacity);
}

TEST(Decoder, ProtobufWireDecodingFollowsLibprotobufRuleForRule) {
  const std::string ids = kTraceId + kSpanId;
  const std::string name = message(5, "op");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty request"},
      {encode_protobuf(testing::realistic_batch(5)), "an encoder's batch"},
      {request(ids + name), "a minimal span"},
      // Unknown fields of every wire type are skipped, at every level, groups included.
      {field(9, 0) + varint(5) + request(ids + name + fixed64(40, 1) + field(41, 5) + "abcd"), "unknown scalars"},
      {request(ids + name + field(42, 3) + field(1, 0) + varint(1) + field(42, 4)), "an unknown group"},
      {request(ids + name + field(42, 3) + field(1, 0) + varint(1) + field(43, 4)), "a group ended by another field"},
      {request(ids + name + field(42, 3) + field(1, 0) + varint(1)), "a group never ended"},
      {request(ids + name + field(42, 4)), "an end-group tag alone"},
      // Known fields with another wire type are unknown fields, not errors.
      {request(ids + name + field(6, 2) + varint(1) + "x" + field(7, 0) + varint(9)), "kind and start time mistyped"},
      // Tags and lengths at their limits.
      {request(ids + name) + std::string("\x80\x00", 2) + varint(0), "field number 0 (in two bytes)"},
      {std::string("\x0b", 1), "a start-group tag at the end"},
      {std::string("\x0e", 1) + request(ids + name), "wire type 6"},
      {std::string("\xf8\xff\xff\xff\x7f", 5) + varint(1), "a five-byte tag past 32 bits"},
      {std::string("\x0a\x80\x80\x80\x80\x00", 6), "a length in six bytes"},
      {std::string("\x0a\x80\x80\x80\x00", 5), "a length of 0 in five bytes"},
      {std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11), "a ten-byte varint"},
      {std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12), "an eleven-byte varint"},
      {request(ids + name + message(6, "")), "a span kind as a message"},
      // Proto3 strings must be UTF-8; bytes need not be.
      {request(ids + message(5, "\xc3\x28")), "an invalid span name"},
      {request(ids + name + message(9, key_value("k", message(7, "\xff\xfe")))), "bytes that are not UTF-8"},
      {request(ids + name, message(3, message(2, "\xed\xa0\x80"))), "a surrogate in a resource's entity type"},
      {request(ids + name, "", message(1, message(3, key_value("\xc0\xaf", string_value("v"))))), "an overlong scope attribute key"},
      {request(ids + message(5, "\xf4\x90\x80\x80")), "a code point past U+10FFFF"},
      // Repeated and merged fields.
      {request(ids + name + message(15, message(2, "first") + field(3, 0) + varint(2)) + message(15, message(2, "second"))),
       "two statuses merge"},
      {request(ids + name, message(1, key_value("a", string_value("1"))) + message(1, key_value("b", string_value("2")))),
       "two resources merge"},
      {request(ids + name + message(9, message(1, "k") + message(2, string_value("s")) + message(2, field(3, 0) + varint(5)))),
       "a second value of another type replaces the first"},
      {request(ids + name + message(9, message(1, "k") + message(2, message(5, message(1, string_value("a")))) +
                                        message(2, message(5, message(1, string_value("b")))))),
       "two arrays merge"},
      {request(ids + name + message(9, message(1, "k") + message(2, message(5, message(1, string_value("a")))) +
                                        message(2, string_value("s")) + message(2, message(5, "")))),
       "an array, a string, an empty array"},
      {request(ids + name + message(9, key_value("k", message(6, message(1, key_value("x", field(2, 0) + varint(1))))))),
       "a key/value list"},
      // The usual attribute (a key, then a value of one scalar member) is read by a fast
      // path; every near miss goes to the general rules and must end the same way.
      {request(ids + name + message(9, key_value("k", string_value("s"))) + message(9, key_value("b", field(2, 0) + varint(2))) +
               message(9, key_value("i", field(3, 0) + varint(0xffffffffffffffffULL))) + message(9, key_value("d", fixed64(4, 0x3ff8000000000000ULL)))),
       "one attribute of each scalar type"},
      {request(ids + name + message(9, key_value("k", string_value("s") + field(3, 0) + varint(5)))), "a value of two members"},
      {request(ids + name + message(9, key_value("k", string_value("\xff")))), "a string value that is not UTF-8"},
      {request(ids + name + message(9, key_value("\xff", field(3, 0) + varint(1)))), "an int under a key that is not UTF-8"},
      {request(ids + name + message(9, message(2, string_value("v")) + message(1, "k"))), "the value before the key"},
      {request(ids + name + message(9, message(1, "k"))), "a key without a value"},
      {request(ids + name + message(9, key_value("k", field(1, 0) + varint(3)))), "a string member sent as a varint"},
      {request(ids + name + message(9, key_value("k", field(3, 0) + "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"))),
       "an int of eleven bytes"},
      {request(ids + name + message(9, key_value("k", field(4, 1) + "\x01\x02\x03\x04"))), "a double cut short"},
      {request(ids + name + message(9, std::string("\x8a\x00", 2) + varint(1) + "k" + message(2, string_value("v")))),
       "a key under a two-byte tag"},
      {request(ids + name + message(9, key_value("k", string_value("v")) + field(3, 0) + varint(1))), "an attribute with an unknown field"},
      {request(kTraceId + message(2, "short") + name), "an invalid span id: rejected"},
      {request(ids + name + message(4, "") + message(13, kTraceId + message(2, "01234567") + field(6, 5) + "\x01\x03\x00\x00")),
       "a link, an empty parent id"},
      {request(ids + name + field(16, 5) + std::string("\x01\x03\x00\x00", 4) + field(6, 0) + varint(0xffffffffffffffffULL)),
       "flags, and a kind past int32"},
  };
  for (const auto& [body, what] : cases) expect_same_as_libprotobuf(body, what);
  // Nesting: the request's messages take 6 levels down to the attribute's value (request >
  // ResourceSpans > ScopeSpans > Span > KeyValue > AnyValue); each array two more.
  int accepted = 0;
  for (int depth = 44; depth <= 50; ++depth) {
    const std::string body = request(ids + name + message(9, key_value("k", nested_arrays(depth))));
    expect_same_as_libprotobuf(body, "arrays nested " + std::to_string(depth) + " deep");
    accepted += decode_export_request(body, Format::kProtobuf).ok() ? 1 : 0;
  }
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, 7);  // the limit falls inside the range
  // A few outcomes spelled out, so the comparison above is not between two wrong answers.
  const auto decode = [&](const std::string& what) {
    for (const auto& [body, description] : cases) {
      if (description == what) return decode_export_request(body, Format::kProtobuf);
    }
    ADD_FAILURE() << "no case " << what;
    return DecodeResult{};
  };
  EXPECT_FALSE(decode("an invalid span name").ok());
  EXPECT_TRUE(decode("bytes that are not UTF-8").ok());
  EXPECT_FALSE(decode("a start-group tag at the end").ok());
  EXPECT_TRUE(decode("an unknown group").ok());
  EXPECT_EQ(decode("an invalid span id: rejected").rejected_spans, 1);
  EXPECT_FALSE(decode("a string value that is not UTF-8").ok());
  EXPECT_FALSE(decode("an int of eleven bytes").ok());
  const auto scalars = decode("one attribute of each scalar type");
  ASSERT_EQ(scalars.spans.size(), 1u);
  ASSERT_EQ(scalars.spans[0]->attributes.size(), 4u);
  EXPECT_EQ(std::get<std::string>(scalars.spans[0]->attributes[0].value), "s");
  EXPECT_EQ(std::get<bool>(scalars.spans[0]->attributes[1].value), true);
  EXPECT_EQ(std::get<std::int64_t>(scalars.spans[0]->attributes[2].value), -1);
  EXPECT_EQ(std::get<double>(scalars.spans[0]->attributes[3].value), 1.5);
  const auto two_members = decode("a value of two members");
  ASSERT_EQ(two_members.spans.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(two_members.spans[0]->attributes.at(0).value), 5);
  const auto merged = decode("two statuses merge");
  ASSERT_EQ(merged.spans.size(), 1u);
  EXPECT_EQ(merged.spans[0]->status_message, "second");
  EXPECT_EQ(merged.spans[0]->status_code, StatusCode::kError);
  const auto arrays = decode("two arrays merge");
  ASSERT_EQ(arrays.spans.size(), 1u);
  EXPECT_EQ(std::get<std::vector<std::string>>(arrays.spans[0]->attributes.at(0).value),
            (std::vector<std::string>{"a", "b"}));
  DecodeLimits limits;
  limits.max_spans = 1;
  const std::string two = request(ids + name) + request(ids + message(5, "\xff"));
  EXPECT_EQ(decode_export_request(two, Format::kProtobuf, limits).error,
            decode_protobuf_with_libprotobuf(two, limits).error);
}

// The usual KeyValue is read by its byte layout when every tag and length takes one byte: at
// the lengths where one more byte is needed, with each member type, and with the layout's
// bytes changed (a tag in two bytes, a member twice, text after it, a bad byte), the answer is
// libprotobuf's.
TEST(Decoder, ShortKeyValuesReadByLayoutFollowLibprotobuf) {
  const std::string ids = kTraceId + kSpanId;
  const std::string name = message(5, "op");
  const auto attribute = [&](const std::string& key_value_bytes) {
    return request(ids + name + message(9, key_value_bytes));
  };
  std::vector<std::pair<std::string, std::string>> cases;
  for (const std::size_t n : {0, 1, 2, 60, 123, 124, 125, 126, 127, 128, 129, 200}) {
    const std::string text(n, 'v');
    cases.push_back({attribute(key_value("k", string_value(text))), "a string value of " + std::to_string(n) + " bytes"});
    cases.push_back({attribute(key_value(text, field(3, 0) + varint(7))), "a key of " + std::to_string(n) + " bytes"});
  }
  for (const std::uint64_t v : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{127}, std::uint64_t{128},
                                std::uint64_t{1} << 63, ~std::uint64_t{0}}) {
    cases.push_back({attribute(key_value("i", field(3, 0) + varint(v))), "an int " + std::to_string(v)});
    cases.push_back({attribute(key_value("b", field(2, 0) + varint(v))), "a bool " + std::to_string(v)});
  }
  const std::string eleven_bytes("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
  const std::vector<std::pair<std::string, std::string>> odd = {
      {key_value("d", fixed64(4, 0x400921fb54442d18)), "a double"},
      {key_value("d", fixed64(4, 1).substr(0, 8)), "a double cut short"},
      {key_value("i", field(3, 0) + eleven_bytes), "an eleven-byte int"},
      {key_value("i", field(3, 0)), "an int without its varint"},
      {key_value("i", field(3, 0) + varint(5) + varint(6)), "an int with a byte after it"},
      {key_value("s", string_value("a") + string_value("b")), "a string value twice"},
      {key_value("s", string_value("a") + field(3, 0) + varint(1)), "a string then an int"},
      {key_value("s", string_value("\xff")), "a string value that is not UTF-8"},
      {key_value("\xc3", string_value("a")), "a key that is not UTF-8"},
      {key_value("s", string_value("\xc3\xa9")), "a string value of two-byte UTF-8"},
      {key_value("s", "") , "an empty value"},
      {key_value("s", std::string("\x8a\x00", 2) + varint(1) + "a"), "a string value's tag in two bytes"},
      {std::string("\x8a\x00", 2) + varint(1) + "k" + message(2, string_value("a")), "the key's tag in two bytes"},
      {message(1, "k") + message(2, string_value("a")) + message(1, "k2"), "a second key after the value"},
      {message(2, string_value("a")) + message(1, "k"), "the value before the key"},
      {message(1, "k") + field(2, 2) + std::string("\x83\x00", 2) + string_value("abc"), "the value's length in two bytes"},
      {key_value("s", message(7, "\xff\xfe")), "bytes"},
  };
  for (const auto& [bytes, what] : odd) cases.push_back({attribute(bytes), what});
  for (const auto& [body, what] : cases) expect_same_as_libprotobuf(body, what);
}

TEST(Decoder, ProtobufSpansRecycledAfterARichRequestComeBackClean) {
  // The decoder takes spans from the pool; a receiver gives them back once stored. A span that
  // held events, links, attributes and a status must not lend any of them to the next request.
  DecodeResult rich = decode_export_request(encode_protobuf(testing::realistic_batch(64)), Format::kProtobuf);
  ASSERT_TRUE(rich.ok());
  for (auto& span : rich.spans) recycle_span_data(std::move(span));
  const std::string minimal = request(kTraceId + kSpanId + message(5, "op"));
  for (int i = 0; i < 64; ++i) expect_same_as_libprotobuf(minimal, "a minimal span after recycling");
}

TEST(Decoder, MalformedJsonIsAnError) {
  const std::vector<std::string> bad = {
      "", "{", "[]", "nope", R"({"resourceSpans":{}})", R"({"resourceSpans":[1]})",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":5}]}]}]})",
      json_request(std::string("{") + kIds + R"(,"startTimeUnixNano":"12x"})"),
      json_request(std::string("{") + kIds + R"(,"startTimeUnixNano":-1})"),
      json_request(std::string("{") + kIds + R"(,"droppedAttributesCount":"99999999999"})"),
      json_request(std::string("{") + kIds + R"(,"attributes":[{"key":"a","value":{"intValue":1.5}}]})"),
      json_request(std::string("{") + kIds + R"(,"attributes":[{"key":"a","value":{"boolValue":"yes"}}]})"),
      json_request(std::string("{") + kIds + R"(,"events":{}})"),
      std::string(200, '[') + std::string(200, ']'),  // nesting past the depth limit
  };
  for (const auto& body : bad) {
    const auto r = decode_export_request(body, Format::kJson);
    EXPECT_FALSE(r.ok()) << body;
    EXPECT_TRUE(r.spans.empty());
  }
}

TEST(Decoder, TooManySpansIsAnError) {
  DecodeLimits limits;
  limits.max_spans = 2;
  EXPECT_FALSE(decode_export_request(encode_protobuf(testing::realistic_batch(3)), Format::kProtobuf, limits).ok());
  EXPECT_TRUE(decode_export_request(encode_protobuf(testing::realistic_batch(2)), Format::kProtobuf, limits).ok());
}

}  // namespace
}  // namespace tdemo::telemetry::otlp
