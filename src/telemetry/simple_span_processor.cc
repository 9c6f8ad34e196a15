#include "telemetry/simple_span_processor.h"

#include "telemetry/span_data_pool.h"

namespace tdemo::telemetry {

SimpleSpanProcessor::SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter)
    : exporter_(std::move(exporter)) {}

void SimpleSpanProcessor::on_end(std::unique_ptr<SpanData> span) noexcept {
  if (!span || !span->context.sampled() || shut_down_.load(std::memory_order_acquire)) {
    recycle_span_data(std::move(span));
    return;
  }
  SpanBatch batch;
  batch.push_back(std::move(span));
  {
    std::lock_guard lock(mutex_);
    exporter_->export_spans(batch);
  }
  recycle_span_data(std::move(batch.front()));
}

bool SimpleSpanProcessor::force_flush(std::chrono::milliseconds timeout) noexcept {
  std::lock_guard lock(mutex_);
  return exporter_->force_flush(timeout);
}

bool SimpleSpanProcessor::shutdown(std::chrono::milliseconds timeout) noexcept {
  if (shut_down_.exchange(true)) return true;
  std::lock_guard lock(mutex_);
  return exporter_->shutdown(timeout);
}

}  // namespace tdemo::telemetry
