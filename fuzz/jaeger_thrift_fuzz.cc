// Fuzzes the trace store's Jaeger Thrift decoder (POST /api/traces bodies): it must never crash,
// hang or leak on any input; a malformed body yields no spans; whatever it accepts has non-zero
// ids and valid UTF-8 (the store's invariant), which our OTLP encoder and decoder must carry
// through unchanged in number.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/protobuf_encoder.h"
#include "tracestore/jaeger_thrift.h"

using namespace tdemo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  telemetry::otlp::DecodeResult first = tracestore::decode_jaeger_thrift_batch(body);
  if (!first.ok()) {
    if (!first.spans.empty() || first.rejected_spans != 0) std::abort();
    return 0;
  }
  for (const auto& span : first.spans) {
    if (!span->context.trace_id().valid() || !span->context.span_id().valid()) std::abort();
  }
  // Protobuf parsing rejects invalid UTF-8 in strings: a second decode proves every string valid.
  const std::string again = telemetry::otlp::encode_protobuf(first.spans);
  telemetry::otlp::DecodeResult second =
      telemetry::otlp::decode_export_request(again, telemetry::otlp::Format::kProtobuf);
  if (!second.ok() || second.spans.size() != first.spans.size() || second.rejected_spans != 0) {
    std::abort();
  }
  return 0;
}
