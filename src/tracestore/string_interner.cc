#include "tracestore/string_interner.h"

#include <cstring>

#include "telemetry/word_bytes.h"

namespace tdemo::tracestore {

std::size_t StringInterner::recent_slot(std::string_view text) noexcept {
  std::uint64_t head = 0;
  std::uint64_t tail = 0;
  if (text.size() >= 8) {
    std::memcpy(&head, text.data(), 8);
    std::memcpy(&tail, text.data() + text.size() - 8, 8);
  } else {
    for (std::size_t i = 0; i < text.size(); ++i) {
      head |= std::uint64_t{static_cast<unsigned char>(text[i])} << (8 * i);
    }
  }
  const std::uint64_t mixed =
      (head * 0x9E3779B97F4A7C15ull) ^ ((tail + text.size()) * 0xC2B2AE3D27D4EB4Full);
  return static_cast<std::size_t>(mixed >> 56);  // 256 slots
}

std::uint32_t StringInterner::intern(std::string_view text) {
  Recent& recent = recent_[recent_slot(text)];
  if (recent.data != nullptr && recent.size == text.size() &&
      telemetry::same_bytes(recent.data, text.data(), text.size())) {
    return recent.id;
  }
  std::uint32_t id;
  if (auto it = ids_.find(text); it != ids_.end()) {
    id = it->second;
  } else {
    id = static_cast<std::uint32_t>(strings_.size());
    const std::string& stored = strings_.emplace_back(text);
    ids_.emplace(std::string_view(stored), id);
  }
  const std::string& stored = strings_[id];
  recent = Recent{stored.data(), stored.size(), id};
  return id;
}

std::optional<std::uint32_t> StringInterner::find(std::string_view text) const {
  if (auto it = ids_.find(text); it != ids_.end()) return it->second;
  return std::nullopt;
}

std::size_t StringInterner::memory_bytes() const noexcept {
  std::size_t bytes = ids_.bucket_count() * sizeof(void*) + ids_.size() * 48;
  for (const auto& s : strings_) bytes += sizeof(std::string) + (s.size() > 15 ? s.capacity() : 0);
  return bytes;
}

}  // namespace tdemo::tracestore
