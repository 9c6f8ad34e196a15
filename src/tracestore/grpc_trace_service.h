// OTLP/gRPC ingest: opentelemetry.proto.collector.trace.v1.TraceService/Export on its own
// gRPC server threads, feeding the same OtlpIngest as OTLP/HTTP.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace tdemo::tracestore {

class OtlpIngest;

// Thread-safe. `ingest` must outlive the server.
class GrpcTraceServer {
 public:
  GrpcTraceServer(OtlpIngest& ingest, std::string auth_token);
  ~GrpcTraceServer();  // stop()
  GrpcTraceServer(const GrpcTraceServer&) = delete;
  GrpcTraceServer& operator=(const GrpcTraceServer&) = delete;

  // Binds host:port (port 0: ephemeral); an error text on failure.
  std::optional<std::string> start(const std::string& host, std::uint16_t port,
                                   std::size_t max_message_bytes);
  void stop();
  std::uint16_t port() const noexcept { return port_; }

 private:
  class Service;
  OtlpIngest& ingest_;
  std::string auth_token_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<class GrpcServerHolder> server_;
  std::uint16_t port_ = 0;
};

}  // namespace tdemo::tracestore
