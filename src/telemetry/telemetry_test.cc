#include "telemetry/telemetry.h"

#include <gtest/gtest.h>

#include "telemetry/in_memory_exporter.h"

namespace tdemo::telemetry {
namespace {

TelemetryConfig in_memory_config(std::string service) {
  TelemetryConfig config = config_from_environment(
      service, [](std::string_view) -> std::optional<std::string> { return std::nullopt; });
  config.exporter = ExporterKind::kInMemory;
  return config;
}

TEST(TelemetryTest, InMemoryPipelineRecordsSpansWithTheResource) {
  TelemetryConfig config = in_memory_config("users");
  config.resource_attributes.push_back({"deployment.environment.name", attribute("test")});
  Telemetry telemetry(config);
  EXPECT_EQ(telemetry.service_name(), "users");
  ASSERT_NE(telemetry.in_memory_exporter(), nullptr);

  Span span = telemetry.tracer().start_span("GET /users/{id}", {}, {SpanKind::kServer, {}, {}, 0});
  span.set_attribute("user.id", attribute(7));
  span.end();
  ASSERT_TRUE(telemetry.force_flush());
  const auto spans = telemetry.in_memory_exporter()->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].resource->service_name(), "users");
  EXPECT_EQ(spans[0].scope->name, "tracing-demo");
  bool has_environment = false, has_sdk = false;
  for (const auto& kv : spans[0].resource->attributes) {
    has_environment |= kv.key == "deployment.environment.name";
    has_sdk |= kv.key == "telemetry.sdk.name";
  }
  EXPECT_TRUE(has_environment);
  EXPECT_TRUE(has_sdk);
  const PipelineStats stats = telemetry.stats();
  EXPECT_EQ(stats.spans_started, 1u);
  EXPECT_EQ(stats.spans_ended, 1u);
  EXPECT_EQ(stats.exporter, "in-memory");
}

TEST(TelemetryTest, PropagatorFollowsTheConfig) {
  TelemetryConfig config = in_memory_config("gateway");
  config.propagators = {"tracecontext", "baggage", "jaeger"};
  Telemetry telemetry(config);
  const auto fields = telemetry.propagator().fields();
  EXPECT_EQ(fields,
            (std::vector<std::string>{"traceparent", "tracestate", "baggage", "uber-trace-id"}));
  HeaderListCarrier carrier(std::vector<HeaderListCarrier::Header>{
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
  const Context parent = telemetry.propagator().extract(carrier, Context{});
  Span span = telemetry.tracer().start_span("child", parent);
  EXPECT_EQ(span.context().trace_id().hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(span.data()->parent_is_remote);
}

TEST(TelemetryTest, SamplerFromTheConfig) {
  TelemetryConfig config = in_memory_config("orders");
  config.sampler = "always_off";
  Telemetry telemetry(config);
  Span span = telemetry.tracer().start_span("dropped", {});
  EXPECT_FALSE(span.is_recording());
  EXPECT_TRUE(span.context().valid());
}

TEST(TelemetryTest, DisabledSdkIsANoOpThatStillPropagates) {
  TelemetryConfig config = in_memory_config("payments");
  config.sdk_disabled = true;
  Telemetry telemetry(config);
  EXPECT_EQ(telemetry.in_memory_exporter(), nullptr);
  const SpanContext remote(random_trace_id(), random_span_id(), 1, true);
  Span span = telemetry.tracer().start_span("x", Context{remote, nullptr});
  EXPECT_FALSE(span.is_recording());
  EXPECT_EQ(span.context().span_id(), remote.span_id());
  EXPECT_EQ(telemetry.stats().exporter, "disabled (OTEL_SDK_DISABLED)");
}

TEST(TelemetryTest, OtlpPipelineIsBatched) {
  TelemetryConfig config = in_memory_config("gateway");
  config.exporter = ExporterKind::kOtlp;
  config.endpoint = "http://127.0.0.1:9/v1/traces";  // discard port: nothing listens
  config.export_timeout = std::chrono::milliseconds(200);
  config.bsp_max_queue_size = 16;
  Telemetry telemetry(config);
  for (int i = 0; i < 20; ++i) telemetry.tracer().start_span("s", {}).end();
  const PipelineStats stats = telemetry.stats();
  EXPECT_EQ(stats.queue_capacity, 16u);
  EXPECT_EQ(stats.spans_ended, 20u);
  EXPECT_EQ(stats.exporter, "otlp http/protobuf http://127.0.0.1:9/v1/traces");
  telemetry.shutdown(std::chrono::milliseconds(5000));
  const PipelineStats after = telemetry.stats();
  // Every sampled span is accounted for exactly once: exported, failed or dropped.
  EXPECT_EQ(after.queue_depth, 0u);
  EXPECT_EQ(after.spans_exported + after.spans_failed + after.spans_dropped, 20u);
}

}  // namespace
}  // namespace tdemo::telemetry
