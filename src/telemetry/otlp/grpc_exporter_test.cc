#include "telemetry/otlp/grpc_exporter.h"

#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <deque>
#include <mutex>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/test_spans.h"
#include "telemetry/otlp/test_log_lines.h"

namespace tdemo::telemetry::otlp {
namespace {

using namespace std::chrono_literals;
using testing::LogLines;
namespace collector = opentelemetry::proto::collector::trace::v1;

// A TraceService answering with scripted statuses (then OK), recording requests and metadata.
class ScriptedTraceService final : public collector::TraceService::Service {
 public:
  explicit ScriptedTraceService(std::deque<grpc::Status> script = {}) : script_(std::move(script)) {}

  grpc::Status Export(grpc::ServerContext* context, const collector::ExportTraceServiceRequest* request,
                      collector::ExportTraceServiceResponse* response) override {
    std::lock_guard lock(mutex_);
    requests_.push_back(request->SerializeAsString());
    for (const auto& [name, value] : context->client_metadata()) {
      metadata_[std::string(name.data(), name.size())] = std::string(value.data(), value.size());
    }
    if (!script_.empty()) {
      grpc::Status status = script_.front();
      script_.pop_front();
      return status;
    }
    if (reject_) {
      response->mutable_partial_success()->set_rejected_spans(1);
      response->mutable_partial_success()->set_error_message("one bad span");
    }
    return grpc::Status::OK;
  }

  std::vector<std::string> requests() const { std::lock_guard lock(mutex_); return requests_; }
  std::map<std::string, std::string> metadata() const { std::lock_guard lock(mutex_); return metadata_; }
  void set_reject() { std::lock_guard lock(mutex_); reject_ = true; }

 private:
  mutable std::mutex mutex_;
  std::deque<grpc::Status> script_;
  std::vector<std::string> requests_;
  std::map<std::string, std::string> metadata_;
  bool reject_ = false;
};

// The service on a free loopback port for the duration of a test.
struct TestServer {
  explicit TestServer(ScriptedTraceService& service) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
  }
  ~TestServer() { server->Shutdown(std::chrono::system_clock::now() + 1s); }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port); }
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

GrpcExporterOptions fast_options(const std::string& endpoint, LogLines& log) {
  return testing::fast_options<GrpcExporterOptions>(endpoint, log);
}

TEST(GrpcExporter, ExportsWithMetadataAndGzip) {
  ScriptedTraceService service;
  TestServer server(service);
  ASSERT_NE(server.port, 0);
  LogLines log;
  auto options = fast_options(server.endpoint(), log);
  options.headers = {{"Authorization", "Bearer t"}};
  options.gzip = true;
  OtlpGrpcExporter exporter(options);
  const SpanBatch batch = testing::full_batch();
  ASSERT_EQ(exporter.export_spans(batch), ExportResult::kSuccess) << log.joined();
  const auto requests = service.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(service.metadata().at("authorization"), "Bearer t");
  const DecodeResult decoded = decode_export_request(requests[0], Format::kProtobuf);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  testing::expect_same_batch(batch, decoded.spans);
}

TEST(GrpcExporter, RetriesUnavailableAndResourceExhausted) {
  ScriptedTraceService service({grpc::Status(grpc::StatusCode::UNAVAILABLE, "starting"),
                                grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "busy")});
  TestServer server(service);
  LogLines log;
  OtlpGrpcExporter exporter(fast_options(server.endpoint(), log));
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(2)), ExportResult::kSuccess) << log.joined();
  EXPECT_EQ(service.requests().size(), 3u);
}

TEST(GrpcExporter, DoesNotRetryInvalidArgument) {
  ScriptedTraceService service({grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad")});
  TestServer server(service);
  LogLines log;
  OtlpGrpcExporter exporter(fast_options(server.endpoint(), log));
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(service.requests().size(), 1u);
  EXPECT_NE(log.joined().find("bad"), std::string::npos) << log.joined();
}

TEST(GrpcExporter, LogsPartialSuccess) {
  ScriptedTraceService service;
  service.set_reject();
  TestServer server(service);
  LogLines log;
  OtlpGrpcExporter exporter(fast_options(server.endpoint(), log));
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kSuccess);
  EXPECT_NE(log.joined().find("rejected 1 spans: one bad span"), std::string::npos) << log.joined();
}

TEST(GrpcExporter, UnreachableServerFailsWithinTheTimeout) {
  int port = 0;
  {
    ScriptedTraceService service;
    TestServer gone(service);
    port = gone.port;
  }
  LogLines log;
  auto options = fast_options("http://127.0.0.1:" + std::to_string(port), log);
  options.timeout = 500ms;
  OtlpGrpcExporter exporter(options);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);  // generous: only "does not hang"
  EXPECT_FALSE(log.joined().empty());
}

}  // namespace
}  // namespace tdemo::telemetry::otlp
