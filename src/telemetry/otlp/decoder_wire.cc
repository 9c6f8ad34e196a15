// OTLP/protobuf request decoding straight from the wire format into SpanData.
//
// libprotobuf's parse builds a message object per span, attribute and value and copies every
// string into it; the conversion to SpanData then copies them again. Here each field is read
// once, from the body, into the SpanData it ends in: a 512-span batch decodes about twice as
// fast (bench/results/otlp_bench.json, BM_DecodeProtobuf against BM_DecodeProtobufWithLibprotobuf).
//
// The rules are libprotobuf's (3.21), field for field, so that the receiver accepts and
// rejects exactly what a libprotobuf-based one would (fuzz/otlp_protobuf_fuzz.cc compares the
// two on every input):
//   - a field number 0, a tag over 5 bytes (a 5-byte one is cut to 32 bits), an end-group tag
//     outside a group, wire types 6 and 7, a varint over 10 bytes, a length over 5 bytes, of
//     2^31 - 16 or more, or past the end: malformed;
//   - an unknown field, or a known one with another wire type, is skipped (groups included);
//   - proto3 `string` fields must be valid UTF-8 (`bytes` fields need not);
//   - scalars: the last occurrence wins; a singular message field seen twice is merged (its
//     repeated fields appended, its scalars overwritten); a oneof member replaces another;
//   - at most 100 nested messages (or groups) below the request.
// The mapping into SpanData is decode_export_request's (decoder.h).
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <utility>

#include "telemetry/otlp/decoder_internal.h"
#include "telemetry/otlp/json_encoder.h"
#include "telemetry/otlp/utf8.h"
#include "telemetry/span_data_pool.h"

namespace tdemo::telemetry::otlp::detail {
namespace {

constexpr int kRecursionLimit = 100;  // libprotobuf's default

enum WireType : std::uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5
};

// A read position in one message's bytes. Every read checks its bounds; false means malformed.
class Cursor {
 public:
  explicit Cursor(std::string_view bytes) noexcept
      : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  bool done() const noexcept { return p_ == end_; }

  [[gnu::always_inline]] bool varint(std::uint64_t& out) noexcept { return varint_of_at_most(10, out); }

  // A tag: at most five bytes, cut to 32 bits (as libprotobuf reads it); field number not 0.
  // An end-group tag is returned to the caller.
  [[gnu::always_inline]] bool tag(std::uint32_t& field, std::uint32_t& wire_type) noexcept {
    std::uint64_t value = 0;
    if (!varint_of_at_most(5, value)) return false;
    const auto tag = static_cast<std::uint32_t>(value);
    field = tag >> 3;
    wire_type = tag & 7;
    return field != 0;
  }

  bool fixed64(std::uint64_t& out) noexcept {
    if (end_ - p_ < 8) return false;
    std::memcpy(&out, p_, 8);
    p_ += 8;
    return true;
  }

  bool fixed32(std::uint32_t& out) noexcept {
    if (end_ - p_ < 4) return false;
    std::memcpy(&out, p_, 4);
    p_ += 4;
    return true;
  }

  // A length (at most five bytes, under 2^31 - 16, as libprotobuf reads it) and that many bytes.
  [[gnu::always_inline]] bool delimited(std::string_view& out) noexcept {
    std::uint64_t size = 0;
    if (!varint_of_at_most(5, size) || size > static_cast<std::uint64_t>(INT32_MAX - 16) ||
        size > static_cast<std::uint64_t>(end_ - p_)) {
      return false;
    }
    out = std::string_view(p_, static_cast<std::size_t>(size));
    p_ += size;
    return true;
  }

  // Skips the value of a field of `wire_type` (a whole group for a start-group tag).
  bool skip(std::uint32_t field, std::uint32_t wire_type, int depth) noexcept {
    std::uint64_t scalar = 0;
    std::uint32_t small = 0;
    std::string_view bytes;
    switch (wire_type) {
      case kVarint: return varint(scalar);
      case kFixed64: return fixed64(scalar);
      case kFixed32: return fixed32(small);
      case kLengthDelimited: return delimited(bytes);
      case kStartGroup: {
        if (depth <= 0) return false;
        while (true) {
          std::uint32_t inner_field = 0;
          std::uint32_t inner_type = 0;
          if (!tag(inner_field, inner_type)) return false;
          if (inner_type == kEndGroup) return inner_field == field;
          if (!skip(inner_field, inner_type, depth - 1)) return false;
        }
      }
      default: return false;  // an end-group tag out of place, or wire type 6 or 7
    }
  }

