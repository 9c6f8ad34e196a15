#include "tracestore/jaeger_json.h"

#include <gtest/gtest.h>

#include <limits>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tracestore/test_spans.h"

namespace tdemo::tracestore {
namespace {
namespace json = boost::json;

constexpr std::uint64_t kT0 = 1'700'000'000'000'000'000ULL;

// Finds the tag `key` in a Jaeger tag list; null when absent.
const json::object* find_tag(const json::array& tags, std::string_view key) {
  for (const auto& t : tags) {
    if (t.as_object().at("key").as_string() == key) return &t.as_object();
  }
  return nullptr;
}

Trace sample_trace() {
  auto res = std::make_shared<telemetry::Resource>();
  res->attributes = {{"service.name", std::string("payments")}, {"host.name", std::string("h1")}};
  Trace t;
  t.id = testing::trace_id(7);
  auto root = testing::span(7, 1, 0, "POST /payments", res, kT0, 2'500'000);
  root.attributes = {{"http.status_code", std::int64_t{500}}, {"ok", false}, {"ratio", 0.5},
                     {"list", std::vector<std::string>{"a", "b"}}};
  root.status_code = telemetry::StatusCode::kError;
  root.status_message = "card declined";
  root.kind = telemetry::SpanKind::kServer;
  root.events.push_back({"exception", kT0 + 1000, {{"exception.type", std::string("Declined")}}, 0});
  telemetry::Link link;
  link.context = telemetry::SpanContext(testing::trace_id(8), testing::span_id(9), 0, true);
  root.links.push_back(link);
  auto child = testing::span(7, 2, 1, "charge", res, kT0 + 2000, 1000);
  child.kind = telemetry::SpanKind::kClient;
  child.status_code = telemetry::StatusCode::kOk;
  t.spans = {root, child};
  return t;
}

TEST(JaegerJson, MapsOtlpAsJaegerDoes) {
  const json::object trace = jaeger_trace_json(sample_trace());
  EXPECT_EQ(trace.at("traceID").as_string(), "ab000000000000000000000000000007");
  const auto& spans = trace.at("spans").as_array();
  ASSERT_EQ(spans.size(), 2u);
  const auto& root = spans[0].as_object();
  EXPECT_EQ(root.at("spanID").as_string(), "0000000000000001");
  EXPECT_EQ(root.at("operationName").as_string(), "POST /payments");
  EXPECT_EQ(root.at("startTime").as_int64(), static_cast<std::int64_t>(kT0 / 1000));
  EXPECT_EQ(root.at("duration").as_int64(), 2500);
  const auto& tags = root.at("tags").as_array();
  ASSERT_TRUE(find_tag(tags, "http.status_code"));
  EXPECT_EQ(find_tag(tags, "http.status_code")->at("type").as_string(), "int64");
  EXPECT_EQ(find_tag(tags, "http.status_code")->at("value").as_int64(), 500);
  EXPECT_EQ(find_tag(tags, "ok")->at("type").as_string(), "bool");
  EXPECT_EQ(find_tag(tags, "ratio")->at("type").as_string(), "float64");
  EXPECT_EQ(find_tag(tags, "list")->at("value").as_string(), "[\"a\",\"b\"]");
  EXPECT_EQ(find_tag(tags, "span.kind")->at("value").as_string(), "server");
  EXPECT_EQ(find_tag(tags, "otel.status_code")->at("value").as_string(), "ERROR");
  EXPECT_EQ(find_tag(tags, "error")->at("value").as_bool(), true);
  EXPECT_EQ(find_tag(tags, "otel.status_description")->at("value").as_string(), "card declined");
  EXPECT_EQ(find_tag(tags, "otel.scope.name")->at("value").as_string(), "tdemo");
  EXPECT_EQ(find_tag(tags, "otel.scope.version")->at("value").as_string(), "1.0");
  // Links become FOLLOWS_FROM; the root has no CHILD_OF.
  const auto& refs = root.at("references").as_array();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].at("refType").as_string(), "FOLLOWS_FROM");
  EXPECT_EQ(refs[0].at("spanID").as_string(), "0000000000000009");
  // Events become logs with an `event` field first.
  const auto& logs = root.at("logs").as_array();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].at("timestamp").as_int64(), static_cast<std::int64_t>((kT0 + 1000) / 1000));
  const auto& fields = logs[0].at("fields").as_array();
  EXPECT_EQ(fields[0].at("key").as_string(), "event");
  EXPECT_EQ(fields[0].at("value").as_string(), "exception");
  EXPECT_EQ(fields[1].at("key").as_string(), "exception.type");

  const auto& child = spans[1].as_object();
  const auto& child_refs = child.at("references").as_array();
  ASSERT_EQ(child_refs.size(), 1u);
  EXPECT_EQ(child_refs[0].at("refType").as_string(), "CHILD_OF");
  EXPECT_EQ(child_refs[0].at("spanID").as_string(), "0000000000000001");
  EXPECT_EQ(child_refs[0].at("traceID").as_string(), trace.at("traceID").as_string());
  EXPECT_EQ(find_tag(child.at("tags").as_array(), "span.kind")->at("value").as_string(), "client");
  EXPECT_EQ(find_tag(child.at("tags").as_array(), "otel.status_code")->at("value").as_string(), "OK");
  EXPECT_FALSE(find_tag(child.at("tags").as_array(), "error"));

  // Resource -> one shared process, service.name as serviceName (not a tag).
  EXPECT_EQ(root.at("processID"), child.at("processID"));
  const auto& process = trace.at("processes").as_object().at(root.at("processID").as_string()).as_object();
  EXPECT_EQ(process.at("serviceName").as_string(), "payments");
  EXPECT_TRUE(find_tag(process.at("tags").as_array(), "host.name"));
  EXPECT_FALSE(find_tag(process.at("tags").as_array(), "service.name"));
}

