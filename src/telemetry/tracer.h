// Tracer and TracerProvider: where spans start.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/context.h"
#include "telemetry/sampler.h"
#include "telemetry/span.h"
#include "telemetry/span_limits.h"
#include "telemetry/span_processor.h"
#include "telemetry/thread_counter.h"

namespace tdemo::telemetry {

struct StartSpanOptions {
  SpanKind kind = SpanKind::kInternal;
  Attributes attributes;  // visible to the sampler
  std::vector<Link> links;
  std::uint64_t start_time_unix_nano = 0;  // 0: now
};

// Counters every provider keeps; read them for /metrics and /health.
struct TracerStats {
  ThreadCounter spans_started;
  ThreadCounter spans_ended;
  ThreadCounter spans_not_sampled;
};

// The SDK's default resource: service.name "unknown_service", a random service.instance.id
// (UUID v4), telemetry.sdk.{name="tracing-demo",language="cpp",version=TD_VERSION},
// host.name and process.pid.
Resource default_resource();
// `base` with `updating`'s attributes added, replacing those with the same key (the spec's
// Resource merge; the updating schema URL wins when set).
Resource merge_resources(const Resource& base, const Resource& updating);

struct TracerProviderOptions {
  // null: default_resource(). A given resource is used as it is (merge it with
  // default_resource() first to keep the SDK attributes; Telemetry does).
  std::shared_ptr<const Resource> resource;
  std::unique_ptr<Sampler> sampler;                        // null: parentbased_always_on
  std::vector<std::unique_ptr<SpanProcessor>> processors;  // none: spans are not exported
  SpanLimits limits;
};

class TracerProvider;

// A cheap-to-copy handle that starts spans for one instrumentation scope. Valid while its
// TracerProvider lives. Thread-safe.
class Tracer {
 public:
  Tracer() = default;  // a no-op tracer: spans propagate the parent's context, record nothing

  // Starts a span as a child of `parent.span` (a root span when that is invalid). The span's
  // trace id is the parent's or a new random one. Sampling follows the provider's sampler; a
  // non-sampled span is non-recording but has its own valid span id.
  Span start_span(std::string_view name, const Context& parent,
                  StartSpanOptions options = {}) const;

  bool enabled() const noexcept { return provider_ != nullptr; }
  // False when no span this tracer starts can record (no provider, or a shut-down one, as
  // with OTEL_SDK_DISABLED): callers need not build span names and attributes then.
  bool may_record() const noexcept;

 private:
  friend class TracerProvider;
  Tracer(TracerProvider* provider, std::shared_ptr<const InstrumentationScope> scope)
      : provider_(provider), scope_(std::move(scope)) {}
  TracerProvider* provider_ = nullptr;
  std::shared_ptr<const InstrumentationScope> scope_;
};

// Owns the resource, sampler, limits and processors of one service. Several providers may live
// in one process (the `all` mode runs four services, each its own provider); there is no
// global instance. Thread-safe. Must outlive its Tracers and their spans.
class TracerProvider {
 public:
  explicit TracerProvider(TracerProviderOptions options);
  TracerProvider(const TracerProvider&) = delete;
  TracerProvider& operator=(const TracerProvider&) = delete;
  ~TracerProvider();  // shuts down (flushing) if not done yet

  Tracer tracer(std::string_view scope_name, std::string_view scope_version = {});
  const Resource& resource() const noexcept { return *resource_; }
  const TracerStats& stats() const noexcept { return stats_; }

  bool force_flush(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept;
  bool shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept;

 private:
  friend class Tracer;
  class MultiProcessor;
  std::shared_ptr<const Resource> resource_;
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<SpanProcessor> processor_;  // one, or a fan-out over several
  SpanLimits limits_;
  TracerStats stats_;
  std::atomic<bool> shut_down_{false};
};

}  // namespace tdemo::telemetry
