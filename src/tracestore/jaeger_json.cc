#include "tracestore/jaeger_json.h"

#include <boost/json/serialize.hpp>

#include <cmath>
#include <map>

#include "tracestore/id_hex.h"
#include "tracestore/span_codec.h"

namespace tdemo::tracestore {
namespace json = boost::json;
using telemetry::AttributeValue;
using telemetry::Attributes;
using telemetry::SpanData;
using telemetry::StatusCode;

namespace {

std::int64_t micros(std::uint64_t ns) { return static_cast<std::int64_t>(ns / 1000); }

// A double as JSON: a number when finite, else proto3 JSON's "NaN" / "Infinity" / "-Infinity"
// strings (OTLP accepts such values; Boost.JSON would write them as invalid bare words).
json::value json_double(double d) {
  if (std::isfinite(d)) return d;
  if (std::isnan(d)) return "NaN";
  return d > 0 ? "Infinity" : "-Infinity";
}

json::object tag(std::string_view key, const AttributeValue& value) {
  json::object t;
  t["key"] = key;
  switch (value.index()) {
    case 0: t["type"] = "string"; t["value"] = std::get<std::string>(value); break;
    case 1: t["type"] = "bool"; t["value"] = std::get<bool>(value); break;
    case 2: t["type"] = "int64"; t["value"] = std::get<std::int64_t>(value); break;
    case 3: t["type"] = "float64"; t["value"] = json_double(std::get<double>(value)); break;
    default:  // arrays: Jaeger's translator stores them as json.Marshal's text
      t["type"] = "string";
      t["value"] = tag_string(value);
  }
  return t;
}

json::object string_tag(std::string_view key, std::string_view value) {
  json::object t;
  t["key"] = key;
  t["type"] = "string";
  t["value"] = value;
  return t;
}

json::array tags_of(const Attributes& attrs, std::string_view skip_key = {}) {
  json::array out;
  for (const auto& kv : attrs) {
    if (!skip_key.empty() && kv.key == skip_key) continue;
    out.push_back(tag(kv.key, kv.value));
  }
  return out;
}

std::string_view service_name(const telemetry::Resource* r) {
  if (r) {
    for (const auto& kv : r->attributes) {
      if (kv.key == "service.name") {
        if (const auto* s = std::get_if<std::string>(&kv.value); s && !s->empty()) return *s;
      }
    }
  }
  return "OTLPResourceNoServiceName";
}

json::object reference(const char* type, const std::string& trace_id, const std::string& span_id) {
  json::object r;
  r["refType"] = type;
  r["traceID"] = trace_id;
  r["spanID"] = span_id;
  return r;
}

bool has_key(const Attributes& attrs, std::string_view key) {
  for (const auto& kv : attrs) {
    if (kv.key == key) return true;
  }
  return false;
}

// A link's reference type: CHILD_OF when its opentracing.ref_type attribute says child_of.
const char* link_ref_type(const telemetry::Link& link) {
  for (const auto& kv : link.attributes) {
    if (kv.key != "opentracing.ref_type") continue;
    const auto* type = std::get_if<std::string>(&kv.value);
    return type && *type == "child_of" ? "CHILD_OF" : "FOLLOWS_FROM";
  }
  return "FOLLOWS_FROM";
}

// The parent first as CHILD_OF, then each link (FOLLOWS_FROM unless its opentracing.ref_type
// says child_of); a link to the parent itself only sets the parent reference's type.
json::array references(const SpanData& s, const std::string& trace_id) {
  json::array refs;
  const bool has_parent = is_valid(s.parent_span_id);
  if (has_parent) refs.push_back(reference("CHILD_OF", trace_id, to_hex(s.parent_span_id)));
  for (const auto& link : s.links) {
    if (has_parent && link.context.trace_id() == s.context.trace_id() &&
        link.context.span_id() == s.parent_span_id) {
      refs[0].as_object()["refType"] = link_ref_type(link);
      continue;
    }
    refs.push_back(reference(link_ref_type(link), jaeger_trace_id(link.context.trace_id()),
                             to_hex(link.context.span_id())));
  }
  return refs;
}

std::string trace_state_text(const telemetry::SpanContext& ctx) {
  std::string out;
  if (!ctx.trace_state_ptr()) return out;
  for (const auto& [k, v] : ctx.trace_state_ptr()->entries()) {
    if (!out.empty()) out.push_back(',');
    out += k + "=" + v;
  }
  return out;
}

}  // namespace

json::object jaeger_trace_json(const Trace& trace) {
  const std::string trace_id = jaeger_trace_id(trace.id);
  json::array spans;
  json::object processes;
  std::map<const telemetry::Resource*, std::string> process_ids;
  for (const SpanData& s : trace.spans) {
    auto [pit, inserted] = process_ids.try_emplace(s.resource.get());
    if (inserted) {
      pit->second = "p" + std::to_string(process_ids.size());
      json::object process;
      process["serviceName"] = service_name(s.resource.get());
      process["tags"] = s.resource ? tags_of(s.resource->attributes, "service.name") : json::array();
      processes[pit->second] = std::move(process);
    }
    json::object span;
    span["traceID"] = trace_id;
    span["spanID"] = to_hex(s.context.span_id());
    span["operationName"] = s.name;
    span["references"] = references(s, trace_id);
    span["startTime"] = micros(s.start_time_unix_nano);
    span["duration"] = micros(s.end_time_unix_nano > s.start_time_unix_nano
                                  ? s.end_time_unix_nano - s.start_time_unix_nano
                                  : 0);
    json::array tags = tags_of(s.attributes);
    if (s.scope && !s.scope->name.empty()) {
      tags.push_back(string_tag("otel.scope.name", s.scope->name));
      if (!s.scope->version.empty()) tags.push_back(string_tag("otel.scope.version", s.scope->version));
    }
    tags.push_back(string_tag("span.kind", jaeger_span_kind(s.kind)));
    if (s.status_code == StatusCode::kOk) tags.push_back(string_tag("otel.status_code", "OK"));
    if (s.status_code == StatusCode::kError) {
      tags.push_back(string_tag("otel.status_code", "ERROR"));
      tags.push_back(tag("error", AttributeValue(true)));
    }
    if (!s.status_message.empty()) {
      tags.push_back(string_tag("otel.status_description", s.status_message));
    }
    if (const std::string state = trace_state_text(s.context); !state.empty()) {
      tags.push_back(string_tag("w3c.tracestate", state));
    }
    span["tags"] = std::move(tags);
    json::array logs;
    for (const auto& e : s.events) {
      json::object log;
      log["timestamp"] = micros(e.time_unix_nano);
      json::array fields;
      // The name becomes an "event" field unless an attribute already is one.
      if (!e.name.empty() && !has_key(e.attributes, "event"))
        fields.push_back(string_tag("event", e.name));
      for (const auto& kv : e.attributes) fields.push_back(tag(kv.key, kv.value));
      log["fields"] = std::move(fields);
      logs.push_back(std::move(log));
    }
    span["logs"] = std::move(logs);
    span["processID"] = pit->second;
    span["warnings"] = nullptr;
    span["flags"] = s.context.flags();
    spans.push_back(std::move(span));
  }
  json::object out;
  out["traceID"] = trace_id;
  out["spans"] = std::move(spans);
  out["processes"] = std::move(processes);
  out["warnings"] = nullptr;
  return out;
}

std::string jaeger_envelope(json::value data, std::size_t total) {
  json::object env;
  env["data"] = std::move(data);
  env["total"] = total;
  env["limit"] = 0;
  env["offset"] = 0;
  env["errors"] = nullptr;
  return json::serialize(env);
}

std::string jaeger_error(int code, std::string_view message) {
  json::object err;
  err["code"] = code;
  err["msg"] = message;
  json::object env;
  env["data"] = nullptr;
  env["total"] = 0;
  env["limit"] = 0;
  env["offset"] = 0;
  env["errors"] = json::array{std::move(err)};
  return json::serialize(env);
}

namespace {

json::object any_value(const AttributeValue& value) {
  json::object v;
  auto array_of = [](const auto& elements, const char* field) {
    json::array values;
    for (const auto& e : elements) {
      json::object item;
      using E = std::decay_t<decltype(e)>;
      if constexpr (std::is_same_v<E, std::int64_t>) {
        item[field] = std::to_string(e);
      } else if constexpr (std::is_same_v<E, double>) {
        item[field] = json_double(e);
      } else {
        item[field] = static_cast<std::conditional_t<std::is_same_v<E, std::string>, const std::string&, E>>(e);
      }
      values.push_back(std::move(item));
    }
    json::object a;
    a["values"] = std::move(values);
    return a;
  };
  switch (value.index()) {
    case 0: v["stringValue"] = std::get<std::string>(value); break;
    case 1: v["boolValue"] = std::get<bool>(value); break;
    case 2: v["intValue"] = std::to_string(std::get<std::int64_t>(value)); break;
    case 3: v["doubleValue"] = json_double(std::get<double>(value)); break;
    case 4: v["arrayValue"] = array_of(std::get<std::vector<std::string>>(value), "stringValue"); break;
    case 5: {
      json::array values;
      for (bool b : std::get<std::vector<bool>>(value)) values.push_back(json::object{{"boolValue", b}});
      v["arrayValue"] = json::object{{"values", std::move(values)}};
      break;
    }
    case 6: v["arrayValue"] = array_of(std::get<std::vector<std::int64_t>>(value), "intValue"); break;
    case 7: v["arrayValue"] = array_of(std::get<std::vector<double>>(value), "doubleValue"); break;
  }
  return v;
}

json::array otlp_attributes(const Attributes& attrs) {
  json::array out;
  for (const auto& kv : attrs) {
    json::object a;
    a["key"] = kv.key;
    a["value"] = any_value(kv.value);
    out.push_back(std::move(a));
  }
  return out;
}

// OTLP's SpanFlags: the W3C trace flags, plus HAS_IS_REMOTE | IS_REMOTE (0x300) when the
// parent (or linked) context is remote. A context known to be local is written without the
// HAS_IS_REMOTE bit, as "unknown": the store keeps only whether it was remote.
std::uint32_t otlp_flags(std::uint8_t trace_flags, bool remote) {
  return trace_flags | (remote ? 0x300u : 0u);
}

json::object otlp_span(const SpanData& s) {
  json::object span;
  span["traceId"] = to_hex(s.context.trace_id());
  span["spanId"] = to_hex(s.context.span_id());
  if (const std::string state = trace_state_text(s.context); !state.empty()) span["traceState"] = state;
  if (is_valid(s.parent_span_id)) span["parentSpanId"] = to_hex(s.parent_span_id);
  if (const std::uint32_t flags = otlp_flags(s.context.flags(), s.parent_is_remote); flags != 0) {
    span["flags"] = flags;
  }
  span["name"] = s.name;
  span["kind"] = static_cast<int>(s.kind);
  span["startTimeUnixNano"] = std::to_string(s.start_time_unix_nano);
  span["endTimeUnixNano"] = std::to_string(s.end_time_unix_nano);
  span["attributes"] = otlp_attributes(s.attributes);
  if (s.dropped_attributes_count) span["droppedAttributesCount"] = s.dropped_attributes_count;
  json::array events;
  for (const auto& e : s.events) {
    json::object ev;
    ev["timeUnixNano"] = std::to_string(e.time_unix_nano);
    ev["name"] = e.name;
    ev["attributes"] = otlp_attributes(e.attributes);
    if (e.dropped_attributes_count) ev["droppedAttributesCount"] = e.dropped_attributes_count;
    events.push_back(std::move(ev));
  }
  span["events"] = std::move(events);
  if (s.dropped_events_count) span["droppedEventsCount"] = s.dropped_events_count;
  json::array links;
  for (const auto& l : s.links) {
    json::object link;
    link["traceId"] = to_hex(l.context.trace_id());
    link["spanId"] = to_hex(l.context.span_id());
    if (const std::string state = trace_state_text(l.context); !state.empty()) link["traceState"] = state;
    if (const std::uint32_t flags = otlp_flags(l.context.flags(), l.context.remote()); flags != 0) {
      link["flags"] = flags;
    }
    link["attributes"] = otlp_attributes(l.attributes);
    if (l.dropped_attributes_count) link["droppedAttributesCount"] = l.dropped_attributes_count;
    links.push_back(std::move(link));
  }
  span["links"] = std::move(links);
  if (s.dropped_links_count) span["droppedLinksCount"] = s.dropped_links_count;
  json::object status;
  if (!s.status_message.empty()) status["message"] = s.status_message;
  if (s.status_code != StatusCode::kUnset) status["code"] = static_cast<int>(s.status_code);
  span["status"] = std::move(status);
  return span;
}

}  // namespace

json::object otlp_traces_json(const std::vector<Trace>& traces) {
  // Group spans by resource, then by scope, keeping first-seen order.
  json::array resource_spans;
  std::map<const telemetry::Resource*, std::size_t> resource_index;
  std::vector<std::map<const telemetry::InstrumentationScope*, std::size_t>> scope_index;
  for (const Trace& trace : traces) {
    for (const SpanData& s : trace.spans) {
      auto [rit, new_resource] = resource_index.try_emplace(s.resource.get(), resource_spans.size());
      if (new_resource) {
        json::object rs;
        json::object resource;
        resource["attributes"] = s.resource ? otlp_attributes(s.resource->attributes) : json::array();
        rs["resource"] = std::move(resource);
        rs["scopeSpans"] = json::array();
        if (s.resource && !s.resource->schema_url.empty()) rs["schemaUrl"] = s.resource->schema_url;
        resource_spans.push_back(std::move(rs));
        scope_index.emplace_back();
      }
      json::array& scope_spans = resource_spans[rit->second].as_object()["scopeSpans"].as_array();
      auto [sit, new_scope] = scope_index[rit->second].try_emplace(s.scope.get(), scope_spans.size());
      if (new_scope) {
        json::object ss;
        json::object scope;
        if (s.scope) {
          scope["name"] = s.scope->name;
          if (!s.scope->version.empty()) scope["version"] = s.scope->version;
        }
        ss["scope"] = std::move(scope);
        ss["spans"] = json::array();
        if (s.scope && !s.scope->schema_url.empty()) ss["schemaUrl"] = s.scope->schema_url;
        scope_spans.push_back(std::move(ss));
      }
      scope_spans[sit->second].as_object()["spans"].as_array().push_back(otlp_span(s));
    }
  }
  json::object out;
  out["resourceSpans"] = std::move(resource_spans);
  return out;
}

std::string v3_error(int code, std::string_view message) {
  json::object details;
  details["httpCode"] = code;
  details["message"] = message;
  details["httpStatus"] = code == 404 ? "Not Found" : code == 400 ? "Bad Request" : "Error";
  json::object out;
  out["error"] = std::move(details);
  return json::serialize(out);
}

}  // namespace tdemo::tracestore
