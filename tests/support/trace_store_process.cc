#include "support/trace_store_process.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "support/http_client.h"

namespace tdemo::test {

using namespace std::chrono_literals;

TraceStoreProcess::TraceStoreProcess(const std::string& binary, const TraceStoreOptions& options) {
  const auto ports = free_ports(4);
  otlp_port = ports[0];
  grpc_port = ports[1];
  ui_port = ports[2];
  jaeger_port = options.jaeger_port != 0 ? options.jaeger_port : ports[3];
  ProcessOptions process_options;
  process_options.args = {"traces",      "--otlp-http-port", std::to_string(otlp_port),
                          "--otlp-grpc-port", std::to_string(grpc_port), "--ui-port",
                          std::to_string(ui_port), "--jaeger-thrift-port",
                          std::to_string(jaeger_port)};
  process_options.args.insert(process_options.args.end(), options.extra_args.begin(),
                              options.extra_args.end());
  process = std::make_unique<Process>(binary, process_options);
  ready = wait_for_http(ui() + "/", 30s);
}

std::string TraceStoreProcess::otlp() const {
  return "http://127.0.0.1:" + std::to_string(otlp_port);
}

std::string TraceStoreProcess::ui() const { return "http://127.0.0.1:" + std::to_string(ui_port); }

std::string TraceStoreProcess::jaeger_endpoint() const {
  return "http://127.0.0.1:" + std::to_string(jaeger_port) + "/api/traces";
}

bool TraceStoreProcess::serves_jaeger_thrift() const {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = process->stdout_text();
    if (out.find("UI and Jaeger API") != std::string::npos) {
      return out.find("Jaeger Thrift " + jaeger_endpoint()) != std::string::npos;
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

std::string trace_hex(std::uint64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "ab%030llx", static_cast<unsigned long long>(n));
  return buf;
}

std::uint64_t now_unix_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace tdemo::test
