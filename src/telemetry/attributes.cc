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

AttributeValue& append_attribute(Attributes& list, std::string_view key) {
  KeyValue& entry = list.emplace_back();
  if (key.size() > kInlineCapacity) {
    // A heap key: reuse a spare buffer. Every heap key gets at least kHeapKeyCapacity bytes,
    // so a spare left by one key fits the next (semantic-convention keys are mostly under 48).
    auto& spare = spare_keys;
    if (!spare.empty()) {
      entry.key = std::move(spare.back());
      spare.pop_back();
    }
    if (entry.key.capacity() < key.size()) {
      entry.key.reserve(std::max(key.size(), kHeapKeyCapacity));
    }
  }
  entry.key.assign(key);  // within the inline or reused buffer
  return entry.value;
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
