// ConsoleSpanExporter: one human-readable line per span, for DEBUG=true and local runs.
#pragma once

#include <mutex>
#include <ostream>

#include "telemetry/span_processor.h"

namespace tdemo::telemetry {

// Line format (one line; wrapped here):
//   span <service> <name> kind=SERVER trace=<32 hex> span=<16 hex> parent=<16 hex|->
//   duration=1.234ms status=ERROR("msg") attrs={k=v, ...} events=N
// Thread-safe: each batch is written under a mutex, one write per line.
class ConsoleSpanExporter final : public SpanExporter {
 public:
  // `out` must outlive the exporter; the default is std::cerr.
  explicit ConsoleSpanExporter(std::ostream* out = nullptr);

  ExportResult export_spans(const SpanBatch& batch) noexcept override;
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

 private:
  std::mutex mutex_;
  std::ostream* out_;
  bool shut_down_ = false;  // guarded by mutex_
};

// The line the console exporter writes for `span`, without the trailing newline.
std::string format_span_line(const SpanData& span);

}  // namespace tdemo::telemetry
