// The embedded trace store as one object: OTLP/HTTP ingest (POST /v1/traces), OTLP/gRPC ingest
// (TraceService/Export), Jaeger Thrift ingest (POST /api/traces, on its own port 14268 like
// Jaeger's collector, and on the OTLP/HTTP port), and the query API + web UI + /metrics, over one in-memory store with
// optional SQLite persistence. Used by `tracing-demo traces` and, in-process, by `all`.
//
//   http::IoPool pool(2);
//   metrics::Registry registry;
//   tracestore::TraceStoreServer store(pool, &registry, options);
//   if (auto error = store.start()) { ... }   // loads SQLite, binds every port
//   pool.start();
//   ... services export to http://127.0.0.1:<store.otlp_http_port()>/v1/traces ...
//   store.stop();  pool.stop();
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tracestore/otlp_ingest.h"
#include "tracestore/trace_store.h"

namespace tdemo::http { class IoPool; }
namespace tdemo::metrics { class Registry; }

namespace tdemo::tracestore {

struct TraceStoreServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t otlp_http_port = 4318;  // 0: ephemeral (see otlp_http_port())
  std::uint16_t ui_port = 16686;        // query API, UI and /metrics
  std::uint16_t otlp_grpc_port = 4317;
  bool enable_grpc = true;
  // Jaeger clients' collector endpoint. Optional: when the port cannot be bound (another store
  // or a Jaeger has it), the store still starts, without it (see jaeger_thrift_problem()).
  std::uint16_t jaeger_thrift_port = 14268;  // 0: ephemeral
  bool enable_jaeger_thrift = true;
  TraceStoreOptions store;              // max_traces, max_spans_per_trace
  IngestOptions ingest;                 // body size limits
  std::string storage;                  // "" (memory only) or "sqlite:PATH"
  std::chrono::seconds retention{72 * 3600};  // SQLite rows older than this are deleted
  std::string auth_token;               // non-empty: ingest and query need "Bearer <token>"
  bool serve_ui = true;
  bool access_log = false;
};

// Parses "72h", "30m", "3600s", "1.5h" (Go durations) into seconds; nullopt when invalid.
std::optional<std::chrono::seconds> parse_retention(std::string_view text);

// Thread-safe start/stop from a non-pool thread. `pool` and `registry` (nullable) must
// outlive the server; the registry's callback metrics keep the store alive on their own.
class TraceStoreServer {
 public:
  TraceStoreServer(http::IoPool& pool, metrics::Registry* registry, TraceStoreServerOptions options);
  ~TraceStoreServer();  // stop()
  TraceStoreServer(const TraceStoreServer&) = delete;
  TraceStoreServer& operator=(const TraceStoreServer&) = delete;

  // Opens and loads durable storage, then binds the HTTP servers (and gRPC, which runs its own
  // threads). Returns an error text on failure (bad storage spec, port in use, ...).
  std::optional<std::string> start();
  void stop();

  std::uint16_t otlp_http_port() const noexcept;
  std::uint16_t ui_port() const noexcept;
  std::uint16_t otlp_grpc_port() const noexcept;  // 0 when gRPC is disabled
  std::uint16_t jaeger_thrift_port() const noexcept;  // 0 when not serving it
  // Why the Jaeger Thrift port is not served although enabled (the bind error); "" otherwise.
  const std::string& jaeger_thrift_problem() const noexcept;
  TraceStore& store() noexcept;
  StoreStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tdemo::tracestore
