#include "services/common/standard_routes.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <boost/json.hpp>

#include "metrics/registry.h"
#include "services/common/route_docs.h"
#include "services/common/json_text.h"
#include "telemetry/log.h"
#include "telemetry/telemetry.h"

namespace tdemo::services {

namespace {
// /health is what probes and load balancers poll, often many times a second: its body is
// written straight into one string, in the order a document would serialize it; the parts that
// do not change while the service runs (names, the exporter) are escaped once, at start.
void append_telemetry_json(std::string& out, const telemetry::PipelineStats& stats,
                           std::string_view exporter_json) {
  // Each key with its quotes, colon and the comma before it: one append per field.
  const struct {
    std::string_view key;
    std::uint64_t value;
  } counts[] = {{",\"spans_started\":", stats.spans_started},
                {",\"spans_ended\":", stats.spans_ended},
                {",\"spans_exported\":", stats.spans_exported},
                {",\"spans_dropped\":", stats.spans_dropped},
                {",\"export_failures\":", stats.export_failures},
                {",\"queue_depth\":", stats.queue_depth},
                {",\"queue_capacity\":", stats.queue_capacity}};
  out += "{\"exporter\":";
  out += exporter_json;
  for (const auto& [key, value] : counts) {
    out += key;
    append_json_int(out, static_cast<std::int64_t>(value));
  }
  out += '}';
}
}  // namespace

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

namespace {
// /health answers from dependency results at most this old, so a probe or a load balancer
// polling /health costs one downstream round trip per dependency per second, not per call.
constexpr std::chrono::milliseconds kDependencyHealthTtl{1000};
constexpr std::chrono::seconds kStuckRefresh{30};

struct DependencyHealthCache {
  struct Entry {
    std::optional<std::chrono::steady_clock::time_point> checked_at;
    bool healthy = false;
    std::string error;
    // Set while one request refreshes; a refresh older than kStuckRefresh (its request was
    // cancelled mid-check) no longer blocks the next one.
    std::optional<std::chrono::steady_clock::time_point> refresh_started;
  };
  std::mutex mutex;
  std::vector<Entry> entries;  // one per StandardRoutes::dependencies
};

struct HealthText {
  std::string identity;                // ,"service":"…","role":"…","version":"…","checks":
  std::vector<std::string> healthy;    // per dependency: "users":{"status":"healthy","checked_ms_ago":
  std::vector<std::string> unhealthy;  // "users":{"status":"unhealthy","error":
  std::string exporter;                // the exporter's description as a JSON string
};
}  // namespace

void add_standard_routes(http::Router& router, ServiceContext& context, StandardRoutes routes) {
  auto shared = std::make_shared<StandardRoutes>(std::move(routes));
  ServiceContext* ctx_ptr = &context;
  auto health_cache = std::make_shared<DependencyHealthCache>();
  health_cache->entries.resize(shared->dependencies.size());

  auto health_doc = route_doc("Health: this service, its dependencies and the span exporter", "health");
  health_doc.responses = {response_doc(200, "Healthy"), response_doc(503, "A dependency is down")};
  // The body's fixed text, escaped once: what follows the status, and per dependency what
  // precedes its age (healthy) or its error (unhealthy).
  auto text = std::make_shared<HealthText>();
  text->identity = ",\"service\":";
  append_json_string(text->identity, context.telemetry.service_name());
  text->identity += ",\"role\":\"";
  text->identity += role_name(context.config.role);
  text->identity += "\",\"version\":\"" TD_VERSION "\",\"checks\":";
  for (const auto& dependency : shared->dependencies) {
    std::string name = "\"";
    telemetry::append_json_escaped(name, dependency.name);  // configured
    text->healthy.push_back(name + "\":{\"status\":\"healthy\",\"checked_ms_ago\":");
    text->unhealthy.push_back(name + "\":{\"status\":\"unhealthy\",\"error\":");
  }
  append_json_string(text->exporter, context.telemetry.stats().exporter);  // fixed at start

  router.get(
      "/health",
      [shared, ctx_ptr, health_cache, text](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        bool healthy = true;
        boost::json::object checks;
        if (shared->local_checks) {
          checks = shared->local_checks();
          for (const auto& [name, check] : checks) {
            const auto* status = check.is_object() ? check.as_object().if_contains("status") : nullptr;
            if (status == nullptr || !status->is_string() || status->as_string() != "ok") healthy = false;
          }
        }
        // The cached results are read under one lock per request (the I/O threads answer
        // /health at once: one lock per dependency made them take turns three times); the
        // stale ones are refreshed after it, each by one request at a time.
        const std::size_t count = shared->dependencies.size();
        boost::container::small_vector<DependencyHealthCache::Entry, 4> entries(count);
        boost::container::small_vector<bool, 4> refresh(count, false);
        {
          const auto now = std::chrono::steady_clock::now();
          std::lock_guard lock(health_cache->mutex);
          for (std::size_t i = 0; i < count; ++i) {
            auto& cached = health_cache->entries[i];
            entries[i] = cached;
            if (!cached.checked_at || now - *cached.checked_at >= kDependencyHealthTtl) {
              refresh[i] = !cached.checked_at || !cached.refresh_started ||
                           now - *cached.refresh_started > kStuckRefresh;
              if (refresh[i]) cached.refresh_started = now;
            }
          }
        }
        std::size_t error_bytes = 0;
        for (std::size_t i = 0; i < count; ++i) {
          auto& entry = entries[i];
          if (refresh[i]) {
            auto result = co_await shared->dependencies[i].check(ctx.telemetry);
            entry.healthy = result.ok() && result.value().status == 200;
            entry.error = entry.healthy ? std::string()
                          : result.ok() ? "answered " + std::to_string(result.value().status)
                                        : result.error().detail;
            entry.checked_at = std::chrono::steady_clock::now();
            std::lock_guard lock(health_cache->mutex);
            auto& cached = health_cache->entries[i];
            cached = entry;
            cached.refresh_started.reset();
          }
          if (!entry.healthy) healthy = false;
          error_bytes += entry.error.size();
        }
        // Every result is known: the body is written front to back, without a second string.
        std::string body;
        body.reserve(320 + text->identity.size() + text->exporter.size() + 96 * count + 2 * error_bytes);
        body += healthy ? "{\"status\":\"healthy\"" : "{\"status\":\"unhealthy\"";
        body += text->identity;
        if (checks.empty()) {
          body += "{}";
        } else {
          body += to_json_text(checks);
        }
        body += ",\"dependencies\":{";
        const auto now = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < count; ++i) {
          const auto& entry = entries[i];
          if (i != 0) body += ',';
          if (entry.healthy) {
            body += text->healthy[i];
          } else {
            body += text->unhealthy[i];
            append_json_string(body, entry.error);
            body += ",\"checked_ms_ago\":";
          }
          append_json_int(body, std::chrono::duration_cast<std::chrono::milliseconds>(now - *entry.checked_at).count());
          body += '}';
        }
        body += "},\"telemetry\":";
        append_telemetry_json(body, ctx_ptr->telemetry.stats(), text->exporter);
        body += '}';
        co_return http::Response::json_text(healthy ? 200 : 503, std::move(body));
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
