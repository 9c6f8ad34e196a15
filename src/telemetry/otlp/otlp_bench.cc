// OTLP encode/decode of a 512-span batch of realistic spans (8 attributes, 1 event), in spans/s.
#include <benchmark/benchmark.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/reference_decoder.h"
#include "telemetry/otlp/json_encoder.h"
#include "telemetry/otlp/protobuf_encoder.h"
#include "telemetry/otlp/test_spans.h"

namespace tdemo::telemetry::otlp {
namespace {

constexpr std::size_t kBatchSize = 512;

void report(benchmark::State& state, std::size_t bytes) {
  state.counters["spans/s"] = benchmark::Counter(static_cast<double>(state.iterations() * kBatchSize),
                                                 benchmark::Counter::kIsRate);
  state.counters["bytes/span"] = static_cast<double>(bytes) / kBatchSize;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

void BM_EncodeProtobuf(benchmark::State& state) {
  const SpanBatch batch = testing::realistic_batch(kBatchSize);
  std::string out;
  for (auto _ : state) {
    encode_protobuf(batch, out);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, out.size());
}
BENCHMARK(BM_EncodeProtobuf);

#if defined(__x86_64__)
// Writes back and drops from every cache level the lines of [p, p + n).
void evict(const void* p, std::size_t n) {
  const auto* bytes = static_cast<const char*>(p);
  for (std::size_t off = 0; off < n; off += 64) _mm_clflush(bytes + off);
}
void evict(const std::string& s) { evict(s.data(), s.size() + 1); }
void evict(const Attributes& list) {
  evict(list.data(), list.size() * sizeof(KeyValue));
  for (const KeyValue& kv : list) {
    evict(kv.key);
    if (const auto* text = std::get_if<std::string>(&kv.value)) evict(*text);
  }
}

// BM_EncodeProtobuf on a batch out of every cache, as the exporting thread finds spans another
// core filled (the steady state's batch, encoded again and again, stays in cache): what the
// encoder's prefetches (telemetry/prefetch.h) are for.
void BM_EncodeProtobufColdBatch(benchmark::State& state) {
  const SpanBatch batch = testing::realistic_batch(kBatchSize);
  std::string out;
  for (auto _ : state) {
    state.PauseTiming();
    for (const auto& span : batch) {
      evict(span.get(), sizeof(SpanData));
      evict(span->name);
      evict(span->attributes);
      evict(span->events.data(), span->events.size() * sizeof(Event));
      for (const Event& e : span->events) evict(e.attributes);
    }
    _mm_mfence();
    state.ResumeTiming();
    encode_protobuf(batch, out);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, out.size());
}
BENCHMARK(BM_EncodeProtobufColdBatch);
#endif

void BM_EncodeJson(benchmark::State& state) {
  const SpanBatch batch = testing::realistic_batch(kBatchSize);
  std::string out;
  for (auto _ : state) {
    encode_json(batch, out);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, out.size());
}
BENCHMARK(BM_EncodeJson);

// Decodes one realistic 512-span protobuf request per iteration with `decode`.
template <class Decode>
void decode_protobuf_batches(benchmark::State& state, Decode decode) {
  const std::string body = encode_protobuf(testing::realistic_batch(kBatchSize));
  for (auto _ : state) {
    DecodeResult r = decode(body);
    benchmark::DoNotOptimize(r.spans.data());
  }
  report(state, body.size());
}

void BM_DecodeProtobuf(benchmark::State& state) {
  decode_protobuf_batches(state, [](std::string_view body) { return decode_export_request(body, Format::kProtobuf); });
}
BENCHMARK(BM_DecodeProtobuf);

// The trace store's form: span attributes as references into the body (not copied).
void BM_DecodeProtobufAttributeRefs(benchmark::State& state) {
  decode_protobuf_batches(state, [](std::string_view body) { return decode_protobuf_attribute_refs(body); });
}
BENCHMARK(BM_DecodeProtobufAttributeRefs);

// The libprotobuf-based reference decoder (parse, then convert), which the receiver used before
// the wire decoder.
void BM_DecodeProtobufWithLibprotobuf(benchmark::State& state) {
  decode_protobuf_batches(state, [](std::string_view body) { return decode_protobuf_with_libprotobuf(body); });
}
BENCHMARK(BM_DecodeProtobufWithLibprotobuf);

// libprotobuf's parse alone (on an arena), without building SpanData.
void BM_ParseProtobufOnly(benchmark::State& state) {
  const std::string body = encode_protobuf(testing::realistic_batch(kBatchSize));
  for (auto _ : state) {
    google::protobuf::Arena arena;
    auto* request =
        google::protobuf::Arena::CreateMessage<opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest>(&arena);
    benchmark::DoNotOptimize(request->ParseFromArray(body.data(), static_cast<int>(body.size())));
  }
  report(state, body.size());
}
BENCHMARK(BM_ParseProtobufOnly);

void BM_DecodeJson(benchmark::State& state) {
  const std::string body = encode_json(testing::realistic_batch(kBatchSize));
  for (auto _ : state) {
    DecodeResult r = decode_export_request(body, Format::kJson);
    benchmark::DoNotOptimize(r.spans.data());
  }
  report(state, body.size());
}
BENCHMARK(BM_DecodeJson);

}  // namespace
}  // namespace tdemo::telemetry::otlp

BENCHMARK_MAIN();
