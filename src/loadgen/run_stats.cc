#include "loadgen/run_stats.h"

#include <algorithm>

namespace tdemo::loadgen {

std::string_view failure_cause_name(FailureCause cause) noexcept {
  switch (cause) {
    case FailureCause::kNone: return "none";
    case FailureCause::kConnect: return "connect";
    case FailureCause::kTimeout: return "timeout";
    case FailureCause::kWrite: return "write";
    case FailureCause::kRead: return "read";
    case FailureCause::kClosed: return "closed";
    case FailureCause::kProtocol: return "protocol";
  }
  return "unknown";
}

void EndpointStats::merge(const EndpointStats& other) {
  requests += other.requests;
  errors += other.errors;
  latency.merge(other.latency);
}

RunStats::RunStats(const std::vector<std::string>& endpoint_names) {
  endpoints_.reserve(endpoint_names.size());
  for (const auto& name : endpoint_names) endpoints_.push_back(EndpointStats{name, 0, 0, {}});
}

void RunStats::record_response(std::size_t endpoint, std::uint64_t latency_ns, int status) noexcept {
  const bool error = is_error_status(status);
  auto& e = endpoints_[endpoint];
  ++e.requests;
  e.errors += error;
  e.latency.record(latency_ns);
  latency_.record(latency_ns);
  ++requests_;
  errors_ += error;
  if (status >= 0 && status < static_cast<int>(status_counts_.size())) ++status_counts_[status];
}

void RunStats::record_failure(std::size_t endpoint, FailureCause cause) noexcept {
  auto& e = endpoints_[endpoint];
  ++e.requests;
  ++e.errors;
  ++requests_;
  ++errors_;
  ++failures_[static_cast<std::size_t>(cause)];
}

void RunStats::merge(const RunStats& other) {
  for (std::size_t i = 0; i < endpoints_.size() && i < other.endpoints_.size(); ++i) {
    endpoints_[i].merge(other.endpoints_[i]);
  }
  latency_.merge(other.latency_);
  for (std::size_t i = 0; i < status_counts_.size(); ++i) status_counts_[i] += other.status_counts_[i];
  for (std::size_t i = 0; i < failures_.size(); ++i) failures_[i] += other.failures_[i];
  requests_ += other.requests_;
  errors_ += other.errors_;
}

std::uint64_t RunStats::status_count(int status) const noexcept {
  if (status < 0 || status >= static_cast<int>(status_counts_.size())) return 0;
  return status_counts_[status];
}

std::vector<std::pair<int, std::uint64_t>> RunStats::statuses() const {
  std::vector<std::pair<int, std::uint64_t>> out;
  for (std::size_t i = 0; i < status_counts_.size(); ++i) {
    if (status_counts_[i] != 0) out.emplace_back(static_cast<int>(i), status_counts_[i]);
  }
  return out;
}

Timeline::Timeline(std::uint64_t interval_ns, std::size_t max_points)
    : interval_ns_(std::max<std::uint64_t>(interval_ns, 1)), max_points_(std::max<std::size_t>(max_points, 2)) {}

void Timeline::add(std::uint64_t start_ns, const Point& point) {
  std::lock_guard lock(mutex_);
  std::size_t index = start_ns / interval_ns_;
  while (index >= max_points_) {
    // Halve the resolution: merge pairs of points.
    std::vector<Point> merged((points_.size() + 1) / 2);
    for (std::size_t i = 0; i < points_.size(); ++i) {
      auto& m = merged[i / 2];
      m.requests += points_[i].requests;
      m.errors += points_[i].errors;
      m.latency.merge(points_[i].latency);
    }
    points_ = std::move(merged);
    interval_ns_ *= 2;
    index = start_ns / interval_ns_;
  }
  if (index >= points_.size()) points_.resize(index + 1);
  auto& p = points_[index];
  p.requests += point.requests;
  p.errors += point.errors;
  p.latency.merge(point.latency);
}

std::uint64_t Timeline::interval_ns() const {
  std::lock_guard lock(mutex_);
  return interval_ns_;
}

std::vector<Timeline::Point> Timeline::points() const {
  std::lock_guard lock(mutex_);
  return points_;
}

Timeline::Point Timeline::latest() const {
  std::lock_guard lock(mutex_);
  for (auto it = points_.rbegin(); it != points_.rend(); ++it) {
    if (it->requests != 0) return *it;
  }
  return {};
}

void TimelineRecorder::record(std::uint64_t completed_at_ns, std::uint64_t latency_ns, bool error,
                              bool has_latency) {
  // Workers use a fixed 1/4 s granularity for handing over; the Timeline files each part into
  // its own (possibly coarser) interval.
  constexpr std::uint64_t kHandOver = 250'000'000;
  const std::uint64_t start = completed_at_ns / kHandOver * kHandOver;
  if (start != interval_start_ && current_.requests != 0) flush();
  interval_start_ = start;
  ++current_.requests;
  current_.errors += error;
  if (has_latency) current_.latency.record(latency_ns);
}

void TimelineRecorder::flush() {
  if (current_.requests == 0) return;
  timeline_->add(interval_start_, current_);
  current_.requests = current_.errors = 0;
  current_.latency.reset();
}

}  // namespace tdemo::loadgen
