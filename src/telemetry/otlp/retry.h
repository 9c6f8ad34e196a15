// Retry timing shared by the OTLP exporters: backoff with jitter, an interruptible wait, and
// the log sink.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <string_view>

namespace tdemo::telemetry::otlp {

// Exponential backoff with jitter between attempts (OTLP exporter retry guidance). The whole
// export, retries and waits included, stays within the export timeout.
struct RetryPolicy {
  int max_attempts = 5;                            // 1: no retries
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{5000};
  double multiplier = 1.5;
  double jitter = 0.2;                             // each wait is scaled by 1 ± jitter
  // A server asking (Retry-After, RetryInfo) for a longer wait than this is capped to it.
  std::chrono::milliseconds max_retry_after{30000};
};

// Receives one line per notable event (failures, partial success). Called on the exporting
// thread. Null: lines go to stderr.
using ExporterLog = std::function<void(std::string_view line)>;
void write_log(const ExporterLog& log, std::string_view line);

// Wraps `log` (null: stderr) so that at most one line per `interval` is written: a backend that
// is down must not flood the service's log with one line per batch. The next line written after
// a quiet spell says how many were suppressed. Thread-safe.
ExporterLog rate_limited(ExporterLog log, std::chrono::milliseconds interval = std::chrono::seconds(10));

// The wait after failed attempt number `attempt` (1-based): initial * multiplier^(attempt-1),
// capped at max_backoff, times a random factor in [1 - jitter, 1 + jitter].
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, std::mt19937_64& random);

// Set once by shutdown; waits in between attempts end early when it is set. Thread-safe.
class ShutdownSignal {
 public:
  void trigger();
  bool triggered() const;
  // Sleeps for `delay`; false if the signal was (or got) triggered.
  bool wait_for(std::chrono::milliseconds delay);

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool triggered_ = false;
};

}  // namespace tdemo::telemetry::otlp