 private:
  // A varint of at most `max_bytes` bytes; bits past 64 are dropped.
  [[gnu::always_inline]] bool varint_of_at_most(int max_bytes, std::uint64_t& out) noexcept {
    // One byte: nearly every tag, and most lengths, counts and enums.
    if (p_ != end_ && (static_cast<std::uint8_t>(*p_) & 0x80) == 0) {
      out = static_cast<std::uint8_t>(*p_++);
      return true;
    }
    std::uint64_t value = 0;
    for (int i = 0; i < max_bytes; ++i) {
      if (p_ == end_) return false;
      const auto byte = static_cast<std::uint8_t>(*p_++);
      value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) {
        out = value;
        return true;
      }
    }
    return false;
  }

  const char* p_;
  const char* end_;
};

// Calls on_field(field, wire_type, cursor) for each field of a message; it returns false for
// malformed input, or sets `handled` false to have the field skipped as unknown.
template <class OnField>
bool for_each_field(std::string_view bytes, int depth, OnField&& on_field) {
  Cursor cursor(bytes);
  while (!cursor.done()) {
    std::uint32_t field = 0;
    std::uint32_t wire_type = 0;
    if (!cursor.tag(field, wire_type)) return false;
    if (wire_type == kEndGroup) return false;  // not inside a group
    bool handled = true;
    if (!on_field(field, wire_type, cursor, handled)) return false;
    if (!handled && !cursor.skip(field, wire_type, depth)) return false;
  }
  return true;
}

[[gnu::always_inline]] inline bool read_string(Cursor& cursor, std::string_view& out) {
  return cursor.delimited(out) && is_valid_utf8(out);
}

bool read_string(Cursor& cursor, std::string& out) {
  std::string_view text;
  if (!read_string(cursor, text)) return false;
  out.assign(text);
  return true;
}

// A nested message: parse(bytes, depth) one level down, within libprotobuf's depth limit.
template <class Parse>
[[gnu::always_inline]] inline bool read_message(Cursor& cursor, int depth, Parse&& parse) {
  std::string_view bytes;
  return cursor.delimited(bytes) && depth > 0 && parse(bytes, depth - 1);
}

// A message whose one field is `repeated <message> values = 1` (ArrayValue, KeyValueList):
// parse_element(bytes, depth) for each element.
template <class ParseElement>
bool parse_values(std::string_view bytes, int depth, ParseElement&& parse_element) {
  return for_each_field(bytes, depth, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    if (field == 1 && type == kLengthDelimited) return read_message(c, depth, parse_element);
    handled = false;
    return true;
  });
}

// The scalar part of an AnyValue as sent: all a usual attribute's value needs (no containers
// to build and destroy).
struct ScalarValue {
  enum class Kind { kNone, kString, kBool, kInt, kDouble, kArray, kKvlist, kBytes };
  Kind kind = Kind::kNone;
  std::string_view text;  // string or bytes
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
};
struct WireKeyValue;
// An AnyValue as sent, kept only as long as its key/value is being read (for merges, and for
// arrays and key/value lists, which become one attribute value at the end).
struct WireValue : ScalarValue {
  std::vector<WireValue> array;
  std::vector<WireKeyValue> kvlist;

  // Special members defined below, where WireKeyValue is complete.
  WireValue() = default;
  WireValue(WireValue&&) noexcept;
  WireValue& operator=(WireValue&&) = delete;
  ~WireValue();
  // A oneof member replacing another clears it.
  void become(Kind next);
};
struct WireKeyValue {
  std::string_view key;
  WireValue value;
};
WireValue::WireValue(WireValue&&) noexcept = default;
WireValue::~WireValue() = default;
void WireValue::become(Kind next) {
  if (kind == next) return;
  array.clear();
  kvlist.clear();
  kind = next;
}

bool parse_key_value(std::string_view bytes, int depth, WireKeyValue& out);

