// Two passes: first the size of every span, event and link is computed (and kept, in
// pre-order), then the buffer is sized once and written front to back.
#include "telemetry/otlp/protobuf_encoder.h"

#include <cstdint>
#include <type_traits>
#include <variant>

#include "telemetry/otlp/span_grouping.h"
#include "telemetry/otlp/utf8.h"
#include "telemetry/otlp/wire_format.h"

namespace tdemo::telemetry::otlp {
namespace {

using namespace wire;

// Field numbers, from proto/opentelemetry/proto/....
namespace any_value { enum : std::uint32_t { kString = 1, kBool = 2, kInt = 3, kDouble = 4, kArray = 5 }; }
namespace key_value { enum : std::uint32_t { kKey = 1, kValue = 2 }; }
namespace span_field {
enum : std::uint32_t {
  kTraceId = 1, kSpanId = 2, kTraceState = 3, kParentSpanId = 4, kName = 5, kKind = 6,
  kStart = 7, kEnd = 8, kAttributes = 9, kDroppedAttributes = 10, kEvents = 11,
  kDroppedEvents = 12, kLinks = 13, kDroppedLinks = 14, kStatus = 15, kFlags = 16
};
}

std::size_t string_field_size(std::string_view s) { return s.empty() ? 0 : delimited_size(s.size()); }
std::size_t uint_field_size(std::uint64_t v) { return v == 0 ? 0 : 1 + varint_size(v); }

// --- AnyValue -------------------------------------------------------------------------------

template <typename T>
std::size_t scalar_any_size(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) return delimited_size(v.size());
  else if constexpr (std::is_same_v<T, bool>) return 2;
  else if constexpr (std::is_same_v<T, std::int64_t>) return 1 + varint_size(static_cast<std::uint64_t>(v));
  else return 9;  // double
}

template <typename T>
char* write_scalar_any(char* p, const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return write_delimited(p, any_value::kString, v);
  } else if constexpr (std::is_same_v<T, bool>) {
    p = write_tag(p, any_value::kBool, kVarint);
    *p++ = v ? 1 : 0;
    return p;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    p = write_tag(p, any_value::kInt, kVarint);
    return write_varint(p, static_cast<std::uint64_t>(v));
  } else {
    p = write_tag(p, any_value::kDouble, kFixed64);
    return write_fixed64(p, std::bit_cast<std::uint64_t>(v));
  }
}

// Payload size of ArrayValue{values: [...]}.
template <typename Vec>
std::size_t array_payload_size(const Vec& values) {
  std::size_t n = 0;
  for (const auto& v : values) n += delimited_size(scalar_any_size(static_cast<typename Vec::value_type>(v)));
  return n;
}

// Payload size of an AnyValue message.
std::size_t any_value_size(const AttributeValue& value) {
  return std::visit(
      [](const auto& v) -> std::size_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                      std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          return scalar_any_size(v);
        } else {
          return delimited_size(array_payload_size(v));
        }
      },
      value);
}

// --- KeyValue lists -------------------------------------------------------------------------

std::size_t key_value_size(const KeyValue& kv) {
  return string_field_size(kv.key) + delimited_size(any_value_size(kv.value));
}

// Size of `repeated KeyValue field` (tags included).
std::size_t attributes_size(const Attributes& attributes) {
  std::size_t n = 0;
  for (const auto& kv : attributes) n += delimited_size(key_value_size(kv));
  return n;
}

// Each KeyValue with one visit of its value: its sizes are worked out where it is written.
char* write_attributes(char* p, std::uint32_t field, const Attributes& attributes) {
  for (const auto& kv : attributes) {
    std::visit(
        [&p, field, &key = kv.key](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          const auto head = [&](std::size_t value_size) {
            p = write_header(p, field, string_field_size(key) + delimited_size(value_size));
            if (!key.empty()) p = write_delimited(p, key_value::kKey, key);
            p = write_header(p, key_value::kValue, value_size);
          };
          if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                        std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
            head(scalar_any_size(v));
            p = write_scalar_any(p, v);
          } else {
            using E = typename T::value_type;
            const std::size_t payload = array_payload_size(v);
            head(delimited_size(payload));
            p = write_header(p, any_value::kArray, payload);
            for (const auto& element : v) {
              const E e = element;  // vector<bool> yields proxies
              p = write_header(p, 1, scalar_any_size(e));
              p = write_scalar_any(p, e);
            }
          }
        },
        kv.value);
  }
  return p;
}

char* write_uint_field(char* p, std::uint32_t field, std::uint64_t v) {
  if (v == 0) return p;
  p = write_tag(p, field, kVarint);
  return write_varint(p, v);
}

