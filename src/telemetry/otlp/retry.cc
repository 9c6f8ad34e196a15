#include "telemetry/otlp/retry.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "telemetry/log.h"

namespace tdemo::telemetry::otlp {

void write_log(const ExporterLog& log, std::string_view line) {
  if (log) {
    log(line);
  } else {
    std::cerr << "otlp: " << line << '\n';
  }
}

ExporterLog rate_limited(ExporterLog log, std::chrono::milliseconds interval) {
  return [log = std::move(log), limiter = std::make_shared<RateLimiter>(interval)](std::string_view line) {
    const auto suppressed = limiter->allow();
    if (!suppressed) return;
    if (*suppressed == 0) return write_log(log, line);
    write_log(log, std::string(line) + " (" + std::to_string(*suppressed) + " similar lines suppressed)");
  };
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, std::mt19937_64& random) {
  const double base = static_cast<double>(policy.initial_backoff.count()) *
                      std::pow(policy.multiplier, std::max(0, attempt - 1));
  const double capped = std::min(base, static_cast<double>(policy.max_backoff.count()));
  std::uniform_real_distribution<double> factor(1.0 - policy.jitter, 1.0 + policy.jitter);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, capped * factor(random))));
}

void ShutdownSignal::trigger() {
  {
    std::lock_guard lock(mutex_);
    triggered_ = true;
  }
  cv_.notify_all();
}

bool ShutdownSignal::triggered() const {
  std::lock_guard lock(mutex_);
  return triggered_;
}

bool ShutdownSignal::wait_for(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, delay, [this] { return triggered_; });
}

}  // namespace tdemo::telemetry::otlp
