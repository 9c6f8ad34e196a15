// The load generator's per-request costs: recording a latency, parsing a response, stamping a
// traceparent. Each must stay far below a request's cost so the tool measures the server.
#include <benchmark/benchmark.h>

#include <random>

#include "loadgen/http_wire.h"
#include "loadgen/latency_histogram.h"
#include "loadgen/request_tracer.h"

namespace tdemo::loadgen {
namespace {

void BM_HistogramRecord(benchmark::State& state) {
  LatencyHistogram h;
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> d(13.0, 1.0);
  std::vector<std::uint64_t> values(4096);
  for (auto& v : values) v = static_cast<std::uint64_t>(d(rng));
  std::size_t i = 0;
  for (auto _ : state) h.record(values[i++ & 4095]);
  benchmark::DoNotOptimize(h.count());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramP99(benchmark::State& state) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v < 1'000'000; v += 7) h.record(v * 100);
  for (auto _ : state) benchmark::DoNotOptimize(h.percentile(99));
}
BENCHMARK(BM_HistogramP99);

void BM_ParseResponse(benchmark::State& state) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\n"
      "traceresponse: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n\r\n{\"status\":\"healthy\"}";
  ResponseParser parser;
  for (auto _ : state) {
    parser.reset();
    benchmark::DoNotOptimize(parser.feed(wire));
  }
}
BENCHMARK(BM_ParseResponse);

void BM_UnsampledTraceparent(benchmark::State& state) {
  auto request = RequestBytes::build("GET", "/users/1", "127.0.0.1:8000", "", true);
  UnsampledTraceparents tracer;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tracer.begin("GET", "http://127.0.0.1:8000/users/1", {}, request.traceparent_slot(), nullptr));
  }
}
BENCHMARK(BM_UnsampledTraceparent);

}  // namespace
}  // namespace tdemo::loadgen

BENCHMARK_MAIN();
