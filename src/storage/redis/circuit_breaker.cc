#include "storage/redis/circuit_breaker.h"

#include <algorithm>

namespace tdemo::storage {

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, Clock clock)
    : options_(options), clock_(std::move(clock)), backoff_(options.initial_backoff) {}

std::chrono::steady_clock::time_point CircuitBreaker::now() const {
  return clock_ ? clock_() : std::chrono::steady_clock::now();
}

bool CircuitBreaker::allow() {
  std::lock_guard lock(mutex_);
  if (!open_) return true;
  if (probing_ || now() < retry_at_) return false;
  probing_ = true;
  return true;
}

void CircuitBreaker::record_success() {
  std::lock_guard lock(mutex_);
  open_ = false;
  probing_ = false;
  backoff_ = options_.initial_backoff;
}

void CircuitBreaker::record_failure() {
  std::lock_guard lock(mutex_);
  if (open_ && !probing_) return;  // a call that was in flight when the circuit opened
  if (open_) backoff_ = std::min(backoff_ * 2, options_.max_backoff);  // the probe failed
  open_ = true;
  probing_ = false;
  retry_at_ = now() + backoff_;
}

bool CircuitBreaker::is_open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

std::chrono::milliseconds CircuitBreaker::retry_in() const {
  std::lock_guard lock(mutex_);
  if (!open_) return std::chrono::milliseconds(0);
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - now()));
}

}  // namespace tdemo::storage
