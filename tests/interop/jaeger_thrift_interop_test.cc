// Our jaeger.thrift encoder and JaegerThriftExporter against two independent readers of Jaeger's
// Thrift format:
//  - the trace store's decoder (decode_jaeger_thrift_batch, itself checked against the bytes of
//    Jaeger's own Node.js client): every span comes back field for field, as the Jaeger -> OTLP
//    translation defines the way back (expected_after_round_trip spells out what the mapping
//    moves or loses);
//  - thriftrw with the jaeger.thrift IDL shipped inside jaeger-client (jaeger_thrift_receiver.mjs),
//    over HTTP from our exporter: the Batch structs as Thrift reads them (field ids, types,
//    required fields) equal the OpenTelemetry -> Jaeger mapping written out here
//    (expected_batch_json), independently of the encoder.
// The node half skips (GTEST_SKIP) only when tests/interop/node_modules is missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "interop/json_compare.h"
#include "interop/node_process.h"
#include "telemetry/jaeger/thrift_encoder.h"
#include "telemetry/jaeger/thrift_exporter.h"
#include "telemetry/otlp/test_spans.h"
#include "tracestore/jaeger_thrift.h"

namespace tdemo::telemetry::jaeger {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

#define SKIP_WITHOUT_NODE_MODULES() TD_SKIP_WITHOUT_NODE_PACKAGE("jaeger-client")
using interop::NodeProcess;

// --- The spans ---------------------------------------------------------------------------------

// Array attributes of the test spans as the JSON-list strings the Jaeger mapping asks for,
// written out by hand.
const std::map<std::string, std::string> kArraysAsJson = {
    {"strs", R"(["a","","c\"d"])"},
    {"bools", "[true,false,true]"},
    {"ints", "[1,-2,0,1099511627776]"},
    {"doubles", "[1.5,-0.25,0]"},
    {"none", "[]"},
    {"build.tags", R"(["x","y"])"},
};

// The OTLP tests' full batch (two resources, every attribute type, events, links, every status
// and kind, trace state, dropped counts, NaN and extreme values) and a third resource with the
// cases the Jaeger mapping treats specially: no service.name, an unsampled root with an OK
// status and a description, an "error" attribute with and without an ERROR status, an event
// with an "event" attribute, times that are not whole microseconds, ids with the top bit set.
SpanBatch test_batch() {
  SpanBatch batch = otlp::testing::full_batch();
  auto resource = std::make_shared<Resource>();
  resource->attributes = {{"deployment.environment.name", attribute("test")},
                          {"build.tags", AttributeValue(std::vector<std::string>{"x", "y"})}};
  auto scope = std::make_shared<InstrumentationScope>(InstrumentationScope{"edge", "", ""});
  TraceId trace, other;
  SpanId root_id, child_id, linked_id;
  for (std::size_t i = 0; i < 16; ++i) trace.bytes[i] = static_cast<std::uint8_t>(0xf0 + i);
  other.bytes[15] = 7;
  root_id.bytes = {0x80, 0, 0, 0, 0, 0, 0, 1};
  child_id.bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
  linked_id.bytes = {0, 0, 0, 0, 0, 0, 0, 9};

  auto root = std::make_unique<SpanData>();
  root->context = SpanContext(trace, root_id, 0, false);  // not sampled
  root->name = "edge root";
  root->start_time_unix_nano = 1'700'000'000'000'000'999ULL;
  root->end_time_unix_nano = root->start_time_unix_nano + 1'999;  // 1 us
  root->attributes = {{"error", attribute(false)},
                      {"big", AttributeValue(std::numeric_limits<std::int64_t>::max())}};
  root->events = {Event{"named",
                        root->start_time_unix_nano + 500,
                        {{"event", attribute("override")}, {"k", attribute(1)}},
                        0}};
  root->status_code = StatusCode::kOk;
  root->status_message = "fine";
  root->resource = resource;
  root->scope = scope;

  auto child = std::make_unique<SpanData>();
  child->context = SpanContext(trace, child_id, kTraceFlagSampled, false);
  child->parent_span_id = root_id;
  child->name = "edge child";
  child->kind = SpanKind::kConsumer;
  child->start_time_unix_nano = root->start_time_unix_nano + 1'000'001;
  child->end_time_unix_nano = child->start_time_unix_nano + 250'000;
  child->attributes = {{"error", attribute("a string")}, {"ratio", attribute(0.1)}};
  child->links = {
      Link{SpanContext(other, linked_id, kTraceFlagSampled, true), {{"lost", attribute(1)}}, 2}};
  child->dropped_links_count = 1;
  child->status_code = StatusCode::kError;
  child->resource = resource;
  child->scope = scope;

  batch.push_back(std::move(root));
  batch.push_back(std::move(child));
  return batch;
}

