// The Jaeger-compatible query API (/api/... and /api/v3/...) as plain functions from a
// request to a response, so they are testable without sockets. Routes are wired up by
// add_query_routes (query_routes.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/message.h"
#include "tracestore/trace_query.h"

namespace tdemo::http { class Router; }
namespace tdemo::metrics { class Registry; }

namespace tdemo::tracestore {

class TraceStore;

// Thread-safe (reads the thread-safe store). `store` must outlive it.
class QueryApi {
 public:
  // `now_ns` is the clock (tests pin it); defaults to the system clock.
  explicit QueryApi(const TraceStore& store, std::function<std::uint64_t()> now_ns = {});

  // Jaeger's HTTP API (structuredResponse envelopes; errors as {errors:[{code,msg}]}).
  http::Response services(const http::Request& request) const;
  http::Response service_operations(const http::Request& request) const;  // {service} param
  http::Response operations(const http::Request& request) const;          // ?service=&spanKind=
  http::Response search_traces(const http::Request& request) const;
  http::Response get_trace(const http::Request& request) const;          // {traceID} param
  http::Response dependencies(const http::Request& request) const;       // ?endTs=&lookback= (ms)
  // Our extension for the service map: edges with callCount, errorCount, p50/p95 (µs).
  http::Response dependency_stats(const http::Request& request) const;

  // api_v3 (OTLP JSON).
  http::Response v3_services(const http::Request& request) const;
  http::Response v3_operations(const http::Request& request) const;
  http::Response v3_search_traces(const http::Request& request) const;
  http::Response v3_get_trace(const http::Request& request) const;  // {trace_id} param

 private:
  const TraceStore& store_;
  std::function<std::uint64_t()> now_ns_;
};

// Every (name, value) pair of a query string, percent- and '+'-decoded, in order.
QueryParams parse_query_string(std::string_view query);

struct QueryRoutesOptions {
  std::string auth_token;  // non-empty: every API route requires "Authorization: Bearer <token>"
  bool serve_ui = true;    // /, /search, /trace/{id}, /dependencies and /static/{file}
};

// Adds the API routes, the UI routes and GET /metrics (when `registry` is non-null) to
// `router`. `api` and `registry` must outlive the router.
void add_query_routes(http::Router& router, const QueryApi& api, metrics::Registry* registry,
                      const QueryRoutesOptions& options);

// True when `request` carries "Authorization: Bearer <token>" (constant-time compare), or the
// token is empty.
bool authorized(const http::Request& request, std::string_view token);

}  // namespace tdemo::tracestore
