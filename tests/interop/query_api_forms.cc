#include "interop/query_api_forms.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace tdemo::interop {
namespace {

namespace json = boost::json;

// --- OTLP JSON (api_v3) → the normalized form ---------------------------------------------

std::string text_or(const json::object& o, const char* key, const char* fallback = "") {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string(fallback);
}

// An integer field that OTLP JSON may write as a number or as a decimal string.
std::string decimal_or_zero(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v) return "0";
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return "not an integer: " + json::serialize(*v);
}

std::int64_t number_or_zero(const json::object& o, const char* key) {
  return std::stoll(decimal_or_zero(o, key));
}

json::value normalized_double(const json::value& v) {
  if (v.is_string()) return v;  // "NaN", "Infinity", "-Infinity"
  return v.to_number<double>();
}

json::value normalized_any_value(const json::value& v);

json::array normalized_attributes(const json::value* list) {
  json::array out;
  if (list && list->is_array()) {
    for (const auto& kv : list->as_array()) {
      const auto* value = kv.as_object().if_contains("value");
      out.push_back(
          json::array{kv.at("key"), value ? normalized_any_value(*value) : json::object{}});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const json::value& a, const json::value& b) {
    return a.as_array()[0].as_string() < b.as_array()[0].as_string();
  });
  return out;
}

json::value normalized_any_value(const json::value& v) {
  const json::object& o = v.as_object();
  if (const auto* s = o.if_contains("stringValue")) return json::object{{"string", *s}};
  if (const auto* b = o.if_contains("boolValue")) return json::object{{"bool", *b}};
  if (o.contains("intValue")) return json::object{{"int", decimal_or_zero(o, "intValue")}};
  if (const auto* d = o.if_contains("doubleValue"))
    return json::object{{"double", normalized_double(*d)}};
  if (const auto* a = o.if_contains("arrayValue")) {
    json::array items;
    if (const auto* values = a->as_object().if_contains("values")) {
      for (const auto& item : values->as_array()) items.push_back(normalized_any_value(item));
    }
    return json::object{{"array", items}};
  }
  if (const auto* kv = o.if_contains("kvlistValue")) {
    return json::object{{"kvlist", normalized_attributes(kv->as_object().if_contains("values"))}};
  }
  if (o.contains("bytesValue"))
    return json::object{{"bytes", "(base64) " + text_or(o, "bytesValue")}};
  return json::object{};
}

}  // namespace

json::array normalized_otlp_json(const json::value& traces_data) {
  json::array spans;
  for (const auto& rs : traces_data.at("resourceSpans").as_array()) {
    const auto& resource_spans = rs.as_object();
    const json::object* resource =
        resource_spans.contains("resource") ? &resource_spans.at("resource").as_object() : nullptr;
    const json::array resource_attributes =
        normalized_attributes(resource ? resource->if_contains("attributes") : nullptr);
    for (const auto& ss : resource_spans.at("scopeSpans").as_array()) {
      const auto* scope_value = ss.as_object().if_contains("scope");
      const json::object scope_object = scope_value ? scope_value->as_object() : json::object{};
      const json::object scope{{"name", text_or(scope_object, "name")},
                               {"version", text_or(scope_object, "version")}};
      for (const auto& sv : ss.at("spans").as_array()) {
        const json::object& s = sv.as_object();
        const std::int64_t flags = number_or_zero(s, "flags");
        json::array events;
        if (const auto* list = s.if_contains("events")) {
          for (const auto& ev : list->as_array()) {
            const json::object& e = ev.as_object();
            events.push_back(json::object{
                {"name", text_or(e, "name")},
                {"time", decimal_or_zero(e, "timeUnixNano")},
                {"attributes", normalized_attributes(e.if_contains("attributes"))},
                {"droppedAttributesCount", number_or_zero(e, "droppedAttributesCount")}});
          }
        }
        json::array links;
        if (const auto* list = s.if_contains("links")) {
          for (const auto& lv : list->as_array()) {
            const json::object& l = lv.as_object();
            const std::int64_t link_flags = number_or_zero(l, "flags");
            links.push_back(json::object{
                {"traceId", text_or(l, "traceId")},
                {"spanId", text_or(l, "spanId")},
                {"traceState", text_or(l, "traceState")},
                {"flags", link_flags & 0xff},
                {"remote", (link_flags & 0x300) == 0x300},
                {"attributes", normalized_attributes(l.if_contains("attributes"))},
                {"droppedAttributesCount", number_or_zero(l, "droppedAttributesCount")}});
          }
        }
        const json::object status =
            s.contains("status") ? s.at("status").as_object() : json::object{};
        spans.push_back(json::object{
            {"traceId", text_or(s, "traceId")},
            {"spanId", text_or(s, "spanId")},
            {"parentSpanId", text_or(s, "parentSpanId")},
            {"traceState", text_or(s, "traceState")},
            {"flags", flags & 0xff},
            {"parentRemote", (flags & 0x300) == 0x300},
            {"name", text_or(s, "name")},
            {"kind", number_or_zero(s, "kind")},
            {"start", decimal_or_zero(s, "startTimeUnixNano")},
            {"end", decimal_or_zero(s, "endTimeUnixNano")},
            {"attributes", normalized_attributes(s.if_contains("attributes"))},
            {"droppedAttributesCount", number_or_zero(s, "droppedAttributesCount")},
            {"events", events},
            {"droppedEventsCount", number_or_zero(s, "droppedEventsCount")},
            {"links", links},
            {"droppedLinksCount", number_or_zero(s, "droppedLinksCount")},
            {"status", json::object{{"code", number_or_zero(status, "code")},
                                    {"message", text_or(status, "message")}}},
            {"resource", resource_attributes},
            {"scope", scope},
        });
      }
    }
  }
  std::sort(spans.begin(), spans.end(), [](const json::value& a, const json::value& b) {
    return a.at("spanId").as_string() < b.at("spanId").as_string();
  });
  return spans;
}

