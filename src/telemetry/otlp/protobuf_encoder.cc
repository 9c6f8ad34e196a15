// One pass, front to back, into a buffer that grows as needed: a message whose length is not
// known before its fields are written (a span, event, link, resource or scope group) gets a
// length slot of the usual size, filled in once the message is written; when the length needs
// another number of bytes, the message is moved to fit (a few short spans, nothing in the usual
// batch), so the bytes stay libprotobuf's canonical serialization. (Sizing every message in a
// first pass, as before, made the encode ~40% slower: docs/performance.md, "Session 17".)
#include "telemetry/otlp/protobuf_encoder.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <variant>

#include "telemetry/otlp/span_grouping.h"
#include "telemetry/otlp/utf8.h"
#include "telemetry/otlp/wire_format.h"
#include "telemetry/prefetch.h"

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

constexpr std::size_t kMaxVarint = 10;
constexpr std::size_t kMaxTag = 5;
constexpr std::size_t kInitialBytes = 4096;
constexpr std::size_t kGrowStep = 16384;
// Length slots: most spans are 128 bytes to 16 KiB, events and links under 128 bytes, and a
// batch's groups 16 KiB to 2 MiB.
constexpr std::size_t kSpanSlot = 2;
constexpr std::size_t kSmallSlot = 1;
constexpr std::size_t kGroupSlot = 3;

std::size_t string_field_size(std::string_view s) { return s.empty() ? 0 : delimited_size(s.size()); }
std::size_t uint_field_size(std::uint64_t v) { return v == 0 ? 0 : 1 + varint_size(v); }

template <typename T>
std::size_t scalar_any_size(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) return delimited_size(v.size());
  else if constexpr (std::is_same_v<T, bool>) return 2;
  else if constexpr (std::is_same_v<T, std::int64_t>) return 1 + varint_size(static_cast<std::uint64_t>(v));
  else return 9;  // double
}

// Payload size of ArrayValue{values: [...]}.
template <typename Vec>
std::size_t array_payload_size(const Vec& values) {
  std::size_t n = 0;
  for (const auto& v : values) n += delimited_size(scalar_any_size(static_cast<typename Vec::value_type>(v)));
  return n;
}

// The request being written. Every string written goes through text(), which also notes
// whether all of them were ASCII (then none needs the UTF-8 check).
class Output {
 public:
  // Writes over `out`, keeping its allocation (an exporter reuses one string per batch).
  explicit Output(std::string& out) : out_(out) {
    if (out_.size() < kInitialBytes) out_.resize(kInitialBytes);
    p_ = out_.data();
    end_ = p_ + out_.size();
  }

  // The bytes written, as the request.
  void finish() { out_.resize(offset()); }
  bool all_ascii() const noexcept { return ascii_.ascii(); }

  void uint_field(std::uint32_t field, std::uint64_t v) {
    if (v == 0) return;
    room(1 + kMaxVarint);
    p_ = write_tag(p_, field, kVarint);
    p_ = write_varint(p_, v);
  }
  void fixed64_field(std::uint32_t field, std::uint64_t v) {
    room(kMaxTag + 8);
    p_ = write_tag(p_, field, kFixed64);
    p_ = write_fixed64(p_, v);
  }
  void fixed32_field(std::uint32_t field, std::uint32_t v) {
    room(kMaxTag + 4);
    p_ = write_tag(p_, field, kFixed32);
    p_ = write_fixed32(p_, v);
  }
  void bytes_field(std::uint32_t field, const void* data, std::size_t n) {
    room(1 + kMaxVarint + n);
    p_ = write_delimited(p_, field, {static_cast<const char*>(data), n});
  }
  // A string field; proto3 leaves an empty one out.
  void text_field(std::uint32_t field, std::string_view s) {
    if (s.empty()) return;
    room(1 + kMaxVarint + s.size());
    p_ = write_tag(p_, field, kLengthDelimited);
    p_ = write_varint(p_, s.size());
    text(s);
  }
  // tag + a known length; the caller writes the payload next.
  void header(std::uint32_t field, std::size_t length) {
    room(1 + kMaxVarint);
    p_ = write_header(p_, field, length);
  }

