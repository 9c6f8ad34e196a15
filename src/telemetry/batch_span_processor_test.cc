#include "telemetry/batch_span_processor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "telemetry/in_memory_exporter.h"
#include "telemetry/thread_name.h"

namespace tdemo::telemetry {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<SpanData> sampled_span(std::string name = "s") {
  auto span = std::make_unique<SpanData>();
  span->context = SpanContext(random_trace_id(), random_span_id(), kTraceFlagSampled, false);
  span->name = std::move(name);
  return span;
}

// An exporter that blocks every export until released, to fill the queue deterministically.
class GatedExporter final : public SpanExporter {
 public:
  ExportResult export_spans(const SpanBatch& batch) noexcept override {
    std::unique_lock lock(mutex_);
    ++calls_in_progress_;
    entered_.notify_all();
    released_cv_.wait(lock, [&] { return released_; });
    exported_ += batch.size();
    batch_sizes_.push_back(batch.size());
    return result_;
  }
  bool shutdown(milliseconds) noexcept override { return true; }

  void wait_until_exporting() {
    std::unique_lock lock(mutex_);
    entered_.wait(lock, [&] { return calls_in_progress_ > 0; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    released_cv_.notify_all();
  }
  std::size_t exported() {
    std::lock_guard lock(mutex_);
    return exported_;
  }
  std::vector<std::size_t> batch_sizes() {
    std::lock_guard lock(mutex_);
    return batch_sizes_;
  }
  void fail() { result_ = ExportResult::kFailure; }

 private:
  std::mutex mutex_;
  std::condition_variable entered_, released_cv_;
  int calls_in_progress_ = 0;
  bool released_ = false;
  std::size_t exported_ = 0;
  std::vector<std::size_t> batch_sizes_;
  ExportResult result_ = ExportResult::kSuccess;
};

BatchSpanProcessorOptions options(std::size_t queue, std::size_t batch,
                                  milliseconds delay = milliseconds(60000)) {
  BatchSpanProcessorOptions o;
  o.max_queue_size = queue;
  o.max_export_batch_size = batch;
  o.schedule_delay = delay;
  o.export_timeout = milliseconds(10000);
  return o;
}

TEST(BatchSpanProcessorTest, ForceFlushExportsEverythingQueued) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto* spans = exporter.get();
  BatchSpanProcessor processor(std::move(exporter), options(100, 10));
  for (int i = 0; i < 25; ++i) processor.on_end(sampled_span());
  EXPECT_TRUE(processor.force_flush(milliseconds(10000)));
  EXPECT_EQ(spans->size(), 25u);
  EXPECT_EQ(processor.stats().exported, 25u);
  EXPECT_EQ(processor.stats().queue_depth, 0u);
  EXPECT_EQ(processor.stats().queue_capacity, 100u);
}

// The worker is named, so `top -H` and `perf report --sort comm` show the export's own CPU.
TEST(BatchSpanProcessorTest, ExportsOnAThreadNamedSpanExport) {
  class NameRecordingExporter final : public SpanExporter {
   public:
    explicit NameRecordingExporter(std::string& name) : name_(name) {}
    ExportResult export_spans(const SpanBatch&) noexcept override {
      name_ = current_thread_name();
      return ExportResult::kSuccess;
    }
    bool shutdown(milliseconds) noexcept override { return true; }

   private:
    std::string& name_;
  };
  std::string name;
  BatchSpanProcessor processor(std::make_unique<NameRecordingExporter>(name), options(10, 5));
  processor.on_end(sampled_span());
  ASSERT_TRUE(processor.force_flush(milliseconds(10000)));
  EXPECT_EQ(name, "span-export");
}

TEST(BatchSpanProcessorTest, NotSampledSpansAreNotExported) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto* spans = exporter.get();
  BatchSpanProcessor processor(std::move(exporter), options(10, 5));
  auto span = sampled_span();
  span->context = SpanContext(random_trace_id(), random_span_id(), 0, false);
  processor.on_end(std::move(span));
  EXPECT_TRUE(processor.force_flush(milliseconds(10000)));
  EXPECT_EQ(spans->size(), 0u);
  EXPECT_EQ(processor.stats().dropped, 0u);
}

TEST(BatchSpanProcessorTest, QueueOverflowDropsAndCounts) {
  auto exporter = std::make_unique<GatedExporter>();
  auto* gate = exporter.get();
  // Batch of 1: the first span wakes the worker, which then blocks inside the export.
  auto o = options(4, 1);
  std::atomic<int> reports{0};
  std::atomic<std::uint64_t> reported_total{0};
  o.on_drop = [&](std::uint64_t total) {
    ++reports;
    reported_total = total;
  };
  o.drop_report_interval = std::chrono::hours(1);
  BatchSpanProcessor processor(std::move(exporter), o);
  processor.on_end(sampled_span());
  gate->wait_until_exporting();
  for (int i = 0; i < 10; ++i) processor.on_end(sampled_span());  // 4 fit, 6 dropped
  EXPECT_EQ(processor.stats().dropped, 6u);
  EXPECT_EQ(processor.stats().queue_depth, 4u);
  EXPECT_EQ(reports.load(), 1);  // rate-limited: one report for the burst
  EXPECT_EQ(reported_total.load(), 1u);
  gate->release();
  EXPECT_TRUE(processor.shutdown(milliseconds(10000)));
  EXPECT_EQ(gate->exported(), 5u);
  EXPECT_EQ(processor.stats().exported, 5u);
}

TEST(BatchSpanProcessorTest, BatchesNeverExceedTheMaximum) {
  auto exporter = std::make_unique<GatedExporter>();
  auto* gate = exporter.get();
  gate->release();
  BatchSpanProcessor processor(std::move(exporter), options(1000, 7));
  for (int i = 0; i < 100; ++i) processor.on_end(sampled_span());
  EXPECT_TRUE(processor.force_flush(milliseconds(10000)));
  std::size_t total = 0;
  for (auto size : gate->batch_sizes()) {
    EXPECT_LE(size, 7u);
    total += size;
  }
  EXPECT_EQ(total, 100u);
}

TEST(BatchSpanProcessorTest, ScheduleDelayExportsWithoutFlush) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto* spans = exporter.get();
  BatchSpanProcessor processor(std::move(exporter), options(100, 50, milliseconds(5)));
  processor.on_end(sampled_span());
  for (int i = 0; i < 2000 && spans->size() == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(spans->size(), 1u);
}

TEST(BatchSpanProcessorTest, ASteadyStreamOfSpansRarelyWakesTheWorker) {
  // Waking the worker is a futex call per batch; while spans keep coming the worker polls
  // instead. 300 batches, a little apart: one wake-up starts the polling, and a few more are
  // allowed for when this thread is descheduled long enough for a poll to find nothing.
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto* spans = exporter.get();
  constexpr int kBatch = 64;
  constexpr int kBatches = 300;
  BatchSpanProcessor processor(std::move(exporter), options(65536, kBatch));
  for (int batch = 0; batch < kBatches; ++batch) {
    for (int i = 0; i < kBatch; ++i) processor.on_end(sampled_span());
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  EXPECT_TRUE(processor.force_flush(milliseconds(10000)));
  const auto stats = processor.stats();
  EXPECT_EQ(spans->size(), static_cast<std::size_t>(kBatch * kBatches));
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_GE(stats.wakeups, 1u);
  EXPECT_LE(stats.wakeups, static_cast<std::uint64_t>(kBatches / 10)) << "a wake-up per batch";
}

TEST(BatchSpanProcessorTest, APollingWorkerGoesBackToWaitingAndIsWokenAgain) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto* spans = exporter.get();
  BatchSpanProcessor processor(std::move(exporter), options(1024, 8));
  for (int round = 1; round <= 3; ++round) {
    for (int i = 0; i < 8; ++i) processor.on_end(sampled_span());  // a full batch: exported
    for (int i = 0; i < 2000 && spans->size() < static_cast<std::size_t>(8 * round); ++i) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    EXPECT_EQ(spans->size(), static_cast<std::size_t>(8 * round)) << "round " << round;
    std::this_thread::sleep_for(milliseconds(50));  // the polls find nothing: back to waiting
  }
  EXPECT_GE(processor.stats().wakeups, 3u);
}

TEST(BatchSpanProcessorTest, ExportFailuresAreCounted) {
  auto exporter = std::make_unique<GatedExporter>();
  exporter->fail();
  exporter->release();
  BatchSpanProcessor processor(std::move(exporter), options(100, 10));
  for (int i = 0; i < 15; ++i) processor.on_end(sampled_span());
  processor.force_flush(milliseconds(10000));
  const auto stats = processor.stats();
  EXPECT_EQ(stats.exported, 0u);
  EXPECT_EQ(stats.failed_spans, 15u);
  EXPECT_EQ(stats.export_failures, 2u);
}

TEST(BatchSpanProcessorTest, FlushAndShutdownWithSpansFromSeveralThreads) {
  constexpr int kThreads = 4;
  constexpr int kSpansPerThread = 2000;
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto* spans = exporter.get();
  BatchSpanProcessor processor(std::move(exporter),
                               options(kThreads * kSpansPerThread, 64, milliseconds(1)));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&processor, t] {
      for (int i = 0; i < kSpansPerThread; ++i) {
        processor.on_end(sampled_span(std::to_string(t) + "/" + std::to_string(i)));
        if (i == kSpansPerThread / 2 && t == 0) processor.force_flush(milliseconds(10000));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_TRUE(processor.shutdown(milliseconds(10000)));
  const auto exported = spans->spans();
  EXPECT_EQ(exported.size(), static_cast<std::size_t>(kThreads * kSpansPerThread));
  std::set<std::string> names;
  for (const auto& span : exported) names.insert(span.name);
  EXPECT_EQ(names.size(), exported.size());  // each exactly once
  EXPECT_EQ(processor.stats().dropped, 0u);
}

TEST(BatchSpanProcessorTest, FlushSeesSpansEndedBeforeItFromOtherThreads) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto* spans = exporter.get();
  BatchSpanProcessor processor(std::move(exporter), options(10000, 512));
  for (int round = 0; round < 20; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&processor] {
        for (int i = 0; i < 50; ++i) processor.on_end(sampled_span());
      });
    }
    for (auto& thread : threads) thread.join();
    ASSERT_TRUE(processor.force_flush(milliseconds(10000)));
    ASSERT_EQ(spans->size(), static_cast<std::size_t>((round + 1) * 150));
  }
}

