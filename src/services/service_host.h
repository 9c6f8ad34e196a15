// ServiceHost: one running service (gateway, users, orders or payments) with everything it
// owns: its Telemetry (own tracer provider and service.name), metrics registry, blocking pool,
// outgoing HTTP client, storage, domain logic, route table and server. The `all` mode runs four
// hosts on one shared IoPool; the single-service subcommands run one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "services/common/config.h"
#include "storage/result.h"
#include "telemetry/telemetry.h"

namespace tdemo::http { class IoPool; }

namespace tdemo::services {

// Lifecycle: create() builds (opens the database, builds routes), start() binds the port,
// then run the IoPool; stop() stops accepting, finishes in-flight requests, then flushes spans.
// start/stop from a non-pool thread. The IoPool must outlive the host.
class ServiceHost {
 public:
  // `telemetry_config` names the service (its service_name; default_service_name(role) is
  // used when empty) and says where spans go.
  static storage::Result<std::unique_ptr<ServiceHost>, std::string> create(
      const ServiceConfig& config, telemetry::TelemetryConfig telemetry_config, http::IoPool& pool);
  ~ServiceHost();
  ServiceHost(const ServiceHost&) = delete;
  ServiceHost& operator=(const ServiceHost&) = delete;

  // Binds host:port; an error text (e.g. "address in use") on failure.
  std::optional<std::string> start();
  // Idempotent.
  void stop();
  std::uint16_t port() const noexcept;
  const ServiceConfig& config() const noexcept;
  telemetry::Telemetry& telemetry() noexcept;

  struct Parts;  // defined in service_host.cc

 private:
  explicit ServiceHost(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace tdemo::services