char* write_string_field(char* p, std::uint32_t field, std::string_view s) {
  return s.empty() ? p : write_delimited(p, field, s);
}

// --- Spans ----------------------------------------------------------------------------------

// Per-span scratch computed in pass one and consumed in pass two, in the same order.
struct Sizes {
  std::vector<std::uint32_t> values;
  std::vector<std::string> trace_states;  // only non-empty ones, in order of use
  std::size_t next_value = 0;
  std::size_t next_state = 0;
  std::uint32_t take() { return values[next_value++]; }
};

constexpr std::size_t kTraceIdField = 1 + 1 + 16;
constexpr std::size_t kSpanIdField = 1 + 1 + 8;

std::size_t status_size(const SpanData& s) {
  return string_field_size(s.status_message) + uint_field_size(static_cast<std::uint8_t>(s.status_code));
}

std::size_t trace_state_field_size(const SpanContext& context, Sizes& sizes) {
  if (!context.trace_state_ptr() || context.trace_state_ptr()->empty()) return 0;
  sizes.trace_states.push_back(serialize_trace_state(context));
  return string_field_size(sizes.trace_states.back());
}

char* write_trace_state(char* p, std::uint32_t field, const SpanContext& context, Sizes& sizes) {
  if (!context.trace_state_ptr() || context.trace_state_ptr()->empty()) return p;
  return write_string_field(p, field, sizes.trace_states[sizes.next_state++]);
}

// Size of the Span payload; pushes the span size, then each event's and link's, in order.
std::size_t measure_span(const SpanData& s, Sizes& sizes) {
  const std::size_t slot = sizes.values.size();
  sizes.values.push_back(0);
  std::size_t n = kTraceIdField + kSpanIdField + trace_state_field_size(s.context, sizes);
  if (has_parent(s)) n += kSpanIdField;
  n += string_field_size(s.name);
  n += uint_field_size(static_cast<std::uint8_t>(s.kind));
  n += 2 * (1 + 8);  // start, end (always written: semantically required)
  n += attributes_size(s.attributes);
  n += uint_field_size(s.dropped_attributes_count);
  for (const auto& e : s.events) {
    const std::size_t e_size = (e.time_unix_nano ? 9 : 0) + string_field_size(e.name) +
                               attributes_size(e.attributes) + uint_field_size(e.dropped_attributes_count);
    sizes.values.push_back(static_cast<std::uint32_t>(e_size));
    n += delimited_size(e_size);
  }
  n += uint_field_size(s.dropped_events_count);
  for (const auto& l : s.links) {
    const std::size_t l_size = kTraceIdField + kSpanIdField + trace_state_field_size(l.context, sizes) +
                               attributes_size(l.attributes) + uint_field_size(l.dropped_attributes_count) +
                               1 + 4;  // flags
    sizes.values.push_back(static_cast<std::uint32_t>(l_size));
    n += delimited_size(l_size);
  }
  n += uint_field_size(s.dropped_links_count);
  if (const std::size_t st = status_size(s); st != 0) n += delimited_size(st);
  n += 2 + 4;  // flags (field 16: two-byte tag)
  sizes.values[slot] = static_cast<std::uint32_t>(n);
  return n;
}

char* write_span(char* p, const SpanData& s, Sizes& sizes) {
  using namespace span_field;
  p = write_header(p, 2, sizes.take());  // ScopeSpans.spans
  p = write_delimited(p, kTraceId, {reinterpret_cast<const char*>(s.context.trace_id().bytes.data()), 16});
  p = write_delimited(p, kSpanId, {reinterpret_cast<const char*>(s.context.span_id().bytes.data()), 8});
  p = write_trace_state(p, kTraceState, s.context, sizes);
  if (has_parent(s)) {
    p = write_delimited(p, kParentSpanId, {reinterpret_cast<const char*>(s.parent_span_id.bytes.data()), 8});
  }
  p = write_string_field(p, kName, s.name);
  p = write_uint_field(p, kKind, static_cast<std::uint8_t>(s.kind));
  p = write_tag(p, kStart, kFixed64);
  p = write_fixed64(p, s.start_time_unix_nano);
  p = write_tag(p, kEnd, kFixed64);
  p = write_fixed64(p, s.end_time_unix_nano);
  p = write_attributes(p, kAttributes, s.attributes);
  p = write_uint_field(p, kDroppedAttributes, s.dropped_attributes_count);
  for (const auto& e : s.events) {
    p = write_header(p, kEvents, sizes.take());
    if (e.time_unix_nano != 0) {
      p = write_tag(p, 1, kFixed64);
      p = write_fixed64(p, e.time_unix_nano);
    }
    p = write_string_field(p, 2, e.name);
    p = write_attributes(p, 3, e.attributes);
    p = write_uint_field(p, 4, e.dropped_attributes_count);
  }
  p = write_uint_field(p, kDroppedEvents, s.dropped_events_count);
  for (const auto& l : s.links) {
    p = write_header(p, kLinks, sizes.take());
    p = write_delimited(p, 1, {reinterpret_cast<const char*>(l.context.trace_id().bytes.data()), 16});
    p = write_delimited(p, 2, {reinterpret_cast<const char*>(l.context.span_id().bytes.data()), 8});
    p = write_trace_state(p, 3, l.context, sizes);
    p = write_attributes(p, 4, l.attributes);
    p = write_uint_field(p, 5, l.dropped_attributes_count);
    p = write_tag(p, 6, kFixed32);
    p = write_fixed32(p, span_flags(l.context.flags(), l.context.remote()));
  }
  p = write_uint_field(p, kDroppedLinks, s.dropped_links_count);
  if (const std::size_t st = status_size(s); st != 0) {
    p = write_header(p, kStatus, st);
    p = write_string_field(p, 2, s.status_message);
    p = write_uint_field(p, 3, static_cast<std::uint8_t>(s.status_code));
  }
  p = write_tag(p, kFlags, kFixed32);
  return write_fixed32(p, span_flags(s.context.flags(), s.parent_is_remote));
}