bool is_array(const AttributeValue& v) { return v.index() >= 4; }  // after the four scalars

AttributeValue jaeger_value(const KeyValue& kv) {
  if (!is_array(kv.value)) return kv.value;
  const auto it = kArraysAsJson.find(kv.key);
  if (it == kArraysAsJson.end()) {
    ADD_FAILURE() << "no JSON text for array attribute " << kv.key;
    return std::string();
  }
  return it->second;
}

std::uint64_t whole_micros(std::uint64_t nanos) { return nanos / 1000 * 1000; }

// --- Our bytes -> the trace store's decoder ------------------------------------------------

// What the store (Jaeger -> OTLP, as the Collector's Jaeger receiver) makes of `s` after our
// encoder: times truncated to microseconds; only the sampled flag and the trace state survive
// in the context; arrays are JSON strings; span.kind, otel.status_*, error=true, otel.scope.*
// and w3c.tracestate go back into their fields, while the deprecated otel.library.* and the
// otel.dropped_*_count tags stay attributes; links keep only their ids; a status description
// survives only with ERROR; an event's "event" field names it; the resource loses its schema URL.
std::unique_ptr<SpanData> expected_after_round_trip(const SpanData& s) {
  auto out = std::make_unique<SpanData>();
  const auto& state = s.context.trace_state_ptr();
  out->context = SpanContext(s.context.trace_id(), s.context.span_id(), s.context.flags() & 1,
                             false, state && !state->empty() ? state : nullptr);
  out->parent_span_id = s.parent_span_id;
  out->name = s.name;
  out->kind = s.kind;
  out->start_time_unix_nano = whole_micros(s.start_time_unix_nano);
  out->end_time_unix_nano =
      out->start_time_unix_nano + whole_micros(s.end_time_unix_nano - s.start_time_unix_nano);
  const bool error = s.status_code == StatusCode::kError;
  for (const auto& kv : s.attributes) {
    if (!(error && kv.key == "error")) out->attributes.push_back({kv.key, jaeger_value(kv)});
  }
  if (!s.scope->name.empty()) out->attributes.push_back({"otel.library.name", s.scope->name});
  if (!s.scope->version.empty()) {
    out->attributes.push_back({"otel.library.version", s.scope->version});
  }
  const std::pair<const char*, std::uint32_t> dropped[] = {
      {"otel.dropped_attributes_count", s.dropped_attributes_count},
      {"otel.dropped_events_count", s.dropped_events_count},
      {"otel.dropped_links_count", s.dropped_links_count}};
  for (const auto& [key, count] : dropped) {
    if (count != 0) out->attributes.push_back({key, static_cast<std::int64_t>(count)});
  }
  for (const auto& e : s.events) {
    Event back;
    back.name = e.name;
    back.time_unix_nano = whole_micros(e.time_unix_nano);
    for (const auto& kv : e.attributes) {
      if (kv.key == "event") {
        back.name = std::get<std::string>(kv.value);
      } else {
        back.attributes.push_back({kv.key, jaeger_value(kv)});
      }
    }
    if (e.dropped_attributes_count != 0) {
      back.attributes.push_back(
          {"otel.dropped_attributes_count", static_cast<std::int64_t>(e.dropped_attributes_count)});
    }
    out->events.push_back(std::move(back));
  }
  for (const auto& l : s.links) {
    out->links.push_back(
        Link{SpanContext(l.context.trace_id(), l.context.span_id(), 0, false), {}, 0});
  }
  out->status_code = s.status_code;
  if (error) out->status_message = s.status_message;
  auto resource = std::make_shared<Resource>();
  const std::string_view service = s.resource->service_name();
  resource->attributes.push_back(
      {"service.name", std::string(service.empty() ? "unknown_service" : service)});
  for (const auto& kv : s.resource->attributes) {
    if (kv.key != "service.name") resource->attributes.push_back({kv.key, jaeger_value(kv)});
  }
  out->resource = resource;
  out->scope = std::make_shared<InstrumentationScope>(
      InstrumentationScope{s.scope->name, s.scope->version, ""});
  return out;
}

