#include "telemetry/otlp/json_encoder.h"

#include <charconv>
#include <cmath>
#include <type_traits>
#include <variant>

#include "telemetry/otlp/span_grouping.h"
#include "telemetry/otlp/utf8.h"

namespace tdemo::telemetry::otlp {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex(std::string& out, const std::uint8_t* bytes, std::size_t n) {
  out += '"';
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xF];
  }
  out += '"';
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_int_string(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out += '"';
  out.append(buf, r.ptr);
  out += '"';
}

// `,"name":` (or without the comma for the first field of an object).
void key(std::string& out, const char* name, bool& first) {
  if (!first) out += ',';
  first = false;
  out += '"';
  out += name;
  out += "\":";
}

template <typename T>
void append_scalar_any(std::string& out, const T& v) {
  if constexpr (std::is_same_v<T, std::string>) { out += "{\"stringValue\":"; append_json_string(out, v); }
  else if constexpr (std::is_same_v<T, bool>) { out += v ? "{\"boolValue\":true" : "{\"boolValue\":false"; }
  else if constexpr (std::is_same_v<T, std::int64_t>) { out += "{\"intValue\":"; append_int_string(out, v); }
  else { out += "{\"doubleValue\":"; append_json_number(out, v); }
  out += '}';
}

void append_any_value(std::string& out, const AttributeValue& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                      std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          append_scalar_any(out, v);
        } else {
          out += "{\"arrayValue\":{\"values\":[";
          bool first = true;
          for (const auto& element : v) {
            if (!first) out += ',';
            first = false;
            append_scalar_any(out, static_cast<typename T::value_type>(element));
          }
          out += "]}}";
        }
      },
      value);
}

void append_attributes(std::string& out, const Attributes& attributes, bool& first) {
  if (attributes.empty()) return;
  key(out, "attributes", first);
  out += '[';
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    if (i) out += ',';
    out += "{\"key\":";
    append_json_string(out, attributes[i].key);
    out += ",\"value\":";
    append_any_value(out, attributes[i].value);
    out += '}';
  }
  out += ']';
}

void append_count(std::string& out, const char* name, std::uint64_t v, bool& first) {
  if (v == 0) return;
  key(out, name, first);
  append_uint(out, v);
}

void append_string_field(std::string& out, const char* name, std::string_view v, bool& first) {
  if (v.empty()) return;
  key(out, name, first);
  append_json_string(out, v);
}

void append_time(std::string& out, const char* name, std::uint64_t v, bool& first) {
  key(out, name, first);
  out += '"';
  append_uint(out, v);
  out += '"';
}

