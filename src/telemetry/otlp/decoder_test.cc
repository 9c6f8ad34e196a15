#include "telemetry/otlp/decoder.h"

#include <gtest/gtest.h>

#include <cmath>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/protobuf_encoder.h"
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