// --- Resource and scope ---------------------------------------------------------------------

std::size_t resource_size(const Resource& r) { return attributes_size(r.attributes); }

std::size_t scope_size(const InstrumentationScope& s) {
  return string_field_size(s.name) + string_field_size(s.version);
}

struct GroupSizes {
  std::vector<std::uint32_t> resource_spans;  // per resource group
  std::vector<std::uint32_t> scope_spans;     // per scope group, all resources in order
};

}  // namespace

void encode_protobuf(const SpanBatch& batch, std::string& out) {
  // Rare slow path: repair invalid UTF-8 first, or parsers would reject the whole request.
  if (has_invalid_utf8(batch)) {
    encode_protobuf(with_valid_utf8(batch), out);
    return;
  }
  const std::vector<ResourceGroup> groups = group_by_resource_and_scope(batch);
  Sizes sizes;
  sizes.values.reserve(batch.size() * 2);
  GroupSizes group_sizes;

  // Pass one: sizes.
  std::size_t total = 0;
  for (const auto& rg : groups) {
    std::size_t rs = 0;
    if (rg.resource != nullptr) rs += delimited_size(resource_size(*rg.resource));
    for (const auto& sg : rg.scopes) {
      std::size_t ss = 0;
      if (sg.scope != nullptr) ss += delimited_size(scope_size(*sg.scope));
      for (const SpanData* span : sg.spans) ss += delimited_size(measure_span(*span, sizes));
      if (sg.scope != nullptr) ss += string_field_size(sg.scope->schema_url);
      group_sizes.scope_spans.push_back(static_cast<std::uint32_t>(ss));
      rs += delimited_size(ss);
    }
    if (rg.resource != nullptr) rs += string_field_size(rg.resource->schema_url);
    group_sizes.resource_spans.push_back(static_cast<std::uint32_t>(rs));
    total += delimited_size(rs);
  }

  // Pass two: bytes.
  out.resize(total);
  char* p = out.data();
  std::size_t scope_index = 0;
  for (std::size_t r = 0; r < groups.size(); ++r) {
    const ResourceGroup& rg = groups[r];
    p = write_header(p, 1, group_sizes.resource_spans[r]);  // ExportTraceServiceRequest.resource_spans
    if (rg.resource != nullptr) {
      p = write_header(p, 1, resource_size(*rg.resource));  // ResourceSpans.resource
      p = write_attributes(p, 1, rg.resource->attributes);
    }
    for (const auto& sg : rg.scopes) {
      p = write_header(p, 2, group_sizes.scope_spans[scope_index++]);  // ResourceSpans.scope_spans
      if (sg.scope != nullptr) {
        p = write_header(p, 1, scope_size(*sg.scope));  // ScopeSpans.scope
        p = write_string_field(p, 1, sg.scope->name);
        p = write_string_field(p, 2, sg.scope->version);
      }
      for (const SpanData* span : sg.spans) p = write_span(p, *span, sizes);
      if (sg.scope != nullptr) p = write_string_field(p, 3, sg.scope->schema_url);
    }
    if (rg.resource != nullptr) p = write_string_field(p, 3, rg.resource->schema_url);
  }
}

std::string encode_protobuf(const SpanBatch& batch) {
  std::string out;
  encode_protobuf(batch, out);
  return out;
}

}  // namespace tdemo::telemetry::otlp
