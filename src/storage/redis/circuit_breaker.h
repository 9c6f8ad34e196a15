// A circuit breaker for a remote dependency that must cost nearly nothing while it is down
// (the Redis cache): after a failure, calls are refused without touching the network for a
// backoff that doubles on each failed probe (up to a maximum); once it has passed, exactly one
// caller probes; its success closes the circuit.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

namespace tdemo::storage {

struct CircuitBreakerOptions {
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
};

// Thread-safe (one mutex; the critical sections are a few comparisons).
class CircuitBreaker {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit CircuitBreaker(CircuitBreakerOptions options = {}, Clock clock = {});

  // True when the caller may call the dependency now: the circuit is closed, or the backoff
  // has passed and this caller is the one probe. A caller that got true must report the
  // outcome with record_success() or record_failure().
  bool allow();
  void record_success();
  void record_failure();
  bool is_open() const;
  // How long until the next probe may go (0 when closed).
  std::chrono::milliseconds retry_in() const;

 private:
  std::chrono::steady_clock::time_point now() const;

  CircuitBreakerOptions options_;
  Clock clock_;
  mutable std::mutex mutex_;
  bool open_ = false;
  bool probing_ = false;
  std::chrono::milliseconds backoff_;
  std::chrono::steady_clock::time_point retry_at_{};
};

}  // namespace tdemo::storage