// --- What Jaeger's OTLP translator makes of a recorded span ---------------------------------
// (as Jaeger's query service serves it in its UI JSON model: ids in hex, times in µs, tags
// {key, type, value})

std::string jaeger_trace_id(const std::string& hex32) {
  return hex32.compare(0, 16, "0000000000000000") == 0 ? hex32.substr(16) : hex32;
}

const json::value* find_attribute(const json::array& attributes, std::string_view key) {
  for (const auto& kv : attributes) {
    if (kv.as_array()[0].as_string() == key) return &kv.as_array()[1];
  }
  return nullptr;
}

namespace {

std::uint64_t decimal(const json::value& v) { return std::stoull(std::string(v.as_string())); }

// A double as Go's encoding/json writes it: shortest round trip, %f between 1e-6 and 1e21,
// else %e with the exponent's leading zeros dropped (1e-07 -> 1e-7).
std::string go_json_number(double d) {
  char buf[64];
  const double magnitude = std::fabs(d);
  const bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, d,
                    exponent ? std::chars_format::scientific : std::chars_format::fixed);
  std::string out(buf, end);
  if (exponent) {
    const auto e = out.find('e');
    if (out.size() - e == 4 && out[e + 2] == '0') out.erase(e + 2, 1);
  }
  return out;
}

// A string as Go's encoding/json writes it (HTML-safe: <, >, & escaped; U+2028/9 escaped).
// The input is valid UTF-8 (it comes from JavaScript strings).
std::string go_json_string(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\b') {
      out += "\\b";
    } else if (c == '\f') {
      out += "\\f";
    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// pcommon.Value.AsString() of a slice: json.Marshal of its raw values.
std::string go_json_array(const json::array& items) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    const json::object& v = item.as_object();
    if (const auto* s = v.if_contains("string")) {
      out += go_json_string(std::string(s->as_string()));
    } else if (const auto* b = v.if_contains("bool")) {
      out += b->as_bool() ? "true" : "false";
    } else if (const auto* i = v.if_contains("int")) {
      out += std::string(i->as_string());
    } else if (const auto* d = v.if_contains("double")) {
      out += go_json_number(d->to_number<double>());
    } else {
      out += "unexpected array item " + json::serialize(item);
    }
  }
  return out + "]";
}

json::object jaeger_tag(const std::string& key, const char* type, json::value value) {
  return json::object{{"key", key}, {"type", type}, {"value", std::move(value)}};
}

json::object jaeger_tag(const json::value& key, const json::value& normalized) {
  const std::string k(key.as_string());
  const json::object& v = normalized.as_object();
  if (const auto* s = v.if_contains("string")) return jaeger_tag(k, "string", *s);
  if (const auto* b = v.if_contains("bool")) return jaeger_tag(k, "bool", *b);
  if (const auto* i = v.if_contains("int"))
    return jaeger_tag(k, "int64", std::stoll(std::string(i->as_string())));
  if (const auto* d = v.if_contains("double")) return jaeger_tag(k, "float64", *d);
  if (const auto* a = v.if_contains("array"))
    return jaeger_tag(k, "string", json::string(go_json_array(a->as_array())));
  return jaeger_tag(k, "unexpected", normalized);
}

json::array sorted_by_key(json::array tags) {
  std::stable_sort(tags.begin(), tags.end(), [](const json::value& a, const json::value& b) {
    return a.at("key").as_string() < b.at("key").as_string();
  });
  return tags;
}

}  // namespace

