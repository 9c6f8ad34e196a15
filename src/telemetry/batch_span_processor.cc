#include "telemetry/batch_span_processor.h"

#include <algorithm>
#include <bit>

#include "telemetry/span_data_pool.h"
#include "telemetry/thread_name.h"

namespace tdemo::telemetry {
namespace {

// The shortest poll interval. Fewer spans in flight keep the spans recycled through the
// pool in the cache: BM_SpanStartEnd4Attributes_Root took 197 ns a span with 20 us here and
// 226 ns with 100 us (bench/micro_ab.sh, medians of 10 alternating rounds).
constexpr std::chrono::microseconds kFastestPoll{20};
// Polls this far apart or more let producers wake the worker for a full batch again.
constexpr std::chrono::microseconds kQuietPoll{1000};

// Whether producers leave the worker alone at this poll interval (zero: not polling).
bool polling_silently(std::chrono::microseconds poll) {
  return poll.count() > 0 && poll < kQuietPoll;
}

}  // namespace

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                       BatchSpanProcessorOptions options)
    : options_([&] {
        // Keep the options consistent: a batch never exceeds the queue.
        options.max_queue_size = std::max<std::size_t>(options.max_queue_size, 2);
        options.max_export_batch_size =
            std::clamp<std::size_t>(options.max_export_batch_size, 1, options.max_queue_size);
        if (options.schedule_delay.count() <= 0)
          options.schedule_delay = std::chrono::milliseconds(1);
        return options;
      }()),
      exporter_(std::move(exporter)),
      queue_(options_.max_queue_size),
      drop_reports_(options_.drop_report_interval) {
  batch_.reserve(options_.max_export_batch_size);
  // Wake every 2^k pushes, 2^k the largest power of two not above the batch size (a
  // mask: no division on the hot path). 512, the default, is exact.
  wake_mask_ = std::bit_floor(options_.max_export_batch_size) - 1;
  worker_ = std::thread([this] {
    set_current_thread_name("span-export");
    run_worker();
  });
}

BatchSpanProcessor::~BatchSpanProcessor() { shutdown(options_.export_timeout); }

void BatchSpanProcessor::on_end(std::unique_ptr<SpanData> span) noexcept {
  if (!span || !span->context.sampled()) {
    recycle_span_data(std::move(span));
    return;
  }
  std::uint64_t position = 0;
  if (shut_down_.load(std::memory_order_relaxed) || !queue_.try_push(span, &position)) {
    const std::uint64_t dropped = dropped_.fetch_add(1, std::memory_order_relaxed) + 1;
    recycle_span_data(std::move(span));
    if (options_.on_drop && drop_reports_.allow()) options_.on_drop(dropped);
    return;
  }
  // Look once per batch's worth of pushes; every other call stays lock-free and reads nothing
  // the worker writes (the queue's size would: its pop position).
  if ((position & wake_mask_) != wake_mask_) return;
  if (!worker_signalled_.exchange(true, std::memory_order_acq_rel)) {
    wake_worker();
  } else if (position + 1 - queue_.pop_position() >= queue_.capacity() / 2 &&
             !urgent_signalled_.exchange(true, std::memory_order_acq_rel)) {
    wake_worker();  // polling, but spans come faster than the interval allows for
  }
}

void BatchSpanProcessor::wake_worker() {
  wakeups_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    wake_requested_ = true;
  }
  worker_cv_.notify_one();
}

bool BatchSpanProcessor::force_flush(std::chrono::milliseconds timeout) noexcept {
  if (shut_down_.load()) return false;
  std::unique_lock lock(mutex_);
  const std::uint64_t generation = ++flush_requested_;
  worker_cv_.notify_one();
  const bool done = flush_done_cv_.wait_for(
      lock, timeout, [&] { return flush_completed_ >= generation || stopping_; });
  return done && flush_completed_ >= generation && flush_result_;
}

bool BatchSpanProcessor::shutdown(std::chrono::milliseconds timeout) noexcept {
  if (shut_down_.exchange(true)) return true;
  bool done = false;
  {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    const std::uint64_t generation = ++flush_requested_;
    worker_cv_.notify_one();
    done = flush_done_cv_.wait_for(lock, timeout, [&] { return flush_completed_ >= generation; });
  }
  // The worker exits after its final drain; an exporter stuck past `timeout` still bounds this
  // by its own timeout.
  if (worker_.joinable()) worker_.join();
  const bool exporter_ok = exporter_->shutdown(timeout);
  return done && exporter_ok;
}

