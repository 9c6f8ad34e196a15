#include "tracestore/grpc_trace_service.h"

#include <grpcpp/grpcpp.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "tracestore/otlp_ingest.h"

namespace tdemo::tracestore {

namespace otlp_v1 = opentelemetry::proto::collector::trace::v1;

class GrpcServerHolder {
 public:
  std::unique_ptr<grpc::Server> server;
};

// Takes the request as raw bytes so the one OTLP decoder handles every transport.
class GrpcTraceServer::Service final
    : public otlp_v1::TraceService::WithRawCallbackMethod_Export<otlp_v1::TraceService::Service> {
 public:
  Service(OtlpIngest& ingest, const std::string& token) : ingest_(ingest), token_(token) {}

  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    auto* reactor = context->DefaultReactor();
    if (!token_.empty()) {
      const auto& metadata = context->client_metadata();
      auto it = metadata.find("authorization");
      if (it == metadata.end() || std::string_view(it->second.data(), it->second.size()) != "Bearer " + token_) {
        reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing or invalid bearer token"));
        return reactor;
      }
    }
    std::vector<grpc::Slice> slices;
    std::string body;
    if (request && request->Dump(&slices).ok()) {
      for (const auto& s : slices) body.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    const IngestOutcome outcome = ingest_.ingest(body, telemetry::otlp::Format::kProtobuf);
    switch (outcome.kind) {
      case IngestOutcome::Kind::kMalformed:
        reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, outcome.message));
        return reactor;
      case IngestOutcome::Kind::kUnavailable:
        reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, outcome.message));
        return reactor;
      case IngestOutcome::Kind::kOk: break;
    }
    otlp_v1::ExportTraceServiceResponse answer;
    if (outcome.rejected > 0 || !outcome.message.empty()) {
      answer.mutable_partial_success()->set_rejected_spans(outcome.rejected);
      answer.mutable_partial_success()->set_error_message(outcome.message);
    }
    const std::string bytes = answer.SerializeAsString();
    grpc::Slice slice(bytes);
    *response = grpc::ByteBuffer(&slice, 1);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  OtlpIngest& ingest_;
  const std::string& token_;
};

GrpcTraceServer::GrpcTraceServer(OtlpIngest& ingest, std::string auth_token)
    : ingest_(ingest), auth_token_(std::move(auth_token)) {}

GrpcTraceServer::~GrpcTraceServer() { stop(); }

std::optional<std::string> GrpcTraceServer::start(const std::string& host, std::uint16_t port,
                                                  std::size_t max_message_bytes) {
  service_ = std::make_unique<Service>(ingest_, auth_token_);
  grpc::ServerBuilder builder;
  int selected = 0;
  builder.AddListeningPort(host + ":" + std::to_string(port), grpc::InsecureServerCredentials(), &selected);
  builder.SetMaxReceiveMessageSize(static_cast<int>(max_message_bytes));
  builder.RegisterService(service_.get());
  server_ = std::make_unique<GrpcServerHolder>();
  server_->server = builder.BuildAndStart();
  if (!server_->server || selected == 0) {
    server_.reset();
    return "cannot listen for OTLP/gRPC on " + host + ":" + std::to_string(port);
  }
  port_ = static_cast<std::uint16_t>(selected);
  return std::nullopt;
}

void GrpcTraceServer::stop() {
  if (server_ && server_->server) {
    server_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_->server->Wait();
  }
  server_.reset();
}

}  // namespace tdemo::tracestore
