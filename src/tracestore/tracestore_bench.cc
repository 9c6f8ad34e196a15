// Trace store benchmarks: OTLP protobuf ingest (decode + store) with 1 and 4 threads, trace
// search over 1M stored spans (p50/p99 reported as counters, in ms), lookup by trace id, and
// memory per stored span (the store's own estimate and the process RSS growth).
#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>

#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/protobuf_encoder.h"
#include "tracestore/otlp_ingest.h"
#include "tracestore/test_spans.h"
#include "tracestore/trace_store.h"

namespace tdemo::tracestore {
namespace {

constexpr std::uint64_t kMs = 1'000'000ULL;
constexpr std::uint64_t kT0 = 1'700'000'000ULL * 1'000'000'000ULL;
const char* kServices[] = {"gateway", "users", "orders", "payments"};

// A realistic 10-span trace across four services, with HTTP/DB attributes.
void add_trace(telemetry::SpanBatch& out, std::uint64_t trace, std::uint64_t start) {
  static const std::shared_ptr<const telemetry::Resource> resources[] = {
      testing::resource("gateway"), testing::resource("users"), testing::resource("orders"),
      testing::resource("payments")};
  for (std::uint64_t i = 1; i <= 10; ++i) {
    const std::size_t service = (i - 1) * 4 / 10;
    auto s = std::make_unique<telemetry::SpanData>(testing::span(
        trace, i, i == 1 ? 0 : (i - 1) / 3 + 1,
        std::string(kServices[service]) + " op" + std::to_string(i % 5), resources[service],
        start + i * kMs, (11 - i) * kMs + (trace % 97) * 100'000));
    s->attributes = {{"http.request.method", std::string("GET")},
                     {"http.route", std::string("/api/v1/items/{id}")},
                     {"http.response.status_code", std::int64_t{trace % 50 == 0 ? 500 : 200}},
                     {"user.id", static_cast<std::int64_t>(trace % 1000)},
                     {"net.peer.name", std::string("10.0.0.") + std::to_string(i)}};
    if (trace % 50 == 0 && i == 10) s->status_code = telemetry::StatusCode::kError;
    out.push_back(std::move(s));
  }
}

std::string encoded_request(std::uint64_t first_trace, std::size_t traces) {
  telemetry::SpanBatch batch;
  for (std::size_t t = 0; t < traces; ++t) add_trace(batch, first_trace + t, kT0 + t * kMs);
  return telemetry::otlp::encode_protobuf(batch);
}

// What POST /v1/traces does with a body: decode, store, recycle the decoded spans.
void BM_IngestProtobuf(benchmark::State& state) {
  static TraceStore* store = nullptr;
  static OtlpIngest* ingest = nullptr;
  if (state.thread_index() == 0) {
    store = new TraceStore(TraceStoreOptions{.max_traces = 100'000});
    ingest = new OtlpIngest(*store, nullptr);
  }
  // 50 traces x 10 spans per request, distinct trace ids per thread.
  const std::string body =
      encoded_request(1'000'000ULL * static_cast<std::uint64_t>(state.thread_index() + 1), 50);
  std::size_t spans = 0;
  for (auto _ : state) {
    const IngestOutcome outcome = ingest->ingest(body, telemetry::otlp::Format::kProtobuf);
    spans += static_cast<std::size_t>(outcome.accepted);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(spans));
  if (state.thread_index() == 0) {
    delete ingest;
    delete store;
    ingest = nullptr;
    store = nullptr;
  }
}
BENCHMARK(BM_IngestProtobuf)->Threads(1)->Threads(4)->UseRealTime();

// The steady state of a busy store: full at its default 100k traces, every request brings 50 new
// traces (500 spans) and evicts as many old ones, so the trace table, the search index and the
// freed records are mostly out of the cache, as in `tracing-demo all` under load (BM_IngestProtobuf
// adds to the same 50 traces, which stay in the cache). Encoding the next request is not timed.
void BM_IngestProtobufFullStore(benchmark::State& state) {
  TraceStore store(TraceStoreOptions{});
  OtlpIngest ingest(store, nullptr);
  const std::uint64_t capacity = TraceStoreOptions{}.max_traces;
  std::uint64_t next_trace = 1;
  for (; next_trace <= capacity; next_trace += 50) {
    ingest.ingest(encoded_request(next_trace, 50), telemetry::otlp::Format::kProtobuf);
  }
  std::size_t spans = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string body = encoded_request(next_trace, 50);
    next_trace += 50;
    state.ResumeTiming();
    spans += static_cast<std::size_t>(ingest.ingest(body, telemetry::otlp::Format::kProtobuf).accepted);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(spans));
  state.counters["traces_evicted"] = static_cast<double>(store.stats().traces_evicted);
}
BENCHMARK(BM_IngestProtobufFullStore)->Unit(benchmark::kMicrosecond);

std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// Gives memory freed by earlier benchmarks back to the system, so that the RSS growth measured
// next is the new store's: jemalloc (which the benchmarks link, as tracing-demo does) returns
// freed pages some seconds later, during the measurement, which then measured less than
// nothing. jemalloc's mallctl is looked up at run time (glibc's malloc_trim otherwise).
void return_freed_memory() {
  using Mallctl = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
  if (auto* mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"))) {
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);  // 4096: MALLCTL_ARENAS_ALL
  } else {
    malloc_trim(0);
  }
}

// `traces` traces x 10 spans, built once per size.
struct BigStore {
  TraceStore store{TraceStoreOptions{.max_traces = 200'000}};
  double rss_per_span = 0;
  explicit BigStore(std::uint64_t traces) {
    return_freed_memory();
    const auto before = static_cast<double>(rss_bytes());
    for (std::uint64_t t = 0; t < traces; t += 100) {
      telemetry::SpanBatch batch;
      for (std::uint64_t i = 0; i < 100; ++i) add_trace(batch, t + i + 1, kT0 + (t + i) * 10 * kMs);
      store.add(std::span<const std::unique_ptr<telemetry::SpanData>>(batch));
    }
    return_freed_memory();  // what building it freed (its batches)
    rss_per_span = (static_cast<double>(rss_bytes()) - before) / static_cast<double>(store.stats().spans_stored);
  }
};
BigStore& store_of(std::uint64_t traces) {
  static std::map<std::uint64_t, std::unique_ptr<BigStore>> stores;
  auto& slot = stores[traces];
  if (!slot) slot = std::make_unique<BigStore>(traces);
  return *slot;
}
// 100k traces x 10 spans = 1M spans.
BigStore& big_store() { return store_of(100'000); }

void report_percentiles(benchmark::State& state, std::vector<double>& ms) {
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  state.counters["p50_ms"] = ms[ms.size() / 2];
  state.counters["p99_ms"] = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
}

// The query of each search benchmark: 0, service only (newest 20); 1, service + operation +
// tag + min duration (selective).
TraceQuery search_query(std::int64_t kind) {
  TraceQuery q;
  q.service = "payments";
  q.limit = 20;
  if (kind == 1) {
    q.operation = "payments op0";
    q.tags = {{"http.response.status_code", "500"}};
    q.duration_min_ns = 1 * kMs;
  }
  return q;
}

void run_search(benchmark::State& state, BigStore& big, const TraceQuery& q) {
  std::vector<double> ms;
  std::size_t found = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto traces = big.store.find_traces(q);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    found = traces.size();
    benchmark::DoNotOptimize(traces);
  }
  state.counters["traces_found"] = static_cast<double>(found);
  state.counters["spans_stored"] = static_cast<double>(big.store.stats().spans_stored);
  report_percentiles(state, ms);
}

// arg: the query kind (see search_query).
void BM_Search1MSpans(benchmark::State& state) {
  run_search(state, big_store(), search_query(state.range(0)));
}
BENCHMARK(BM_Search1MSpans)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The cost curve: the same searches over 10k, 100k and 1M stored spans (args: spans, query kind).
void BM_SearchCurve(benchmark::State& state) {
  run_search(state, store_of(static_cast<std::uint64_t>(state.range(0)) / 10),
             search_query(state.range(1)));
}
BENCHMARK(BM_SearchCurve)
    ->ArgsProduct({{10'000, 100'000, 1'000'000}, {0, 1}})
    ->ArgNames({"spans", "query"})
    ->Unit(benchmark::kMillisecond);

void BM_TraceById(benchmark::State& state) {
  auto& big = big_store();
  std::uint64_t n = 1;
  for (auto _ : state) {
    auto trace = big.store.get_trace(testing::trace_id(n));
    benchmark::DoNotOptimize(trace);
    n = n % 100'000 + 7919;
  }
}
BENCHMARK(BM_TraceById);

void BM_MemoryPerSpan(benchmark::State& state) {
  auto& big = big_store();
  for (auto _ : state) benchmark::DoNotOptimize(big.store.stats());
  const auto stats = big.store.stats();
  state.counters["estimate_bytes_per_span"] =
      static_cast<double>(stats.memory_bytes) / static_cast<double>(stats.spans_stored);
  state.counters["rss_bytes_per_span"] = big.rss_per_span;
}
BENCHMARK(BM_MemoryPerSpan)->Iterations(1);

}  // namespace
}  // namespace tdemo::tracestore

BENCHMARK_MAIN();
