// Microbenchmarks of the span hot path and traceparent handling (no console, no network).
//   build/<preset>/bench/telemetry_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <memory>

#include "telemetry/batch_span_processor.h"
#include "telemetry/log.h"
#include "telemetry/propagation.h"
#include "telemetry/tracer.h"

namespace tdemo::telemetry {
namespace {

// An exporter that drops every batch: measures the SDK, not a transport.
class DiscardingExporter final : public SpanExporter {
 public:
  ExportResult export_spans(const SpanBatch&) noexcept override { return ExportResult::kSuccess; }
  bool shutdown(std::chrono::milliseconds) noexcept override { return true; }
};

// One provider for the whole binary: always_on, batch processor, discarding exporter.
struct BenchPipeline {
  BenchPipeline() {
    BatchSpanProcessorOptions batch;
    batch.max_queue_size = 65536;
    batch.max_export_batch_size = 512;
    auto processor =
        std::make_unique<BatchSpanProcessor>(std::make_unique<DiscardingExporter>(), batch);
    this->batch = processor.get();
    TracerProviderOptions options;
    options.sampler = make_always_on_sampler();
    options.processors.push_back(std::move(processor));
    provider = std::make_unique<TracerProvider>(std::move(options));
    tracer = provider->tracer("bench", "1");
  }
  std::unique_ptr<TracerProvider> provider;
  BatchSpanProcessor* batch = nullptr;
  Tracer tracer;
};

BenchPipeline& pipeline() {
  static BenchPipeline instance;
  return instance;
}

void start_end_with_4_attributes(benchmark::State& state, const Context& parent) {
  const Tracer& tracer = pipeline().tracer;
  for (auto _ : state) {
    Span span = tracer.start_span("GET /users/{id}", parent);
    span.set_attribute("http.request.method", "GET");
    span.set_attribute("http.route", "/users/{id}");
    span.set_attribute("http.response.status_code", 200);
    span.set_attribute("user.id", 42);
    span.end();
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    state.counters["dropped_total"] = static_cast<double>(pipeline().batch->stats().dropped);
  }
}

void BM_SpanStartEnd4Attributes_Root(benchmark::State& state) {
  start_end_with_4_attributes(state, Context{});
}
BENCHMARK(BM_SpanStartEnd4Attributes_Root)->Threads(1)->Threads(2)->UseRealTime();

void BM_SpanStartEnd4Attributes_WithParent(benchmark::State& state) {
  const Context parent{
      *parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), nullptr};
  start_end_with_4_attributes(state, parent);
}
BENCHMARK(BM_SpanStartEnd4Attributes_WithParent)->Threads(1)->Threads(2)->UseRealTime();

// A span given 12 attributes one by one after its start, each key new to it: what setting
// attributes costs beyond the 4 above. (The services' HTTP server gives its spans most of
// theirs at the start, BM_SpanStartEnd4Attributes_AtStart's path.)
void BM_SpanStartEnd12Attributes(benchmark::State& state) {
  const Tracer& tracer = pipeline().tracer;
  for (auto _ : state) {
    Span span = tracer.start_span("GET /users/{user_id}", Context{});
    span.set_attribute("http.request.method", "GET");
    span.set_attribute("url.path", "/users/1");
    span.set_attribute("url.scheme", "http");
    span.set_attribute("http.route", "/users/{user_id}");
    span.set_attribute("server.address", "127.0.0.1");
    span.set_attribute("server.port", 8000);
    span.set_attribute("network.peer.address", "127.0.0.1");
    span.set_attribute("network.peer.port", 53122);
    span.set_attribute("user_agent.original", "wrk");
    span.set_attribute("network.protocol.version", "1.1");
    span.set_attribute("http.response.status_code", 200);
    span.set_attribute("http.response.body.size", 87);
    span.end();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpanStartEnd12Attributes)->UseRealTime();

void BM_SpanStartEnd4Attributes_AtStart(benchmark::State& state) {
  const Tracer& tracer = pipeline().tracer;
  for (auto _ : state) {
    StartSpanOptions options;
    options.kind = SpanKind::kServer;
    options.attributes = {{"http.request.method", attribute("GET")},
                          {"http.route", attribute("/users/{id}")},
                          {"http.response.status_code", attribute(200)},
                          {"user.id", attribute(42)}};
    Span span = tracer.start_span("GET /users/{id}", Context{}, std::move(options));
    span.end();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpanStartEnd4Attributes_AtStart);

void BM_NonRecordingSpan(benchmark::State& state) {
  TracerProviderOptions options;
  options.sampler = make_always_off_sampler();
  TracerProvider provider(std::move(options));
  const Tracer tracer = provider.tracer("bench");
  for (auto _ : state) {
    Span span = tracer.start_span("x", Context{});
    span.set_attribute("k", attribute(1));
    span.end();
  }
}
BENCHMARK(BM_NonRecordingSpan);

void BM_ParseTraceparent(benchmark::State& state) {
  const std::string header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  for (auto _ : state) {
    auto context = parse_traceparent(header);
    benchmark::DoNotOptimize(context);
  }
}
BENCHMARK(BM_ParseTraceparent);

void BM_FormatTraceparent(benchmark::State& state) {
  const SpanContext context =
      *parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  char out[55];
  for (auto _ : state) {
    format_traceparent(context, out);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_FormatTraceparent);

void BM_RandomIds(benchmark::State& state) {
  for (auto _ : state) {
    auto trace = random_trace_id();
    auto span = random_span_id();
    benchmark::DoNotOptimize(trace);
    benchmark::DoNotOptimize(span);
  }
}
BENCHMARK(BM_RandomIds);

// An access-log line's inputs, and a logger whose sink keeps only the length: the formatting
// cost. Not movable (the sink refers to `bytes`).
struct AccessLogInputs {
  AccessLogInputs() = default;
  AccessLogInputs(const AccessLogInputs&) = delete;
  std::size_t bytes = 0;
  const Logger logger{"gateway", LogLevel::kInfo, [this](std::string_view line) { bytes += line.size(); }};
  const SpanContext span = *parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  const std::string method = "GET", path = "/users/42", client = "127.0.0.1:53312";
};

// The access-log line through Logger::log: an Attributes vector built per line, the way lines
// with keys known only at run time are written.
void BM_AccessLogLine(benchmark::State& state) {
  AccessLogInputs in;
  for (auto _ : state) {
    in.logger.info("access",
                   {{"http.request.method", in.method},
                    {"url.path", in.path},
                    {"http.response.status_code", static_cast<std::int64_t>(200)},
                    {"http.response.body.size", static_cast<std::int64_t>(312)},
                    {"duration_ms", 0.734},
                    {"client.address", in.client}},
                   in.span);
  }
  benchmark::DoNotOptimize(in.bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AccessLogLine);

// The same line as http::RequestHandler::write_access_log builds it: field by field with
// LogLine (no Attributes vector), the path through a redaction that copies it.
void BM_AccessLogLineFields(benchmark::State& state) {
  AccessLogInputs in;
  for (auto _ : state) {
    in.logger.line(LogLevel::kInfo, "access", in.span)
        .field("http.request.method", in.method)
        .field("url.path", std::string(in.path))
        .field("http.response.status_code", 200)
        .field("http.response.body.size", std::size_t{312})
        .field_3_decimals("duration_ms", 0.734)
        .field("client.address", in.client)
        .write();
  }
  benchmark::DoNotOptimize(in.bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AccessLogLineFields);

}  // namespace
}  // namespace tdemo::telemetry

BENCHMARK_MAIN();
