#include "telemetry/attributes.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <type_traits>

namespace tdemo::telemetry {
namespace {

// Cuts `text` to at most `max_length` bytes without splitting a UTF-8 sequence.
void truncate_utf8(std::string& text, std::size_t max_length) {
  if (text.size() <= max_length) return;
  std::size_t cut = max_length;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character start.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
}

std::string format_double(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (ec != std::errc{}) return "nan";
  return std::string(buffer, end);
}

template <typename T>
std::string scalar_to_string(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return value;
  } else if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return std::to_string(value);
  } else {
    return format_double(value);
  }
}

}  // namespace

namespace {

// Keys and text values of the entries given up by clear_attributes_for_reuse on this thread,
// kept for their heap buffers: those of kHeapCapacity to kMaxSpareCapacity bytes, so that any
// spare fits any text of up to kHeapCapacity bytes (semantic-convention keys, most values).
constexpr std::size_t kMaxSpares = 256;
constexpr std::size_t kMaxSpareCapacity = 128;
constexpr std::size_t kHeapCapacity = 47;  // + the terminator: a 48-byte allocation
thread_local std::vector<std::string> spare_strings;

// Inline, and given the thread's list by the caller: a call and a thread_local lookup per text
// cost more than the move (session 22: 1.3% of a traced flow's instructions). The capacity is
// tested first, so an inline (short) text touches nothing else.
[[gnu::always_inline]] inline void keep_as_spare(std::vector<std::string>& spare, std::string& text) {
  const std::size_t capacity = text.capacity();
  if (capacity >= kHeapCapacity && capacity <= kMaxSpareCapacity && spare.size() < kMaxSpares) {
    spare.push_back(std::move(text));
  }
}
// Lists given back by Tracer::start_span on this thread, for take_attribute_list: a few, since
// spans of different sizes (16 and 32 entries) take turns.
constexpr std::size_t kMaxSpareLists = 4;
thread_local std::vector<Attributes> spare_lists;

}  // namespace

// Room for the attributes most spans set after starting (HTTP method, route, status, ids).
constexpr std::size_t kReservedAttributes = 8;

std::size_t span_attribute_capacity(std::size_t start_count, std::size_t limit) {
  return std::min(std::bit_ceil(start_count + kReservedAttributes), limit);
}

Attributes take_attribute_list(std::size_t start_count) {
  const std::size_t wanted = span_attribute_capacity(start_count);
  auto& spares = spare_lists;
  // The smallest spare with the room.
  std::size_t best = spares.size();
  for (std::size_t i = 0; i < spares.size(); ++i) {
    if (spares[i].capacity() >= wanted && (best == spares.size() || spares[i].capacity() < spares[best].capacity())) {
      best = i;
    }
  }
  Attributes list;
  if (best != spares.size()) {
    list.swap(spares[best]);
    spares[best].swap(spares.back());
    spares.pop_back();
  } else {
    list.reserve(wanted);
  }
  return list;
}

void give_back_attribute_list(Attributes&& list) {
  if (list.capacity() == 0) return;
  clear_attributes_for_reuse(list);
  auto& spares = spare_lists;
  if (spares.size() < kMaxSpareLists) {
    spares.emplace_back().swap(list);
    return;
  }
  // Full: replaces the smallest, if this one is larger.
  auto smallest = std::min_element(spares.begin(), spares.end(),
                                   [](const Attributes& a, const Attributes& b) { return a.capacity() < b.capacity(); });
  if (smallest->capacity() < list.capacity()) smallest->swap(list);
}

void clear_attributes_for_reuse(Attributes& list) {
  if (list.empty()) return;
  auto& spare = spare_strings;
  for (auto& entry : list) {
    keep_as_spare(spare, entry.key);
    if (auto* text = std::get_if<std::string>(&entry.value)) keep_as_spare(spare, *text);
  }
  list.clear();
}

void assign_text(std::string& target, std::string_view text) {
  if (text.size() > target.capacity()) {
    // A heap text: into a spare buffer. Every heap text gets at least kHeapCapacity bytes, so
    // a spare left by one text fits the next.
    auto& spare = spare_strings;
    if (!spare.empty()) {
      target = std::move(spare.back());
      spare.pop_back();
    }
    if (target.capacity() < text.size()) target.reserve(std::max(text.size(), kHeapCapacity));
  }
  target.assign(text);  // within the inline or reused buffer
}

AttributeValue& append_attribute(Attributes& list, std::string_view key) {
  KeyValue& entry = list.emplace_back();
  assign_text(entry.key, key);
  return entry.value;
}

void append_text_attribute(Attributes& list, std::string_view key, std::string_view value) {
  assign_text(std::get<std::string>(append_attribute(list, key)), value);  // starts as ""
}

KeyValue to_key_value(const AttributeRef& ref) {
  KeyValue kv{std::string(ref.key), {}};
  std::visit(
      [&kv](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          kv.value = std::string(v);
        } else if constexpr (std::is_same_v<T, const AttributeValue*>) {
          kv.value = *v;
        } else {
          kv.value = v;
        }
      },
      ref.value);
  return kv;
}

AttributeValue* attribute_slot(Attributes& list, std::string_view key, std::size_t max_count) {
  for (auto& entry : list) {
    if (entry.key == key) return &entry.value;
  }
  if (list.size() >= max_count) return nullptr;
  return &append_attribute(list, key);
}

bool set_attribute(Attributes& list, std::string_view key, AttributeValue&& value,
                   std::size_t max_count) {
  AttributeValue* slot = attribute_slot(list, key, max_count);
  if (slot == nullptr) return false;
  *slot = std::move(value);
  return true;
}

void detail::truncate_strings(AttributeValue& value, std::size_t max_length) {
  if (auto* text = std::get_if<std::string>(&value)) {
    truncate_utf8(*text, max_length);
  } else if (auto* texts = std::get_if<std::vector<std::string>>(&value)) {
    for (auto& item : *texts) truncate_utf8(item, max_length);
  }
}

std::string to_display_string(const AttributeValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                      std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          return scalar_to_string(v);
        } else {
          std::string out = "[";
          bool first = true;
          for (const auto& item : v) {
            if (!first) out += ", ";
            first = false;
            out += scalar_to_string(static_cast<typename T::value_type>(item));
          }
          out += "]";
          return out;
        }
      },
      value);
}

}  // namespace tdemo::telemetry
