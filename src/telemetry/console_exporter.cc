#include "telemetry/console_exporter.h"

#include <cstdio>
#include <iostream>

namespace tdemo::telemetry {

ConsoleSpanExporter::ConsoleSpanExporter(std::ostream* out) : out_(out ? out : &std::cerr) {}

std::string format_span_line(const SpanData& span) {
  std::string line = "span ";
  const std::string_view service = span.resource ? span.resource->service_name() : "";
  line += service.empty() ? std::string_view("-") : service;
  line += ' ';
  line += span.name;
  line += " kind=";
  line += to_string(span.kind);
  line += " trace=" + span.context.trace_id().hex();
  line += " span=" + span.context.span_id().hex();
  line += " parent=";
  line += span.parent_span_id.valid() ? span.parent_span_id.hex() : "-";
  const std::uint64_t duration = span.end_time_unix_nano > span.start_time_unix_nano
                                     ? span.end_time_unix_nano - span.start_time_unix_nano
                                     : 0;
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), " duration=%.3fms", static_cast<double>(duration) / 1e6);
  line += buffer;
  line += " status=";
  line += to_string(span.status_code);
  if (!span.status_message.empty()) line += "(\"" + span.status_message + "\")";
  line += " attrs={";
  bool first = true;
  for (const auto& attribute : span.attributes) {
    if (!first) line += ", ";
    first = false;
    line += attribute.key;
    line += '=';
    line += to_display_string(attribute.value);
  }
  line += '}';
  if (!span.events.empty()) line += " events=" + std::to_string(span.events.size());
  return line;
}

ExportResult ConsoleSpanExporter::export_spans(const SpanBatch& batch) noexcept {
  try {
    std::string text;
    for (const auto& span : batch) {
      if (!span) continue;
      text += format_span_line(*span);
      text += '\n';
    }
    std::lock_guard lock(mutex_);
    if (shut_down_) return ExportResult::kFailure;
    out_->write(text.data(), static_cast<std::streamsize>(text.size()));
    out_->flush();
    return out_->good() ? ExportResult::kSuccess : ExportResult::kFailure;
  } catch (...) {
    return ExportResult::kFailure;
  }
}

bool ConsoleSpanExporter::force_flush(std::chrono::milliseconds) noexcept {
  std::lock_guard lock(mutex_);
  out_->flush();
  return true;
}

bool ConsoleSpanExporter::shutdown(std::chrono::milliseconds) noexcept {
  std::lock_guard lock(mutex_);
  shut_down_ = true;
  return true;
}

}  // namespace tdemo::telemetry
