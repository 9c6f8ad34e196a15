#include "telemetry/jaeger/thrift_encoder.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "telemetry/go_json_number.h"
#include "telemetry/otlp/json_encoder.h"
#include "telemetry/otlp/span_grouping.h"
#include "telemetry/utf8.h"

namespace tdemo::telemetry::jaeger {
namespace {

// Thrift's binary protocol type ids (those jaeger.thrift uses).
enum class TType : std::uint8_t {
  kStop = 0,
  kBool = 2,
  kDouble = 4,
  kI32 = 8,
  kI64 = 10,
  kString = 11,
  kStruct = 12,
  kList = 15,
};

// jaeger.thrift's enums.
enum class TagType : std::int32_t { kString = 0, kDouble = 1, kBool = 2, kLong = 3 };
enum class SpanRefType : std::int32_t { kChildOf = 0, kFollowsFrom = 1 };

// Appends TBinaryProtocol values to a buffer: big-endian integers, IEEE-754 doubles by their
// bits, strings as an i32 length and the bytes. A list's size is patched in when it ends, so
// the elements can be written without counting them first.
class ThriftWriter {
 public:
  explicit ThriftWriter(std::string& out) : out_(out) {}

  void field(TType type, std::int16_t id) {
    out_ += static_cast<char>(type);
    big_endian(static_cast<std::uint16_t>(id), 2);
  }
  void stop() { out_ += static_cast<char>(TType::kStop); }
  void i32(std::int32_t v) { big_endian(static_cast<std::uint32_t>(v), 4); }
  void i64(std::int64_t v) { big_endian(static_cast<std::uint64_t>(v), 8); }
  void f64(double v) { big_endian(std::bit_cast<std::uint64_t>(v), 8); }
  void boolean(bool v) { out_ += static_cast<char>(v ? 1 : 0); }
  void string(std::string_view s) {
    if (is_valid_utf8(s)) return raw_string(s);
    raw_string(to_valid_utf8(s));
  }

  // Starts a list; returns its handle for end_list.
  std::size_t begin_list(TType element) {
    out_ += static_cast<char>(element);
    const std::size_t at = out_.size();
    i32(0);
    return at;
  }
  void end_list(std::size_t handle, std::size_t count) {
    for (int i = 0; i < 4; ++i) {
      out_[handle + static_cast<std::size_t>(i)] = static_cast<char>(count >> (24 - 8 * i));
    }
  }

  std::size_t size() const noexcept { return out_.size(); }
  void truncate(std::size_t size) { out_.resize(size); }

 private:
  void raw_string(std::string_view s) {
    i32(static_cast<std::int32_t>(s.size()));
    out_.append(s);
  }
  void big_endian(std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out_ += static_cast<char>(v >> (8 * i));
  }
  std::string& out_;
};

std::int64_t id_part(const std::uint8_t* bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | bytes[i];
  return static_cast<std::int64_t>(v);  // the spec's reinterpretation as a signed i64
}

std::int64_t micros(std::uint64_t nanos) { return static_cast<std::int64_t>(nanos / 1000); }

// Writes a list<Tag> field, counting the Tags.
class TagList {
 public:
  enum class Presence { kOptional, kRequired };

  TagList(ThriftWriter& w, std::int16_t field_id, Presence presence)
      : w_(w), start_(w.size()), presence_(presence) {
    w_.field(TType::kList, field_id);
    handle_ = w_.begin_list(TType::kStruct);
  }
  // Ends the list; an empty optional list is taken out again.
  void finish() {
    if (count_ == 0 && presence_ == Presence::kOptional) return w_.truncate(start_);
    w_.end_list(handle_, count_);
  }

  void string(std::string_view key, std::string_view value) {
    begin(key, TagType::kString);
    w_.field(TType::kString, 3);
    w_.string(value);
    w_.stop();
  }
  void real(std::string_view key, double value) {
    begin(key, TagType::kDouble);
    w_.field(TType::kDouble, 4);
    w_.f64(value);
    w_.stop();
  }
  void boolean(std::string_view key, bool value) {
    begin(key, TagType::kBool);
    w_.field(TType::kBool, 5);
    w_.boolean(value);
    w_.stop();
  }
  void integer(std::string_view key, std::int64_t value) {
    begin(key, TagType::kLong);
    w_.field(TType::kI64, 6);
    w_.i64(value);
    w_.stop();
  }
  void value(std::string_view key, const AttributeValue& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return string(key, *s);
    if (const auto* b = std::get_if<bool>(&v)) return boolean(key, *b);
    if (const auto* i = std::get_if<std::int64_t>(&v)) return integer(key, *i);
    if (const auto* d = std::get_if<double>(&v)) return real(key, *d);
    string(key, json_text(v));  // arrays
  }
  void count_if_nonzero(std::string_view key, std::uint32_t count) {
    if (count != 0) integer(key, count);
  }

