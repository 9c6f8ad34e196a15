#include "telemetry/jaeger/thrift_exporter.h"

#include <iostream>
#include <string_view>
#include <utility>

#include "telemetry/jaeger/thrift_encoder.h"
#include "telemetry/otlp/http_sender.h"

namespace tdemo::telemetry::jaeger {
namespace {

otlp::ExporterLog stderr_unless_given(otlp::ExporterLog log) {
  if (log) return log;
  return [](std::string_view line) { std::cerr << "jaeger exporter: " << line << '\n'; };
}

}  // namespace

struct JaegerThriftExporter::Impl {
  explicit Impl(JaegerThriftExporterOptions o)
      : options(std::move(o)),
        log(otlp::rate_limited(stderr_unless_given(std::move(options.log)), options.log_interval)),
        sender(sender_options(options, log)) {}

  static otlp::HttpSenderOptions sender_options(const JaegerThriftExporterOptions& o,
                                                const otlp::ExporterLog& log) {
    otlp::HttpSenderOptions s;
    s.endpoint = o.endpoint;
    s.endpoint_kind = "Jaeger";
    s.user_agent = "tracing-demo-jaeger-thrift-exporter/" TD_VERSION;
    s.retry = o.retry;
    s.max_response_bytes = o.max_response_bytes;
    s.log = log;
    return s;
  }

  ExportResult export_batch(const SpanBatch& batch) {
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    for (ThriftBatch& part : encode_thrift_batches(batch)) {
      const std::string what = "export of " + std::to_string(part.span_count) + " spans";
      if (!sender.post(part.body, {"application/x-thrift", "", what}, deadline).ok) {
        return ExportResult::kFailure;
      }
    }
    return ExportResult::kSuccess;
  }

  JaegerThriftExporterOptions options;
  otlp::ExporterLog log;
  otlp::HttpSender sender;
};

JaegerThriftExporter::JaegerThriftExporter(JaegerThriftExporterOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

JaegerThriftExporter::~JaegerThriftExporter() = default;

ExportResult JaegerThriftExporter::export_spans(const SpanBatch& batch) noexcept {
  if (impl_->sender.is_shut_down()) return ExportResult::kFailure;
  if (batch.empty()) return ExportResult::kSuccess;
  try {
    return impl_->export_batch(batch);
  } catch (const std::exception& e) {
    otlp::write_log(impl_->log, std::string("export failed: ") + e.what());
    impl_->sender.close();
    return ExportResult::kFailure;
  }
}

bool JaegerThriftExporter::shutdown(std::chrono::milliseconds) noexcept {
  impl_->sender.shutdown();
  return true;
}

const std::string& JaegerThriftExporter::configuration_error() const noexcept {
  return impl_->sender.configuration_error();
}

}  // namespace tdemo::telemetry::jaeger
