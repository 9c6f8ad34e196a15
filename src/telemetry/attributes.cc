#include "telemetry/attributes.h"

#include <algorithm>
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

// Keys of the entries given up by clear_attributes_for_reuse on this thread, kept for their
// heap buffers (only the SSO-exceeding ones, never larger than kMaxSpareKeyCapacity).
constexpr std::size_t kMaxSpareKeys = 256;
constexpr std::size_t kMaxSpareKeyCapacity = 128;
constexpr std::size_t kHeapKeyCapacity = 47;  // + the terminator: a 48-byte allocation
const std::size_t kInlineCapacity = std::string().capacity();  // not constexpr for clang 14
thread_local std::vector<std::string> spare_keys;

// Appends {key, value} built in place: no temporary KeyValue to move and destroy. Clang 14 lacks
// C++20's parenthesised aggregate initialisation; there the entry is filled after the fact.
void emplace(Attributes& list, std::string&& key, AttributeValue&& value) {
#if defined(__cpp_aggregate_paren_init)
  list.emplace_back(std::move(key), std::move(value));
#else
  KeyValue& entry = list.emplace_back();
  entry.key = std::move(key);
  entry.value = std::move(value);
#endif
}

}  // namespace

void clear_attributes_for_reuse(Attributes& list) {
  auto& spare = spare_keys;
  for (auto& entry : list) {
    if (spare.size() >= kMaxSpareKeys) break;
    const std::size_t capacity = entry.key.capacity();
    if (capacity > kInlineCapacity && capacity <= kMaxSpareKeyCapacity)
      spare.push_back(std::move(entry.key));
  }
  list.clear();
}

bool set_attribute(Attributes& list, std::string_view key, AttributeValue&& value,
                   std::size_t max_count) {
  for (auto& entry : list) {
    if (entry.key == key) {
      entry.value = std::move(value);
      return true;
    }
  }
  if (list.size() >= max_count) return false;
  if (key.size() <= kInlineCapacity) {
    emplace(list, std::string(key), std::move(value));
    return true;
  }
  // A heap key: reuse a spare buffer. Every heap key gets at least kHeapKeyCapacity bytes, so
  // a spare left by one key fits the next (semantic-convention keys are mostly under 48).
  auto& spare = spare_keys;
  std::string reused;
  if (!spare.empty()) {
    reused = std::move(spare.back());
    spare.pop_back();
  }
  if (reused.capacity() < key.size()) reused.reserve(std::max(key.size(), kHeapKeyCapacity));
  reused.assign(key);  // within the buffer
  emplace(list, std::move(reused), std::move(value));
  return true;
}

void truncate_value(AttributeValue& value, std::size_t max_length) {
  if (max_length == 0) return;
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