TEST(JaegerThriftInterop, TheTraceStoresDecoderReadsEverySpanBack) {
  const SpanBatch batch = test_batch();
  const std::vector<ThriftBatch> parts = encode_thrift_batches(batch);
  ASSERT_EQ(parts.size(), 3u);  // one Batch per resource
  SpanBatch decoded;
  for (const auto& part : parts) {
    auto result = tracestore::decode_jaeger_thrift_batch(part.body);
    ASSERT_TRUE(result.ok()) << result.error;
    EXPECT_EQ(result.rejected_spans, 0) << result.rejection_summary();
    EXPECT_EQ(result.spans.size(), part.span_count);
    for (auto& span : result.spans) decoded.push_back(std::move(span));
  }
  // Batches group by resource: compare in that order.
  SpanBatch expected;
  for (const auto& part : parts) {
    for (const auto& span : batch) {
      if (span->resource.get() == part.resource)
        expected.push_back(expected_after_round_trip(*span));
    }
  }
  otlp::testing::expect_same_batch(expected, decoded);
}

// --- Our exporter -> thriftrw (jaeger_thrift_receiver.mjs) ----------------------------------

// The signed decimal of 8 big-endian bytes (Thrift's i64).
std::string i64_text(const std::uint8_t* bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | bytes[i];
  return std::to_string(static_cast<std::int64_t>(v));
}

std::string double_bits(double d) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(d)));
  return buf;
}

json::object string_tag(const std::string& key, const std::string& value) {
  return {{"key", key}, {"vType", "STRING"}, {"vStr", value}};
}
json::object long_tag(const std::string& key, std::int64_t value) {
  return {{"key", key}, {"vType", "LONG"}, {"vLong", std::to_string(value)}};
}

json::object tag(const KeyValue& kv) {
  const AttributeValue v = jaeger_value(kv);
  if (const auto* s = std::get_if<std::string>(&v)) return string_tag(kv.key, *s);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return long_tag(kv.key, *i);
  if (const auto* b = std::get_if<bool>(&v))
    return {{"key", kv.key}, {"vType", "BOOL"}, {"vBool", *b}};
  return {{"key", kv.key}, {"vType", "DOUBLE"}, {"vDouble", double_bits(std::get<double>(v))}};
}

json::object reference(const char* type, const TraceId& trace, const SpanId& span) {
  return {{"refType", type},
          {"traceIdLow", i64_text(trace.bytes.data() + 8)},
          {"traceIdHigh", i64_text(trace.bytes.data())},
          {"spanId", i64_text(span.bytes.data())}};
}

// A Span as jaeger.thrift holds it, from the OpenTelemetry -> Jaeger rules (see the header of
// thrift_encoder.h for the list), written out independently of the encoder.
json::object expected_span_json(const SpanData& s) {
  static const SpanId kNoParent;
  const TraceId& trace = s.context.trace_id();
  json::object out{{"traceIdLow", i64_text(trace.bytes.data() + 8)},
                   {"traceIdHigh", i64_text(trace.bytes.data())},
                   {"spanId", i64_text(s.context.span_id().bytes.data())},
                   {"parentSpanId", i64_text(s.parent_span_id.bytes.data())},
                   {"operationName", s.name}};
  json::array references;
  if (s.parent_span_id != kNoParent) {
    references.push_back(reference("CHILD_OF", trace, s.parent_span_id));
  }
  for (const auto& l : s.links) {
    references.push_back(reference("FOLLOWS_FROM", l.context.trace_id(), l.context.span_id()));
  }
  if (!references.empty()) out["references"] = references;
  out["flags"] = s.context.sampled() ? 1 : 0;
  out["startTime"] = std::to_string(s.start_time_unix_nano / 1000);
  out["duration"] = std::to_string((s.end_time_unix_nano - s.start_time_unix_nano) / 1000);

  const bool error = s.status_code == StatusCode::kError;
  json::array tags;
  for (const auto& kv : s.attributes) {
    if (!(error && kv.key == "error")) tags.push_back(tag(kv));
  }
  if (!s.scope->name.empty()) tags.push_back(string_tag("otel.scope.name", s.scope->name));
  if (!s.scope->version.empty()) tags.push_back(string_tag("otel.scope.version", s.scope->version));
  if (!s.scope->name.empty()) tags.push_back(string_tag("otel.library.name", s.scope->name));
  if (!s.scope->version.empty()) {
    tags.push_back(string_tag("otel.library.version", s.scope->version));
  }
  static const std::map<SpanKind, const char*> kKinds = {{SpanKind::kServer, "server"},
                                                         {SpanKind::kClient, "client"},
                                                         {SpanKind::kProducer, "producer"},
                                                         {SpanKind::kConsumer, "consumer"}};
  if (kKinds.count(s.kind)) tags.push_back(string_tag("span.kind", kKinds.at(s.kind)));
  if (s.status_code != StatusCode::kUnset) {
    tags.push_back(string_tag("otel.status_code", error ? "ERROR" : "OK"));
    if (!s.status_message.empty()) {
      tags.push_back(string_tag("otel.status_description", s.status_message));
    }
    if (error) tags.push_back({{"key", "error"}, {"vType", "BOOL"}, {"vBool", true}});
  }
  if (const auto& state = s.context.trace_state_ptr(); state && !state->empty()) {
    tags.push_back(string_tag("w3c.tracestate", state->serialize()));
  }
  if (s.dropped_attributes_count) {
    tags.push_back(long_tag("otel.dropped_attributes_count", s.dropped_attributes_count));
  }
  if (s.dropped_events_count) {
    tags.push_back(long_tag("otel.dropped_events_count", s.dropped_events_count));
  }
  if (s.dropped_links_count) {
    tags.push_back(long_tag("otel.dropped_links_count", s.dropped_links_count));
  }
  if (!tags.empty()) out["tags"] = tags;

  json::array logs;
  for (const auto& e : s.events) {
    json::array fields;
    const bool named_by_attribute = find_attribute<std::string>(e.attributes, "event") != nullptr;
    if (!e.name.empty() && !named_by_attribute) fields.push_back(string_tag("event", e.name));
    for (const auto& kv : e.attributes) fields.push_back(tag(kv));
    if (e.dropped_attributes_count) {
      fields.push_back(long_tag("otel.dropped_attributes_count", e.dropped_attributes_count));
    }
    logs.push_back(
        json::object{{"timestamp", std::to_string(e.time_unix_nano / 1000)}, {"fields", fields}});
  }
  if (!logs.empty()) out["logs"] = logs;
  return out;
}

