#include "services/common/config.h"

#include <thread>

namespace tdemo::services {

const char* role_name(Role role) noexcept {
  switch (role) {
    case Role::kGateway: return "gateway";
    case Role::kUsers: return "users";
    case Role::kOrders: return "orders";
    case Role::kPayments: return "payments";
  }
  return "gateway";
}

const char* default_service_name(Role role) noexcept {
  switch (role) {
    case Role::kGateway: return "gateway";
    case Role::kUsers: return "user-service";
    case Role::kOrders: return "order-service";
    case Role::kPayments: return "payment-service";
  }
  return "gateway";
}

std::uint16_t port_offset(Role role) noexcept { return static_cast<std::uint16_t>(role); }

std::string ServiceConfig::database_path() const {
  if (data_dir == ":memory:") return data_dir;
  std::string dir = data_dir.empty() ? "." : data_dir;
  if (dir.back() != '/') dir += '/';
  return dir + role_name(role) + ".db";
}

std::size_t ServiceConfig::resolved_pool_size() const {
  if (knobs.db_pool_size > 0) return knobs.db_pool_size;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? cores : 2;
}

ServiceConfig default_config(Role role, std::uint16_t base_port, std::string_view host) {
  ServiceConfig config;
  config.role = role;
  config.host = std::string(host);
  config.port = static_cast<std::uint16_t>(base_port + port_offset(role));
  // Services listening on all interfaces are still called on loopback.
  const std::string target = (host == "0.0.0.0" || host.empty()) ? "127.0.0.1" : std::string(host);
  auto url = [&](Role r) {
    return "http://" + target + ":" + std::to_string(base_port + port_offset(r));
  };
  config.users_url = url(Role::kUsers);
  config.orders_url = url(Role::kOrders);
  config.payments_url = url(Role::kPayments);
  return config;
}

const std::vector<SettingDoc>& knob_docs() {
  static const std::vector<SettingDoc> docs = {
      {"--payment-decline-rate", "PAYMENT_DECLINE_RATE",
       "share of payments declined at random (402), 0..1"},
      {"--random-seed", "RANDOM_SEED", "seed for the simulated processor (0: random)"},
      {"--slow-query-delay-ms", "SLOW_QUERY_DELAY_MS", "delay added to slow DB queries"},
      {"--slow-query-rate", "SLOW_QUERY_RATE", "share of DB queries made slow, 0..1"},
      {"--db-pool-size", "DB_POOL_SIZE",
       "SQLite connections per service (the pool-size bottleneck; 0: core count)"},
      {"--downstream-latency-ms", "DOWNSTREAM_LATENCY_MS", "latency added before each downstream call"},
      {"--processor-latency-ms", "PROCESSOR_LATENCY_MS", "the payment processor's simulated latency"},
  };
  return docs;
}

boost::json::object knobs_json(const ServiceConfig& config) {
  const Knobs& k = config.knobs;
  boost::json::object knobs;
  knobs["payment_decline_rate"] = k.payment_decline_rate;
  knobs["random_seed"] = k.random_seed;
  knobs["slow_query_delay_ms"] = k.slow_query_delay.count();
  knobs["slow_query_rate"] = k.slow_query_rate;
  knobs["db_pool_size"] = config.resolved_pool_size();
  knobs["downstream_latency_ms"] = k.downstream_latency.count();
  knobs["processor_latency_ms"] = k.processor_latency.count();
  return knobs;
}

}  // namespace tdemo::services
