// The server's middleware, without sockets: limits in-flight work, routes, traces (SERVER
// span, context extraction, traceresponse), measures (Prometheus) and logs each request.
// Internal to td_http; the Beast session in server.cc feeds it parsed requests.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/router.h"
#include "metrics/registry.h"
#include "http/server.h"
#include "http/transport_tracing.h"

namespace tdemo::http {

// Thread-safe across workers: each worker index is used by one thread at a time.
class RequestHandler {
 public:
  // `router`, `registry` (nullable) and the propagator must outlive the handler.
  RequestHandler(const Router& router, TransportTracing tracing, metrics::Registry* registry,
                 const ServerOptions& options, std::size_t workers);
  RequestHandler(const RequestHandler&) = delete;
  RequestHandler& operator=(const RequestHandler&) = delete;
  ~RequestHandler();

  struct Outcome {
    Response response;
    bool head_only = false;  // send headers only (HEAD)
  };
  // Handles one request on worker `worker` (< workers). Never throws.
  boost::asio::awaitable<Outcome> handle(Request& request, std::size_t worker);

  std::uint64_t in_flight() const noexcept;
  std::uint64_t requests() const noexcept;
  std::uint64_t rejected() const noexcept;

 private:
  struct DurationKey {
    Method method;
    const Route* route;
    int status;
    bool operator==(const DurationKey&) const = default;
  };
  struct DurationKeyHash {
    std::size_t operator()(const DurationKey& k) const noexcept {
      return std::hash<const void*>()(k.route) ^ (static_cast<std::size_t>(k.status) << 8) ^
             static_cast<std::size_t>(k.method);
    }
  };
  struct alignas(64) PerWorker {
    std::atomic<std::uint64_t> in_flight{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> rejected{0};
    // (method, route, status) -> histogram child; touched only by the worker's thread.
    std::unordered_map<DurationKey, tdemo::metrics::Histogram*, DurationKeyHash> histograms;
  };
  // `route`: the matched route (the router's, which outlives this handler), null when none.
  void record_duration(PerWorker& worker, Method method, const Route* route, int status,
                       double seconds);

  void write_access_log(const Request& request, int status, std::size_t response_bytes,
                        double seconds, const telemetry::SpanContext& span) const;

  const Router& router_;
  TransportTracing tracing_;
  const ServerOptions& options_;
  tdemo::metrics::HistogramFamily* duration_ = nullptr;
  std::shared_ptr<const telemetry::Logger> logger_;  // null when the access log is off
  std::unique_ptr<PerWorker[]> workers_;
  std::size_t worker_count_;
};


}  // namespace tdemo::http
