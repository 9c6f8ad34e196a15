#include "services/common/standard_routes.h"

#include <memory>
#include <mutex>

#include <boost/json.hpp>

#include "metrics/registry.h"
#include "services/common/route_docs.h"
#include "services/common/json_text.h"
#include "telemetry/telemetry.h"

namespace tdemo::services {

boost::json::object telemetry_json(const ServiceContext& context) {
  const auto stats = context.telemetry.stats();
  return boost::json::object{{"exporter", stats.exporter},
                             {"spans_started", stats.spans_started},
                             {"spans_ended", stats.spans_ended},
                             {"spans_exported", stats.spans_exported},
                             {"spans_dropped", stats.spans_dropped},
                             {"export_failures", stats.export_failures},
                             {"queue_depth", stats.queue_depth},
                             {"queue_capacity", stats.queue_capacity}};
}

void register_telemetry_metrics(ServiceContext& context) {
  auto& registry = context.registry;
  auto* telemetry = &context.telemetry;
  auto read = [telemetry](auto field) {
    return [telemetry, field] { return static_cast<double>(telemetry->stats().*field); };
  };
  auto counter = [&](const char* name, const char* help, auto field) {
    registry.add_callback(name, help, metrics::MetricType::kCounter, [telemetry, field] {
      return std::vector<metrics::Sample>{{{}, static_cast<double>(telemetry->stats().*field)}};
    });
  };
  counter("tracing_spans_started_total", "Spans started by this service.",
          &telemetry::PipelineStats::spans_started);
  counter("tracing_spans_exported_total", "Spans exported successfully.",
          &telemetry::PipelineStats::spans_exported);
  counter("tracing_spans_dropped_total", "Spans dropped (export queue full or after shutdown).",
          &telemetry::PipelineStats::spans_dropped);
  counter("tracing_export_failures_total", "Span batches that failed to export after retries.",
          &telemetry::PipelineStats::export_failures);
  registry.add_callback_gauge("tracing_export_queue_depth", "Spans waiting in the export queue.",
                              read(&telemetry::PipelineStats::queue_depth));
  registry.add_callback_gauge("tracing_export_queue_capacity", "Capacity of the export queue.",
                              read(&telemetry::PipelineStats::queue_capacity));
}

void add_standard_routes(http::Router& router, ServiceContext& context, StandardRoutes routes) {
  auto shared = std::make_shared<StandardRoutes>(std::move(routes));
  ServiceContext* ctx_ptr = &context;

  auto health_doc = route_doc("Health: this service, its dependencies and the span exporter", "health");
  health_doc.responses = {response_doc(200, "Healthy"), response_doc(503, "A dependency is down")};
  router.get(
      "/health",
      [shared, ctx_ptr](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        bool healthy = true;
        boost::json::object checks;
        if (shared->local_checks) {
          checks = shared->local_checks();
          for (const auto& [name, check] : checks) {
            const auto* status = check.is_object() ? check.as_object().if_contains("status") : nullptr;
            if (status == nullptr || !status->is_string() || status->as_string() != "ok") healthy = false;
          }
        }
        boost::json::object dependencies;
        for (const auto& dependency : shared->dependencies) {
          auto result = co_await dependency.check(ctx.telemetry);
          if (result.ok() && result.value().status == 200) {
            dependencies[dependency.name] = boost::json::object{{"status", "healthy"}};
          } else {
            healthy = false;
            const std::string error = result.ok()
                                          ? "answered " + std::to_string(result.value().status)
                                          : result.error().detail;
            dependencies[dependency.name] = boost::json::object{{"status", "unhealthy"}, {"error", error}};
          }
        }
        boost::json::object body{{"status", healthy ? "healthy" : "unhealthy"},
                                 {"service", ctx_ptr->telemetry.service_name()},
                                 {"role", role_name(ctx_ptr->config.role)},
                                 {"version", TD_VERSION},
                                 {"checks", std::move(checks)},
                                 {"dependencies", std::move(dependencies)},
                                 {"telemetry", telemetry_json(*ctx_ptr)}};
        co_return json_response(healthy ? 200 : 503, body);
      },
      std::move(health_doc));

  auto metrics_doc = route_doc("Prometheus metrics", "health");
  metrics_doc.responses = {response_doc(200, "Metrics in the Prometheus text format", std::nullopt)};
  metrics_doc.responses[0].content_type = std::string(metrics::kTextContentType);
  router.get(
      "/metrics",
      [ctx_ptr](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
        co_return http::Response::text(200, ctx_ptr->registry.render(),
                                       std::string(metrics::kTextContentType));
      },
      std::move(metrics_doc));

  // Built once, on first request: by then every route is in the table.
  struct Document {
    std::once_flag once;
    std::string text;
  };
  auto document = std::make_shared<Document>();
  const http::Router* router_ptr = &router;
  auto openapi_doc = route_doc("This service's OpenAPI document", "docs");
  openapi_doc.include_in_schema = false;
  router.get(
      "/openapi.json",
      [shared, document, router_ptr](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
        std::call_once(document->once, [&] {
          document->text = boost::json::serialize(http::openapi_document(*router_ptr, shared->api));
        });
        co_return http::Response::json_text(200, document->text);
      },
      std::move(openapi_doc));
}

}  // namespace tdemo::services