bool parse_value(std::string_view bytes, int depth, WireValue& out) {
  using Kind = WireValue::Kind;
  return for_each_field(bytes, depth, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    std::uint64_t v = 0;
    switch (field) {
      case 1:
        if (type != kLengthDelimited) break;
        out.become(Kind::kString);
        return read_string(c, out.text);
      case 2:
        if (type != kVarint) break;
        if (!c.varint(v)) return false;
        out.become(Kind::kBool);
        out.boolean = v != 0;
        return true;
      case 3:
        if (type != kVarint) break;
        if (!c.varint(v)) return false;
        out.become(Kind::kInt);
        out.integer = static_cast<std::int64_t>(v);
        return true;
      case 4:
        if (type != kFixed64) break;
        if (!c.fixed64(v)) return false;
        out.become(Kind::kDouble);
        out.number = std::bit_cast<double>(v);
        return true;
      case 5:  // ArrayValue
        if (type != kLengthDelimited) break;
        out.become(Kind::kArray);
        return read_message(c, depth, [&](std::string_view array, int inner) {
          return parse_values(array, inner, [&](std::string_view element, int element_depth) {
            return parse_value(element, element_depth, out.array.emplace_back());
          });
        });
      case 6:  // KeyValueList
        if (type != kLengthDelimited) break;
        out.become(Kind::kKvlist);
        return read_message(c, depth, [&](std::string_view list, int inner) {
          return parse_values(list, inner, [&](std::string_view element, int element_depth) {
            return parse_key_value(element, element_depth, out.kvlist.emplace_back());
          });
        });
      case 7:
        if (type != kLengthDelimited) break;
        out.become(Kind::kBytes);
        return c.delimited(out.text);
      default: break;
    }
    handled = false;
    return true;
  });
}

bool parse_key_value(std::string_view bytes, int depth, WireKeyValue& out) {
  return for_each_field(bytes, depth, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    if (field == 1 && type == kLengthDelimited) return read_string(c, out.key);
    if (field == 2 && type == kLengthDelimited) {  // a second value merges into the first
      return read_message(c, depth, [&](std::string_view value, int inner) {
        return parse_value(value, inner, out.value);
      });
    }
    handled = false;
    return true;
  });
}

// Compact JSON of a value our attribute model cannot hold as is.
void append_any_json(std::string& out, const WireValue& v) {
  using Kind = WireValue::Kind;
  switch (v.kind) {
    case Kind::kString: append_json_string(out, v.text); break;
    case Kind::kBool: out += v.boolean ? "true" : "false"; break;
    case Kind::kInt: out += std::to_string(v.integer); break;
    case Kind::kDouble: append_json_number(out, v.number); break;
    case Kind::kBytes: append_json_string(out, base64_encode(v.text)); break;
    case Kind::kArray:
      out += '[';
      for (std::size_t i = 0; i < v.array.size(); ++i) {
        if (i) out += ',';
        append_any_json(out, v.array[i]);
      }
      out += ']';
      break;
    case Kind::kKvlist:
      out += '{';
      for (std::size_t i = 0; i < v.kvlist.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, v.kvlist[i].key);
        out += ':';
        append_any_json(out, v.kvlist[i].value);
      }
      out += '}';
      break;
    case Kind::kNone: out += "null"; break;
  }
}

// A homogeneous array of one scalar type as its typed vector, else nullopt.
template <class T, class Get>
std::optional<AttributeValue> typed_array(const std::vector<WireValue>& array, WireValue::Kind want, Get get) {
  std::vector<T> values;
  values.reserve(array.size());
  for (const auto& v : array) {
    if (v.kind != want) return std::nullopt;
    values.push_back(get(v));
  }
  return AttributeValue(std::move(values));
}

