// The OTLP/HTTP exporter: encodes (protobuf or JSON, optionally gzipped), POSTs through
// HttpSender (the shared retrying transport), and reports partial success.
#include "telemetry/otlp/http_exporter.h"

#include <boost/json.hpp>

#include <charconv>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/gzip.h"
#include "telemetry/otlp/json_encoder.h"
#include "telemetry/otlp/protobuf_encoder.h"

namespace tdemo::telemetry::otlp {
namespace {

// "rejected N spans: message" from a 2xx body, or "" when the server accepted everything.
std::string partial_success_of(std::string_view body, bool json) {
  if (body.empty()) return {};
  std::int64_t rejected = 0;
  std::string message;
  if (json) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) return {};
    const auto* ps = v.get_object().if_contains("partialSuccess");
    if (ps == nullptr || !ps->is_object()) return {};
    if (const auto* r = ps->get_object().if_contains("rejectedSpans")) {
      if (r->is_int64()) rejected = r->get_int64();
      if (r->is_string()) std::from_chars(r->get_string().data(), r->get_string().data() + r->get_string().size(), rejected);
    }
    if (const auto* m = ps->get_object().if_contains("errorMessage"); m && m->is_string()) message = m->get_string();
  } else {
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response;
    if (!response.ParseFromArray(body.data(), static_cast<int>(body.size())) || !response.has_partial_success()) return {};
    rejected = response.partial_success().rejected_spans();
    message = response.partial_success().error_message();
  }
  if (rejected == 0 && message.empty()) return {};
  return "partial success: server rejected " + std::to_string(rejected) + " spans" +
         (message.empty() ? "" : ": " + message);
}

}  // namespace

struct OtlpHttpExporter::Impl {
  explicit Impl(HttpExporterOptions o)
      : options(std::move(o)), sender(sender_options(options)) {}

  static HttpSenderOptions sender_options(HttpExporterOptions& o) {
    o.log = rate_limited(std::move(o.log), o.log_interval);
    HttpSenderOptions s;
    s.endpoint = o.endpoint;
    s.endpoint_kind = "OTLP";
    s.headers = o.headers;
    s.user_agent = "OTel-OTLP-Exporter-Cpp tracing-demo/" TD_VERSION;
    s.retry = o.retry;
    s.max_response_bytes = o.max_response_bytes;
    s.log = o.log;
    return s;
  }

  ExportResult export_batch(const SpanBatch& batch) {
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    if (options.json) encode_json(batch, body); else encode_protobuf(batch, body);
    std::string compressed;
    if (options.gzip) compressed = gzip_compress(body);
    const std::string what = "export of " + std::to_string(batch.size()) + " spans";
    const HttpSendResult r =
        sender.post(options.gzip ? compressed : body,
                    {options.json ? "application/json" : "application/x-protobuf",
                     options.gzip ? "gzip" : "", what},
                    deadline);
    if (!r.ok) return ExportResult::kFailure;
    const bool json = r.response_content_type.find("json") != std::string::npos;
    if (const std::string partial = partial_success_of(r.response_body, json); !partial.empty()) {
      write_log(options.log, partial);
    }
    return ExportResult::kSuccess;
  }

  HttpExporterOptions options;
  HttpSender sender;
  std::string body;  // reused encoding buffer
};

OtlpHttpExporter::OtlpHttpExporter(HttpExporterOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

OtlpHttpExporter::~OtlpHttpExporter() = default;

ExportResult OtlpHttpExporter::export_spans(const SpanBatch& batch) noexcept {
  if (impl_->sender.is_shut_down()) return ExportResult::kFailure;
  if (batch.empty()) return ExportResult::kSuccess;
  try {
    return impl_->export_batch(batch);
  } catch (const std::exception& e) {
    write_log(impl_->options.log, std::string("export failed: ") + e.what());
    impl_->sender.close();
    return ExportResult::kFailure;
  }
}

bool OtlpHttpExporter::shutdown(std::chrono::milliseconds) noexcept {
  impl_->sender.shutdown();
  return true;
}

const std::string& OtlpHttpExporter::configuration_error() const noexcept {
  return impl_->sender.configuration_error();
}

}  // namespace tdemo::telemetry::otlp
