#include "loadgen/telemetry_request_tracer.h"

#include <gtest/gtest.h>

#include "telemetry/in_memory_exporter.h"
#include "telemetry/propagation.h"
#include "telemetry/simple_span_processor.h"

namespace tdemo::loadgen {
namespace {

struct Provider {
  telemetry::InMemorySpanExporter* exporter = nullptr;
  std::unique_ptr<telemetry::TracerProvider> provider;
  Provider() {
    auto exporter_owned = std::make_unique<telemetry::InMemorySpanExporter>();
    exporter = exporter_owned.get();
    telemetry::TracerProviderOptions options;
    options.processors.push_back(std::make_unique<telemetry::SimpleSpanProcessor>(std::move(exporter_owned)));
    provider = std::make_unique<telemetry::TracerProvider>(std::move(options));
  }
};

TEST(TelemetryRequestTracer, SampledRequestsGetAClientSpanAndItsTraceparent) {
  Provider p;
  TelemetryRequestTracer tracer(p.provider->tracer("traffic"), 1.0);
  char slot[55];
  char trace_id[32];
  auto request = tracer.begin("GET", "http://127.0.0.1:8000/users/7", "/users/{user_id}", slot, trace_id);
  ASSERT_NE(request, nullptr);
  const auto parsed = telemetry::parse_traceparent(std::string_view(slot, 55));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->sampled());
  EXPECT_EQ(parsed->trace_id().hex(), std::string(trace_id, 32));
  request->end(404, FailureCause::kNone);
  const auto spans = p.exporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "GET /users/{user_id}");
  EXPECT_EQ(spans[0].kind, telemetry::SpanKind::kClient);
  EXPECT_EQ(spans[0].status_code, telemetry::StatusCode::kError);
  EXPECT_EQ(spans[0].context.span_id(), parsed->span_id());
}

TEST(TelemetryRequestTracer, UnsampledRequestsGetFreshIdsAndNoSpan) {
  Provider p;
  TelemetryRequestTracer tracer(p.provider->tracer("traffic"), 0.0);
  char a[55], b[55];
  EXPECT_EQ(tracer.begin("GET", "http://h:1/x", {}, a, nullptr), nullptr);
  EXPECT_EQ(tracer.begin("GET", "http://h:1/x", {}, b, nullptr), nullptr);
  const auto pa = telemetry::parse_traceparent(std::string_view(a, 55));
  const auto pb = telemetry::parse_traceparent(std::string_view(b, 55));
  ASSERT_TRUE(pa && pb);
  EXPECT_FALSE(pa->sampled());
  EXPECT_NE(pa->trace_id(), pb->trace_id());
  EXPECT_TRUE(p.exporter->spans().empty());
}

TEST(TelemetryRequestTracer, SampleRateIsHonouredRoughly) {
  Provider p;
  TelemetryRequestTracer tracer(p.provider->tracer("traffic"), 0.25);
  int sampled = 0;
  char slot[55];
  for (int i = 0; i < 4000; ++i) {
    if (auto r = tracer.begin("GET", "http://h:1/x", {}, slot, nullptr)) {
      ++sampled;
      r->end(200, FailureCause::kNone);
    }
  }
  EXPECT_GT(sampled, 800);   // expected 1000; bounds are many standard deviations wide
  EXPECT_LT(sampled, 1200);
}

}  // namespace
}  // namespace tdemo::loadgen
