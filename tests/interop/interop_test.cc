// Interop with an independent OTLP implementation, the OpenTelemetry JS project's packages:
//  - our OtlpHttpExporter (protobuf, JSON, gzip) → receiver.mjs, which decodes with the JS
//    project's generated protobuf classes; the spans it saw must equal what we sent.
//  - the official JS SDK and OTLP exporters (sender.mjs) → a loopback server here that decodes
//    with our decode_export_request; the spans must equal what the JS SDK recorded.
// Both sides reduce spans to the normalized JSON form described in normalize.mjs.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "interop/json_compare.h"
#include "interop/node_process.h"
#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/gzip.h"
#include "telemetry/otlp/http_exporter.h"
#include "telemetry/otlp/test_http_server.h"
#include "telemetry/otlp/test_spans.h"

namespace tdemo::telemetry::otlp {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

#define SKIP_WITHOUT_NODE_MODULES() TD_SKIP_WITHOUT_NODE_PACKAGE("@opentelemetry")
using interop::NodeProcess;

// --- The normalized form (see normalize.mjs) --------------------------------------------------

std::string hex(const std::uint8_t* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

bool all_zero(const SpanId& id) {
  for (auto b : id.bytes) {
    if (b != 0) return false;
  }
  return true;
}

json::value scalar(const std::string& v) { return json::object{{"string", v}}; }
json::value scalar(bool v) { return json::object{{"bool", v}}; }
json::value scalar(std::int64_t v) { return json::object{{"int", std::to_string(v)}}; }
json::value scalar(double v) {
  if (std::isnan(v)) return json::object{{"double", "NaN"}};
  if (std::isinf(v)) return json::object{{"double", v > 0 ? "Infinity" : "-Infinity"}};
  return json::object{{"double", v}};
}

json::value normalize(const AttributeValue& value) {
  return std::visit(
      [](const auto& v) -> json::value {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                      std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          return scalar(v);
        } else {
          json::array items;
          for (const auto& e : v) items.push_back(scalar(static_cast<typename T::value_type>(e)));
          return json::object{{"array", items}};
        }
      },
      value);
}

json::array normalize(const Attributes& attributes) {
  std::vector<const KeyValue*> sorted;
  for (const auto& kv : attributes) sorted.push_back(&kv);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->key < b->key; });
  json::array out;
  for (const KeyValue* kv : sorted)
    out.push_back(json::array{json::string(kv->key), normalize(kv->value)});
  return out;
}

