// Span processors (the pipeline between span end and export) and exporters.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "telemetry/context.h"
#include "telemetry/span_data.h"

namespace tdemo::telemetry {

enum class ExportResult { kSuccess, kFailure };

using SpanBatch = std::vector<std::unique_ptr<SpanData>>;

// Sends batches of finished spans somewhere. export_spans is never called concurrently by the
// SDK's processors; force_flush and shutdown may be called from another thread.
class SpanExporter {
 public:
  SpanExporter() = default;
  SpanExporter(const SpanExporter&) = delete;
  SpanExporter& operator=(const SpanExporter&) = delete;
  virtual ~SpanExporter() = default;

  virtual ExportResult export_spans(const SpanBatch& batch) noexcept = 0;
  virtual bool force_flush(std::chrono::milliseconds timeout) noexcept {
    (void)timeout;
    return true;
  }
  // After shutdown, export_spans returns kFailure without doing anything.
  virtual bool shutdown(std::chrono::milliseconds timeout) noexcept = 0;
};

// Receives spans as they start and end. on_start and on_end are called concurrently from any
// thread and must not block; implementations are thread-safe.
class SpanProcessor {
 public:
  SpanProcessor() = default;
  SpanProcessor(const SpanProcessor&) = delete;
  SpanProcessor& operator=(const SpanProcessor&) = delete;
  virtual ~SpanProcessor() = default;

  virtual void on_start(SpanData& span, const Context& parent) noexcept {
    (void)span;
    (void)parent;
  }
  virtual void on_end(std::unique_ptr<SpanData> span) noexcept = 0;
  // Exports everything ended before the call; true if that finished within the timeout.
  virtual bool force_flush(std::chrono::milliseconds timeout) noexcept = 0;
  // Flushes, then shuts the exporter down; later on_end calls drop their span.
  virtual bool shutdown(std::chrono::milliseconds timeout) noexcept = 0;
};

}  // namespace tdemo::telemetry
