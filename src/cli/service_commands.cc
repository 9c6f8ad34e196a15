// The service subcommands: all, gateway, users, orders, payments, health.
// Thin: flags and environment variables fill a services::ServiceConfig, then ServiceHost runs.
#include <CLI/CLI.hpp>

#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "cli/commands.h"
#include "http/client.h"
#include "http/server.h"
#include "services/common/config.h"
#include "services/service_host.h"
#include "telemetry/log.h"
#include "telemetry/telemetry.h"

#ifdef TD_HAVE_TRACESTORE
#include "tracestore/trace_store_server.h"
#endif

namespace tdemo::cli {
namespace {

using services::Role;
using services::ServiceConfig;

// Flag values that are not directly config fields (durations in ms, the trace-store switch).
struct ServiceFlags {
  ServiceConfig config;
  std::uint16_t base_port = services::kDefaultBasePort;
  std::int64_t slow_query_delay_ms = 0;
  std::int64_t downstream_latency_ms = 0;
  std::int64_t processor_latency_ms = 0;
  std::int64_t downstream_timeout_ms = 5000;
  std::int64_t payment_claim_timeout_ms = 10000;
  std::string trace_store = "on";
  std::size_t io_threads = 0;
  // The embedded trace store's listeners and limits (`all` only).
  std::uint16_t store_ui_port = 16686;
  std::uint16_t store_otlp_http_port = 4318;
  std::uint16_t store_otlp_grpc_port = 4317;
  std::size_t store_max_traces = 0;  // 0: the store's default
  std::string store_storage;

