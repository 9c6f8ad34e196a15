// What a run measured: latency histograms overall and per endpoint, statuses, transport failures
// and a latency-over-time series. Each worker thread records into its own RunStats (no locks on
// the request path) and the runner merges them at the end.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/latency_histogram.h"

namespace tdemo::loadgen {

// Why a request got no HTTP response.
enum class FailureCause : std::uint8_t { kNone, kConnect, kTimeout, kWrite, kRead, kClosed, kProtocol };
inline constexpr std::size_t kFailureCauseCount = 7;
std::string_view failure_cause_name(FailureCause cause) noexcept;  // "connect", "timeout", ...

// A response is an error when its status is >= 400; a transport failure always is.
inline bool is_error_status(int status) noexcept { return status >= 400; }

struct EndpointStats {
  std::string name;  // "GET /users/1"
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  LatencyHistogram latency;  // responses only (failures have no meaningful latency)
  void merge(const EndpointStats& other);
};

// Thread-compatible.
class RunStats {
 public:
  explicit RunStats(const std::vector<std::string>& endpoint_names);

  void record_response(std::size_t endpoint, std::uint64_t latency_ns, int status) noexcept;
  void record_failure(std::size_t endpoint, FailureCause cause) noexcept;
  void merge(const RunStats& other);

  std::uint64_t requests() const noexcept { return requests_; }
  std::uint64_t responses() const noexcept { return latency_.count(); }
  std::uint64_t errors() const noexcept { return errors_; }
  double error_rate() const noexcept {
    return requests_ == 0 ? 0.0 : static_cast<double>(errors_) / static_cast<double>(requests_);
  }
  const LatencyHistogram& latency() const noexcept { return latency_; }
  const std::vector<EndpointStats>& endpoints() const noexcept { return endpoints_; }
  std::uint64_t status_count(int status) const noexcept;
  // (status, count) for every status seen, increasing.
  std::vector<std::pair<int, std::uint64_t>> statuses() const;
  std::uint64_t failure_count(FailureCause cause) const noexcept {
    return failures_[static_cast<std::size_t>(cause)];
  }

 private:
  std::vector<EndpointStats> endpoints_;
  LatencyHistogram latency_;
  std::array<std::uint64_t, 600> status_counts_{};
  std::array<std::uint64_t, kFailureCauseCount> failures_{};
  std::uint64_t requests_ = 0;
  std::uint64_t errors_ = 0;
};

// Latency over time: one point per interval since the start. When more than max_points would
// be needed, neighbouring points are merged and the interval doubles, so memory stays bounded
// whatever the run's length. Thread-safe (a mutex; workers add once per interval, not per
// request).
class Timeline {
 public:
  struct Point {
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    LatencyHistogram latency;
  };

  explicit Timeline(std::uint64_t interval_ns = 1'000'000'000, std::size_t max_points = 240);

  // Adds what a worker saw during the interval that starts at `start_ns` (since the run start).
  void add(std::uint64_t start_ns, const Point& point);
  std::uint64_t interval_ns() const;
  std::vector<Point> points() const;  // a copy
  // The most recent point that has data, for progress lines (empty if none).
  Point latest() const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t interval_ns_;
  std::size_t max_points_;
  std::vector<Point> points_;
};

// A worker's view of the Timeline: accumulates the current interval and hands it over when a
// request completes in a later one. Thread-compatible (one per worker).
class TimelineRecorder {
 public:
  explicit TimelineRecorder(Timeline& timeline) : timeline_(&timeline) {}
  void record(std::uint64_t completed_at_ns, std::uint64_t latency_ns, bool error, bool has_latency);
  void flush();

 private:
  Timeline* timeline_;
  std::uint64_t interval_start_ = 0;
  Timeline::Point current_;
};

}  // namespace tdemo::loadgen