 private:
  // Tag {1: key, 2: vType, then the one value field of that type}.
  void begin(std::string_view key, TagType type) {
    ++count_;
    w_.field(TType::kString, 1);
    w_.string(key);
    w_.field(TType::kI32, 2);
    w_.i32(static_cast<std::int32_t>(type));
  }

  ThriftWriter& w_;
  std::size_t start_;
  Presence presence_;
  std::size_t handle_ = 0;
  std::size_t count_ = 0;
};

const char* kind_tag(SpanKind kind) {
  switch (kind) {
    case SpanKind::kServer:
      return "server";
    case SpanKind::kClient:
      return "client";
    case SpanKind::kProducer:
      return "producer";
    case SpanKind::kConsumer:
      return "consumer";
    case SpanKind::kInternal:
      break;
  }
  return nullptr;
}

bool has_key(const Attributes& attributes, std::string_view key) {
  for (const auto& kv : attributes) {
    if (kv.key == key) return true;
  }
  return false;
}

// SpanRef {1: refType, 2: traceIdLow, 3: traceIdHigh, 4: spanId}.
void write_reference(ThriftWriter& w, SpanRefType type, const TraceId& trace, const SpanId& span) {
  w.field(TType::kI32, 1);
  w.i32(static_cast<std::int32_t>(type));
  w.field(TType::kI64, 2);
  w.i64(id_part(trace.bytes.data() + 8));
  w.field(TType::kI64, 3);
  w.i64(id_part(trace.bytes.data()));
  w.field(TType::kI64, 4);
  w.i64(id_part(span.bytes.data()));
  w.stop();
}

// Span.references (6): the parent as CHILD_OF first, then the links as FOLLOWS_FROM.
void write_references(ThriftWriter& w, const SpanData& s) {
  const bool parent = otlp::has_parent(s);
  if (!parent && s.links.empty()) return;
  w.field(TType::kList, 6);
  const std::size_t list = w.begin_list(TType::kStruct);
  if (parent) write_reference(w, SpanRefType::kChildOf, s.context.trace_id(), s.parent_span_id);
  for (const auto& link : s.links) {
    write_reference(w, SpanRefType::kFollowsFrom, link.context.trace_id(), link.context.span_id());
  }
  w.end_list(list, s.links.size() + (parent ? 1 : 0));
}

// Span.tags (10).
void write_span_tags(ThriftWriter& w, const SpanData& s) {
  const bool error = s.status_code == StatusCode::kError;
  TagList tags(w, 10, TagList::Presence::kOptional);
  for (const auto& kv : s.attributes) {
    if (error && kv.key == "error") continue;  // replaced by error=true below
    tags.value(kv.key, kv.value);
  }
  if (s.scope) {
    if (!s.scope->name.empty()) tags.string("otel.scope.name", s.scope->name);
    if (!s.scope->version.empty()) tags.string("otel.scope.version", s.scope->version);
    if (!s.scope->name.empty()) tags.string("otel.library.name", s.scope->name);
    if (!s.scope->version.empty()) tags.string("otel.library.version", s.scope->version);
  }
  if (const char* kind = kind_tag(s.kind)) tags.string("span.kind", kind);
  if (s.status_code != StatusCode::kUnset) {
    tags.string("otel.status_code", error ? "ERROR" : "OK");
    if (!s.status_message.empty()) tags.string("otel.status_description", s.status_message);
    if (error) tags.boolean("error", true);
  }
  if (const std::string state = otlp::serialize_trace_state(s.context); !state.empty()) {
    tags.string("w3c.tracestate", state);
  }
  tags.count_if_nonzero("otel.dropped_attributes_count", s.dropped_attributes_count);
  tags.count_if_nonzero("otel.dropped_events_count", s.dropped_events_count);
  tags.count_if_nonzero("otel.dropped_links_count", s.dropped_links_count);
  tags.finish();
}

// Log {1: timestamp, 2: fields (required)}.
void write_log(ThriftWriter& w, const Event& e) {
  w.field(TType::kI64, 1);
  w.i64(micros(e.time_unix_nano));
  TagList fields(w, 2, TagList::Presence::kRequired);
  if (!e.name.empty() && !has_key(e.attributes, "event")) fields.string("event", e.name);
  for (const auto& kv : e.attributes) fields.value(kv.key, kv.value);
  fields.count_if_nonzero("otel.dropped_attributes_count", e.dropped_attributes_count);
  fields.finish();
  w.stop();
}

// Span {1: traceIdLow, 2: traceIdHigh, 3: spanId, 4: parentSpanId, 5: operationName,
//       6: references, 7: flags, 8: startTime, 9: duration, 10: tags, 11: logs}.
void write_span(ThriftWriter& w, const SpanData& s) {
  const TraceId& trace = s.context.trace_id();
  w.field(TType::kI64, 1);
  w.i64(id_part(trace.bytes.data() + 8));
  w.field(TType::kI64, 2);
  w.i64(id_part(trace.bytes.data()));
  w.field(TType::kI64, 3);
  w.i64(id_part(s.context.span_id().bytes.data()));
  w.field(TType::kI64, 4);
  w.i64(id_part(s.parent_span_id.bytes.data()));  // all zero bytes for a root: 0
  w.field(TType::kString, 5);
  w.string(s.name);
  write_references(w, s);
  w.field(TType::kI32, 7);
  w.i32(s.context.sampled() ? 1 : 0);
  w.field(TType::kI64, 8);
  w.i64(micros(s.start_time_unix_nano));
  w.field(TType::kI64, 9);
  w.i64(s.end_time_unix_nano > s.start_time_unix_nano
            ? micros(s.end_time_unix_nano - s.start_time_unix_nano)
            : 0);
  write_span_tags(w, s);
  if (!s.events.empty()) {
    w.field(TType::kList, 11);
    const std::size_t list = w.begin_list(TType::kStruct);
    for (const auto& e : s.events) write_log(w, e);
    w.end_list(list, s.events.size());
  }
  w.stop();
}

// Process {1: serviceName, 2: tags}.
void write_process(ThriftWriter& w, const Resource* resource) {
  std::string_view service;
  if (resource != nullptr) service = resource->service_name();
  w.field(TType::kString, 1);
  w.string(service.empty() ? std::string_view("unknown_service") : service);
  TagList tags(w, 2, TagList::Presence::kOptional);
  if (resource != nullptr) {
    for (const auto& kv : resource->attributes) {
      if (kv.key != "service.name") tags.value(kv.key, kv.value);
    }
  }
  tags.finish();
  w.stop();
}

// NaN and the infinities, which json.Marshal rejects, as the strings the OTel Jaeger mapping
// uses; every other value as Go writes it.
void append_json_double(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "\"NaN\"";
  } else if (std::isinf(d)) {
    out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    append_go_json_number(out, d);
  }
}

template <class T>
void append_json_scalar(std::string& out, const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    otlp::append_json_string(out, v);
  } else if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    out += std::to_string(v);
  } else {
    append_json_double(out, v);
  }
}

}  // namespace