  void apply() {
    config.knobs.slow_query_delay = std::chrono::milliseconds(slow_query_delay_ms);
    config.knobs.downstream_latency = std::chrono::milliseconds(downstream_latency_ms);
    config.knobs.processor_latency = std::chrono::milliseconds(processor_latency_ms);
    config.downstream_timeout = std::chrono::milliseconds(downstream_timeout_ms);
    config.payment_claim_timeout = std::chrono::milliseconds(payment_claim_timeout_ms);
  }
};

// The knobs and common settings, each with its flag and environment variable.
void add_common_options(CLI::App* app, ServiceFlags& flags) {
  auto& c = flags.config;
  app->add_option("--host", c.host, "address to listen on")->envname("HOST")->capture_default_str();
  app->add_option("--data-dir", c.data_dir, "SQLite files go here (one per service)")
      ->envname("DATA_DIR")->capture_default_str();
  app->add_option("--database-url", c.database_url,
                  "PostgreSQL, e.g. postgresql://user:password@localhost:5432/tracing_demo "
                  "(unset: SQLite under --data-dir)")
      ->envname("DATABASE_URL");
  app->add_option("--redis-url", c.redis_url,
                  "Redis for the users cache, e.g. redis://localhost:6379/0 (unset: in-process)")
      ->envname("REDIS_URL");
  app->add_option("--payment-decline-rate", c.knobs.payment_decline_rate,
                  "share of payments declined at random (402)")
      ->envname("PAYMENT_DECLINE_RATE")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  app->add_option("--random-seed", c.knobs.random_seed, "seed for the simulated processor (0: random)")
      ->envname("RANDOM_SEED")->capture_default_str();
  app->add_option("--slow-query-delay-ms", flags.slow_query_delay_ms, "delay added to slow DB queries")
      ->envname("SLOW_QUERY_DELAY_MS")->check(CLI::Range(0, 60000))->capture_default_str();
  app->add_option("--slow-query-rate", c.knobs.slow_query_rate, "share of DB queries made slow")
      ->envname("SLOW_QUERY_RATE")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  app->add_option("--db-pool-size", c.knobs.db_pool_size,
                  "SQLite connections per service (the pool-size bottleneck; 0: core count)")
      ->envname("DB_POOL_SIZE")->capture_default_str();
  app->add_option("--downstream-latency-ms", flags.downstream_latency_ms,
                  "latency added before each downstream call")
      ->envname("DOWNSTREAM_LATENCY_MS")->check(CLI::Range(0, 60000))->capture_default_str();
  app->add_option("--processor-latency-ms", flags.processor_latency_ms,
                  "the payment processor's simulated latency")
      ->envname("PROCESSOR_LATENCY_MS")->check(CLI::Range(0, 60000))->capture_default_str();
  app->add_option("--downstream-timeout-ms", flags.downstream_timeout_ms, "timeout per downstream request")
      ->envname("DOWNSTREAM_TIMEOUT_MS")->check(CLI::Range(1, 600000))->capture_default_str();
  app->add_option("--max-body-bytes", c.max_body_bytes, "larger request bodies get 413")
      ->envname("MAX_BODY_BYTES")->capture_default_str();
  app->add_option("--io-threads", flags.io_threads, "event-loop threads (0: core count)")
      ->envname("IO_THREADS")->capture_default_str();
  app->add_option("--max-connections", c.max_connections,
                  "open connections per service; beyond: 503 with Retry-After, then close")
      ->envname("MAX_CONNECTIONS")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->capture_default_str();
  app->add_option("--max-in-flight", c.max_in_flight_per_thread,
                  "requests in progress per I/O thread and service; beyond: 503 with Retry-After")
      ->envname("MAX_IN_FLIGHT")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->capture_default_str();
  app->add_option(
         "--payment-claim-timeout-ms", flags.payment_claim_timeout_ms,
         "payments: a pending payment whose claim is this old (plus the processor latency) is "
         "taken over by a retry with its Idempotency-Key (its process died)")
      ->envname("PAYMENT_CLAIM_TIMEOUT_MS")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
}

void add_url_options(CLI::App* app, ServiceConfig& c) {
  app->add_option("--users-url", c.users_url, "the users service")->envname("USERS_URL")->capture_default_str();
  app->add_option("--orders-url", c.orders_url, "the orders service")->envname("ORDERS_URL")->capture_default_str();
  app->add_option("--payments-url", c.payments_url, "the payments service")
      ->envname("PAYMENTS_URL")->capture_default_str();
}

bool exporter_endpoint_configured() {
  for (const char* name : {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "JAEGER_HOST"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return true;
  }
  return false;
}

// Runs `hosts` until SIGINT/SIGTERM, then shuts down in order. Returns the exit code.
int serve(http::IoPool& pool, std::vector<std::unique_ptr<services::ServiceHost>>& hosts,
          const telemetry::Logger& log) {
  for (auto& host : hosts) {
    if (auto error = host->start()) {
      log.error(*error);
      return 1;
    }
  }
  pool.start();
  for (auto& host : hosts) {
    log.info("listening", {{"service", telemetry::attribute(host->telemetry().service_name())},
                           {"url", telemetry::attribute("http://" + host->config().host + ":" +
                                                        std::to_string(host->port()))}});
  }
  const int signal = http::wait_for_shutdown_signal();
  log.info("shutting down", {{"signal", telemetry::attribute(signal)}});
  for (auto& host : hosts) host->stop();  // gateway first: it is first in the list
  pool.stop();
  hosts.clear();  // destroys telemetry last, flushing spans
  return 0;
}

telemetry::TelemetryConfig telemetry_for(Role role, bool fixed_name, const std::string& endpoint) {
  auto config = telemetry::config_from_environment(services::default_service_name(role));
  if (fixed_name) config.service_name = services::default_service_name(role);
  if (!endpoint.empty()) config.endpoint = endpoint;
  return config;
}

int run_all(ServiceFlags& flags) {
  http::block_shutdown_signals();  // before any thread starts
  flags.apply();
  telemetry::Logger log("tracing-demo");
  http::IoPool pool(flags.io_threads);
  std::string endpoint;
  std::string traces_ui;
#ifdef TD_HAVE_TRACESTORE
  std::unique_ptr<tracestore::TraceStoreServer> store;
  if (flags.trace_store == "on") {
    tracestore::TraceStoreServerOptions options;
    options.host = flags.config.host == "0.0.0.0" ? "0.0.0.0" : "127.0.0.1";
    options.ui_port = flags.store_ui_port;
    options.otlp_http_port = flags.store_otlp_http_port;
    options.otlp_grpc_port = flags.store_otlp_grpc_port;
    if (flags.store_max_traces > 0) options.store.max_traces = flags.store_max_traces;
    options.storage = flags.store_storage;
    store = std::make_unique<tracestore::TraceStoreServer>(pool, nullptr, options);
    if (auto error = store->start()) {
      log.error("trace store: " + *error);
      return 1;
    }
    if (!exporter_endpoint_configured()) {
      endpoint = "http://127.0.0.1:" + std::to_string(store->otlp_http_port()) + "/v1/traces";
    }
    if (!store->jaeger_thrift_problem().empty()) {
      log.warning("trace store: not serving " + store->jaeger_thrift_problem());
    }
    traces_ui = "http://127.0.0.1:" + std::to_string(store->ui_port());
    log.info("trace store", {{"ui", telemetry::attribute(traces_ui)}});
  }
#else
  if (flags.trace_store == "on") log.warning("the embedded trace store is not built in; --trace-store=on ignored");
#endif
  std::vector<std::unique_ptr<services::ServiceHost>> hosts;
  for (Role role : {Role::kGateway, Role::kUsers, Role::kOrders, Role::kPayments}) {
    ServiceConfig config = services::default_config(role, flags.base_port, flags.config.host);
    config.data_dir = flags.config.data_dir;
    config.database_url = flags.config.database_url;
    config.redis_url = flags.config.redis_url;
    config.knobs = flags.config.knobs;
    config.downstream_timeout = flags.config.downstream_timeout;
    config.max_body_bytes = flags.config.max_body_bytes;
    config.max_connections = flags.config.max_connections;
    config.max_in_flight_per_thread = flags.config.max_in_flight_per_thread;
    config.payment_claim_timeout = flags.config.payment_claim_timeout;
    config.trace_context_test = flags.config.trace_context_test;
    config.traces_ui_url = traces_ui;
    auto host = services::ServiceHost::create(config, telemetry_for(role, true, endpoint), pool);
    if (!host.ok()) {
      log.error(host.error());
      return 1;
    }
    hosts.push_back(std::move(host).value());
  }
  const int code = serve(pool, hosts, log);
#ifdef TD_HAVE_TRACESTORE
  if (store) store->stop();
#endif
  return code;
}

int run_one(Role role, ServiceFlags& flags) {
  http::block_shutdown_signals();  // before any thread starts
  flags.apply();
  telemetry::Logger log(services::default_service_name(role));
  http::IoPool pool(flags.io_threads);
  std::vector<std::unique_ptr<services::ServiceHost>> hosts;
  auto host = services::ServiceHost::create(flags.config, telemetry_for(role, false, {}), pool);
  if (!host.ok()) {
    log.error(host.error());
    return 1;
  }
  hosts.push_back(std::move(host).value());
  return serve(pool, hosts, log);
}

// GET <target>/health; prints the answer; 0 when it is 200 (healthy), 1 otherwise.
int run_health_check(const std::string& target, std::chrono::milliseconds timeout) {
  boost::asio::io_context io;
  http::Client client;
  std::optional<http::ClientResult> result;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        http::OutgoingRequest request;
        request.url = target + "/health";
        request.timeout = timeout;
        result.emplace(co_await client.send(std::move(request)));
      },
      boost::asio::detached);
  io.run();
  if (!result || !result->ok()) {
    std::cerr << target << ": DOWN (" << (result ? result->error().message : "no answer") << ")\n";
    return 1;
  }
  const auto& response = result->value();
  boost::system::error_code ec;
  auto body = boost::json::parse(response.body, ec);
  const auto* object = ec ? nullptr : body.if_object();
  if (object != nullptr) {
    const auto* service = object->if_contains("service");
    const auto* status = object->if_contains("status");
    std::cout << (service ? boost::json::serialize(*service) : std::string("\"?\"")) << ": "
              << (status ? boost::json::serialize(*status) : std::string("\"?\"")) << "\n";
    if (const auto* deps = object->if_contains("dependencies"); deps && deps->is_object()) {
      for (const auto& [name, dep] : deps->as_object()) {
        std::cout << "  " << std::string(name) << ": " << boost::json::serialize(dep) << "\n";
      }
    }
    if (const auto* tel = object->if_contains("telemetry")) std::cout << "  telemetry: " << boost::json::serialize(*tel) << "\n";
  } else {
    std::cout << response.body << "\n";
  }
  std::cout << target << ": " << (response.status == 200 ? "UP" : "DOWN") << " (HTTP " << response.status << ")\n";
  return response.status == 200 ? 0 : 1;
}

}  // namespace