AttributeValue to_attribute_value(const WireValue& v) {
  using Kind = WireValue::Kind;
  switch (v.kind) {
    case Kind::kString: return std::string(v.text);
    case Kind::kBool: return v.boolean;
    case Kind::kInt: return v.integer;
    case Kind::kDouble: return v.number;
    case Kind::kBytes: return base64_encode(v.text);
    case Kind::kArray: {
      if (v.array.empty()) return std::vector<std::string>{};
      std::optional<AttributeValue> typed;
      switch (v.array.front().kind) {
        case Kind::kString:
          typed = typed_array<std::string>(v.array, Kind::kString, [](const WireValue& e) { return std::string(e.text); });
          break;
        case Kind::kBool:
          typed = typed_array<bool>(v.array, Kind::kBool, [](const WireValue& e) { return e.boolean; });
          break;
        case Kind::kInt:
          typed = typed_array<std::int64_t>(v.array, Kind::kInt, [](const WireValue& e) { return e.integer; });
          break;
        case Kind::kDouble:
          typed = typed_array<double>(v.array, Kind::kDouble, [](const WireValue& e) { return e.number; });
          break;
        default: break;
      }
      if (typed) return std::move(*typed);
      [[fallthrough]];
    }
    case Kind::kKvlist: {
      std::string json;
      append_any_json(json, v);
      return json;
    }
    case Kind::kNone: break;
  }
  return std::string();
}

// The usual KeyValue as an encoder writes it, every tag and length in one byte (key and string
// value under 128 bytes): its bytes are checked where they must be, without a cursor. Fills
// `out_key` and `out` as parse_scalar_key_value does and returns true; false for any other
// layout (parse_scalar_key_value then reads it by the rules). Inline, writing `out` in place:
// a call and a copy of the value were a fifth of its cost.
[[gnu::always_inline]] inline bool parse_short_key_value(std::string_view bytes, std::string_view& out_key,
                                                         ScalarValue& out) {
  using Kind = ScalarValue::Kind;
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  // 0x0A key-length key 0x12 value-length value: KeyValue.key (1) and KeyValue.value (2).
  if (n < 4 || b[0] != 0x0A || b[1] >= 0x80) return false;
  const std::size_t at = 2 + std::size_t{b[1]};  // the value's tag
  if (at + 2 > n || b[at] != 0x12 || b[at + 1] >= 0x80 || at + 2 + b[at + 1] != n) return false;
  const std::string_view key(bytes.data() + 2, b[1]);
  const std::string_view any = bytes.substr(at + 2);  // the AnyValue: one member, all of it
  const auto* a = b + at + 2;
  if (any.size() >= 2 && a[0] == 0x0A && a[1] < 0x80 && std::size_t{a[1]} + 2 == any.size()) {  // string_value (1)
    out.kind = Kind::kString;
    out.text = any.substr(2);
    if (!is_valid_utf8(out.text)) return false;
  } else if (any.size() >= 2 && (a[0] == 0x10 || a[0] == 0x18)) {  // bool_value (2), int_value (3)
    Cursor v(any.substr(1));
    std::uint64_t scalar = 0;
    if (!v.varint(scalar) || !v.done()) return false;
    out.kind = a[0] == 0x10 ? Kind::kBool : Kind::kInt;
    out.boolean = a[0] == 0x10 && scalar != 0;
    out.integer = a[0] == 0x18 ? static_cast<std::int64_t>(scalar) : 0;
  } else if (any.size() == 9 && a[0] == 0x21) {  // double_value (4)
    std::uint64_t bits = 0;
    std::memcpy(&bits, a + 1, 8);
    out.kind = Kind::kDouble;
    out.number = std::bit_cast<double>(bits);
  } else {
    return false;
  }
  if (!is_valid_utf8(key)) return false;
  out_key = key;
  return true;
}