// Array attributes become string tags holding json.Marshal's text, as Jaeger's translator
// writes them: 1.5 not 1.5E0, HTML-escaped strings.
TEST(JaegerJson, ArrayTagsAsJaegerWritesThem) {
  Trace t = sample_trace();
  t.spans[0].attributes = {{"weights", std::vector<double>{1.5, -2.25}},
                           {"ids", std::vector<std::int64_t>{1, 2}},
                           {"flags", std::vector<bool>{true, false}},
                           {"names", std::vector<std::string>{"<a>", ""}}};
  const json::object trace = jaeger_trace_json(t);
  const auto& tags = trace.at("spans").as_array()[0].at("tags").as_array();
  for (const char* key : {"weights", "ids", "flags", "names"}) {
    ASSERT_TRUE(find_tag(tags, key)) << key;
    EXPECT_EQ(find_tag(tags, key)->at("type").as_string(), "string") << key;
  }
  EXPECT_EQ(find_tag(tags, "weights")->at("value").as_string(), "[1.5,-2.25]");
  EXPECT_EQ(find_tag(tags, "ids")->at("value").as_string(), "[1,2]");
  EXPECT_EQ(find_tag(tags, "flags")->at("value").as_string(), "[true,false]");
  EXPECT_EQ(find_tag(tags, "names")->at("value").as_string(), R"(["\u003ca\u003e",""])");
}

// Jaeger's translator: a link's opentracing.ref_type=child_of makes it CHILD_OF, and a link to
// the parent itself retypes the parent reference instead of adding a second one.
TEST(JaegerJson, LinkReferenceTypes) {
  Trace t = sample_trace();
  telemetry::SpanData& child = t.spans[1];
  telemetry::Link to_parent;
  to_parent.context = telemetry::SpanContext(testing::trace_id(7), testing::span_id(1), 1, false);
  to_parent.attributes = {{"opentracing.ref_type", std::string("follows_from")}};
  telemetry::Link child_of;
  child_of.context = telemetry::SpanContext(testing::trace_id(5), testing::span_id(6), 1, true);
  child_of.attributes = {{"opentracing.ref_type", std::string("child_of")}};
  child.links = {to_parent, child_of};
  const json::object trace = jaeger_trace_json(t);
  const auto& refs = trace.at("spans").as_array()[1].at("references").as_array();
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].at("refType").as_string(), "FOLLOWS_FROM");
  EXPECT_EQ(refs[0].at("spanID").as_string(), "0000000000000001");
  EXPECT_EQ(refs[1].at("refType").as_string(), "CHILD_OF");
  EXPECT_EQ(refs[1].at("spanID").as_string(), "0000000000000006");
}

// An event attribute named "event" replaces the field Jaeger would make of the event's name.
TEST(JaegerJson, EventAttributeNamedEventWins) {
  Trace t = sample_trace();
  t.spans[0].events = {{"log", kT0 + 10, {{"event", std::string("db.retry")}}, 0}};
  const json::object trace = jaeger_trace_json(t);
  const auto& log = trace.at("spans").as_array()[0].at("logs").as_array()[0];
  const auto& fields = log.at("fields").as_array();
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].at("key").as_string(), "event");
  EXPECT_EQ(fields[0].at("value").as_string(), "db.retry");
}

TEST(JaegerJson, ShortTraceIdWhenHighHalfIsZero) {
  Trace t = sample_trace();
  t.id.bytes[0] = 0;
  EXPECT_EQ(jaeger_trace_json(t).at("traceID").as_string(), "0000000000000007");
}

TEST(JaegerJson, Envelopes) {
  const auto ok = json::parse(jaeger_envelope(json::array{"a"}, 1)).as_object();
  EXPECT_EQ(ok.at("total").as_int64(), 1);
  EXPECT_TRUE(ok.at("errors").is_null());
  const auto err = json::parse(jaeger_error(404, "trace not found")).as_object();
  EXPECT_TRUE(err.at("data").is_null());
  EXPECT_EQ(err.at("errors").as_array()[0].at("code").as_int64(), 404);
  EXPECT_EQ(err.at("errors").as_array()[0].at("msg").as_string(), "trace not found");
}

