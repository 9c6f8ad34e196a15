// Interns strings (service names, operation names, attribute keys) to small integer ids so
// that stored spans carry 4-byte ids instead of repeated strings.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "telemetry/word_bytes.h"

namespace tdemo::tracestore {

// Not thread-safe: the owner (TraceStore) guards it with its own lock — intern() under the
// exclusive lock, find()/get() under a shared or exclusive lock. Ids are dense, start at 0
// and stay valid for the interner's lifetime; string_views from get() stay valid as well.
class StringInterner {
 public:
  StringInterner() = default;
  StringInterner(const StringInterner&) = delete;
  StringInterner& operator=(const StringInterner&) = delete;

  // A text met recently (nearly every key a store interns) is answered inline: a call, with the
  // registers the lookup needs saved and restored, was a third of its cost.
  std::uint32_t intern(std::string_view text) {
    Recent& recent = recent_[recent_slot(text)];
    if (recent.data != nullptr && recent.size == text.size() &&
        telemetry::same_bytes(recent.data, text.data(), text.size())) {
      return recent.id;
    }
    return intern_and_remember(text, recent);
  }
  std::optional<std::uint32_t> find(std::string_view text) const;
  std::string_view get(std::uint32_t id) const { return strings_[id]; }
  std::size_t size() const noexcept { return strings_.size(); }
  // Bytes held by the interned strings and the lookup table (approximate).
  std::size_t memory_bytes() const noexcept;

 private:
  // The last string interned or looked up in each of 256 slots, picked by its length and first
  // and last eight bytes: a store interns the same few keys for every span, and a slot hit
  // (one compare) is cheaper than hashing the whole string for the map.
  struct Recent {
    const char* data = nullptr;  // an interned string's bytes (stable: see strings_)
    std::size_t size = 0;
    std::uint32_t id = 0;
  };
  static std::size_t recent_slot(std::string_view text) noexcept {
    const std::uint64_t head = telemetry::load_word_prefix(text.data(), text.size());
    const std::uint64_t tail = text.size() >= 8 ? telemetry::load_word(text.data() + text.size() - 8) : 0;
    const std::uint64_t mixed =
        (head * 0x9E3779B97F4A7C15ull) ^ ((tail + text.size()) * 0xC2B2AE3D27D4EB4Full);
    return static_cast<std::size_t>(mixed >> 56);  // 256 slots
  }
  // intern() past its slot: the map (adding the text when new), then the slot remembers it.
  std::uint32_t intern_and_remember(std::string_view text, Recent& recent);

  std::deque<std::string> strings_;  // deque: element addresses never move
  std::unordered_map<std::string_view, std::uint32_t> ids_;
  std::array<Recent, 256> recent_{};
};

}  // namespace tdemo::tracestore
