// OTLP/JSON request decoding with Boost.JSON. Field names are accepted in lowerCamelCase and
// in the original snake_case, as the protobuf JSON mapping requires of parsers.
#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "telemetry/otlp/decoder_internal.h"
#include "telemetry/otlp/json_encoder.h"

namespace tdemo::telemetry::otlp::detail {
namespace {

namespace json = boost::json;

// A type error somewhere in the document; caught in decode_json and turned into the result's
// error (never leaves this file).
struct JsonTypeError {
  std::string message;
};

[[noreturn]] void fail(std::string_view where, std::string_view what) {
  throw JsonTypeError{std::string(where) + ": " + std::string(what)};
}

// The member named `camel` (or `snake`), or null when absent or JSON null.
const json::value* member(const json::object& o, std::string_view camel, std::string_view snake = {}) {
  if (auto it = o.find(camel); it != o.end() && !it->value().is_null()) return &it->value();
  if (!snake.empty()) {
    if (auto it = o.find(snake); it != o.end() && !it->value().is_null()) return &it->value();
  }
  return nullptr;
}

const json::object& as_object(const json::value& v, std::string_view where) {
  if (!v.is_object()) fail(where, "expected an object");
  return v.get_object();
}

const json::array* array_member(const json::object& o, std::string_view camel, std::string_view snake = {}) {
  const json::value* v = member(o, camel, snake);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) fail(camel, "expected an array");
  return &v->get_array();
}

std::string string_member(const json::object& o, std::string_view camel, std::string_view snake = {}) {
  const json::value* v = member(o, camel, snake);
  if (v == nullptr) return {};
  if (!v->is_string()) fail(camel, "expected a string");
  return std::string(v->get_string());
}

// An integer given as a JSON number or a decimal string (64-bit integers are strings in
// OTLP/JSON), within [min, max].
template <typename T>
T integer_value(const json::value& v, std::string_view where) {
  if (v.is_int64()) {
    if (!std::in_range<T>(v.get_int64())) fail(where, "value out of range");
    return static_cast<T>(v.get_int64());
  }
  if (v.is_uint64()) {
    if (!std::in_range<T>(v.get_uint64())) fail(where, "value out of range");
    return static_cast<T>(v.get_uint64());
  }
  if (v.is_double()) {
    const double d = v.get_double();
    if (!(d >= static_cast<double>(std::numeric_limits<T>::min()) &&
          d < static_cast<double>(std::numeric_limits<T>::max())) || d != std::floor(d)) {
      fail(where, "expected an integer");
    }
    return static_cast<T>(d);
  }
  if (v.is_string()) {
    const std::string_view s = v.get_string();
    T out{};
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) fail(where, "expected a decimal integer string");
    return out;
  }
  fail(where, "expected an integer");
}

template <typename T>
T integer_member(const json::object& o, std::string_view camel, std::string_view snake = {}) {
  const json::value* v = member(o, camel, snake);
  return v == nullptr ? T{} : integer_value<T>(*v, camel);
}

// An enum as its number or its name (e.g. "SPAN_KIND_SERVER").
std::int64_t enum_member(const json::object& o, std::string_view camel, const char* const* names, std::size_t n) {
  const json::value* v = member(o, camel);
  if (v == nullptr) return 0;
  if (v->is_string()) {
    for (std::size_t i = 0; i < n; ++i) {
      if (v->get_string() == names[i]) return static_cast<std::int64_t>(i);
    }
  }
  return integer_value<std::int32_t>(*v, camel);
}

double double_value(const json::value& v, std::string_view where) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_string()) {
    const std::string_view s = v.get_string();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    double d = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty()) return d;
  }
  fail(where, "expected a number");
}

AttributeValue to_attribute_value(const json::value& v);

// Which scalar an AnyValue object holds: 's', 'b', 'i', 'd', or 0 for anything else.
char scalar_kind(const json::value& v) {
  if (!v.is_object()) return 0;
  const auto& o = v.get_object();
  if (member(o, "stringValue", "string_value")) return 's';
  if (member(o, "boolValue", "bool_value")) return 'b';
  if (member(o, "intValue", "int_value")) return 'i';
  if (member(o, "doubleValue", "double_value")) return 'd';
  return 0;
}

