#include "telemetry/otlp/json_encoder.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/test_spans.h"

namespace tdemo::telemetry::otlp {
namespace {

namespace json = boost::json;

json::value parse(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message() << "\n" << text;
  return v;
}

const json::value& attribute(const json::value& owner, std::string_view key) {
  for (const auto& kv : owner.at("attributes").as_array()) {
    if (kv.at("key").as_string() == key) return kv.at("value");
  }
  ADD_FAILURE() << "no attribute " << key;
  static const json::value none;
  return none;
}

TEST(JsonEncoder, FollowsOtlpJsonMapping) {
  const SpanBatch batch = testing::full_batch();
  const json::value doc = parse(encode_json(batch));
  const auto& rs = doc.at("resourceSpans").as_array();
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].at("schemaUrl").as_string(), "https://opentelemetry.io/schemas/1.24.0");
  EXPECT_EQ(attribute(rs[0].at("resource"), "process.pid").at("intValue").as_string(), "4242");
  const auto& scope_spans = rs[0].at("scopeSpans").as_array();
  EXPECT_EQ(scope_spans[0].at("scope").at("name").as_string(), "tracing-demo");
  EXPECT_EQ(scope_spans[0].at("scope").at("version").as_string(), "0.1.0");
  const json::value& span = scope_spans[0].at("spans").as_array()[0];
  const SpanData& want = *batch[0];

  EXPECT_EQ(span.at("traceId").as_string().size(), 32u);
  EXPECT_EQ(span.at("traceId").as_string(), "1112131415161718191a1b1c1d1e1f20");
  EXPECT_EQ(span.at("spanId").as_string(), "2021222324252627");
  EXPECT_EQ(span.at("parentSpanId").as_string().size(), 16u);
  EXPECT_EQ(span.at("traceState").as_string(), "vendor=abc,x@y=1=2");
  EXPECT_EQ(span.at("flags").as_int64(), 0x303);
  EXPECT_EQ(span.at("kind").as_int64(), 2);  // enums as integers
  EXPECT_EQ(span.at("startTimeUnixNano").as_string(), std::to_string(want.start_time_unix_nano));
  EXPECT_EQ(span.at("endTimeUnixNano").as_string(), std::to_string(want.end_time_unix_nano));
  EXPECT_EQ(span.at("droppedAttributesCount").as_int64(), 3);
  EXPECT_EQ(span.at("droppedEventsCount").as_int64(), 4);
  EXPECT_EQ(span.at("droppedLinksCount").as_int64(), 5);
  EXPECT_EQ(span.at("status").at("code").as_int64(), 2);
  EXPECT_EQ(span.at("status").at("message").as_string(), "User 42 not found");

  EXPECT_EQ(attribute(span, "escape").at("stringValue").as_string(),
            std::get<std::string>(want.attributes[1].value));
  EXPECT_EQ(attribute(span, "t").at("boolValue").as_bool(), true);
  EXPECT_EQ(attribute(span, "f").at("boolValue").as_bool(), false);
  EXPECT_EQ(attribute(span, "neg").at("intValue").as_string(), "-9223372036854775808");
  EXPECT_EQ(attribute(span, "max").at("intValue").as_string(), "9223372036854775807");
  EXPECT_EQ(attribute(span, "pi").at("doubleValue").as_double(), 3.141592653589793);
  EXPECT_EQ(attribute(span, "tiny").at("doubleValue").as_double(), 5e-324);
  EXPECT_EQ(attribute(span, "nan").at("doubleValue").as_string(), "NaN");
  EXPECT_EQ(attribute(span, "inf").at("doubleValue").as_string(), "Infinity");
  EXPECT_EQ(attribute(span, "ninf").at("doubleValue").as_string(), "-Infinity");
  const auto& ints = attribute(span, "ints").at("arrayValue").at("values").as_array();
  ASSERT_EQ(ints.size(), 4u);
  EXPECT_EQ(ints[3].at("intValue").as_string(), "1099511627776");
  EXPECT_EQ(attribute(span, "none").at("arrayValue").at("values").as_array().size(), 0u);

  const auto& events = span.at("events").as_array();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("timeUnixNano").as_string(), std::to_string(want.events[0].time_unix_nano));
  EXPECT_EQ(events[0].at("droppedAttributesCount").as_int64(), 2);
  const auto& links = span.at("links").as_array();
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].at("traceState").as_string(), "k=v");
  EXPECT_EQ(links[0].at("flags").as_int64(), 0x301);
}

TEST(JsonEncoder, EscapesControlCharactersAndReplacesInvalidUtf8) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\n\x01\x1f\x7f é \xff\xc3", 15));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\\u001f\x7f é \xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_FALSE(parse(out).as_string().empty());
  out.clear();
  append_json_string(out, "\xed\xa0\x80");  // UTF-16 surrogate encoded in UTF-8: invalid
  EXPECT_EQ(out, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonEncoder, EmptyBatch) {
  EXPECT_EQ(encode_json(SpanBatch{}), "{\"resourceSpans\":[]}");
}

TEST(JsonEncoder, RoundTripsThroughDecoder) {
  const SpanBatch batch = testing::full_batch();
  const DecodeResult decoded = decode_export_request(encode_json(batch), Format::kJson);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  EXPECT_EQ(decoded.rejected_spans, 0);
  testing::expect_same_batch(batch, decoded.spans);
}

}  // namespace
}  // namespace tdemo::telemetry::otlp
