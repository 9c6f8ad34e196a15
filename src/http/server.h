// The HTTP/1.1 server: Beast + Asio C++20 coroutines, one io_context per thread.
//
//   http::IoPool pool(2);                         // shared by every server of the process
//   http::Router router;  router.get("/health", handler, doc);
//   http::Server server(pool, router, http::transport_tracing(telemetry), &registry, options);
//   if (auto error = server.start()) { ... }      // binds; port 0 picks a free port
//   pool.start();
//   http::wait_for_shutdown_signal();             // SIGINT / SIGTERM
//   server.stop();  pool.stop();
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/router.h"
#include "http/transport_tracing.h"
#include "telemetry/log.h"

namespace boost::asio { class io_context; }
namespace tdemo::metrics { class Registry; }

namespace tdemo::http {

// N io_contexts, each run by exactly one thread (so per-context state needs no locks).
// Several servers and clients share one pool. Thread-safe.
class IoPool {
 public:
  explicit IoPool(std::size_t threads = 0);  // 0: std::thread::hardware_concurrency()
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;
  ~IoPool();  // stop() + join

  std::size_t size() const noexcept { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t index) noexcept { return *contexts_[index]; }
  // Runs each context on its own thread until stop(). Idempotent.
  void start();
  // Lets the contexts return and joins the threads. Idempotent; not from a pool thread.
  void stop();
  // True between start() and stop().
  bool running() const noexcept { return running_.load(); }
  // The index of the pool context run by the calling thread; -1 outside pool threads.
  static int current_index() noexcept;

 private:
  struct WorkGuards;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::unique_ptr<WorkGuards> guards_;
  std::vector<std::thread> threads_;
  std::atomic<bool> running_{false};
};

// Every limit of the server, with its default.
struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;                    // 0: an ephemeral port (see Server::port())
  std::size_t max_body_bytes = 1 << 20;      // larger -> 413 and close
  std::size_t max_header_bytes = 8 << 10;    // request line + headers; larger -> 431 and close
  std::chrono::milliseconds read_timeout{30000};  // to read one request once it has begun
  std::chrono::milliseconds idle_timeout{60000};  // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30000};
  // (A sweep checks the three timeouts every quarter of the shortest, 1-250 ms: each one fires
  // up to that much late.)
  std::size_t max_connections = 10000;       // beyond: 503 + Retry-After, then close
  std::size_t max_in_flight_per_thread = 4096;  // beyond: 503 + Retry-After
  int retry_after_seconds = 1;
  std::chrono::milliseconds shutdown_grace{10000};  // stop() waits this long for in-flight
  bool access_log = true;                    // one line per request (at info level)
  std::string service_name;                  // for the access log
  // The access log's logger; null: Logger(service_name) with the level from LOG_LEVEL/DEBUG.
  std::shared_ptr<const telemetry::Logger> logger;
};

// Overrides limits of `options` from the environment: HTTP_READ_TIMEOUT_MS,
// HTTP_IDLE_TIMEOUT_MS, HTTP_WRITE_TIMEOUT_MS (1..3600000) and HTTP_MAX_HEADER_BYTES
// (1024..1048576); unset or empty variables leave the field alone. Returns an error text
// naming the variable when a value is invalid (then `options` may be partly updated).
std::optional<std::string> apply_environment(ServerOptions& options);

struct ServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;  // over max_connections
  std::uint64_t connections_open = 0;
  std::uint64_t requests = 0;
  std::uint64_t requests_in_flight = 0;
  std::uint64_t requests_rejected = 0;     // over max_in_flight_per_thread
};

// One listening server: an acceptor per pool context, all on the same port (SO_REUSEPORT).
// `pool`, `router`, `registry` (nullable) and the tracing propagator must outlive the server.
// Thread-safe: start/stop from any non-pool thread.
class Server {
 public:
  Server(IoPool& pool, const Router& router, TransportTracing tracing,
         metrics::Registry* registry, ServerOptions options = {});
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();  // stop() when running

  // Binds and listens on every pool context; returns an error text on failure (e.g. port in
  // use). Accepting starts when the pool runs.
  std::optional<std::string> start();
  // The bound port (after start()).
  std::uint16_t port() const noexcept { return port_; }
  // Stops accepting, lets in-flight requests finish (up to shutdown_grace), closes idle and
  // remaining connections. Blocks; idempotent. Must not be called from a pool thread.
  void stop();
  ServerStats stats() const;
  const ServerOptions& options() const noexcept { return options_; }

  class Impl;  // defined in server.cc

 private:
  std::shared_ptr<Impl> impl_;
  ServerOptions options_;
  std::uint16_t port_ = 0;
};

// Blocks SIGINT and SIGTERM in the calling thread. Call it first, before any thread starts
// (I/O pool, exporter, gRPC): threads inherit the mask, so the signals stay pending until
// wait_for_shutdown_signal() takes them with sigwait(), and no handler ever runs on a thread
// that happens to be inside a library call (which also keeps ThreadSanitizer builds stoppable).
void block_shutdown_signals();

// Blocks the calling thread until SIGINT or SIGTERM; returns the signal number. Blocks the
// signals itself when block_shutdown_signals() was not called (then only threads started
// later are covered).
int wait_for_shutdown_signal();

}  // namespace tdemo::http
