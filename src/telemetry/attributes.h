// Attribute values of every OTLP type, and key/value lists.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tdemo::telemetry {

// One attribute value: string, bool, int64, double, or a homogeneous array of one of them
// (OTLP AnyValue restricted to what the OpenTelemetry API allows for attributes).
using AttributeValue =
    std::variant<std::string, bool, std::int64_t, double, std::vector<std::string>,
                 std::vector<bool>, std::vector<std::int64_t>, std::vector<double>>;

struct KeyValue {
  std::string key;
  AttributeValue value;
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

// An ordered list of attributes; keys are unique (setting an existing key replaces it).
using Attributes = std::vector<KeyValue>;

// An attribute read in place, by a decoder that hands attributes on instead of keeping them:
// the key and a string value point into the bytes it read; a value of another kind (an array)
// points to an AttributeValue the decoder keeps. Valid as long as what it points into. The
// first four alternatives are in AttributeValue's order.
struct AttributeRef {
  std::string_view key;
  std::variant<std::string_view, bool, std::int64_t, double, const AttributeValue*> value;
};

// The attribute a reference stands for, copied.
KeyValue to_key_value(const AttributeRef& ref);

// Helpers so call sites can write `{"http.route", "/x"}` or `{"user.id", 42}` naturally.
inline AttributeValue attribute(std::string_view v) { return std::string(v); }
inline AttributeValue attribute(const char* v) { return std::string(v); }
inline AttributeValue attribute(bool v) { return v; }
inline AttributeValue attribute(std::int64_t v) { return v; }
inline AttributeValue attribute(int v) { return static_cast<std::int64_t>(v); }
inline AttributeValue attribute(double v) { return v; }

// The value of `key` in `list`, to assign to: the existing entry's, or that of a new entry
// appended with `key` (holding an empty string). Null, and nothing changed, when the key is new
// and the list already holds `max_count` entries. Valid until the list next changes.
AttributeValue* attribute_slot(Attributes& list, std::string_view key, std::size_t max_count);

// Appends an entry with `key` (holding an empty string) whatever the list holds already, its
// key in a spare buffer when one is free (see clear_attributes_for_reuse): for decoders, which
// keep what was sent, duplicates included.
AttributeValue& append_attribute(Attributes& list, std::string_view key);

// append_attribute with a text value, copied into the entry's string (see assign_text).
void append_text_attribute(Attributes& list, std::string_view key, std::string_view value);

// Copies `text` into `target`; a text longer than target's buffer goes into a spare buffer of
// this thread when one is free (see clear_attributes_for_reuse), else into a new one of at
// least 47 bytes, so that it can be a spare later.
void assign_text(std::string& target, std::string_view text);

// Replaces the value of `key` if present, else appends. Returns false (and changes nothing)
// when the key is new and the list already holds `max_count` entries.
bool set_attribute(Attributes& list, std::string_view key, AttributeValue&& value,
                   std::size_t max_count);

// Empties `list`, keeping the heap buffers of its keys and text values (up to a few hundred per
// thread) for the next keys and texts on this thread to reuse, so they do not free and allocate
// again (semantic-convention keys, URLs and queries are mostly longer than std::string's inline
// buffer). The span pool clears recycled spans this way: a span's attributes cost no allocation
// in the steady state.
void clear_attributes_for_reuse(Attributes& list);

// The capacity a span's attribute list gets for `start_count` start attributes: room for the
// attributes most spans set after starting too, rounded up to a power of two (16 for up to 8),
// at most `limit`, so that a recycled list nearly always has the room as it is.
std::size_t span_attribute_capacity(std::size_t start_count, std::size_t limit = 128);

// An empty list for a span's `start_count` start attributes, with span_attribute_capacity's
// room: one of this thread's spare lists when one has it (Tracer::start_span gives the started
// span's recycled list back, see give_back_attribute_list), else a new one. With the span pool,
// building and starting a span's attributes then allocates nothing and moves no entry.
Attributes take_attribute_list(std::size_t start_count);

// Keeps an emptied list's buffer for a later take_attribute_list on this thread (a few lists).
void give_back_attribute_list(Attributes&& list);

// The value of `key` as a T (std::string, bool, std::int64_t, double, or an array type); null
// when the key is absent or holds another type. Linear: attribute lists are short.
template <class T>
const T* find_attribute(const Attributes& list, std::string_view key) {
  for (const auto& kv : list) {
    if (kv.key == key) return std::get_if<T>(&kv.value);
  }
  return nullptr;
}

// Truncates string values (and strings inside arrays) to `max_length` bytes, cutting at a
// UTF-8 character boundary. No-op when max_length is 0 (meaning "no limit").
namespace detail {
void truncate_strings(AttributeValue& value, std::size_t max_length);
}
inline void truncate_value(AttributeValue& value, std::size_t max_length) {
  if (max_length != 0) detail::truncate_strings(value, max_length);  // inline: the usual case
}

// Renders a value for humans (console exporter, logs): strings as-is, arrays as [a, b].
std::string to_display_string(const AttributeValue& value);

}  // namespace tdemo::telemetry