std::string json_text(const AttributeValue& value) {
  std::string out;
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                      std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          append_json_scalar(out, v);
        } else {
          out += '[';
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i != 0) out += ',';
            append_json_scalar(out, static_cast<typename T::value_type>(v[i]));
          }
          out += ']';
        }
      },
      value);
  return out;
}

void encode_thrift_batch(const Resource* resource, const std::vector<const SpanData*>& spans,
                         std::string& out) {
  out.clear();
  ThriftWriter w(out);
  // Batch {1: process, 2: spans}.
  w.field(TType::kStruct, 1);
  write_process(w, resource);
  w.field(TType::kList, 2);
  const std::size_t list = w.begin_list(TType::kStruct);
  for (const SpanData* s : spans) write_span(w, *s);
  w.end_list(list, spans.size());
  w.stop();
}

std::vector<ThriftBatch> encode_thrift_batches(const SpanBatch& batch) {
  std::vector<std::pair<const Resource*, std::vector<const SpanData*>>> groups;
  for (const auto& span : batch) {
    const Resource* resource = span->resource.get();
    auto it = std::find_if(groups.begin(), groups.end(),
                           [resource](const auto& g) { return g.first == resource; });
    if (it == groups.end()) it = groups.insert(groups.end(), {resource, {}});
    it->second.push_back(span.get());
  }
  std::vector<ThriftBatch> out(groups.size());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    out[i].resource = groups[i].first;
    out[i].span_count = groups[i].second.size();
    encode_thrift_batch(groups[i].first, groups[i].second, out[i].body);
  }
  return out;
}

}  // namespace tdemo::telemetry::jaeger
