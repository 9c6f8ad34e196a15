// `tracing-demo traces` (the embedded trace store) as a child process on free loopback ports,
// Jaeger Thrift port included, so that parallel tests never share a store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/process.h"

namespace tdemo::test {

struct TraceStoreOptions {
  std::vector<std::string> extra_args;  // e.g. {"--auth-token", "s3cret"}
  std::uint16_t jaeger_port = 0;        // the Jaeger Thrift port; 0: a free one
};

class TraceStoreProcess {
 public:
  // `binary`: the tracing-demo executable (integration tests pass TD_BINARY).
  explicit TraceStoreProcess(const std::string& binary, const TraceStoreOptions& options = {});

  std::string otlp() const;             // http://127.0.0.1:<OTLP/HTTP port>
  std::string ui() const;               // the UI and the Jaeger query API
  std::string jaeger_endpoint() const;  // where Jaeger Thrift batches are POSTed
  // True once the start-up line says the Jaeger Thrift port is served (false: it was taken).
  bool serves_jaeger_thrift() const;

  std::uint16_t otlp_port = 0, grpc_port = 0, ui_port = 0, jaeger_port = 0;
  std::unique_ptr<Process> process;
  bool ready = false;  // the UI answered within 30 s
};

// The hex id of tracestore::testing::trace_id(n) ("ab" and n in 30 hex digits).
std::string trace_hex(std::uint64_t n);

// Now, in nanoseconds since the Unix epoch.
std::uint64_t now_unix_ns();

}  // namespace tdemo::test
