// The routes every service has: GET /health (itself, its dependencies, the span exporter),
// GET /metrics (Prometheus text), GET /openapi.json (generated from the route table).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "http/openapi.h"
#include "http/router.h"
#include "services/common/downstream.h"
#include "services/common/service_context.h"

namespace tdemo::services {

// A dependency checked by /health (a downstream service's /health).
struct DependencyCheck {
  std::string name;  // "users"
  std::function<boost::asio::awaitable<DownstreamResult>(const telemetry::Context&)> check;
};

// Local checks (e.g. the database pool), each {"status": "ok"|"error", ...}; an "error" makes
// /health answer 503. Called per request, from a pool thread; must be quick and thread-safe.
using LocalChecks = std::function<boost::json::object()>;

struct StandardRoutes {
  std::vector<DependencyCheck> dependencies;
  LocalChecks local_checks;
  http::ApiInfo api;
};

// Adds /health, /metrics and /openapi.json. `context` and `router` must outlive the routes
// (the OpenAPI document is built from `router` on first request, after every route is added).
void add_standard_routes(http::Router& router, ServiceContext& context, StandardRoutes routes);

// Registers the telemetry pipeline gauges/counters (tracing_*) on the context's registry.
void register_telemetry_metrics(ServiceContext& context);

}  // namespace tdemo::services