TEST(OtlpJson, GroupsByResourceAndScope) {
  const json::object out = otlp_traces_json({sample_trace()});
  const auto& rs = out.at("resourceSpans").as_array();
  ASSERT_EQ(rs.size(), 1u);
  const auto& scope_spans = rs[0].at("scopeSpans").as_array();
  ASSERT_EQ(scope_spans.size(), 1u);
  EXPECT_EQ(scope_spans[0].at("scope").at("name").as_string(), "tdemo");
  const auto& spans = scope_spans[0].at("spans").as_array();
  ASSERT_EQ(spans.size(), 2u);
  const auto& root = spans[0].as_object();
  EXPECT_EQ(root.at("traceId").as_string(), "ab000000000000000000000000000007");
  EXPECT_EQ(root.at("kind").as_int64(), 2);
  EXPECT_EQ(root.at("startTimeUnixNano").as_string(), std::to_string(kT0));
  EXPECT_EQ(root.at("status").at("code").as_int64(), 2);
  EXPECT_EQ(root.at("attributes").as_array()[0].at("value").at("intValue").as_string(), "500");
  EXPECT_EQ(spans[1].at("parentSpanId").as_string(), "0000000000000001");
}

// SpanFlags: trace flags plus 0x300 when the parent (or a linked context) is remote.
TEST(OtlpJson, FlagsCarryTheRemoteBits) {
  Trace t = sample_trace();
  t.spans[0].parent_is_remote = true;
  t.spans[0].context =
      telemetry::SpanContext(t.spans[0].context.trace_id(), t.spans[0].context.span_id(), 1, false);
  t.spans[0].links[0].context =
      telemetry::SpanContext(testing::trace_id(8), testing::span_id(9), 1, true);
  telemetry::Link local;
  local.context = telemetry::SpanContext(testing::trace_id(8), testing::span_id(10), 1, false);
  t.spans[0].links.push_back(local);
  t.spans[1].context =
      telemetry::SpanContext(t.spans[1].context.trace_id(), t.spans[1].context.span_id(), 1, false);
  const json::object out = otlp_traces_json({t});
  const auto& spans =
      out.at("resourceSpans").as_array()[0].at("scopeSpans").as_array()[0].at("spans").as_array();
  EXPECT_EQ(spans[0].at("flags").to_number<int>(), 0x301);
  EXPECT_EQ(spans[1].at("flags").to_number<int>(), 0x001);
  const auto& links = spans[0].at("links").as_array();
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].at("flags").to_number<int>(), 0x301);
  EXPECT_EQ(links[1].at("flags").to_number<int>(), 0x001);
}

// OTLP carries any double, infinities and NaN included (protobuf, or "Infinity" in OTLP/JSON):
// both APIs must still answer valid JSON, with proto3 JSON's strings for them.
TEST(JaegerJson, NonFiniteDoublesStayValidJson) {
  Trace t = sample_trace();
  const double inf = std::numeric_limits<double>::infinity();
  t.spans[0].attributes = {{"up", inf},
                           {"down", -inf},
                           {"nan", std::numeric_limits<double>::quiet_NaN()},
                           {"list", std::vector<double>{1.5, inf}}};
  const std::string jaeger = json::serialize(jaeger_trace_json(t));
  const std::string otlp = json::serialize(otlp_traces_json({t}));
  boost::system::error_code ec;
  const auto jaeger_value = json::parse(jaeger, ec);
  ASSERT_FALSE(ec) << jaeger;
  const auto otlp_value = json::parse(otlp, ec);
  ASSERT_FALSE(ec) << otlp;
  const auto& tags = jaeger_value.at("spans").as_array()[0].at("tags").as_array();
  EXPECT_EQ(find_tag(tags, "up")->at("value").as_string(), "Infinity");
  EXPECT_EQ(find_tag(tags, "down")->at("value").as_string(), "-Infinity");
  EXPECT_EQ(find_tag(tags, "nan")->at("value").as_string(), "NaN");
  const auto& attributes = otlp_value.at("resourceSpans").as_array()[0].at("scopeSpans").as_array()[0]
                               .at("spans").as_array()[0].at("attributes").as_array();
  EXPECT_EQ(attributes[0].at("value").at("doubleValue").as_string(), "Infinity");
  EXPECT_EQ(attributes[3].at("value").at("arrayValue").at("values").as_array()[1].at("doubleValue").as_string(),
            "Infinity");
  EXPECT_EQ(attributes[3].at("value").at("arrayValue").at("values").as_array()[0].at("doubleValue").as_double(),
            1.5);
}

}  // namespace
}  // namespace tdemo::tracestore
