// SimpleSpanProcessor: exports every sampled span synchronously as it ends. For tests, the
// console and debugging; production pipelines use BatchSpanProcessor.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "telemetry/span_processor.h"

namespace tdemo::telemetry {

// Thread-safe: on_end serialises exports under a mutex (so the exporter is never called
// concurrently), which makes it block the caller for the length of one export.
// Spans that are recorded but not sampled are not exported.
class SimpleSpanProcessor final : public SpanProcessor {
 public:
  explicit SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter);

  void on_end(std::unique_ptr<SpanData> span) noexcept override;
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

  SpanExporter& exporter() noexcept { return *exporter_; }

 private:
  std::mutex mutex_;
  std::unique_ptr<SpanExporter> exporter_;  // guarded by mutex_
  std::atomic<bool> shut_down_{false};
};

}  // namespace tdemo::telemetry