json::object expected_jaeger_span(const json::object& r) {
  const std::string trace_id = jaeger_trace_id(std::string(r.at("traceId").as_string()));
  const std::string parent(r.at("parentSpanId").as_string());
  json::array references;
  if (!parent.empty()) {
    references.push_back(
        json::object{{"refType", "CHILD_OF"}, {"traceID", trace_id}, {"spanID", parent}});
  }
  for (const auto& lv : r.at("links").as_array()) {
    const json::object& l = lv.as_object();
    const json::value* ref_type =
        find_attribute(l.at("attributes").as_array(), "opentracing.ref_type");
    const bool child_of = ref_type && ref_type->as_object().contains("string") &&
                          ref_type->at("string").as_string() == "child_of";
    json::object ref{{"refType", child_of ? "CHILD_OF" : "FOLLOWS_FROM"},
                     {"traceID", jaeger_trace_id(std::string(l.at("traceId").as_string()))},
                     {"spanID", l.at("spanId")}};
    if (!parent.empty() && ref.at("traceID").as_string() == trace_id &&
        ref.at("spanID").as_string() == parent) {
      references[0].as_object()["refType"] = ref.at("refType");  // the link names the parent
    } else {
      references.push_back(std::move(ref));
    }
  }

  json::array tags;
  for (const auto& kv : r.at("attributes").as_array())
    tags.push_back(jaeger_tag(kv.as_array()[0], kv.as_array()[1]));
  const json::object& scope = r.at("scope").as_object();
  if (!scope.at("name").as_string().empty())
    tags.push_back(jaeger_tag("otel.scope.name", "string", scope.at("name")));
  if (!scope.at("version").as_string().empty()) {
    tags.push_back(jaeger_tag("otel.scope.version", "string", scope.at("version")));
  }
  static const char* const kKinds[] = {nullptr,  "internal", "server",
                                       "client", "producer", "consumer"};
  const auto kind = r.at("kind").to_number<int>();
  if (kind >= 1 && kind <= 5) tags.push_back(jaeger_tag("span.kind", "string", kKinds[kind]));
  const json::object& status = r.at("status").as_object();
  const auto code = status.at("code").to_number<int>();
  if (code == 1) tags.push_back(jaeger_tag("otel.status_code", "string", "OK"));
  if (code == 2) {
    tags.push_back(jaeger_tag("otel.status_code", "string", "ERROR"));
    tags.push_back(jaeger_tag("error", "bool", true));
  }
  if (!status.at("message").as_string().empty()) {
    tags.push_back(jaeger_tag("otel.status_description", "string", status.at("message")));
  }
  if (!r.at("traceState").as_string().empty())
    tags.push_back(jaeger_tag("w3c.tracestate", "string", r.at("traceState")));

  json::array logs;
  for (const auto& ev : r.at("events").as_array()) {
    const json::object& e = ev.as_object();
    json::array fields;
    const json::array& attributes = e.at("attributes").as_array();
    if (!e.at("name").as_string().empty() && !find_attribute(attributes, "event")) {
      fields.push_back(jaeger_tag("event", "string", e.at("name")));
    }
    for (const auto& kv : attributes)
      fields.push_back(jaeger_tag(kv.as_array()[0], kv.as_array()[1]));
    logs.push_back(json::object{{"timestamp", decimal(e.at("time")) / 1000},
                                {"fields", sorted_by_key(fields)}});
  }

  std::string service = "OTLPResourceNoServiceName";
  json::array process_tags;
  for (const auto& kv : r.at("resource").as_array()) {
    if (kv.as_array()[0].as_string() == "service.name") {
      service = std::string(kv.as_array()[1].at("string").as_string());
    } else {
      process_tags.push_back(jaeger_tag(kv.as_array()[0], kv.as_array()[1]));
    }
  }
  const std::uint64_t start = decimal(r.at("start"));
  const std::uint64_t end = decimal(r.at("end"));
  return json::object{
      {"traceID", trace_id},
      {"spanID", r.at("spanId")},
      {"operationName", r.at("name")},
      {"references", references},
      {"startTime", start / 1000},
      {"duration", (end - start) / 1000},
      {"tags", sorted_by_key(tags)},
      {"logs", logs},
      {"process", json::object{{"serviceName", service}, {"tags", sorted_by_key(process_tags)}}},
  };
}

json::object comparable_jaeger_span(const json::object& s, const json::object& processes) {
  json::array logs;
  for (const auto& log : s.at("logs").as_array()) {
    logs.push_back(json::object{{"timestamp", log.at("timestamp")},
                                {"fields", sorted_by_key(log.at("fields").as_array())}});
  }
  const json::object& process = processes.at(s.at("processID").as_string()).as_object();
  return json::object{
      {"traceID", s.at("traceID")},
      {"spanID", s.at("spanID")},
      {"operationName", s.at("operationName")},
      {"references", s.at("references")},
      {"startTime", s.at("startTime")},
      {"duration", s.at("duration")},
      {"tags", sorted_by_key(s.at("tags").as_array())},
      {"logs", logs},
      {"process", json::object{{"serviceName", process.at("serviceName")},
                               {"tags", sorted_by_key(process.at("tags").as_array())}}},
  };
}

}  // namespace tdemo::interop