  // A message of a length known once written: open() writes the tag and leaves `slot` bytes
  // for the length; close() with the same slot fills them in.
  std::size_t open(std::uint32_t field, std::size_t slot) {
    room(1 + slot);
    p_ = write_tag(p_, field, kLengthDelimited);
    const std::size_t at = offset();
    p_ += slot;
    return at;
  }
  void close(std::size_t at, std::size_t slot) {
    const std::size_t length = offset() - at - slot;
    const std::size_t needed = varint_size(length);
    if (needed != slot) [[unlikely]] {
      if (needed > slot) room(needed - slot);
      char* base = out_.data();
      std::memmove(base + at + needed, base + at + slot, length);
      p_ = base + at + needed + length;
    }
    write_varint(out_.data() + at, length);
  }

  // One KeyValue per attribute, each value visited once: its sizes are worked out where it
  // is written.
  void attributes(std::uint32_t field, const Attributes& attributes) {
    for (const auto& kv : attributes) {
      std::visit([&](const auto& v) { attribute(field, kv.key, v); }, kv.value);
    }
  }

 private:
  std::size_t offset() const noexcept { return static_cast<std::size_t>(p_ - out_.data()); }
  // Inline (GCC called it, once per attribute and field), the growth out of line.
  [[gnu::always_inline]] void room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) [[unlikely]] grow(n);
  }
  // Within the capacity a step at a time (a resize writes zeros over all it adds: up to the
  // capacity each time, they would cost more than the encoding); past it, twice the capacity.
  [[gnu::noinline]] void grow(std::size_t n) {
    const std::size_t used = offset();
    std::size_t size = used + std::max(n, kGrowStep);
    if (size > out_.capacity()) size = std::max(size, 2 * out_.capacity());
    out_.resize(size);
    p_ = out_.data() + used;
    end_ = out_.data() + out_.size();
  }
  // The bytes of a string, room made.
  void text(std::string_view s) {
    ascii_.add(s);
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }

  template <typename T>
  void scalar_any(const T& v) {  // room made
    if constexpr (std::is_same_v<T, std::string>) {
      p_ = write_tag(p_, any_value::kString, kLengthDelimited);
      p_ = write_varint(p_, v.size());
      text(v);
    } else if constexpr (std::is_same_v<T, bool>) {
      p_ = write_tag(p_, any_value::kBool, kVarint);
      *p_++ = v ? 1 : 0;
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
      p_ = write_tag(p_, any_value::kInt, kVarint);
      p_ = write_varint(p_, static_cast<std::uint64_t>(v));
    } else {
      p_ = write_tag(p_, any_value::kDouble, kFixed64);
      p_ = write_fixed64(p_, std::bit_cast<std::uint64_t>(v));
    }
  }

  template <typename T>
  void attribute(std::uint32_t field, std::string_view key, const T& v) {
    constexpr bool kScalar = std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                             std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>;
    std::size_t payload = 0;  // an array's
    std::size_t value_size;   // the AnyValue's
    if constexpr (kScalar) {
      value_size = scalar_any_size(v);
    } else {
      payload = array_payload_size(v);
      value_size = delimited_size(payload);
    }
    const std::size_t key_size = string_field_size(key);
    const std::size_t kv_size = key_size + delimited_size(value_size);
    room(1 + kMaxVarint + kv_size);
    p_ = write_header(p_, field, kv_size);
    if (!key.empty()) {
      p_ = write_tag(p_, key_value::kKey, kLengthDelimited);
      p_ = write_varint(p_, key.size());
      text(key);
    }
    p_ = write_header(p_, key_value::kValue, value_size);
    if constexpr (kScalar) {
      scalar_any(v);
    } else {
      using E = typename T::value_type;
      p_ = write_header(p_, any_value::kArray, payload);
      for (const auto& element : v) {
        const E e = element;  // vector<bool> yields proxies
        p_ = write_header(p_, 1, scalar_any_size(e));
        scalar_any(e);
      }
    }
  }

  std::string& out_;
  char* p_;
  char* end_;
  AsciiCheck ascii_;
};

void write_trace_state(Output& out, std::uint32_t field, const SpanContext& context) {
  if (!context.trace_state_ptr() || context.trace_state_ptr()->empty()) return;
  out.text_field(field, serialize_trace_state(context));
}

