// Runs a load: worker threads, each with its own io_context, drive closed-loop virtual users or
// an open-loop arrival schedule over keep-alive connections, and the results are merged.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "loadgen/load_options.h"
#include "loadgen/request_tracer.h"
#include "loadgen/result.h"
#include "loadgen/run_stats.h"

namespace tdemo::loadgen {

struct RunResult {
  explicit RunResult(RunStats run_stats) : stats(std::move(run_stats)) {}
  RunStats stats;
  std::vector<Timeline::Point> timeline;
  std::uint64_t timeline_interval_ns = 0;
  std::chrono::nanoseconds elapsed{0};  // start to the last completion
  std::uint32_t threads = 0;
  std::uint64_t connections_opened = 0;
  // Open loop only: how late requests were sent relative to their intended time.
  LatencyHistogram send_lag;
  std::uint64_t scheduled = 0;  // requests the schedule asked for
  bool interrupted = false;     // stopped early by the stop flag
  double throughput() const noexcept;  // requests (answered or failed) per second
};

// A look at a run in progress, taken a few times per second.
struct ProgressSnapshot {
  std::chrono::nanoseconds elapsed{0};
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::uint64_t planned = 0;  // 0 when unknown (duration-bound runs)
  double recent_rate = 0;     // requests per second over the last snapshot interval
  std::uint64_t recent_p50_ns = 0;  // of the last complete timeline interval
  std::uint64_t recent_p99_ns = 0;
};
using ProgressCallback = std::function<void(const ProgressSnapshot&)>;

// Runs `options` to completion (or until `*stop` becomes true). `tracer` (nullable; must
// outlive the call) makes traceparents when options.traceparent is set. `on_progress`
// (nullable) is called on the calling thread every `progress_interval`. Fails only when the
// target does not resolve.
Result<RunResult> run_load(const LoadOptions& options, RequestTracer* tracer,
                           const ProgressCallback& on_progress = {},
                           const std::atomic<bool>* stop = nullptr,
                           std::chrono::milliseconds progress_interval = std::chrono::milliseconds(250));

}  // namespace tdemo::loadgen