std::string trace_state(const SpanContext& c) {
  std::string out;
  if (!c.trace_state_ptr()) return out;
  for (const auto& [k, v] : c.trace_state_ptr()->entries())
    out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

json::value normalize(const SpanData& s) {
  json::array events;
  for (const auto& e : s.events) {
    events.push_back(json::object{{"name", e.name},
                                  {"time", std::to_string(e.time_unix_nano)},
                                  {"attributes", normalize(e.attributes)},
                                  {"droppedAttributesCount", e.dropped_attributes_count}});
  }
  json::array links;
  for (const auto& l : s.links) {
    links.push_back(json::object{{"traceId", hex(l.context.trace_id().bytes.data(), 16)},
                                 {"spanId", hex(l.context.span_id().bytes.data(), 8)},
                                 {"traceState", trace_state(l.context)},
                                 {"flags", l.context.flags()},
                                 {"remote", l.context.remote()},
                                 {"attributes", normalize(l.attributes)},
                                 {"droppedAttributesCount", l.dropped_attributes_count}});
  }
  return json::object{
      {"traceId", hex(s.context.trace_id().bytes.data(), 16)},
      {"spanId", hex(s.context.span_id().bytes.data(), 8)},
      {"parentSpanId",
       all_zero(s.parent_span_id) ? std::string() : hex(s.parent_span_id.bytes.data(), 8)},
      {"traceState", trace_state(s.context)},
      {"flags", s.context.flags()},
      {"parentRemote", s.parent_is_remote},
      {"name", s.name},
      {"kind", static_cast<int>(s.kind)},
      {"start", std::to_string(s.start_time_unix_nano)},
      {"end", std::to_string(s.end_time_unix_nano)},
      {"attributes", normalize(s.attributes)},
      {"droppedAttributesCount", s.dropped_attributes_count},
      {"events", events},
      {"droppedEventsCount", s.dropped_events_count},
      {"links", links},
      {"droppedLinksCount", s.dropped_links_count},
      {"status",
       json::object{{"code", static_cast<int>(s.status_code)}, {"message", s.status_message}}},
      {"resource", s.resource ? normalize(s.resource->attributes) : json::array{}},
      {"scope", json::object{{"name", s.scope ? s.scope->name : ""},
                             {"version", s.scope ? s.scope->version : ""}}},
  };
}

json::array normalize(const SpanBatch& batch) {
  json::array out;
  for (const auto& s : batch) out.push_back(normalize(*s));
  std::sort(out.begin(), out.end(), [](const json::value& a, const json::value& b) {
    return a.at("spanId").as_string() < b.at("spanId").as_string();
  });
  return out;
}

void expect_same(const json::value& expected, const json::value& actual) {
  interop::expect_same_json(expected, actual);
}

// --- Our exporter → the JS receiver -----------------------------------------------------------

void export_to_js_receiver(bool use_json, bool use_gzip) {
  NodeProcess receiver("receiver.mjs 1");
  ASSERT_TRUE(receiver.started());
  const std::string listening = receiver.read_line();
  ASSERT_EQ(listening.rfind("listening ", 0), 0u) << "receiver said: '" << listening << "'";
  HttpExporterOptions options;
  options.endpoint = "http://127.0.0.1:" + listening.substr(10) + "/v1/traces";
  options.json = use_json;
  options.gzip = use_gzip;
  options.timeout = 20s;
  std::string log;
  options.log = [&log](std::string_view line) { log += std::string(line) + "\n"; };
  OtlpHttpExporter exporter(options);
  const SpanBatch batch = testing::full_batch();
  ASSERT_EQ(exporter.export_spans(batch), ExportResult::kSuccess) << log;
  const std::string line = receiver.read_line();
  ASSERT_EQ(line.rfind("request ", 0), 0u) << "receiver said: '" << line << "'";
  // "request <content-type> <encoding> <json>"
  std::size_t pos = line.find(' ', 8);
  const std::string content_type = line.substr(8, pos - 8);
  const std::size_t json_at = line.find(' ', pos + 1) + 1;
  EXPECT_EQ(content_type, use_json ? "application/json" : "application/x-protobuf");
  EXPECT_EQ(line.substr(pos + 1, json_at - pos - 2), use_gzip ? "gzip" : "-");
  expect_same(normalize(batch), json::parse(line.substr(json_at)));
  EXPECT_EQ(receiver.close(), 0);
}

TEST(Interop, OurProtobufDecodedByOpenTelemetryJs) {
  SKIP_WITHOUT_NODE_MODULES();
  export_to_js_receiver(false, false);
}

TEST(Interop, OurJsonDecodedByOpenTelemetryJs) {
  SKIP_WITHOUT_NODE_MODULES();
  export_to_js_receiver(true, false);
}

TEST(Interop, OurGzippedProtobufDecodedByOpenTelemetryJs) {
  SKIP_WITHOUT_NODE_MODULES();
  export_to_js_receiver(false, true);
}

// --- The JS SDK → our decoder -----------------------------------------------------------------

void js_sdk_to_our_decoder(const std::string& protocol, bool use_gzip) {
  using testing::ScriptedAction;
  std::vector<ScriptedAction> script;
  for (int i = 0; i < 10; ++i) {
    script.push_back(
        protocol == "json"
            ? ScriptedAction::respond(200, {{"Content-Type", "application/json"}}, "{}")
            : ScriptedAction::respond(200, {{"Content-Type", "application/x-protobuf"}}));
  }
  testing::TestHttpServer server(script);
  NodeProcess sender("sender.mjs " + server.url() + " " + protocol + (use_gzip ? " gzip" : ""));
  ASSERT_TRUE(sender.started());
  const std::string recorded = sender.read_line();
  ASSERT_EQ(sender.close(), 0) << recorded;
  SpanBatch decoded;
  const auto requests = server.requests();
  ASSERT_FALSE(requests.empty());
  for (const auto& request : requests) {
    EXPECT_EQ(request.target, "/v1/traces");
    std::string body = request.body;
    if (use_gzip) {
      ASSERT_EQ(request.headers.count("content-encoding"), 1u);
      EXPECT_EQ(request.headers.at("content-encoding"), "gzip");
    }
    if (request.headers.count("content-encoding") &&
        request.headers.at("content-encoding") == "gzip") {
      GunzipResult plain = gzip_decompress(body);
      ASSERT_TRUE(plain.ok()) << plain.error;
      body = std::move(plain.data);
    }
    const bool is_json = request.headers.at("content-type").rfind("application/json", 0) == 0;
    EXPECT_EQ(is_json, protocol == "json");
    DecodeResult result = decode_export_request(body, is_json ? Format::kJson : Format::kProtobuf);
    ASSERT_TRUE(result.ok()) << result.error;
    EXPECT_EQ(result.rejected_spans, 0) << result.rejection_summary();
    for (auto& span : result.spans) decoded.push_back(std::move(span));
  }
  EXPECT_EQ(decoded.size(), 5u);
  expect_same(json::parse(recorded), normalize(decoded));
}

TEST(Interop, OpenTelemetryJsProtobufDecodedByUs) {
  SKIP_WITHOUT_NODE_MODULES();
  js_sdk_to_our_decoder("proto", false);
}

TEST(Interop, OpenTelemetryJsJsonDecodedByUs) {
  SKIP_WITHOUT_NODE_MODULES();
  js_sdk_to_our_decoder("json", false);
}

TEST(Interop, OpenTelemetryJsGzippedProtobufDecodedByUs) {
  SKIP_WITHOUT_NODE_MODULES();
  js_sdk_to_our_decoder("proto", true);
}

}  // namespace
}  // namespace tdemo::telemetry::otlp
