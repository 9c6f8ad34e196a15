// What every service's domain logic and handlers share: config, telemetry, metrics, the
// outgoing HTTP client and the blocking pool. All owned by ServiceHost (service_host.h), which
// outlives the handlers.
#pragma once

#include "services/common/blocking.h"
#include "services/common/config.h"
#include "telemetry/tracer.h"

namespace tdemo::telemetry { class Telemetry; }
namespace tdemo::metrics { class Registry; }
namespace tdemo::http { class Client; }

namespace tdemo::services {

struct ServiceContext {
  const ServiceConfig& config;
  telemetry::Telemetry& telemetry;
  metrics::Registry& registry;
  http::Client& client;
  BlockingPool& blocking;
  telemetry::Tracer tracer;  // for business spans (scope "tracing-demo.<role>")
};

}  // namespace tdemo::services
