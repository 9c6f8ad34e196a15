#include "services/service_host.h"

#include <filesystem>

#include <boost/json.hpp>

#include "http/client.h"
#include "http/server.h"
#include "metrics/registry.h"
#include "services/common/card.h"
#include "services/common/standard_routes.h"
#include "services/gateway/handlers.h"
#include "services/orders/handlers.h"
#include "services/payments/handlers.h"
#include "services/users/handlers.h"
#include "storage/backend_selection.h"

namespace tdemo::services {

// Declaration order is construction order; destruction runs backwards, so the server goes
// first and the telemetry (flushing spans) last.
struct ServiceHost::Parts {
  ServiceConfig config;
  std::unique_ptr<telemetry::Telemetry> telemetry;
  metrics::Registry registry;
  std::unique_ptr<BlockingPool> blocking;
  std::unique_ptr<http::Client> client;
  std::unique_ptr<ServiceContext> context;

  std::unique_ptr<storage::UserRepository> user_repository;
  std::unique_ptr<storage::Cache> cache;
  std::unique_ptr<users::UserService> user_service;
  std::unique_ptr<storage::OrderRepository> order_repository;
  std::unique_ptr<orders::OrderService> order_service;
  std::unique_ptr<storage::PaymentRepository> payment_repository;
  std::unique_ptr<payments::Processor> processor;
  std::unique_ptr<payments::PaymentService> payment_service;

  std::unique_ptr<users::Client> users_client;
  std::unique_ptr<orders::Client> orders_client;
  std::unique_ptr<payments::Client> payments_client;

