// Every setting of the four services in one place: roles and their names, ports and URLs,
// the data directory, limits, and the HotROD-style knobs that make the demo teach.
// Defaults live here; the CLI (src/cli/service_commands.cc) binds each field to a flag and an
// environment variable, listed in kSettingDocs so `GET /` and the docs show the same table.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace tdemo::services {

enum class Role { kGateway, kUsers, kOrders, kPayments };

// The subcommand / short name: "gateway", "users", "orders", "payments".
const char* role_name(Role role) noexcept;
// The default service.name: "gateway", "user-service", "order-service", "payment-service".
const char* default_service_name(Role role) noexcept;
// Offset from the base port: gateway 0, users 1, orders 2, payments 3.
std::uint16_t port_offset(Role role) noexcept;

inline constexpr std::uint16_t kDefaultBasePort = 8000;

// The knobs (HotROD's "fix-*" flags, the other way round: they make things worse on purpose).
struct Knobs {
  double payment_decline_rate = 0.05;  // share of payments the processor declines at random
  std::uint64_t random_seed = 0;       // 0: seeded from the OS; else reproducible declines
  std::chrono::milliseconds slow_query_delay{0};  // added to a share of DB queries
  double slow_query_rate = 0.0;                   // that share, in [0, 1]
  std::size_t db_pool_size = 0;        // SQLite connections per service; 0: the core count
  std::chrono::milliseconds downstream_latency{0};  // added before every downstream call
  std::chrono::milliseconds processor_latency{0};   // the payment processor's "network" time
};

struct ServiceConfig {
  Role role = Role::kGateway;
  std::string host = "127.0.0.1";
  std::uint16_t port = kDefaultBasePort;
  std::string data_dir = "./data";  // one SQLite file per service: <data_dir>/<role>.db
  std::string database_url;  // DATABASE_URL: "" -> SQLite under data_dir; postgresql://… -> PostgreSQL
  std::string redis_url;     // REDIS_URL: "" -> the in-process LRU; redis://… -> Redis
  std::string users_url = "http://localhost:8001";
  std::string orders_url = "http://localhost:8002";
  std::string payments_url = "http://localhost:8003";
  std::chrono::milliseconds downstream_timeout{5000};  // per downstream request
  std::size_t cache_max_entries = 10000;               // users lookup cache
  std::chrono::milliseconds cache_ttl{60000};
  std::size_t max_body_bytes = 1 << 20;                // larger request bodies -> 413
  // Load shedding (http::ServerOptions): open connections per service, and requests in
  // progress per I/O thread; beyond either the service answers 503 with Retry-After.
  std::size_t max_connections = 10000;
  std::size_t max_in_flight_per_thread = 4096;
  // payments: how long a claim on a pending payment lasts (beyond the processor's latency)
  // before a retry with the same Idempotency-Key may take over a payment whose process died.
  std::chrono::milliseconds payment_claim_timeout{10000};
  bool trace_context_test = false;  // gateway: serve POST /test for the W3C test suite
  std::string traces_ui_url;        // the trace store's UI when known (linked from GET / and
                                    // full-flow answers); "" otherwise
  Knobs knobs;

  // The SQLite file for this service ("<data_dir>/<role>.db"), or ":memory:" when data_dir is.
  std::string database_path() const;
  // The DB pool size with 0 resolved to the core count.
  std::size_t resolved_pool_size() const;
};

// A config for `role` on base_port + offset, with the downstream URLs on the same host.
ServiceConfig default_config(Role role, std::uint16_t base_port = kDefaultBasePort,
                             std::string_view host = "127.0.0.1");

// One documented setting: its flag, environment variable and meaning (for GET / and docs).
struct SettingDoc {
  std::string_view flag;
  std::string_view env;
  std::string_view meaning;
};
const std::vector<SettingDoc>& knob_docs();

// The knobs with their current values, keyed by flag name (for GET /).
boost::json::object knobs_json(const ServiceConfig& config);

}  // namespace tdemo::services