// parse_scalar_key_value for the layouts parse_short_key_value does not take, field by field:
// out of line, so that the usual path is inline in read_attribute.
[[gnu::noinline]] bool parse_scalar_key_value_by_fields(std::string_view bytes, std::string_view& out_key,
                                                        ScalarValue& out) {
  using Kind = ScalarValue::Kind;
  Cursor c(bytes);
  std::uint32_t field = 0;
  std::uint32_t type = 0;
  std::string_view key;
  std::string_view value;
  if (!c.tag(field, type) || field != 1 || type != kLengthDelimited || !c.delimited(key)) return false;
  if (!c.tag(field, type) || field != 2 || type != kLengthDelimited || !c.delimited(value) || !c.done()) {
    return false;
  }
  Cursor v(value);
  if (!v.tag(field, type)) return false;
  std::uint64_t scalar = 0;
  switch (field) {
    case 1: {
      std::string_view text;
      if (type != kLengthDelimited || !v.delimited(text) || !v.done() || !is_valid_utf8(text)) return false;
      if (!is_valid_utf8(key)) return false;
      out.kind = Kind::kString;
      out.text = text;
      break;
    }
    case 2:
    case 3:
      if (type != kVarint || !v.varint(scalar) || !v.done() || !is_valid_utf8(key)) return false;
      out.kind = field == 2 ? Kind::kBool : Kind::kInt;
      out.boolean = field == 2 && scalar != 0;
      out.integer = field == 3 ? static_cast<std::int64_t>(scalar) : 0;
      break;
    case 4:
      if (type != kFixed64 || !v.fixed64(scalar) || !v.done() || !is_valid_utf8(key)) return false;
      out.kind = Kind::kDouble;
      out.number = std::bit_cast<double>(scalar);
      break;
    default: return false;
  }
  out_key = key;
  return true;
}

// The usual KeyValue, read without the generic field loop: exactly `key` (field 1) then
// `value` (field 2), an AnyValue of exactly one string, bool, int or double member. Fills
// `out_key` and `out` and returns true when `bytes` has that shape (`depth` as for
// parse_key_value); false for anything else (both then unspecified), which parse_key_value
// then reads (or rejects) by the general rules. Both read the same fields with the same checks, so
// they agree on every input of this shape (fuzz/otlp_protobuf_fuzz.cc compares the decoder
// with libprotobuf).
[[gnu::always_inline]] inline bool parse_scalar_key_value(std::string_view bytes, int depth, std::string_view& out_key,
                                                          ScalarValue& out) {
  if (depth <= 0) return false;  // the AnyValue is a message one level down
  return parse_short_key_value(bytes, out_key, out) || parse_scalar_key_value_by_fields(bytes, out_key, out);
}

// Reads one KeyValue and calls on_value(key, value, whole): `whole` is null for the usual
// shape (parse_scalar_key_value), else the value as parse_key_value read it (`value` is its
// scalar part).
template <class OnValue>
bool read_attribute(Cursor& c, int depth, OnValue&& on_value) {
  return read_message(c, depth, [&](std::string_view bytes, int inner) {
    std::string_view key;
    ScalarValue scalar;
    if (parse_scalar_key_value(bytes, inner, key, scalar)) {
      on_value(key, scalar, static_cast<const WireValue*>(nullptr));
      return true;
    }
    WireKeyValue kv;
    if (!parse_key_value(bytes, inner, kv)) return false;
    on_value(kv.key, kv.value, &kv.value);
    return true;
  });
}

// Where a span's attributes go with attribute refs (decode_protobuf_attribute_refs).
struct AttributeRefs {
  std::vector<AttributeRef>& refs;
  std::deque<AttributeValue>& converted;
};

// One repeated KeyValue field of a span, as a reference appended to `out`.
[[gnu::always_inline]] inline bool parse_attribute_ref(Cursor& c, int depth, AttributeRefs& out) {
  using Kind = ScalarValue::Kind;
  return read_attribute(c, depth, [&](std::string_view key, const ScalarValue& value, const WireValue* whole) {
    AttributeRef& ref = out.refs.emplace_back();
    ref.key = key;
    switch (value.kind) {
      case Kind::kString: ref.value = value.text; break;
      case Kind::kBool: ref.value = value.boolean; break;
      case Kind::kInt: ref.value = value.integer; break;
      case Kind::kDouble: ref.value = value.number; break;
      default: ref.value = &out.converted.emplace_back(to_attribute_value(*whole)); break;
    }
  });
}

// One repeated KeyValue field: parsed and appended to `out` (null: parsed and validated only).
bool parse_attribute(Cursor& c, int depth, Attributes* out) {
  using Kind = ScalarValue::Kind;
  return read_attribute(c, depth, [&](std::string_view key, const ScalarValue& value, const WireValue* whole) {
    if (out == nullptr) return;
    if (out->capacity() == 0) out->reserve(8);  // a span's usual count, not regrown one by one
    AttributeValue& slot = append_attribute(*out, key);
    switch (value.kind) {
      case Kind::kString: std::get<std::string>(slot).assign(value.text); break;  // a new entry holds ""
      case Kind::kBool: slot = value.boolean; break;
      case Kind::kInt: slot = value.integer; break;
      case Kind::kDouble: slot = value.number; break;
      default: slot = to_attribute_value(*whole); break;
    }
  });
}

