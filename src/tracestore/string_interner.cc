#include "tracestore/string_interner.h"

namespace tdemo::tracestore {

std::uint32_t StringInterner::intern_and_remember(std::string_view text, Recent& recent) {
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
