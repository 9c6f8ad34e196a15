#include "storage/lru_cache.h"

namespace tdemo::storage {

LruCache::LruCache(LruCacheOptions options, Clock clock)
    : options_(options), clock_(std::move(clock)) {
  if (options_.max_entries == 0) options_.max_entries = 1;
}

std::chrono::steady_clock::time_point LruCache::now() const {
  return clock_ ? clock_() : std::chrono::steady_clock::now();
}

std::optional<std::string> LruCache::get(std::string_view key) {
  const auto t = now();
  std::lock_guard lock(mutex_);
  auto it = index_.find(std::string(key));
  if (it == index_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  if (it->second->expires <= t) {
    entries_.erase(it->second);
    index_.erase(it);
    ++stats_.misses;
    return std::nullopt;
  }
  entries_.splice(entries_.begin(), entries_, it->second);
  ++stats_.hits;
  return it->second->value;
}

void LruCache::set(std::string_view key, std::string value, std::chrono::milliseconds ttl) {
  const auto expires = now() + (ttl.count() > 0 ? ttl : options_.default_ttl);
  std::lock_guard lock(mutex_);
  std::string owned(key);
  if (auto it = index_.find(owned); it != index_.end()) {
    it->second->value = std::move(value);
    it->second->expires = expires;
    entries_.splice(entries_.begin(), entries_, it->second);
    return;
  }
  entries_.push_front(Entry{owned, std::move(value), expires});
  index_.emplace(std::move(owned), entries_.begin());
  while (entries_.size() > options_.max_entries) {
    index_.erase(entries_.back().key);
    entries_.pop_back();
    ++stats_.evictions;
  }
}

void LruCache::erase(std::string_view key) {
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(std::string(key)); it != index_.end()) {
    entries_.erase(it->second);
    index_.erase(it);
  }
}

LruCacheStats LruCache::stats() const {
  std::lock_guard lock(mutex_);
  LruCacheStats s = stats_;
  s.size = entries_.size();
  return s;
}

}  // namespace tdemo::storage
