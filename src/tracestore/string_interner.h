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

namespace tdemo::tracestore {

// Not thread-safe: the owner (TraceStore) guards it with its own lock — intern() under the
// exclusive lock, find()/get() under a shared or exclusive lock. Ids are dense, start at 0
// and stay valid for the interner's lifetime; string_views from get() stay valid as well.
class StringInterner {
 public:
  StringInterner() = default;
  StringInterner(const StringInterner&) = delete;
  StringInterner& operator=(const StringInterner&) = delete;

  std::uint32_t intern(std::string_view text);
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
  static std::size_t recent_slot(std::string_view text) noexcept;

  std::deque<std::string> strings_;  // deque: element addresses never move
  std::unordered_map<std::string_view, std::uint32_t> ids_;
  std::array<Recent, 256> recent_{};
};

}  // namespace tdemo::tracestore