BatchSpanProcessorStats BatchSpanProcessor::stats() const noexcept {
  BatchSpanProcessorStats stats;
  stats.queue_depth = queue_.size();
  stats.queue_capacity = queue_.capacity();
  stats.dropped = dropped_.load(std::memory_order_relaxed);
  stats.exported = exported_.load(std::memory_order_relaxed);
  stats.export_failures = export_failures_.load(std::memory_order_relaxed);
  stats.failed_spans = failed_spans_.load(std::memory_order_relaxed);
  stats.wakeups = wakeups_.load(std::memory_order_relaxed);
  return stats;
}

void BatchSpanProcessor::run_worker() {
  std::unique_lock lock(mutex_);
  std::chrono::microseconds poll{0};
  while (true) {
    worker_cv_.wait_for(lock, poll.count() > 0 ? poll : options_.schedule_delay, [&] {
      return wake_requested_ || stopping_ || flush_requested_ != flush_completed_;
    });
    wake_requested_ = false;
    const bool stop = stopping_;
    const std::uint64_t flush_generation = flush_requested_;
    const bool flushing = flush_generation != flush_completed_;
    // Every push that claimed a slot before now belongs to this flush.
    const std::uint64_t until = flushing ? queue_.push_position() : 0;
    lock.unlock();

    // Waiting for a wake-up: a batch pushed from here on wakes the worker again.
    if (!polling_silently(poll)) worker_signalled_.store(false, std::memory_order_release);
    urgent_signalled_.store(false, std::memory_order_release);
    const std::size_t drained = drain(until);
    poll = next_poll_interval(poll, drained);
    // A batch that filled while producers still saw the worker polling woke nobody.
    if (!polling_silently(poll) && queue_.size() >= options_.max_export_batch_size) {
      poll = kFastestPoll;
    }
    worker_signalled_.store(polling_silently(poll), std::memory_order_release);
    bool flushed = true;
    if (flushing && !stop) flushed = exporter_->force_flush(options_.export_timeout);

    lock.lock();
    if (flushing) {
      flush_result_ = flushed;
      flush_completed_ = flush_generation;
      flush_done_cv_.notify_all();
    }
    if (stop) return;
  }
}

std::chrono::microseconds BatchSpanProcessor::next_poll_interval(
    std::chrono::microseconds poll, std::size_t drained) const noexcept {
  const std::size_t batch = options_.max_export_batch_size;
  if (poll.count() == 0) return drained >= batch ? kFastestPoll : poll;  // start polling
  if (drained >= batch) return std::max(poll / 2, kFastestPoll);
  // Between half a batch and a batch a poll: few spans wait, and the spans an export recycles
  // are back in the pool before producers run out. Slower only while the next interval, at
  // this rate, fills at most a quarter of the queue; past the schedule delay, back to waiting.
  if (2 * drained < batch && 2 * drained <= options_.max_queue_size / 4) {
    if (2 * poll > options_.schedule_delay) return std::chrono::microseconds(0);
    return 2 * poll;
  }
  return poll;
}

std::size_t BatchSpanProcessor::drain(std::uint64_t until) {
  std::size_t drained = 0;
  while (true) {
    std::unique_ptr<SpanData> span = queue_.try_pop();
    if (!span) {
      if (queue_.pop_position() >= until) break;
      // A producer claimed this slot before the flush began and is about to publish it.
      std::this_thread::yield();
      continue;
    }
    ++drained;
    batch_.push_back(std::move(span));
    if (batch_.size() >= options_.max_export_batch_size) export_batch();
  }
  if (!batch_.empty()) export_batch();
  return drained;
}

void BatchSpanProcessor::export_batch() {
  const auto count = static_cast<std::uint64_t>(batch_.size());
  if (exporter_->export_spans(batch_) == ExportResult::kSuccess) {
    exported_.fetch_add(count, std::memory_order_relaxed);
  } else {
    export_failures_.fetch_add(1, std::memory_order_relaxed);
    failed_spans_.fetch_add(count, std::memory_order_relaxed);
  }
  for (auto& span : batch_) recycle_span_data(std::move(span));
  batch_.clear();
}

}  // namespace tdemo::telemetry