void add_service_commands(CLI::App& app) {
  // Flag storage lives as long as the App (parsing and callbacks happen inside main).
  static ServiceFlags all_flags;
  all_flags.config = services::default_config(Role::kGateway);
  auto* all = app.add_subcommand("all", "run gateway, users, orders and payments in one process");
  add_common_options(all, all_flags);
  all->add_option("--base-port", all_flags.base_port, "gateway on N, users N+1, orders N+2, payments N+3")
      ->envname("BASE_PORT")->capture_default_str();
  all->add_option("--trace-store", all_flags.trace_store, "run the embedded trace store in-process")
      ->check(CLI::IsMember({"on", "off"}))->capture_default_str();
  all->add_option("--ui-port", all_flags.store_ui_port, "trace store: Jaeger query API, web UI and /metrics")
      ->envname("UI_PORT")->capture_default_str();
  all->add_option("--otlp-http-port", all_flags.store_otlp_http_port, "trace store: OTLP/HTTP POST /v1/traces")
      ->envname("OTLP_PORT")->capture_default_str();
  all->add_option("--otlp-grpc-port", all_flags.store_otlp_grpc_port, "trace store: OTLP/gRPC")
      ->envname("GRPC_PORT")->capture_default_str();
  all->add_option("--max-traces", all_flags.store_max_traces, "trace store: traces kept in memory (0: default)");
  all->add_option("--storage", all_flags.store_storage, "trace store: durable storage, sqlite:PATH (default: memory)");
  all->add_flag("--trace-context-test", all_flags.config.trace_context_test,
                "gateway: serve POST /test for the W3C trace-context test suite");
  all->callback([] { std::exit(run_all(all_flags)); });

  static ServiceFlags role_flags[4];
  for (Role role : {Role::kGateway, Role::kUsers, Role::kOrders, Role::kPayments}) {
    auto& flags = role_flags[static_cast<int>(role)];
    flags.config = services::default_config(role);
    std::string description = std::string("run the ") + services::role_name(role) + " service (" +
                              services::default_service_name(role) + ")";
    auto* command = app.add_subcommand(services::role_name(role), description);
    add_common_options(command, flags);
    command->add_option("--port", flags.config.port, "port to listen on")->envname("PORT")->capture_default_str();
    add_url_options(command, flags.config);
    if (role == Role::kGateway) {
      command->add_flag("--trace-context-test", flags.config.trace_context_test,
                        "serve POST /test for the W3C trace-context test suite");
    }
    command->callback([role, &flags] { std::exit(run_one(role, flags)); });
  }

  static std::string target = "http://localhost:8000";
  static int timeout_ms = 5000;
  auto* health = app.add_subcommand("health", "check every service (via the gateway's /health); non-zero exit when one is down");
  health->add_option("--target", target, "a service's base URL")->capture_default_str();
  health->add_option("--timeout-ms", timeout_ms, "request timeout")->capture_default_str();
  health->callback([] { std::exit(run_health_check(target, std::chrono::milliseconds(timeout_ms))); });
}

}  // namespace tdemo::cli