void append_span(std::string& out, const SpanData& s) {
  bool first = true;
  out += '{';
  key(out, "traceId", first);
  append_hex(out, s.context.trace_id().bytes.data(), 16);
  key(out, "spanId", first);
  append_hex(out, s.context.span_id().bytes.data(), 8);
  append_string_field(out, "traceState", serialize_trace_state(s.context), first);
  if (has_parent(s)) {
    key(out, "parentSpanId", first);
    append_hex(out, s.parent_span_id.bytes.data(), 8);
  }
  key(out, "flags", first);
  append_uint(out, span_flags(s.context.flags(), s.parent_is_remote));
  append_string_field(out, "name", s.name, first);
  key(out, "kind", first);
  append_uint(out, static_cast<std::uint8_t>(s.kind));
  append_time(out, "startTimeUnixNano", s.start_time_unix_nano, first);
  append_time(out, "endTimeUnixNano", s.end_time_unix_nano, first);
  append_attributes(out, s.attributes, first);
  append_count(out, "droppedAttributesCount", s.dropped_attributes_count, first);
  if (!s.events.empty()) {
    key(out, "events", first);
    out += '[';
    for (std::size_t i = 0; i < s.events.size(); ++i) {
      const Event& e = s.events[i];
      if (i) out += ',';
      bool ef = true;
      out += '{';
      append_time(out, "timeUnixNano", e.time_unix_nano, ef);
      append_string_field(out, "name", e.name, ef);
      append_attributes(out, e.attributes, ef);
      append_count(out, "droppedAttributesCount", e.dropped_attributes_count, ef);
      out += '}';
    }
    out += ']';
  }
  append_count(out, "droppedEventsCount", s.dropped_events_count, first);
  if (!s.links.empty()) {
    key(out, "links", first);
    out += '[';
    for (std::size_t i = 0; i < s.links.size(); ++i) {
      const Link& l = s.links[i];
      if (i) out += ',';
      bool lf = true;
      out += '{';
      key(out, "traceId", lf);
      append_hex(out, l.context.trace_id().bytes.data(), 16);
      key(out, "spanId", lf);
      append_hex(out, l.context.span_id().bytes.data(), 8);
      append_string_field(out, "traceState", serialize_trace_state(l.context), lf);
      append_attributes(out, l.attributes, lf);
      append_count(out, "droppedAttributesCount", l.dropped_attributes_count, lf);
      key(out, "flags", lf);
      append_uint(out, span_flags(l.context.flags(), l.context.remote()));
      out += '}';
    }
    out += ']';
  }
  append_count(out, "droppedLinksCount", s.dropped_links_count, first);
  if (s.status_code != StatusCode::kUnset || !s.status_message.empty()) {
    key(out, "status", first);
    bool sf = true;
    out += '{';
    append_string_field(out, "message", s.status_message, sf);
    append_count(out, "code", static_cast<std::uint8_t>(s.status_code), sf);
    out += '}';
  }
  out += '}';
}

}  // namespace

void append_json_number(std::string& out, double v) {
  if (std::isnan(v)) { out += "\"NaN\""; return; }
  if (std::isinf(v)) { out += v > 0 ? "\"Infinity\"" : "\"-Infinity\""; return; }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  out.append(buf, r.ptr);
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  std::size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') { ++i; continue; }
    if (c >= 0x80) {
      if (const std::size_t n = utf8_sequence_length(s, i); n != 0) { i += n; continue; }
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += "\xEF\xBF\xBD";  // invalid UTF-8 byte: U+FFFD
        }
    }
    ++i;
    run = i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void encode_json(const SpanBatch& batch, std::string& out) {
  out.clear();
  const std::vector<ResourceGroup> groups = group_by_resource_and_scope(batch);
  out += "{\"resourceSpans\":[";
  for (std::size_t r = 0; r < groups.size(); ++r) {
    const ResourceGroup& rg = groups[r];
    if (r) out += ',';
    out += '{';
    bool rf = true;
    if (rg.resource != nullptr) {
      key(out, "resource", rf);
      out += '{';
      bool f = true;
      append_attributes(out, rg.resource->attributes, f);
      out += '}';
    }
    key(out, "scopeSpans", rf);
    out += '[';
    for (std::size_t k = 0; k < rg.scopes.size(); ++k) {
      const ScopeGroup& sg = rg.scopes[k];
      if (k) out += ',';
      out += '{';
      bool sf = true;
      if (sg.scope != nullptr) {
        key(out, "scope", sf);
        out += '{';
        bool f = true;
        append_string_field(out, "name", sg.scope->name, f);
        append_string_field(out, "version", sg.scope->version, f);
        out += '}';
      }
      key(out, "spans", sf);
      out += '[';
      for (std::size_t i = 0; i < sg.spans.size(); ++i) {
        if (i) out += ',';
        append_span(out, *sg.spans[i]);
      }
      out += ']';
      if (sg.scope != nullptr) append_string_field(out, "schemaUrl", sg.scope->schema_url, sf);
      out += '}';
    }
    out += ']';
    if (rg.resource != nullptr) append_string_field(out, "schemaUrl", rg.resource->schema_url, rf);
    out += '}';
  }
  out += "]}";
}

std::string encode_json(const SpanBatch& batch) {
  std::string out;
  encode_json(batch, out);
  return out;
}

}  // namespace tdemo::telemetry::otlp