void write_span(Output& out, const SpanData& s) {
  using namespace span_field;
  const std::size_t at = out.open(2, kSpanSlot);  // ScopeSpans.spans
  out.bytes_field(kTraceId, s.context.trace_id().bytes.data(), 16);
  out.bytes_field(kSpanId, s.context.span_id().bytes.data(), 8);
  write_trace_state(out, kTraceState, s.context);
  if (has_parent(s)) out.bytes_field(kParentSpanId, s.parent_span_id.bytes.data(), 8);
  out.text_field(kName, s.name);
  out.uint_field(kKind, static_cast<std::uint8_t>(s.kind));
  out.fixed64_field(kStart, s.start_time_unix_nano);  // start and end: always written (required)
  out.fixed64_field(kEnd, s.end_time_unix_nano);
  out.attributes(kAttributes, s.attributes);
  out.uint_field(kDroppedAttributes, s.dropped_attributes_count);
  for (const auto& e : s.events) {
    const std::size_t event = out.open(kEvents, kSmallSlot);
    if (e.time_unix_nano != 0) out.fixed64_field(1, e.time_unix_nano);
    out.text_field(2, e.name);
    out.attributes(3, e.attributes);
    out.uint_field(4, e.dropped_attributes_count);
    out.close(event, kSmallSlot);
  }
  out.uint_field(kDroppedEvents, s.dropped_events_count);
  for (const auto& l : s.links) {
    const std::size_t link = out.open(kLinks, kSmallSlot);
    out.bytes_field(1, l.context.trace_id().bytes.data(), 16);
    out.bytes_field(2, l.context.span_id().bytes.data(), 8);
    write_trace_state(out, 3, l.context);
    out.attributes(4, l.attributes);
    out.uint_field(5, l.dropped_attributes_count);
    out.fixed32_field(6, span_flags(l.context.flags(), l.context.remote()));
    out.close(link, kSmallSlot);
  }
  out.uint_field(kDroppedLinks, s.dropped_links_count);
  const auto status_code = static_cast<std::uint8_t>(s.status_code);
  if (!s.status_message.empty() || status_code != 0) {
    out.header(kStatus, string_field_size(s.status_message) + uint_field_size(status_code));
    out.text_field(2, s.status_message);
    out.uint_field(3, status_code);
  }
  out.fixed32_field(kFlags, span_flags(s.context.flags(), s.parent_is_remote));
  out.close(at, kSpanSlot);
}

}  // namespace

void encode_protobuf(const SpanBatch& batch, std::string& out) {
  Output o(out);
  for (const ResourceGroup& rg : group_by_resource_and_scope(batch)) {
    const std::size_t resource_spans = o.open(1, kGroupSlot);  // ExportTraceServiceRequest.resource_spans
    if (rg.resource != nullptr) {
      const std::size_t resource = o.open(1, kSpanSlot);  // ResourceSpans.resource
      o.attributes(1, rg.resource->attributes);
      o.close(resource, kSpanSlot);
    }
    for (const auto& sg : rg.scopes) {
      const std::size_t scope_spans = o.open(2, kGroupSlot);  // ResourceSpans.scope_spans
      if (sg.scope != nullptr) {
        o.header(1, string_field_size(sg.scope->name) + string_field_size(sg.scope->version));  // ScopeSpans.scope
        o.text_field(1, sg.scope->name);
        o.text_field(2, sg.scope->version);
      }
      // The spans were filled on other cores: their lines are asked for ahead, the header
      // three spans ahead, the attribute entries two, the keys' and texts' buffers one (see
      // prefetch.h). A batch still in cache (`BM_EncodeProtobuf`) takes 5-14% longer for it, a
      // batch out of the caches (`BM_EncodeProtobufColdBatch`) ~17% less; the exporter's
      // batches are the second kind: in a traced full flow's profile the encoder's share fell
      // from 4.1% to 2.3% of the process's time, and to 2.9% with the texts left out.
      const std::vector<const SpanData*>& spans = sg.spans;
      for (std::size_t i = 0; i < spans.size(); ++i) {
        if (i + 3 < spans.size()) prefetch_object(spans[i + 3]);
        if (i + 2 < spans.size()) prefetch_entries(spans[i + 2]->attributes);
        if (i + 1 < spans.size()) prefetch_texts(spans[i + 1]->attributes);
        write_span(o, *spans[i]);
      }
      if (sg.scope != nullptr) o.text_field(3, sg.scope->schema_url);
      o.close(scope_spans, kGroupSlot);
    }
    if (rg.resource != nullptr) o.text_field(3, rg.resource->schema_url);
    o.close(resource_spans, kGroupSlot);
  }
  o.finish();
  // Rare slow path: a string that is not ASCII may be invalid UTF-8, which parsers would reject
  // the whole request over: check, and write a repaired copy when it is.
  if (!o.all_ascii() && has_invalid_utf8(batch)) encode_protobuf(with_valid_utf8(batch), out);
}

std::string encode_protobuf(const SpanBatch& batch) {
  std::string out;
  encode_protobuf(batch, out);
  return out;
}

}  // namespace tdemo::telemetry::otlp
