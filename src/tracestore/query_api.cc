#include "tracestore/query_api.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "telemetry/span_data.h"
#include "tracestore/id_hex.h"
#include "tracestore/jaeger_json.h"
#include "tracestore/trace_store.h"

namespace tdemo::tracestore {
namespace json = boost::json;
namespace {

constexpr std::uint64_t kMsNs = 1'000'000ULL;
constexpr std::uint64_t kDefaultDependencyLookbackNs = 24ULL * 3600 * 1000 * kMsNs;

std::uint64_t system_now_ns() { return telemetry::now_unix_nano(); }

http::Response api_json(int status, std::string body) {
  auto r = http::Response::json_text(status, std::move(body));
  r.headers.set("Access-Control-Allow-Origin", "*");
  return r;
}

http::Response jaeger_ok(json::value data, std::size_t total) {
  return api_json(200, jaeger_envelope(std::move(data), total));
}

http::Response jaeger_fail(int status, std::string_view message) {
  return api_json(status, jaeger_error(status, message));
}

http::Response v3_fail(int status, std::string_view message) {
  return api_json(status, v3_error(status, message));
}

std::string first(const QueryParams& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace

QueryParams parse_query_string(std::string_view query) {
  QueryParams out;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      out.emplace_back(http::percent_decode(pair.substr(0, eq), true),
                       eq == std::string_view::npos ? std::string()
                                                    : http::percent_decode(pair.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

QueryApi::QueryApi(const TraceStore& store, std::function<std::uint64_t()> now_ns)
    : store_(store), now_ns_(now_ns ? std::move(now_ns) : std::function<std::uint64_t()>(system_now_ns)) {}

http::Response QueryApi::services(const http::Request&) const {
  json::array data;
  for (auto& s : store_.services()) data.emplace_back(s);
  const std::size_t total = data.size();
  return jaeger_ok(std::move(data), total);
}

http::Response QueryApi::service_operations(const http::Request& request) const {
  const std::string service(request.param("service").value_or(""));
  json::array data;
  std::string last;
  for (const auto& op : store_.operations(service)) {
    if (op.name == last) continue;  // one entry per name, whatever the kinds
    last = op.name;
    data.emplace_back(op.name);
  }
  const std::size_t total = data.size();
  return jaeger_ok(std::move(data), total);
}

http::Response QueryApi::operations(const http::Request& request) const {
  const QueryParams params = parse_query_string(request.query);
  const std::string service = first(params, "service");
  if (service.empty()) return jaeger_fail(400, "parameter 'service' is required");
  std::optional<telemetry::SpanKind> kind;
  if (const std::string k = first(params, "spanKind"); !k.empty()) {
    kind = parse_jaeger_span_kind(k);
    if (!kind) return jaeger_fail(400, "unsupported span kind: '" + k + "'");
  }
  json::array data;
  for (const auto& op : store_.operations(service, kind)) {
    json::object o;
    o["name"] = op.name;
    o["spanKind"] = jaeger_span_kind(op.kind);
    data.push_back(std::move(o));
  }
  const std::size_t total = data.size();
  return jaeger_ok(std::move(data), total);
}

http::Response QueryApi::search_traces(const http::Request& request) const {
  const ParsedTraceQuery parsed = parse_jaeger_trace_query(parse_query_string(request.query), now_ns_());
  if (!parsed.error.empty()) return jaeger_fail(400, parsed.error);
  json::array data;
  if (!parsed.trace_ids.empty()) {
    for (const auto& text : parsed.trace_ids) {
      auto id = parse_trace_id(text);
      if (!id) return jaeger_fail(400, "cannot parse traceID param: " + text);
      if (auto trace = store_.get_trace(*id)) data.push_back(jaeger_trace_json(*trace));
    }
  } else {
    for (const auto& trace : store_.find_traces(parsed.query)) data.push_back(jaeger_trace_json(trace));
  }
  const std::size_t total = data.size();
  return jaeger_ok(std::move(data), total);
}

http::Response QueryApi::get_trace(const http::Request& request) const {
  const std::string text(request.param("traceID").value_or(""));
  auto id = parse_trace_id(text);
  if (!id) return jaeger_fail(400, "malformed trace id: " + text);
  auto trace = store_.get_trace(*id);
  if (!trace) return jaeger_fail(404, "trace not found");
  json::array data;
  data.push_back(jaeger_trace_json(*trace));
  return jaeger_ok(std::move(data), 1);
}

namespace {
// endTs and lookback in milliseconds (Jaeger's dependencies parameters).
std::optional<std::string> parse_dependency_window(const QueryParams& params, std::uint64_t now_ns,
                                                   std::uint64_t& end_ns, std::uint64_t& lookback_ns) {
  end_ns = now_ns;
  lookback_ns = kDefaultDependencyLookbackNs;
  if (const std::string v = first(params, "endTs"); !v.empty()) {
    auto ms = http::parse_int64(v);
    if (!ms || *ms < 0) return "unable to parse param 'endTs': invalid syntax: " + v;
    end_ns = static_cast<std::uint64_t>(*ms) * kMsNs;
  }
  if (const std::string v = first(params, "lookback"); !v.empty()) {
    auto ms = http::parse_int64(v);
    if (!ms || *ms < 0) return "unable to parse param 'lookback': invalid syntax: " + v;
    lookback_ns = static_cast<std::uint64_t>(*ms) * kMsNs;
  }
  return std::nullopt;
}
}  // namespace

http::Response QueryApi::dependencies(const http::Request& request) const {
  std::uint64_t end_ns, lookback_ns;
  if (auto error = parse_dependency_window(parse_query_string(request.query), now_ns_(), end_ns, lookback_ns)) {
    return jaeger_fail(400, *error);
  }
  json::array data;
  for (const auto& link : store_.dependencies(end_ns, lookback_ns)) {
    json::object o;
    o["parent"] = link.parent;
    o["child"] = link.child;
    o["callCount"] = link.call_count;
    data.push_back(std::move(o));
  }
  const std::size_t total = data.size();
  return jaeger_ok(std::move(data), total);
}

http::Response QueryApi::dependency_stats(const http::Request& request) const {
  std::uint64_t end_ns, lookback_ns;
  if (auto error = parse_dependency_window(parse_query_string(request.query), now_ns_(), end_ns, lookback_ns)) {
    return jaeger_fail(400, *error);
  }
  json::array data;
  for (const auto& link : store_.dependencies(end_ns, lookback_ns)) {
    json::object o;
    o["parent"] = link.parent;
    o["child"] = link.child;
    o["callCount"] = link.call_count;
    o["errorCount"] = link.error_count;
    o["errorRate"] = link.call_count ? static_cast<double>(link.error_count) / static_cast<double>(link.call_count) : 0.0;
    o["p50DurationUs"] = link.p50_duration_ns / 1000;
    o["p95DurationUs"] = link.p95_duration_ns / 1000;
    data.push_back(std::move(o));
  }
  const std::size_t total = data.size();
  return jaeger_ok(std::move(data), total);
}

http::Response QueryApi::v3_services(const http::Request&) const {
  json::array services;
  for (auto& s : store_.services()) services.emplace_back(s);
  json::object out;
  out["services"] = std::move(services);
  return api_json(200, json::serialize(out));
}

http::Response QueryApi::v3_operations(const http::Request& request) const {
  const QueryParams params = parse_query_string(request.query);
  const std::string service = first(params, "service");
  if (service.empty()) return v3_fail(400, "service is required");
  std::optional<telemetry::SpanKind> kind;
  if (const std::string k = first(params, "span_kind"); !k.empty()) {
    kind = parse_jaeger_span_kind(k);
    if (!kind) return v3_fail(400, "unsupported span kind: '" + k + "'");
  }
  json::array ops;
  for (const auto& op : store_.operations(service, kind)) {
    json::object o;
    o["name"] = op.name;
    o["spanKind"] = jaeger_span_kind(op.kind);
    ops.push_back(std::move(o));
  }
  json::object out;
  out["operations"] = std::move(ops);
  return api_json(200, json::serialize(out));
}

http::Response QueryApi::v3_search_traces(const http::Request& request) const {
  const ParsedTraceQuery parsed = parse_v3_trace_query(parse_query_string(request.query), now_ns_());
  if (!parsed.error.empty()) return v3_fail(400, parsed.error);
  json::object out;
  out["result"] = otlp_traces_json(store_.find_traces(parsed.query));
  return api_json(200, json::serialize(out));
}

http::Response QueryApi::v3_get_trace(const http::Request& request) const {
  const std::string text(request.param("trace_id").value_or(""));
  auto id = parse_trace_id(text);
  if (!id) return v3_fail(400, "malformed trace id: " + text);
  auto trace = store_.get_trace(*id);
  if (!trace) return v3_fail(404, "trace not found");
  std::vector<Trace> traces;
  traces.push_back(std::move(*trace));
  json::object out;
  out["result"] = otlp_traces_json(traces);
  return api_json(200, json::serialize(out));
}

bool authorized(const http::Request& request, std::string_view token) {
  if (token.empty()) return true;
  const std::string_view header = request.header("Authorization").value_or("");
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() != kPrefix.size() + token.size() || header.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  unsigned char diff = 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    diff |= static_cast<unsigned char>(header[kPrefix.size() + i] ^ token[i]);
  }
  return diff == 0;
}

}  // namespace tdemo::tracestore