[[gnu::always_inline]] inline bool parse_u32(Cursor& c, std::uint32_t& out) {
  std::uint64_t v = 0;
  if (!c.varint(v)) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

[[gnu::always_inline]] inline bool parse_i32(Cursor& c, std::int64_t& out) {  // proto3 enums are int32 on the wire
  std::uint64_t v = 0;
  if (!c.varint(v)) return false;
  out = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return true;
}

// A Span's fields that are checked or mapped once the whole message is read.
struct SpanFields {
  std::string_view trace_id, span_id, parent_span_id, trace_state, status_message;
  std::uint32_t flags = 0;
  std::int64_t kind = 0;
  std::int64_t status_code = 0;
  struct LinkIds {
    std::string_view trace_id, span_id, trace_state;
    std::uint32_t flags = 0;
  };
  std::vector<LinkIds> links;  // parallel to SpanData::links
};

bool parse_event(std::string_view bytes, int depth, Event& out) {
  return for_each_field(bytes, depth, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    switch (field) {
      case 1:
        if (type != kFixed64) break;
        return c.fixed64(out.time_unix_nano);
      case 2:
        if (type != kLengthDelimited) break;
        return read_string(c, out.name);
      case 3:
        if (type != kLengthDelimited) break;
        return parse_attribute(c, depth, &out.attributes);
      case 4:
        if (type != kVarint) break;
        return parse_u32(c, out.dropped_attributes_count);
      default: break;
    }
    handled = false;
    return true;
  });
}

bool parse_link(std::string_view bytes, int depth, Link& out, SpanFields::LinkIds& ids) {
  return for_each_field(bytes, depth, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    switch (field) {
      case 1:
        if (type != kLengthDelimited) break;
        return c.delimited(ids.trace_id);
      case 2:
        if (type != kLengthDelimited) break;
        return c.delimited(ids.span_id);
      case 3:
        if (type != kLengthDelimited) break;
        return read_string(c, ids.trace_state);
      case 4:
        if (type != kLengthDelimited) break;
        return parse_attribute(c, depth, &out.attributes);
      case 5:
        if (type != kVarint) break;
        return parse_u32(c, out.dropped_attributes_count);
      case 6:
        if (type != kFixed32) break;
        return c.fixed32(ids.flags);
      default: break;
    }
    handled = false;
    return true;
  });
}

bool parse_status(std::string_view bytes, int depth, SpanFields& fields) {
  return for_each_field(bytes, depth, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    if (field == 2 && type == kLengthDelimited) return read_string(c, fields.status_message);
    if (field == 3 && type == kVarint) return parse_i32(c, fields.status_code);
    handled = false;
    return true;
  });
}

// Reads a Span into `span`; its attributes into `refs` instead when that is not null.
bool parse_span(std::string_view bytes, int depth, SpanData& span, SpanFields& fields, AttributeRefs* refs) {
  return for_each_field(bytes, depth, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    switch (field) {
      case 1:
        if (type != kLengthDelimited) break;
        return c.delimited(fields.trace_id);
      case 2:
        if (type != kLengthDelimited) break;
        return c.delimited(fields.span_id);
      case 3:
        if (type != kLengthDelimited) break;
        return read_string(c, fields.trace_state);
      case 4:
        if (type != kLengthDelimited) break;
        return c.delimited(fields.parent_span_id);
      case 5:
        if (type != kLengthDelimited) break;
        return read_string(c, span.name);
      case 6:
        if (type != kVarint) break;
        return parse_i32(c, fields.kind);
      case 7:
        if (type != kFixed64) break;
        return c.fixed64(span.start_time_unix_nano);
      case 8:
        if (type != kFixed64) break;
        return c.fixed64(span.end_time_unix_nano);
      case 9:
        if (type != kLengthDelimited) break;
        return refs != nullptr ? parse_attribute_ref(c, depth, *refs)
                               : parse_attribute(c, depth, &span.attributes);
      case 10:
        if (type != kVarint) break;
        return parse_u32(c, span.dropped_attributes_count);
      case 11:
        if (type != kLengthDelimited) break;
        return read_message(c, depth, [&](std::string_view event, int inner) {
          return parse_event(event, inner, span.events.emplace_back());
        });
      case 12:
        if (type != kVarint) break;
        return parse_u32(c, span.dropped_events_count);
      case 13:
        if (type != kLengthDelimited) break;
        return read_message(c, depth, [&](std::string_view link, int inner) {
          return parse_link(link, inner, span.links.emplace_back(), fields.links.emplace_back());
        });
      case 14:
        if (type != kVarint) break;
        return parse_u32(c, span.dropped_links_count);
      case 15:
        if (type != kLengthDelimited) break;
        return read_message(c, depth, [&](std::string_view status, int inner) {
          return parse_status(status, inner, fields);  // a second Status merges
        });
      case 16:
        if (type != kFixed32) break;
        return c.fixed32(fields.flags);
      default: break;
    }
    handled = false;
    return true;
  });
}

