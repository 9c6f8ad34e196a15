// The official OpenTelemetry JS SDK (sender.mjs) → the real `tracing-demo traces` process over
// OTLP/HTTP protobuf, OTLP/HTTP JSON and OTLP/gRPC → the store's query APIs. Every span the JS SDK
// recorded must come back intact, field for field:
//  - GET /api/v3/traces/{id} (OTLP JSON) reduced to the normalized form of normalize.mjs: ids,
//    parent, trace state, flags and remote bits, name, kind, start/end (ns), attributes of every
//    type, events, links, status, dropped counts, resource, scope;
//  - GET /api/traces/{id} (Jaeger's model) against what Jaeger's OTLP translator makes of the
//    recorded span, built here independently of the store (expected_jaeger_span);
//  - /api/services, /api/services/{s}/operations and /api/operations list the sender's service,
//    operations and span kinds.
// Also Jaeger's own Node.js client (jaeger-client, jaeger_client_sender.mjs) -> the store's Jaeger
// Thrift port -> /api/traces/{id}, compared with the Thrift spans it sent.
// The test skips (GTEST_SKIP) only when tests/interop/node_modules is missing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "interop/json_compare.h"
#include "interop/query_api_forms.h"
#include "support/http_client.h"
#include "support/process.h"

namespace tdemo {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using interop::comparable_jaeger_span;
using interop::expected_jaeger_span;
using interop::find_attribute;
using interop::jaeger_trace_id;
using interop::normalized_otlp_json;

#define SKIP_WITHOUT_NODE_MODULES()                                                             \
  if (!std::filesystem::exists(std::string(TD_INTEROP_DIR) + "/node_modules/@opentelemetry")) { \
    GTEST_SKIP() << "tests/interop/node_modules is missing: run scripts/setup.sh (npm ci)";     \
  }

// --- Processes -------------------------------------------------------------------------------

// True once 127.0.0.1:`port` accepts a TCP connection (polled until `timeout`).
bool wait_for_tcp(std::uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool connected =
        fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (fd >= 0) ::close(fd);
    if (connected) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// `tracing-demo traces` on three free loopback ports; SIGKILLed by the destructor if still up.
struct TraceStore {
  TraceStore() {
    const auto ports = test::free_ports(4);
    http_port = ports[0];
    grpc_port = ports[1];
    ui_port = ports[2];
    jaeger_port = ports[3];
    test::ProcessOptions options;
    options.args = {"traces",
                    "--host",
                    "127.0.0.1",
                    "--otlp-http-port",
                    std::to_string(http_port),
                    "--otlp-grpc-port",
                    std::to_string(grpc_port),
                    "--ui-port",
                    std::to_string(ui_port),
                    "--jaeger-thrift-port",
                    std::to_string(jaeger_port)};
    process = std::make_unique<test::Process>(TD_BINARY, options);
    ready = test::wait_for_http(ui() + "/api/services", 30s) && wait_for_tcp(grpc_port, 30s);
  }
  std::string ui() const { return "http://127.0.0.1:" + std::to_string(ui_port); }
  // Where the sender sends for `protocol`.
  std::string endpoint(const std::string& protocol) const {
    if (protocol == "grpc") return "http://127.0.0.1:" + std::to_string(grpc_port);
    return "http://127.0.0.1:" + std::to_string(http_port) + "/v1/traces";
  }

  std::uint16_t http_port = 0, grpc_port = 0, ui_port = 0, jaeger_port = 0;
  std::unique_ptr<test::Process> process;
  bool ready = false;
};

// One run of sender.mjs: the spans the JS SDK recorded, normalized (see normalize.mjs).
struct SenderRun {
  std::string protocol;  // proto, json or grpc
  bool gzip = false;
  std::string trace_id;  // of the remote parent, so of the SERVER and CLIENT spans
  std::string service;
};

void PrintTo(const SenderRun& run, std::ostream* out) {
  *out << run.protocol << (run.gzip ? "+gzip" : "") << " trace " << run.trace_id << " service "
       << run.service;
}

json::array run_sender(const TraceStore& store, const SenderRun& run) {
  test::ProcessOptions options;
  options.args = {"sender.mjs",
                  store.endpoint(run.protocol),
                  run.protocol,
                  run.gzip ? "gzip" : "none",
                  "--trace-id=" + run.trace_id,
                  "--service=" + run.service};
  options.working_directory = TD_INTEROP_DIR;
  // The exporters read OTEL_EXPORTER_OTLP_* too; the test's own settings must win.
  options.unset_env = {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                       "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_COMPRESSION"};
  test::Process sender(TD_NODE_EXECUTABLE, options);
  const auto status = sender.wait_for(60s);
  EXPECT_EQ(status, 0) << "sender.mjs " << run.protocol << ": " << sender.stderr_text();
  boost::system::error_code ec;
  json::value recorded = json::parse(sender.stdout_text(), ec);
  if (ec || !recorded.is_array()) {
    ADD_FAILURE() << "sender.mjs printed no span list: " << sender.stdout_text()
                  << sender.stderr_text();
    return {};
  }
  return recorded.as_array();
}

// --- Reading the query API -------------------------------------------------------------------

json::value get_json(const TraceStore& store, const std::string& path) {
  const auto response = test::http_get(store.ui() + path);
  EXPECT_EQ(response.status, 200) << path << ": " << response.error << response.body;
  boost::system::error_code ec;
  json::value body = json::parse(response.body, ec);
  if (ec) ADD_FAILURE() << path << ": not JSON: " << response.body;
  return body;
}

// The Jaeger trace at /api/traces/{id}, polled until it has `span_count` spans (ingest may
// complete just after the exporter's response). Null when it never does.
json::value jaeger_trace(const TraceStore& store, const std::string& trace_id,
                         std::size_t span_count) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::string last;
  do {
    const auto response = test::http_get(store.ui() + "/api/traces/" + trace_id);
    last = std::to_string(response.status) + " " + response.body;
    boost::system::error_code ec;
    json::value body = json::parse(response.body, ec);
    if (response.status == 200 && !ec && body.is_object()) {
      const auto* data = body.as_object().if_contains("data");
      if (data && data->is_array() && data->as_array().size() == 1 &&
          data->as_array()[0].at("spans").as_array().size() == span_count) {
        return data->as_array()[0];
      }
    }
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < deadline);
  ADD_FAILURE() << "trace " << trace_id << " never had " << span_count
                << " spans; last answer: " << last;
  return nullptr;
}

// --- The round trip ----------------------------------------------------------------------------

json::array sorted_by_span_id(json::array spans) {
  std::sort(spans.begin(), spans.end(), [](const json::value& a, const json::value& b) {
    return a.at("spanId").as_string() < b.at("spanId").as_string();
  });
  return spans;
}

// Every trace of `recorded` read back through both trace APIs and compared span for span.
void expect_traces_intact(const TraceStore& store, const json::array& recorded) {
  std::map<std::string, json::array> by_trace;
  for (const auto& span : recorded)
    by_trace[std::string(span.at("traceId").as_string())].push_back(span);
  for (const auto& [trace_id, spans] : by_trace) {
    SCOPED_TRACE("trace " + trace_id);
    const json::value jaeger = jaeger_trace(store, trace_id, spans.size());
    if (jaeger.is_null()) continue;
    EXPECT_EQ(jaeger.at("traceID"), json::value(jaeger_trace_id(trace_id)));
    json::array expected_jaeger, actual_jaeger;
    for (const auto& span : sorted_by_span_id(spans))
      expected_jaeger.push_back(expected_jaeger_span(span.as_object()));
    for (const auto& span : jaeger.at("spans").as_array()) {
      actual_jaeger.push_back(
          comparable_jaeger_span(span.as_object(), jaeger.at("processes").as_object()));
    }
    std::sort(actual_jaeger.begin(), actual_jaeger.end(),
              [](const json::value& a, const json::value& b) {
                return a.at("spanID").as_string() < b.at("spanID").as_string();
              });
    interop::expect_same_json(expected_jaeger, actual_jaeger, "jaeger");

    const json::value v3 = get_json(store, "/api/v3/traces/" + trace_id);
    if (!v3.is_object() || !v3.as_object().contains("result")) {
      ADD_FAILURE() << "api_v3 answered " << json::serialize(v3);
      continue;
    }
    interop::expect_same_json(sorted_by_span_id(spans), normalized_otlp_json(v3.at("result")),
                              "v3");
  }
}

// The sender's service is listed, with exactly its operations and their span kinds.
void expect_service_listed(const TraceStore& store, const std::string& service,
                           const json::array& recorded) {
  static const char* const kKinds[] = {"", "internal", "server", "client", "producer", "consumer"};
  std::set<std::string> names;
  std::set<std::pair<std::string, std::string>> operations;
  for (const auto& span : recorded) {
    names.insert(std::string(span.at("name").as_string()));
    operations.emplace(std::string(span.at("name").as_string()),
                       kKinds[span.at("kind").to_number<int>()]);
  }
  const json::value services = get_json(store, "/api/services");
  std::set<std::string> listed;
  for (const auto& s : services.at("data").as_array()) listed.insert(std::string(s.as_string()));
  EXPECT_EQ(listed.count(service), 1u) << json::serialize(services);

  const json::value ops = get_json(store, "/api/services/" + service + "/operations");
  std::set<std::string> listed_names;
  for (const auto& op : ops.at("data").as_array()) listed_names.insert(std::string(op.as_string()));
  EXPECT_EQ(listed_names, names) << json::serialize(ops);

  const json::value kinds = get_json(store, "/api/operations?service=" + service);
  std::set<std::pair<std::string, std::string>> listed_operations;
  for (const auto& op : kinds.at("data").as_array()) {
    listed_operations.emplace(std::string(op.at("name").as_string()),
                              std::string(op.at("spanKind").as_string()));
  }
  EXPECT_EQ(listed_operations, operations) << json::serialize(kinds);
}

// The recorded spans are what the test asked for: 5 spans, the service, the remote parent.
void expect_sender_made(const json::array& recorded, const SenderRun& run) {
  ASSERT_EQ(recorded.size(), 5u) << json::serialize(recorded);
  std::size_t in_trace = 0;
  for (const auto& span : recorded) {
    const json::value* service = find_attribute(span.at("resource").as_array(), "service.name");
    ASSERT_NE(service, nullptr);
    EXPECT_EQ(service->at("string"), json::value(run.service));
    if (span.at("traceId") == json::value(run.trace_id)) ++in_trace;
  }
  EXPECT_EQ(in_trace, 2u) << "the SERVER and CLIENT spans belong to the remote parent's trace";
}

std::string run_name(const SenderRun& run) { return run.protocol + (run.gzip ? "_gzip" : ""); }

class StoreInterop : public ::testing::TestWithParam<SenderRun> {};

TEST_P(StoreInterop, JsSdkSpansComeBackIntact) {
  SKIP_WITHOUT_NODE_MODULES();
  TraceStore store;
  ASSERT_TRUE(store.ready) << store.process->stderr_text();
  const SenderRun& run = GetParam();
  const json::array recorded = run_sender(store, run);
  expect_sender_made(recorded, run);
  if (HasFatalFailure()) return;
  expect_traces_intact(store, recorded);
  expect_service_listed(store, run.service, recorded);
  EXPECT_EQ(store.process->terminate(), 0) << store.process->stderr_text();
}

// Trace ids: one with the high 64 bits zero (Jaeger renders it with 16 hex digits).
INSTANTIATE_TEST_SUITE_P(
    Protocols, StoreInterop,
    ::testing::Values(
        SenderRun{"proto", false, "5b8efff798038103d269b633813fc60c", "js-interop-proto"},
        SenderRun{"json", false, "7d3efb1e4bd4f1a8a3b1e2c6f0e1d2c3", "js-interop-json"},
        SenderRun{"grpc", false, "3c1f2e4d5a6b7c8d9e0f1a2b3c4d5e6f", "js-interop-grpc"},
        SenderRun{"proto", true, "00000000000000004bf92f3577b34da6", "js-interop-proto-gzip"},
        SenderRun{"grpc", true, "9a8b7c6d5e4f30211203f4e5d6c7b8a9", "js-interop-grpc-gzip"}),
    [](const ::testing::TestParamInfo<SenderRun>& info) { return run_name(info.param); });

// The three protocols into one store: each sender's spans stay in their own traces and service.
TEST(StoreInteropShared, ThreeProtocolsIntoOneStoreDoNotMix) {
  SKIP_WITHOUT_NODE_MODULES();
  TraceStore store;
  ASSERT_TRUE(store.ready) << store.process->stderr_text();
  const std::vector<SenderRun> runs = {
      {"proto", false, "0102030405060708090a0b0c0d0e0f10", "shared-proto"},
      {"json", false, "1112131415161718191a1b1c1d1e1f20", "shared-json"},
      {"grpc", false, "2122232425262728292a2b2c2d2e2f30", "shared-grpc"}};
  std::vector<json::array> recorded;
  for (const auto& run : runs) {
    recorded.push_back(run_sender(store, run));
    expect_sender_made(recorded.back(), run);
    if (HasFatalFailure()) return;
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    SCOPED_TRACE(runs[i].service);
    expect_traces_intact(store, recorded[i]);
    expect_service_listed(store, runs[i].service, recorded[i]);
  }
  EXPECT_EQ(store.process->terminate(), 0) << store.process->stderr_text();
}

// --- Jaeger's own client over Jaeger Thrift ---------------------------------------------------

// A jaeger.thrift Tag as jaeger-client printed it, as the Jaeger API must show it.
json::object expected_jaeger_tag(const json::object& thrift) {
  json::object tag;
  tag["key"] = thrift.at("key");
  const auto type = thrift.at("vType").as_string();
  if (type == "DOUBLE") {
    tag["type"] = "float64";
    tag["value"] = thrift.at("vDouble").to_number<double>();
  } else if (type == "BOOL") {
    tag["type"] = "bool";
    tag["value"] = thrift.at("vBool");
  } else if (type == "BINARY") {
    tag["type"] = "string";  // base64, as the OpenTelemetry Collector's Jaeger receiver keeps it
    tag["value"] = thrift.at("vBinary");
  } else {
    tag["type"] = "string";
    tag["value"] = thrift.at("vStr");
  }
  return tag;
}

// Tags as comparable values: {key: {type, value}} with numbers as doubles.
std::map<std::string, json::value> tag_map(const json::array& tags) {
  std::map<std::string, json::value> out;
  for (const auto& t : tags) {
    json::object v;
    v["type"] = t.at("type");
    v["value"] =
        t.at("value").is_number() ? json::value(t.at("value").to_number<double>()) : t.at("value");
    out[std::string(t.at("key").as_string())] = std::move(v);
  }
  return out;
}

// jaeger-client (Jaeger's Node.js OpenTracing tracer) posts jaeger.thrift Batches to the store's
// /api/traces; every span comes back through Jaeger's query API as Jaeger shows it: ids (64-bit
// trace ids), operation, µs times, references (the parent as CHILD_OF unless a reference already
// names it), typed tags (numbers are DOUBLE in jaeger-client), logs and the process.
TEST(StoreInteropJaegerClient, ThriftBatchesComeBackThroughTheJaegerApi) {
  if (!std::filesystem::exists(std::string(TD_INTEROP_DIR) + "/node_modules/jaeger-client")) {
    GTEST_SKIP() << "tests/interop/node_modules is missing: run scripts/setup.sh (npm ci)";
  }
  TraceStore store;
  ASSERT_TRUE(store.ready) << store.process->stderr_text();
  test::ProcessOptions options;
  options.args = {"jaeger_client_sender.mjs",
                  "http://127.0.0.1:" + std::to_string(store.jaeger_port) + "/api/traces"};
  options.working_directory = TD_INTEROP_DIR;
  test::Process sender(TD_NODE_EXECUTABLE, options);
  ASSERT_EQ(sender.wait_for(60s), 0) << sender.stderr_text();
  boost::system::error_code ec;
  const json::value sent = json::parse(sender.stdout_text(), ec);
  ASSERT_FALSE(ec) << sender.stdout_text();
  const auto& spans = sent.at("spans").as_array();
  ASSERT_EQ(spans.size(), 3u);

  // 64-bit trace ids: Jaeger shows them with 16 hex digits.
  std::string trace_id(spans[0].at("traceId").as_string());
  ASSERT_EQ(trace_id.substr(0, 16), "0000000000000000");
  const json::value trace = jaeger_trace(store, trace_id.substr(16), spans.size());
  ASSERT_TRUE(trace.is_object());
  std::map<std::string, json::object> stored;
  for (const auto& s : trace.at("spans").as_array())
    stored[std::string(s.at("spanID").as_string())] = s.as_object();

  for (const auto& value : spans) {
    const auto& want = value.as_object();
    const std::string span_id(want.at("spanId").as_string());
    SCOPED_TRACE(std::string(want.at("operationName").as_string()));
    ASSERT_TRUE(stored.count(span_id)) << "span " << span_id << " is missing";
    const auto& got = stored[span_id];
    EXPECT_EQ(got.at("traceID"), json::value(trace_id.substr(16)));
    EXPECT_EQ(got.at("operationName"), want.at("operationName"));
    EXPECT_EQ(got.at("startTime").to_number<std::int64_t>(),
              want.at("startTime").to_number<std::int64_t>());
    EXPECT_EQ(got.at("duration").to_number<std::int64_t>(),
              want.at("duration").to_number<std::int64_t>());

    // References: the sent ones, plus the parent as CHILD_OF first when none names it.
    std::vector<std::tuple<std::string, std::string, std::string>> want_refs, got_refs;
    const std::string parent(want.at("parentSpanId").as_string());
    bool parent_named = false;
    for (const auto& r : want.at("references").as_array()) {
      want_refs.emplace_back(r.at("refType").as_string(),
                             std::string(r.at("traceId").as_string()).substr(16),
                             r.at("spanId").as_string());
      parent_named = parent_named || r.at("spanId").as_string() == parent;
    }
    if (parent != "0000000000000000" && !parent_named) {
      want_refs.insert(want_refs.begin(), {"CHILD_OF", trace_id.substr(16), parent});
    }
    for (const auto& r : got.at("references").as_array()) {
      got_refs.emplace_back(r.at("refType").as_string(), r.at("traceID").as_string(),
                            r.at("spanID").as_string());
    }
    EXPECT_EQ(got_refs, want_refs);

    // Tags: every sent tag with its type and value; the store may only add the status and the
    // kind it derived (otel.status_code for error=true, span.kind "internal" when none was sent).
    auto got_tags = tag_map(got.at("tags").as_array());
    json::array sent_tags;
    for (const auto& t : want.at("tags").as_array())
      sent_tags.push_back(expected_jaeger_tag(t.as_object()));
    for (const auto& [key, tag] : tag_map(sent_tags)) {
      ASSERT_TRUE(got_tags.count(key)) << "tag " << key << " is missing";
      EXPECT_EQ(got_tags[key], tag) << "tag " << key;
      got_tags.erase(key);
    }
    for (const auto& [key, tag] : got_tags) {
      EXPECT_TRUE(key == "otel.status_code" ||
                  (key == "span.kind" && tag.at("value") == "internal"))
          << "unexpected tag " << key << " = " << json::serialize(tag);
    }

    // Logs: timestamp and every field.
    const auto& want_logs = want.at("logs").as_array();
    const auto& got_logs = got.at("logs").as_array();
    ASSERT_EQ(got_logs.size(), want_logs.size());
    for (std::size_t i = 0; i < want_logs.size(); ++i) {
      EXPECT_EQ(got_logs[i].at("timestamp").to_number<std::int64_t>(),
                want_logs[i].at("timestamp").to_number<std::int64_t>());
      json::array fields;
      for (const auto& f : want_logs[i].at("fields").as_array())
        fields.push_back(expected_jaeger_tag(f.as_object()));
      EXPECT_EQ(tag_map(got_logs[i].at("fields").as_array()), tag_map(fields));
    }

    // The process: its service name and every tag jaeger-client sent (hostname, ip, ...).
    const auto& process = trace.at("processes").at(got.at("processID").as_string()).as_object();
    EXPECT_EQ(process.at("serviceName"), sent.at("process").at("serviceName"));
    auto process_tags = tag_map(process.at("tags").as_array());
    for (const auto& t : sent.at("process").at("tags").as_array()) {
      const auto tag = expected_jaeger_tag(t.as_object());
      const std::string key(tag.at("key").as_string());
      ASSERT_TRUE(process_tags.count(key)) << "process tag " << key << " is missing";
      EXPECT_EQ(process_tags[key], tag_map(json::array{tag})[key]) << "process tag " << key;
    }
  }
  std::set<std::string> operations, listed;
  for (const auto& span : spans)
    operations.insert(std::string(span.at("operationName").as_string()));
  const json::value ops = get_json(store, "/api/services/jaeger-js-client/operations");
  for (const auto& op : ops.at("data").as_array()) listed.insert(std::string(op.as_string()));
  EXPECT_EQ(listed, operations);
  EXPECT_EQ(store.process->terminate(), 0) << store.process->stderr_text();
}

}  // namespace
}  // namespace tdemo
