#include "telemetry/otlp/grpc_exporter.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cctype>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "telemetry/otlp/protobuf_encoder.h"

namespace tdemo::telemetry::otlp {
namespace {

namespace collector = opentelemetry::proto::collector::trace::v1;
using Clock = std::chrono::steady_clock;

bool retryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return true;
    default:
      return false;
  }
}

// "host:port" and whether to use TLS, from the configured endpoint.
std::pair<std::string, bool> channel_target(std::string endpoint) {
  bool tls = false;
  if (endpoint.rfind("https://", 0) == 0) {
    tls = true;
    endpoint.erase(0, 8);
  } else if (endpoint.rfind("http://", 0) == 0) {
    endpoint.erase(0, 7);
  }
  if (const auto slash = endpoint.find('/'); slash != std::string::npos) endpoint.erase(slash);
  return {endpoint, tls};
}

}  // namespace

struct OtlpGrpcExporter::Impl {
  explicit Impl(GrpcExporterOptions o) : options(std::move(o)), random(std::random_device{}()) {
    options.log = rate_limited(std::move(options.log), options.log_interval);
    const auto [target, tls] = channel_target(options.endpoint);
    auto credentials = tls ? grpc::SslCredentials(grpc::SslCredentialsOptions()) : grpc::InsecureChannelCredentials();
    stub = collector::TraceService::NewStub(grpc::CreateChannel(target, credentials));
    for (const auto& [key, value] : options.headers) {
      std::string name = key;
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      metadata.emplace_back(std::move(name), value);
    }
  }

  ExportResult export_batch(const SpanBatch& batch) {
    const Clock::time_point deadline = Clock::now() + options.timeout;
    encode_protobuf(batch, body);
    collector::ExportTraceServiceRequest request;
    if (!request.ParseFromString(body)) {  // cannot happen for our encoder's output
      write_log(options.log, "internal error: encoded request does not parse");
      return ExportResult::kFailure;
    }
    const std::string what = "export of " + std::to_string(batch.size()) + " spans to " + options.endpoint;
    for (int attempt = 1;; ++attempt) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + (deadline - Clock::now()));
      for (const auto& [name, value] : metadata) context.AddMetadata(name, value);
      if (options.gzip) context.set_compression_algorithm(GRPC_COMPRESS_GZIP);
      collector::ExportTraceServiceResponse response;
      const grpc::Status status = stub->Export(&context, request, &response);
      if (status.ok()) {
        if (response.has_partial_success() &&
            (response.partial_success().rejected_spans() != 0 || !response.partial_success().error_message().empty())) {
          write_log(options.log, "partial success: server rejected " +
                                     std::to_string(response.partial_success().rejected_spans()) + " spans" +
                                     (response.partial_success().error_message().empty()
                                          ? ""
                                          : ": " + response.partial_success().error_message()));
        }
        return ExportResult::kSuccess;
      }
      const std::string message = "gRPC status " + std::to_string(status.error_code()) + " (" + status.error_message() + ")";
      if (!retryable(status.error_code())) {
        write_log(options.log, what + " failed: " + message);
        return ExportResult::kFailure;
      }
      if (attempt >= options.retry.max_attempts) {
        write_log(options.log, what + " failed after " + std::to_string(attempt) + " attempts: " + message);
        return ExportResult::kFailure;
      }
      const auto delay = backoff_delay(options.retry, attempt, random);
      if (Clock::now() + delay >= deadline) {
        write_log(options.log, what + " failed: " + message + "; no time left to retry within the timeout");
        return ExportResult::kFailure;
      }
      if (!shutdown_signal.wait_for(delay)) {
        write_log(options.log, what + " abandoned: shutting down");
        return ExportResult::kFailure;
      }
    }
  }

  GrpcExporterOptions options;
  std::unique_ptr<collector::TraceService::Stub> stub;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::string body;
  std::mt19937_64 random;
  ShutdownSignal shutdown_signal;
};

OtlpGrpcExporter::OtlpGrpcExporter(GrpcExporterOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

OtlpGrpcExporter::~OtlpGrpcExporter() = default;

ExportResult OtlpGrpcExporter::export_spans(const SpanBatch& batch) noexcept {
  if (impl_->shutdown_signal.triggered()) return ExportResult::kFailure;
  if (batch.empty()) return ExportResult::kSuccess;
  try {
    return impl_->export_batch(batch);
  } catch (const std::exception& e) {
    write_log(impl_->options.log, std::string("export failed: ") + e.what());
    return ExportResult::kFailure;
  }
}

bool OtlpGrpcExporter::shutdown(std::chrono::milliseconds) noexcept {
  impl_->shutdown_signal.trigger();
  return true;
}

}  // namespace tdemo::telemetry::otlp
