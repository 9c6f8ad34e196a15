// InMemorySpanExporter: keeps exported spans in memory so tests can look at them.
//
// Usage (tests and integration code):
//   auto exporter = std::make_unique<InMemorySpanExporter>();
//   InMemorySpanExporter* spans = exporter.get();   // stays valid while the provider lives
//   options.processors.push_back(std::make_unique<SimpleSpanProcessor>(std::move(exporter)));
//   ... run code ...; provider.force_flush();
//   for (const SpanData& span : spans->spans()) ...
// Or let Telemetry build it: ExporterKind::kInMemory, then telemetry.in_memory_exporter().
#pragma once

#include <cstddef>
#include <mutex>
#include <string_view>
#include <vector>

#include "telemetry/span_processor.h"

namespace tdemo::telemetry {

// Thread-safe: every member may be called from any thread.
class InMemorySpanExporter final : public SpanExporter {
 public:
  static constexpr std::size_t kDefaultMaxSpans = 100'000;

  // Beyond `max_spans` stored spans, new ones are dropped and counted.
  explicit InMemorySpanExporter(std::size_t max_spans = kDefaultMaxSpans);

  ExportResult export_spans(const SpanBatch& batch) noexcept override;
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

  // A copy of every span stored so far, in export order.
  std::vector<SpanData> spans() const;
  // The stored spans with this name (copies), in export order.
  std::vector<SpanData> spans_named(std::string_view name) const;
  // Moves the stored spans out, leaving the exporter empty.
  std::vector<SpanData> take();
  std::size_t size() const;
  std::size_t dropped() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::vector<SpanData> spans_;  // guarded by mutex_
  std::size_t max_spans_;
  std::size_t dropped_ = 0;  // guarded by mutex_
  bool shut_down_ = false;   // guarded by mutex_
};

}  // namespace tdemo::telemetry