// Checks the span's ids and maps its remaining fields, as the libprotobuf-based decoder did;
// false (and a rejection) when an id is invalid.
bool finish_span(SpanData& span, const SpanFields& f, DecodeResult& result, const DecodeLimits& limits) {
  TraceId trace_id;
  SpanId span_id;
  if (!trace_id_from_bytes(f.trace_id, trace_id)) {
    reject_span(result, limits, "span '" + span.name + "': invalid trace_id (need 16 bytes, not all zero)");
    return false;
  }
  if (!span_id_from_bytes(f.span_id, span_id)) {
    reject_span(result, limits, "span '" + span.name + "': invalid span_id (need 8 bytes, not all zero)");
    return false;
  }
  if (!f.parent_span_id.empty() && !span_id_from_bytes(f.parent_span_id, span.parent_span_id)) {
    reject_span(result, limits, "span '" + span.name + "': invalid parent_span_id (need 8 bytes or none)");
    return false;
  }
  for (std::size_t i = 0; i < span.links.size(); ++i) {
    const auto& ids = f.links[i];
    TraceId link_trace;
    SpanId link_span;
    if (!trace_id_from_bytes(ids.trace_id, link_trace) || !span_id_from_bytes(ids.span_id, link_span)) {
      reject_span(result, limits, "span '" + span.name + "': link with an invalid trace_id or span_id");
      return false;
    }
    span.links[i].context = SpanContext(link_trace, link_span, trace_flags_from(ids.flags), remote_from(ids.flags),
                                        trace_state_from_header(ids.trace_state));
  }
  span.context = SpanContext(trace_id, span_id, trace_flags_from(f.flags), false,
                             trace_state_from_header(f.trace_state));
  span.parent_is_remote = remote_from(f.flags);
  span.kind = span_kind_from_int(f.kind);
  span.status_code = status_code_from_int(f.status_code);
  span.status_message.assign(f.status_message);
  return true;
}

// What one request adds up to while it is read.
struct Decoding {
  const DecodeLimits& limits;
  DecodeResult& result;
  AttributeRefs* attribute_refs;  // null: attributes are copied into each span
  std::size_t spans_seen = 0;  // valid or not: the max_spans limit counts every span
};

bool parse_scope(std::string_view bytes, int depth, InstrumentationScope& scope) {
  return for_each_field(bytes, depth, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    std::uint64_t v = 0;
    switch (field) {
      case 1:
        if (type != kLengthDelimited) break;
        return read_string(c, scope.name);
      case 2:
        if (type != kLengthDelimited) break;
        return read_string(c, scope.version);
      case 3:  // attributes: checked, not kept (SpanData has no place for them)
        if (type != kLengthDelimited) break;
        return parse_attribute(c, depth, nullptr);
      case 4:
        if (type != kVarint) break;
        return c.varint(v);
      default: break;
    }
    handled = false;
    return true;
  });
}

// ResourceSpans and ScopeSpans share a shape: field 1 a message (the resource or scope; a
// second one merges), field 2 the repeated children, field 3 schema_url. on_message(field,
// bytes, depth) reads fields 1 and 2.
template <class OnMessage>
bool parse_spans_group(std::string_view bytes, int depth, std::string& schema_url, OnMessage&& on_message) {
  return for_each_field(bytes, depth, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    if (type != kLengthDelimited || field < 1 || field > 3) {
      handled = false;
      return true;
    }
    if (field == 3) return read_string(c, schema_url);
    return read_message(c, depth, [&](std::string_view message, int inner) {
      return on_message(field, message, inner);
    });
  });
}