json::object expected_batch_json(const Resource& resource,
                                 const std::vector<const SpanData*>& spans) {
  json::object process;
  json::array process_tags;
  process["serviceName"] =
      resource.service_name().empty() ? "unknown_service" : std::string(resource.service_name());
  for (const auto& kv : resource.attributes) {
    if (kv.key != "service.name") process_tags.push_back(tag(kv));
  }
  if (!process_tags.empty()) process["tags"] = process_tags;
  json::array out_spans;
  for (const SpanData* s : spans) out_spans.push_back(expected_span_json(*s));
  return {{"process", process}, {"spans", out_spans}};
}

TEST(JaegerThriftInterop, OurExporterDecodedByThriftrwWithJaegersIdl) {
  SKIP_WITHOUT_NODE_MODULES();
  const SpanBatch batch = test_batch();
  // One Batch (and POST) per resource, in order of first appearance.
  std::vector<std::pair<const Resource*, std::vector<const SpanData*>>> groups;
  for (const auto& span : batch) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&span](const auto& g) { return g.first == span->resource.get(); });
    if (it == groups.end()) it = groups.insert(groups.end(), {span->resource.get(), {}});
    it->second.push_back(span.get());
  }
  ASSERT_EQ(groups.size(), 3u);

  NodeProcess receiver("jaeger_thrift_receiver.mjs " + std::to_string(groups.size()));
  ASSERT_TRUE(receiver.started());
  const std::string listening = receiver.read_line();
  ASSERT_EQ(listening.rfind("listening ", 0), 0u) << "receiver said: '" << listening << "'";
  JaegerThriftExporterOptions options;
  options.endpoint = "http://127.0.0.1:" + listening.substr(10) + "/api/traces";
  options.timeout = 20s;
  std::string log;
  options.log = [&log](std::string_view line) { log += std::string(line) + "\n"; };
  JaegerThriftExporter exporter(options);
  ASSERT_EQ(exporter.export_spans(batch), ExportResult::kSuccess) << log;

  for (const auto& [resource, spans] : groups) {
    const std::string line = receiver.read_line();
    const std::string prefix = "request POST /api/traces application/x-thrift ";
    ASSERT_EQ(line.rfind(prefix, 0), 0u) << "receiver said: '" << line << "'";
    interop::expect_same_json(expected_batch_json(*resource, spans),
                              json::parse(line.substr(prefix.size())), "batch");
  }
  EXPECT_EQ(receiver.close(), 0);
}

}  // namespace
}  // namespace tdemo::telemetry::jaeger