AttributeValue array_value(const json::object& array_object) {
  const json::array* values = array_member(array_object, "values");
  if (values == nullptr || values->empty()) return std::vector<std::string>{};
  const char kind = scalar_kind(values->front());
  bool same = kind != 0;
  for (const auto& e : *values) same = same && scalar_kind(e) == kind;
  if (!same) return json::serialize(*values);
  auto items = [&](auto type_tag) {
    using T = decltype(type_tag);
    std::vector<T> out;
    for (const auto& e : *values) out.push_back(std::get<T>(to_attribute_value(e)));
    return AttributeValue(std::move(out));
  };
  switch (kind) {
    case 's': return items(std::string());
    case 'b': return items(false);
    case 'i': return items(std::int64_t{});
    default: return items(0.0);
  }
}

AttributeValue to_attribute_value(const json::value& value) {
  const json::object& o = as_object(value, "value");
  if (const json::value* v = member(o, "stringValue", "string_value")) {
    if (!v->is_string()) fail("stringValue", "expected a string");
    return std::string(v->get_string());
  }
  if (const json::value* v = member(o, "boolValue", "bool_value")) {
    if (!v->is_bool()) fail("boolValue", "expected true or false");
    return v->get_bool();
  }
  if (const json::value* v = member(o, "intValue", "int_value")) return integer_value<std::int64_t>(*v, "intValue");
  if (const json::value* v = member(o, "doubleValue", "double_value")) return double_value(*v, "doubleValue");
  if (const json::value* v = member(o, "arrayValue", "array_value")) return array_value(as_object(*v, "arrayValue"));
  if (const json::value* v = member(o, "kvlistValue", "kvlist_value")) return json::serialize(*v);
  if (const json::value* v = member(o, "bytesValue", "bytes_value")) {
    if (!v->is_string()) fail("bytesValue", "expected a base64 string");
    return std::string(v->get_string());
  }
  return std::string();
}

Attributes to_attributes(const json::object& o) {
  Attributes out;
  const json::array* list = array_member(o, "attributes");
  if (list == nullptr) return out;
  out.reserve(list->size());
  for (const auto& item : *list) {
    const json::object& kv = as_object(item, "attributes[]");
    const json::value* value = member(kv, "value");
    out.push_back(KeyValue{string_member(kv, "key"), value ? to_attribute_value(*value) : AttributeValue(std::string())});
  }
  return out;
}

constexpr const char* kKindNames[] = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
                                      "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
constexpr const char* kStatusNames[] = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};

std::unique_ptr<SpanData> to_span(const json::object& s, DecodeResult& result, const DecodeLimits& limits) {
  const std::string name = string_member(s, "name");
  TraceId trace_id;
  SpanId span_id;
  if (!trace_id_from_hex(string_member(s, "traceId", "trace_id"), trace_id)) {
    reject_span(result, limits, "span '" + name + "': invalid traceId (need 32 hex digits, not all zero)");
    return nullptr;
  }
  if (!span_id_from_hex(string_member(s, "spanId", "span_id"), span_id)) {
    reject_span(result, limits, "span '" + name + "': invalid spanId (need 16 hex digits, not all zero)");
    return nullptr;
  }
  auto span = std::make_unique<SpanData>();
  const std::string parent = string_member(s, "parentSpanId", "parent_span_id");
  if (!parent.empty() && !span_id_from_hex(parent, span->parent_span_id)) {
    reject_span(result, limits, "span '" + name + "': invalid parentSpanId (need 16 hex digits or none)");
    return nullptr;
  }
  const auto flags = integer_member<std::uint32_t>(s, "flags");
  span->context = SpanContext(trace_id, span_id, trace_flags_from(flags), false,
                              trace_state_from_header(string_member(s, "traceState", "trace_state")));
  span->parent_is_remote = remote_from(flags);
  span->name = name;
  span->kind = span_kind_from_int(enum_member(s, "kind", kKindNames, std::size(kKindNames)));
  span->start_time_unix_nano = integer_member<std::uint64_t>(s, "startTimeUnixNano", "start_time_unix_nano");
  span->end_time_unix_nano = integer_member<std::uint64_t>(s, "endTimeUnixNano", "end_time_unix_nano");
  span->attributes = to_attributes(s);
  span->dropped_attributes_count = integer_member<std::uint32_t>(s, "droppedAttributesCount", "dropped_attributes_count");
  if (const json::array* events = array_member(s, "events")) {
    for (const auto& item : *events) {
      const json::object& e = as_object(item, "events[]");
      span->events.push_back(Event{string_member(e, "name"), integer_member<std::uint64_t>(e, "timeUnixNano", "time_unix_nano"),
                                   to_attributes(e),
                                   integer_member<std::uint32_t>(e, "droppedAttributesCount", "dropped_attributes_count")});
    }
  }
  span->dropped_events_count = integer_member<std::uint32_t>(s, "droppedEventsCount", "dropped_events_count");
  if (const json::array* links = array_member(s, "links")) {
    for (const auto& item : *links) {
      const json::object& l = as_object(item, "links[]");
      TraceId link_trace;
      SpanId link_span;
      if (!trace_id_from_hex(string_member(l, "traceId", "trace_id"), link_trace) ||
          !span_id_from_hex(string_member(l, "spanId", "span_id"), link_span)) {
        reject_span(result, limits, "span '" + name + "': link with an invalid traceId or spanId");
        return nullptr;
      }
      const auto link_flags = integer_member<std::uint32_t>(l, "flags");
      span->links.push_back(Link{SpanContext(link_trace, link_span, trace_flags_from(link_flags), remote_from(link_flags),
                                             trace_state_from_header(string_member(l, "traceState", "trace_state"))),
                                 to_attributes(l),
                                 integer_member<std::uint32_t>(l, "droppedAttributesCount", "dropped_attributes_count")});
    }
  }
  span->dropped_links_count = integer_member<std::uint32_t>(s, "droppedLinksCount", "dropped_links_count");
  if (const json::value* status = member(s, "status")) {
    const json::object& st = as_object(*status, "status");
    span->status_code = status_code_from_int(enum_member(st, "code", kStatusNames, std::size(kStatusNames)));
    span->status_message = string_member(st, "message");
  }
  return span;
}

