// Wires the query API, the embedded UI and /metrics into a router.
#include <boost/asio/awaitable.hpp>

#include "embedded/tracestore_ui.h"
#include "http/errors.h"
#include "http/router.h"
#include "http/static_files.h"
#include "metrics/registry.h"
#include "tracestore/query_api.h"

namespace tdemo::tracestore {
namespace {

// Scripts and styles only from our own origin: no inline script, no eval, no framing.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

http::Response with_ui_headers(http::Response response) {
  response.headers.set("Content-Security-Policy", kContentSecurityPolicy);
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Referrer-Policy", "no-referrer");
  return response;
}

http::Response embedded_file(const http::Request& request, std::string_view path) {
  const auto* file = embedded::tracestore_ui::find(path);
  if (!file) return with_ui_headers(http::not_found());
  // index.html must revalidate (it names the assets); assets may be cached briefly.
  return with_ui_headers(
      http::static_file_response(request, file->path, file->data, path == "index.html" ? 0 : 300));
}

http::Response unauthorized() {
  auto r = http::error_response(401, "missing or invalid bearer token");
  r.headers.set("WWW-Authenticate", "Bearer");
  return r;
}

using Method = http::Response (QueryApi::*)(const http::Request&) const;

}  // namespace

void add_query_routes(http::Router& router, const QueryApi& api, metrics::Registry* registry,
                      const QueryRoutesOptions& options) {
  const std::string token = options.auth_token;
  auto route = [&router, &api, token](std::string pattern, Method method, std::string summary) {
    http::RouteDoc doc;
    doc.summary = std::move(summary);
    doc.tags = {"query"};
    router.get(std::move(pattern),
               [&api, method, token](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
                 if (!authorized(ctx.request, token)) co_return unauthorized();
                 co_return (api.*method)(ctx.request);
               },
               std::move(doc));
  };
  route("/api/services", &QueryApi::services, "Service names (Jaeger)");
  route("/api/services/{service}/operations", &QueryApi::service_operations, "Operation names of a service (Jaeger)");
  route("/api/operations", &QueryApi::operations, "Operations with span kinds (Jaeger)");
  route("/api/traces", &QueryApi::search_traces, "Search traces (Jaeger)");
  route("/api/traces/{traceID}", &QueryApi::get_trace, "One trace by id (Jaeger)");
  route("/api/dependencies", &QueryApi::dependencies, "Service dependencies (Jaeger)");
  route("/api/tracestore/dependencies", &QueryApi::dependency_stats,
        "Service dependencies with error rate and latency percentiles");
  route("/api/v3/services", &QueryApi::v3_services, "Service names (api_v3)");
  route("/api/v3/operations", &QueryApi::v3_operations, "Operations (api_v3)");
  route("/api/v3/traces", &QueryApi::v3_search_traces, "Search traces, OTLP JSON (api_v3)");
  route("/api/v3/traces/{trace_id}", &QueryApi::v3_get_trace, "One trace, OTLP JSON (api_v3)");

  if (registry) {
    router.get("/metrics", [registry, token](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
      if (!authorized(ctx.request, token)) co_return unauthorized();
      co_return http::Response::text(200, registry->render(), std::string(metrics::kTextContentType));
    });
  }
  if (!options.serve_ui) return;
  // The UI's pages are one document; the client routes by path. The page itself holds no
  // data, so it is served without the token (its API calls need it).
  auto page = [](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    co_return embedded_file(ctx.request, "index.html");
  };
  for (const char* path : {"/", "/search", "/trace/{id}", "/dependencies"}) router.get(path, page);
  router.get("/static/{file}", [](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    co_return embedded_file(ctx.request, ctx.request.param("file").value_or(""));
  });
}

}  // namespace tdemo::tracestore