  http::Router router;
  std::unique_ptr<http::Server> server;
  bool stopped = false;
};

namespace {

storage::SqliteRepositoryOptions repository_options(const ServiceConfig& config) {
  storage::SqliteRepositoryOptions options;
  options.pool.database.path = config.database_path();
  options.pool.size = config.resolved_pool_size();
  options.slow_query.delay = config.knobs.slow_query_delay;
  options.slow_query.rate = config.knobs.slow_query_rate;
  return options;
}

Downstream downstream(ServiceHost::Parts& parts, const char* service, const std::string& url) {
  DownstreamOptions options;
  options.service = service;
  options.base_url = url;
  options.timeout = parts.config.downstream_timeout;
  options.added_latency = parts.config.knobs.downstream_latency;
  return Downstream(*parts.client, std::move(options));
}

template <class Repository>
LocalChecks database_check(Repository& repository, std::string path) {
  return [&repository, path] {
    auto ping = repository.ping();
    const auto pool = repository.pool_stats();
    boost::json::object check{{"status", ping.ok() ? "ok" : "error"},
                              {"path", path},
                              {"pool_size", pool.size},
                              {"pool_in_use", pool.in_use}};
    if (!ping.ok()) check["error"] = ping.error().message;
    return boost::json::object{{"database", std::move(check)}};
  };
}

template <class Repository>
void register_pool_metrics(metrics::Registry& registry, Repository& repository) {
  registry.add_callback("db_pool_connections", "Database connections by state.",
                        metrics::MetricType::kGauge, [&repository] {
                          const auto s = repository.pool_stats();
                          return std::vector<metrics::Sample>{
                              {{{"state", "max"}}, static_cast<double>(s.size)},
                              {{{"state", "in_use"}}, static_cast<double>(s.in_use)}};
                        });
  registry.add_callback("db_pool_waits_total", "Connection acquisitions that had to wait.",
                        metrics::MetricType::kCounter, [&repository] {
                          return std::vector<metrics::Sample>{
                              {{}, static_cast<double>(repository.pool_stats().waits)}};
                        });
  registry.add_callback("db_pool_timeouts_total", "Connection acquisitions that timed out.",
                        metrics::MetricType::kCounter, [&repository] {
                          return std::vector<metrics::Sample>{
                              {{}, static_cast<double>(repository.pool_stats().timeouts)}};
                        });
}

void register_cache_metrics(metrics::Registry& registry, storage::Cache& cache) {
  registry.add_callback("cache_requests_total", "Cache lookups by result.",
                        metrics::MetricType::kCounter, [&cache] {
                          const auto s = storage::cache_counters(cache);
                          return std::vector<metrics::Sample>{
                              {{{"result", "hit"}}, static_cast<double>(s.hits)},
                              {{{"result", "miss"}}, static_cast<double>(s.misses)}};
                        });
  registry.add_callback_gauge("cache_entries", "Entries in the lookup cache.",
                              [&cache] { return static_cast<double>(storage::cache_counters(cache).entries); });
}

// The transport's tracing, with URLs redacted: a card number a client put in a path or a query
// is masked in url.path / url.query / url.full and the access log.
http::TransportTracing redacting_transport_tracing(telemetry::Telemetry& telemetry) {
  auto tracing = http::transport_tracing(telemetry);
  tracing.redact_url = &mask_card_numbers_in;
  return tracing;
}

// Repository calls run inline on the I/O thread when they cannot wait long: SQLite and the
// in-process cache (no network database or Redis) with neither the slow-query knob nor a
// pool-size bottleneck (see blocking.h).
BlockingPool::Mode blocking_mode(const ServiceConfig& config) {
  const bool slow_queries = config.knobs.slow_query_rate > 0 && config.knobs.slow_query_delay.count() > 0;
  const bool small_pool = config.knobs.db_pool_size != 0;
  const bool local = config.database_url.empty() && config.redis_url.empty();
  return local && !slow_queries && !small_pool ? BlockingPool::Mode::kInline : BlockingPool::Mode::kThreads;
}

// Builds the role's storage, domain, clients and routes. An error text on failure.
std::optional<std::string> build_role(ServiceHost::Parts& p) {
  ServiceContext& ctx = *p.context;
  StandardRoutes standard;
  standard.api.title = std::string("tracing-demo ") + role_name(p.config.role);
  standard.api.description = "Part of the tracing-demo: every hop traced with W3C trace context.";
  const telemetry::Tracer db_tracer = p.telemetry->tracer("tracing-demo.storage");
  p.router.set_input_redactor(&mask_card_numbers_in);  // 422s echo no card numbers
  switch (p.config.role) {
    case Role::kUsers: {
      auto repository = storage::make_user_repository(p.config.database_url, repository_options(p.config),
                                                    db_tracer);
      if (!repository.ok()) return "users database: " + repository.error().message;
      p.user_repository = std::move(repository).value();
      auto cache = storage::make_cache(
          p.config.redis_url, storage::LruCacheOptions{p.config.cache_max_entries, p.config.cache_ttl});
      if (!cache.ok()) return "users cache: " + cache.error().message;
      p.cache = std::move(cache).value();
      p.user_service = std::make_unique<users::UserService>(*p.user_repository, *p.cache,
                                                            ctx.tracer, *p.blocking);
      users::add_routes(p.router, *p.user_service);
      standard.local_checks = database_check(*p.user_repository, p.config.database_path());
      register_pool_metrics(p.registry, *p.user_repository);
      register_cache_metrics(p.registry, *p.cache);
      break;
    }
    case Role::kOrders: {
      auto repository = storage::make_order_repository(p.config.database_url, repository_options(p.config),
                                                    db_tracer);
      if (!repository.ok()) return "orders database: " + repository.error().message;
      p.order_repository = std::move(repository).value();
      p.users_client = std::make_unique<users::Client>(downstream(p, "users", p.config.users_url));
      p.order_service = std::make_unique<orders::OrderService>(*p.order_repository, *p.users_client,
                                                               ctx.tracer, *p.blocking);
      orders::add_routes(p.router, *p.order_service);
      standard.local_checks = database_check(*p.order_repository, p.config.database_path());
      standard.dependencies.push_back({"users", [c = p.users_client.get()](const telemetry::Context& t) {
                                         return c->health(t);
                                       }});
      register_pool_metrics(p.registry, *p.order_repository);
      break;
    }
    case Role::kPayments: {
      auto repository = storage::make_payment_repository(p.config.database_url, repository_options(p.config),
                                                    db_tracer);
      if (!repository.ok()) return "payments database: " + repository.error().message;
      p.payment_repository = std::move(repository).value();
      p.orders_client = std::make_unique<orders::Client>(downstream(p, "orders", p.config.orders_url));
      payments::ProcessorOptions processor;
      processor.decline_rate = p.config.knobs.payment_decline_rate;
      processor.seed = p.config.knobs.random_seed;
      processor.latency = p.config.knobs.processor_latency;
      p.processor = std::make_unique<payments::Processor>(ctx.tracer, processor);
      p.payment_service = std::make_unique<payments::PaymentService>(
          *p.payment_repository, *p.orders_client, *p.processor, ctx.tracer, *p.blocking,
          p.config.payment_claim_timeout + processor.latency);
      payments::add_routes(p.router, *p.payment_service, *p.payment_repository, *p.blocking);
      standard.local_checks = database_check(*p.payment_repository, p.config.database_path());
      standard.dependencies.push_back({"orders", [c = p.orders_client.get()](const telemetry::Context& t) {
                                         return c->health(t);
                                       }});
      register_pool_metrics(p.registry, *p.payment_repository);
      break;
    }
    case Role::kGateway: {
      p.users_client = std::make_unique<users::Client>(downstream(p, "users", p.config.users_url));
      p.orders_client = std::make_unique<orders::Client>(downstream(p, "orders", p.config.orders_url));
      p.payments_client =
          std::make_unique<payments::Client>(downstream(p, "payments", p.config.payments_url));
      gateway::add_routes(p.router, ctx, {*p.users_client, *p.orders_client, *p.payments_client});
      standard.api.title = "tracing-demo gateway";
      standard.api.description =
          "The seed's API: users, orders, payments and a full-flow demo, every hop traced.";
      standard.dependencies.push_back({"users", [c = p.users_client.get()](const telemetry::Context& t) {
                                         return c->health(t);
                                       }});
      standard.dependencies.push_back({"orders", [c = p.orders_client.get()](const telemetry::Context& t) {
                                         return c->health(t);
                                       }});
      standard.dependencies.push_back(
          {"payments", [c = p.payments_client.get()](const telemetry::Context& t) { return c->health(t); }});
      break;
    }
  }
  register_telemetry_metrics(ctx);
  add_standard_routes(p.router, ctx, std::move(standard));
  return std::nullopt;
}

}  // namespace

ServiceHost::ServiceHost(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

ServiceHost::~ServiceHost() { stop(); }

storage::Result<std::unique_ptr<ServiceHost>, std::string> ServiceHost::create(
    const ServiceConfig& config, telemetry::TelemetryConfig telemetry_config, http::IoPool& pool) {
  auto parts = std::make_unique<Parts>();
  parts->config = config;
  if (telemetry_config.service_name.empty()) {
    telemetry_config.service_name = default_service_name(config.role);
  }
  if (config.role != Role::kGateway && config.data_dir != ":memory:") {
    std::error_code ec;
    std::filesystem::create_directories(config.data_dir, ec);
    if (ec) return std::string("cannot create data directory ") + config.data_dir + ": " + ec.message();
  }
  parts->telemetry = std::make_unique<telemetry::Telemetry>(telemetry_config);
  parts->blocking = std::make_unique<BlockingPool>(config.resolved_pool_size(), blocking_mode(config));
  http::ClientOptions client_options;
  client_options.request_timeout = config.downstream_timeout;
  parts->client = std::make_unique<http::Client>(client_options, redacting_transport_tracing(*parts->telemetry),
                                                 &parts->registry);
  parts->context = std::make_unique<ServiceContext>(ServiceContext{
      parts->config, *parts->telemetry, parts->registry, *parts->client, *parts->blocking,
      parts->telemetry->tracer(std::string("tracing-demo.") + role_name(config.role))});
  if (auto error = build_role(*parts)) return *error;

  http::ServerOptions server_options;
  server_options.host = config.host;
  server_options.port = config.port;
  server_options.max_body_bytes = config.max_body_bytes;
  server_options.max_connections = config.max_connections;
  server_options.max_in_flight_per_thread = config.max_in_flight_per_thread;
  server_options.service_name = parts->telemetry->service_name();
  if (auto error = http::apply_environment(server_options)) return *error;
  parts->server = std::make_unique<http::Server>(pool, parts->router,
                                                 redacting_transport_tracing(*parts->telemetry),
                                                 &parts->registry, server_options);
  return std::unique_ptr<ServiceHost>(new ServiceHost(std::move(parts)));
}

std::optional<std::string> ServiceHost::start() {
  if (auto error = parts_->server->start()) {
    return std::string(role_name(parts_->config.role)) + ": cannot listen on " + parts_->config.host +
           ":" + std::to_string(parts_->config.port) + ": " + *error;
  }
  return std::nullopt;
}

void ServiceHost::stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  parts_->server->stop();
  parts_->telemetry->force_flush();
}

std::uint16_t ServiceHost::port() const noexcept { return parts_->server->port(); }
const ServiceConfig& ServiceHost::config() const noexcept { return parts_->config; }
telemetry::Telemetry& ServiceHost::telemetry() noexcept { return *parts_->telemetry; }

}  // namespace tdemo::services