TEST(BatchSpanProcessorTest, AfterShutdownSpansAreDroppedAndCallsAreSafe) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  BatchSpanProcessor processor(std::move(exporter), options(10, 5));
  EXPECT_TRUE(processor.shutdown(milliseconds(10000)));
  EXPECT_TRUE(processor.shutdown(milliseconds(10000)));
  processor.on_end(sampled_span());
  EXPECT_EQ(processor.stats().dropped, 1u);
  EXPECT_FALSE(processor.force_flush(milliseconds(100)));
}

TEST(BoundedSpanQueueTest, FifoAndCapacity) {
  BoundedSpanQueue queue(3);
  for (int i = 0; i < 3; ++i) {
    auto span = sampled_span(std::to_string(i));
    EXPECT_TRUE(queue.try_push(span));
    EXPECT_EQ(span, nullptr);
  }
  auto extra = sampled_span("extra");
  EXPECT_FALSE(queue.try_push(extra));
  EXPECT_NE(extra, nullptr);  // not consumed on failure
  EXPECT_EQ(queue.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(queue.try_pop()->name, std::to_string(i));
  EXPECT_EQ(queue.try_pop(), nullptr);
  EXPECT_TRUE(queue.try_push(extra));  // the ring wraps around
  EXPECT_EQ(queue.try_pop()->name, "extra");
}

}  // namespace
}  // namespace tdemo::telemetry
