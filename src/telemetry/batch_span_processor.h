// BatchSpanProcessor: queues ended spans and exports them in batches from one worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "telemetry/log.h"
#include "telemetry/span_processor.h"
#include "telemetry/span_queue.h"

namespace tdemo::telemetry {

// Defaults are the OTEL_BSP_* defaults of the OpenTelemetry specification.
struct BatchSpanProcessorOptions {
  std::size_t max_queue_size = 2048;               // OTEL_BSP_MAX_QUEUE_SIZE
  std::chrono::milliseconds schedule_delay{5000};  // OTEL_BSP_SCHEDULE_DELAY
  std::size_t max_export_batch_size = 512;         // OTEL_BSP_MAX_EXPORT_BATCH_SIZE
  // OTEL_BSP_EXPORT_TIMEOUT. Exports are synchronous calls into the exporter, which applies
  // its own timeout; this bounds how long force_flush/shutdown wait by default.
  std::chrono::milliseconds export_timeout{30000};
  // Called (on the thread whose span was dropped) when spans are dropped, at most once per
  // drop_report_interval, with the total dropped so far. Must be cheap and thread-safe; e.g.
  // a log line. Null: no report.
  std::function<void(std::uint64_t dropped_total)> on_drop;
  std::chrono::milliseconds drop_report_interval{10000};
};

struct BatchSpanProcessorStats {
  std::uint64_t queue_depth = 0;
  std::uint64_t queue_capacity = 0;
  std::uint64_t dropped = 0;          // queue full, or ended after shutdown
  std::uint64_t exported = 0;         // spans in batches the exporter accepted
  std::uint64_t export_failures = 0;  // batches the exporter rejected
  std::uint64_t failed_spans = 0;     // spans in those batches
  std::uint64_t wakeups = 0;          // times a producer woke the worker (a futex call each)
};

// Thread safety: on_end is lock-free and never blocks (a full queue drops the span and counts
// it); it may be called from any number of threads. force_flush and shutdown may be called
// from any thread; they block until the export they asked for finished or the timeout passed.
// The exporter is only ever called from the worker thread. Spans that are recorded but not
// sampled are not exported.
//
// Waking the worker is a system call (a futex wake, microseconds on a virtual machine), so a
// producer does it at most once per batch, and not at all while spans keep coming: once a
// wake-up finds a full batch, the worker polls the queue on a timer (from 20 us, doubling while
// it finds less than half a batch, halving when it finds a batch) and, while polls are under a
// millisecond apart, producers leave it alone unless the queue is half full. When the interval
// would pass the schedule delay, the worker goes back to waiting.
class BatchSpanProcessor final : public SpanProcessor {
 public:
  BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter, BatchSpanProcessorOptions options);
  ~BatchSpanProcessor() override;  // shuts down (exporting what is queued) if not done yet

  void on_end(std::unique_ptr<SpanData> span) noexcept override;
  // Exports every span whose on_end returned before this call, then flushes the exporter.
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  // Exports what is queued, stops the worker and shuts the exporter down. Idempotent.
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

  BatchSpanProcessorStats stats() const noexcept;
  const BatchSpanProcessorOptions& options() const noexcept { return options_; }

 private:
  void run_worker();
  // Exports until the queue is empty (or, when `until` is set, until every slot claimed before
  // that position is exported). Worker thread only.
  // Returns how many spans it took from the queue.
  std::size_t drain(std::uint64_t until);
  // The poll interval after a drain of `drained` spans at interval `poll` (zero: waiting for a
  // wake-up); zero means go back to waiting.
  std::chrono::microseconds next_poll_interval(std::chrono::microseconds poll,
                                               std::size_t drained) const noexcept;
  void export_batch();
  void wake_worker();

  const BatchSpanProcessorOptions options_;
  std::unique_ptr<SpanExporter> exporter_;  // worker thread only (after construction)
  BoundedSpanQueue queue_;
  SpanBatch batch_;               // worker thread only
  std::uint64_t wake_mask_ = 0;  // set in the constructor, then read-only

  std::mutex mutex_;  // guards the wake-up and flush bookkeeping below, never on_end's push
  std::condition_variable worker_cv_;
  std::condition_variable flush_done_cv_;
  bool wake_requested_ = false;
  std::uint64_t flush_requested_ = 0;  // generation numbers
  std::uint64_t flush_completed_ = 0;
  bool flush_result_ = true;
  bool stopping_ = false;

  std::atomic<bool> shut_down_{false};
  // Set while a wake-up is pending or the worker polls: producers then don't wake it.
  std::atomic<bool> worker_signalled_{false};
  std::atomic<bool> urgent_signalled_{false};  // a half-full-queue wake-up is pending
  std::atomic<std::uint64_t> wakeups_{0};
  std::atomic<std::uint64_t> dropped_{0};
  RateLimiter drop_reports_;
  std::atomic<std::uint64_t> exported_{0};
  std::atomic<std::uint64_t> export_failures_{0};
  std::atomic<std::uint64_t> failed_spans_{0};
  std::thread worker_;
};

}  // namespace tdemo::telemetry
