#include "telemetry/in_memory_exporter.h"

namespace tdemo::telemetry {

InMemorySpanExporter::InMemorySpanExporter(std::size_t max_spans) : max_spans_(max_spans) {}

ExportResult InMemorySpanExporter::export_spans(const SpanBatch& batch) noexcept {
  std::lock_guard lock(mutex_);
  if (shut_down_) return ExportResult::kFailure;
  for (const auto& span : batch) {
    if (!span) continue;
    if (spans_.size() >= max_spans_) {
      ++dropped_;
      continue;
    }
    spans_.push_back(*span);
  }
  return ExportResult::kSuccess;
}

bool InMemorySpanExporter::shutdown(std::chrono::milliseconds) noexcept {
  std::lock_guard lock(mutex_);
  shut_down_ = true;
  return true;
}

std::vector<SpanData> InMemorySpanExporter::spans() const {
  std::lock_guard lock(mutex_);
  return spans_;
}

std::vector<SpanData> InMemorySpanExporter::spans_named(std::string_view name) const {
  std::lock_guard lock(mutex_);
  std::vector<SpanData> out;
  for (const auto& span : spans_) {
    if (span.name == name) out.push_back(span);
  }
  return out;
}

std::vector<SpanData> InMemorySpanExporter::take() {
  std::lock_guard lock(mutex_);
  std::vector<SpanData> out;
  out.swap(spans_);
  return out;
}

std::size_t InMemorySpanExporter::size() const {
  std::lock_guard lock(mutex_);
  return spans_.size();
}

std::size_t InMemorySpanExporter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void InMemorySpanExporter::clear() {
  std::lock_guard lock(mutex_);
  spans_.clear();
  dropped_ = 0;
}

}  // namespace tdemo::telemetry
