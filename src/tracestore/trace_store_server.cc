#include "tracestore/trace_store_server.h"

#include <boost/asio/awaitable.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "http/errors.h"
#include "http/router.h"
#include "http/server.h"
#include "metrics/registry.h"
#include "telemetry/span_data.h"
#include "telemetry/thread_name.h"
#include "tracestore/grpc_trace_service.h"
#include "tracestore/jaeger_thrift.h"
#include "tracestore/query_api.h"
#include "tracestore/sqlite_storage.h"

namespace tdemo::tracestore {

std::optional<std::chrono::seconds> parse_retention(std::string_view text) {
  auto ns = parse_go_duration(text);
  if (!ns || *ns < 1'000'000'000ULL) return std::nullopt;
  return std::chrono::seconds(*ns / 1'000'000'000ULL);
}

struct TraceStoreServer::Impl {
  Impl(http::IoPool& pool, metrics::Registry* external, TraceStoreServerOptions opts)
      : pool(pool), options(std::move(opts)),
        registry(external ? external : owned_registry.get()),
        store(std::make_shared<TraceStore>(options.store)) {}

  void register_metrics();
  void retention_loop();

  http::IoPool& pool;
  TraceStoreServerOptions options;
  std::unique_ptr<metrics::Registry> owned_registry = std::make_unique<metrics::Registry>();
  metrics::Registry* registry;
  std::shared_ptr<TraceStore> store;
  std::unique_ptr<SqliteSpanStorage> storage;
  std::unique_ptr<OtlpIngest> ingest;
  std::unique_ptr<QueryApi> api;
  http::Router ingest_router;
  http::Router ui_router;
  std::unique_ptr<http::Server> ingest_server;
  std::unique_ptr<http::Server> ui_server;
  std::unique_ptr<http::Server> jaeger_server;
  std::string jaeger_problem;
  std::unique_ptr<GrpcTraceServer> grpc;
  std::mutex retention_mutex;
  std::condition_variable retention_wake;
  bool stopping = false;
  std::thread retention_thread;
  bool started = false;
};

void TraceStoreServer::Impl::register_metrics() {
  // Callbacks hold the store by shared_ptr: the registry may outlive this server.
  std::weak_ptr<TraceStore> weak = store;
  auto stat = [weak](auto field) {
    return [weak, field]() -> std::vector<metrics::Sample> {
      auto s = weak.lock();
      if (!s) return {};
      return {metrics::Sample{{}, static_cast<double>(s->stats().*field)}};
    };
  };
  using metrics::MetricType;
  registry->add_callback("tracestore_spans_received_total", "Spans offered to the trace store",
                         MetricType::kCounter, stat(&StoreStats::spans_received));
  registry->add_callback("tracestore_spans_rejected_total", "Spans rejected (invalid or over limits)",
                         MetricType::kCounter, stat(&StoreStats::spans_rejected));
  registry->add_callback("tracestore_traces_evicted_total", "Traces evicted to stay within --max-traces",
                         MetricType::kCounter, stat(&StoreStats::traces_evicted));
  registry->add_callback("tracestore_spans_evicted_total", "Spans evicted with their traces",
                         MetricType::kCounter, stat(&StoreStats::spans_evicted));
  registry->add_callback("tracestore_traces", "Traces held in memory", MetricType::kGauge,
                         stat(&StoreStats::traces_stored));
  registry->add_callback("tracestore_spans", "Spans held in memory", MetricType::kGauge,
                         stat(&StoreStats::spans_stored));
  registry->add_callback("tracestore_memory_bytes", "Estimated heap bytes used by stored spans",
                         MetricType::kGauge, stat(&StoreStats::memory_bytes));
}

void TraceStoreServer::Impl::retention_loop() {
  const auto period = std::min<std::chrono::seconds>(std::chrono::seconds(60),
                                                     std::max<std::chrono::seconds>(std::chrono::seconds(1), options.retention / 10));
  std::unique_lock lock(retention_mutex);
  while (!retention_wake.wait_for(lock, period, [this] { return stopping; })) {
    const std::uint64_t retention_ns = static_cast<std::uint64_t>(options.retention.count()) * 1'000'000'000ULL;
    const std::uint64_t now = telemetry::now_unix_nano();
    if (now > retention_ns) storage->delete_older_than(now - retention_ns);
  }
}

TraceStoreServer::TraceStoreServer(http::IoPool& pool, metrics::Registry* registry,
                                   TraceStoreServerOptions options)
    : impl_(std::make_unique<Impl>(pool, registry, std::move(options))) {}

TraceStoreServer::~TraceStoreServer() { stop(); }

std::optional<std::string> TraceStoreServer::start() {
  Impl& d = *impl_;
  if (d.started) return "already started";
  const TraceStoreServerOptions& o = d.options;
  if (!o.storage.empty()) {
    constexpr std::string_view kPrefix = "sqlite:";
    if (o.storage.rfind(kPrefix, 0) != 0 || o.storage.size() == kPrefix.size()) {
      return "unsupported --storage '" + o.storage + "' (expected sqlite:PATH)";
    }
    std::string error;
    d.storage = SqliteSpanStorage::open({.path = o.storage.substr(kPrefix.size())}, error);
    if (!d.storage) return "cannot open " + o.storage + ": " + error;
    const std::uint64_t retention_ns = static_cast<std::uint64_t>(o.retention.count()) * 1'000'000'000ULL;
    const std::uint64_t now = telemetry::now_unix_nano();
    const std::uint64_t cutoff = now > retention_ns ? now - retention_ns : 0;
    d.storage->delete_older_than(cutoff);
    d.storage->load_into(*d.store, cutoff);
  }
  d.ingest = std::make_unique<OtlpIngest>(*d.store, d.storage.get(), o.ingest);
  d.api = std::make_unique<QueryApi>(*d.store);
  d.register_metrics();

  const std::string token = o.auth_token;
  OtlpIngest* ingest = d.ingest.get();
  d.ingest_router.post("/v1/traces", [ingest, token](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    if (!authorized(ctx.request, token)) {
      auto r = http::error_response(401, "missing or invalid bearer token");
      r.headers.set("WWW-Authenticate", "Bearer");
      co_return r;
    }
    co_return ingest->handle_http(ctx.request);
  });
  d.ingest_router.post("/api/traces", [ingest, token](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    if (!authorized(ctx.request, token)) {
      auto r = http::error_response(401, "missing or invalid bearer token");
      r.headers.set("WWW-Authenticate", "Bearer");
      co_return r;
    }
    co_return handle_jaeger_thrift_http(*ingest, ctx.request);
  });
  add_query_routes(d.ui_router, *d.api, d.registry, {.auth_token = token, .serve_ui = o.serve_ui});

  http::ServerOptions ingest_options;
  ingest_options.host = o.host;
  ingest_options.port = o.otlp_http_port;
  ingest_options.max_body_bytes = o.ingest.max_body_bytes;
  ingest_options.access_log = o.access_log;
  ingest_options.service_name = "tracestore-otlp";
  if (auto error = http::apply_environment(ingest_options)) return *error;
  d.ingest_server = std::make_unique<http::Server>(d.pool, d.ingest_router, http::TransportTracing{}, nullptr, ingest_options);
  if (auto error = d.ingest_server->start()) return "OTLP/HTTP: " + *error;

  if (o.enable_jaeger_thrift) {
    http::ServerOptions jaeger_options = ingest_options;
    jaeger_options.port = o.jaeger_thrift_port;
    jaeger_options.service_name = "tracestore-jaeger";
    d.jaeger_server = std::make_unique<http::Server>(d.pool, d.ingest_router, http::TransportTracing{}, nullptr, jaeger_options);
    if (auto error = d.jaeger_server->start()) {
      d.jaeger_problem = "Jaeger Thrift (port " + std::to_string(o.jaeger_thrift_port) + "): " + *error;
      d.jaeger_server.reset();
    }
  }

  http::ServerOptions ui_options;
  ui_options.host = o.host;
  ui_options.port = o.ui_port;
  ui_options.access_log = o.access_log;
  ui_options.service_name = "tracestore-query";
  if (auto error = http::apply_environment(ui_options)) return *error;
  d.ui_server = std::make_unique<http::Server>(d.pool, d.ui_router, http::TransportTracing{}, nullptr, ui_options);
  if (auto error = d.ui_server->start()) return "query/UI: " + *error;

  if (o.enable_grpc) {
    d.grpc = std::make_unique<GrpcTraceServer>(*d.ingest, token);
    if (auto error = d.grpc->start(o.host, o.otlp_grpc_port, o.ingest.max_body_bytes)) return error;
  }
  if (d.storage) {
    d.retention_thread = std::thread([&d] {
      telemetry::set_current_thread_name("store-retention");
      d.retention_loop();
    });
  }
  d.started = true;
  return std::nullopt;
}

void TraceStoreServer::stop() {
  Impl& d = *impl_;
  if (d.grpc) d.grpc->stop();
  if (d.ingest_server) d.ingest_server->stop();
  if (d.ui_server) d.ui_server->stop();
  if (d.jaeger_server) d.jaeger_server->stop();
  {
    std::lock_guard lock(d.retention_mutex);
    d.stopping = true;
  }
  d.retention_wake.notify_all();
  if (d.retention_thread.joinable()) d.retention_thread.join();
}

std::uint16_t TraceStoreServer::otlp_http_port() const noexcept {
  return impl_->ingest_server ? impl_->ingest_server->port() : 0;
}
std::uint16_t TraceStoreServer::ui_port() const noexcept {
  return impl_->ui_server ? impl_->ui_server->port() : 0;
}
std::uint16_t TraceStoreServer::otlp_grpc_port() const noexcept {
  return impl_->grpc ? impl_->grpc->port() : 0;
}
std::uint16_t TraceStoreServer::jaeger_thrift_port() const noexcept {
  return impl_->jaeger_server ? impl_->jaeger_server->port() : 0;
}
const std::string& TraceStoreServer::jaeger_thrift_problem() const noexcept { return impl_->jaeger_problem; }
TraceStore& TraceStoreServer::store() noexcept { return *impl_->store; }
StoreStats TraceStoreServer::stats() const { return impl_->store->stats(); }

}  // namespace tdemo::tracestore