void decode_document(const json::value& root, DecodeResult& result, const DecodeLimits& limits) {
  const json::object& request = as_object(root, "request");
  const json::array* resource_spans = array_member(request, "resourceSpans", "resource_spans");
  if (resource_spans == nullptr) return;
  std::size_t total = 0;
  for (const auto& rs_value : *resource_spans) {
    const json::object& rs = as_object(rs_value, "resourceSpans[]");
    auto resource = std::make_shared<Resource>();
    if (const json::value* r = member(rs, "resource")) resource->attributes = to_attributes(as_object(*r, "resource"));
    resource->schema_url = string_member(rs, "schemaUrl", "schema_url");
    const json::array* scope_spans = array_member(rs, "scopeSpans", "scope_spans");
    if (scope_spans == nullptr) continue;
    for (const auto& ss_value : *scope_spans) {
      const json::object& ss = as_object(ss_value, "scopeSpans[]");
      auto scope = std::make_shared<InstrumentationScope>();
      if (const json::value* sc = member(ss, "scope")) {
        const json::object& so = as_object(*sc, "scope");
        scope->name = string_member(so, "name");
        scope->version = string_member(so, "version");
      }
      scope->schema_url = string_member(ss, "schemaUrl", "schema_url");
      const json::array* spans = array_member(ss, "spans");
      if (spans == nullptr) continue;
      total += spans->size();
      if (total > limits.max_spans) {
        fail("request", "too many spans (more than " + std::to_string(limits.max_spans) + ")");
      }
      for (const auto& span_value : *spans) {
        auto span = to_span(as_object(span_value, "spans[]"), result, limits);
        if (!span) continue;
        span->resource = resource;
        span->scope = scope;
        result.spans.push_back(std::move(span));
      }
    }
  }
}

}  // namespace

DecodeResult decode_json(std::string_view body, const DecodeLimits& limits) {
  DecodeResult result;
  json::monotonic_resource memory;
  json::parse_options options;
  options.max_depth = limits.max_json_depth;
  boost::system::error_code ec;
  const json::value root = json::parse(body, ec, &memory, options);
  if (ec) {
    result.error = "malformed JSON: " + ec.message();
    return result;
  }
  try {
    decode_document(root, result, limits);
  } catch (const JsonTypeError& e) {
    result = DecodeResult{};
    result.error = "invalid OTLP JSON: " + e.message;
  }
  return result;
}

}  // namespace tdemo::telemetry::otlp::detail