bool parse_scope_spans(std::string_view bytes, int depth, Decoding& d,
                       const std::shared_ptr<const Resource>& resource) {
  auto scope = std::make_shared<InstrumentationScope>();
  return parse_spans_group(bytes, depth, scope->schema_url, [&](std::uint32_t field, std::string_view nested, int inner) {
    if (field == 1) return parse_scope(nested, inner, *scope);
    ++d.spans_seen;  // field 2: a span
    auto span = acquire_burst_span_data();  // the receiver gives it back once stored (decoder.h)
    SpanFields fields;
    const std::size_t first_ref = d.result.attribute_refs.size();
    if (!parse_span(nested, inner, *span, fields, d.attribute_refs)) return false;
    // Past the span limit the request is refused at the end; a span with a bad id is rejected.
    if (d.spans_seen > d.limits.max_spans || !finish_span(*span, fields, d.result, d.limits)) {
      recycle_burst_span_data(std::move(span));
      d.result.attribute_refs.resize(first_ref);
      return true;
    }
    span->resource = resource;
    span->scope = scope;
    d.result.spans.push_back(std::move(span));
    if (d.attribute_refs != nullptr) {
      d.result.attribute_ranges.emplace_back(static_cast<std::uint32_t>(first_ref),
                                             static_cast<std::uint32_t>(d.result.attribute_refs.size() - first_ref));
    }
    return true;
  });
}

bool parse_entity_ref(std::string_view bytes, int depth) {  // checked, not kept
  return for_each_field(bytes, depth, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    std::string_view text;
    if (field >= 1 && field <= 4 && type == kLengthDelimited) return read_string(c, text);
    handled = false;
    return true;
  });
}

bool parse_resource(std::string_view bytes, int depth, Resource& resource) {
  return for_each_field(bytes, depth, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    std::uint64_t v = 0;
    if (field == 1 && type == kLengthDelimited) return parse_attribute(c, depth, &resource.attributes);
    if (field == 2 && type == kVarint) return c.varint(v);
    if (field == 3 && type == kLengthDelimited) {
      return read_message(c, depth, [](std::string_view ref, int inner) { return parse_entity_ref(ref, inner); });
    }
    handled = false;
    return true;
  });
}

bool parse_resource_spans(std::string_view bytes, int depth, Decoding& d) {
  auto resource = std::make_shared<Resource>();
  return parse_spans_group(bytes, depth, resource->schema_url, [&](std::uint32_t field, std::string_view nested, int inner) {
    if (field == 1) return parse_resource(nested, inner, *resource);
    return parse_scope_spans(nested, inner, d, resource);
  });
}

}  // namespace

DecodeResult decode_protobuf(std::string_view body, const DecodeLimits& limits, bool attribute_refs,
                             DecodeResult result) {
  if (body.size() > static_cast<std::size_t>(INT32_MAX)) {
    result.error = "protobuf body too large";
    return result;
  }
  AttributeRefs refs{result.attribute_refs, result.converted_values};
  Decoding d{limits, result, attribute_refs ? &refs : nullptr};
  const bool parsed = for_each_field(body, kRecursionLimit, [&](std::uint32_t field, std::uint32_t type, Cursor& c, bool& handled) {
    if (field != 1 || type != kLengthDelimited) {
      handled = false;
      return true;
    }
    return read_message(c, kRecursionLimit, [&](std::string_view resource_spans, int inner) {
      return parse_resource_spans(resource_spans, inner, d);
    });
  });
  if (!parsed || d.spans_seen > limits.max_spans) {
    DecodeResult refused;
    refused.error = !parsed ? "malformed protobuf ExportTraceServiceRequest"
                            : "too many spans in one request (" + std::to_string(d.spans_seen) + " > " +
                                  std::to_string(limits.max_spans) + ")";
    return refused;
  }
  return result;
}

}  // namespace tdemo::telemetry::otlp::detail
