// Fuzzes the trace store's OTLP/protobuf request decoder: it must never crash, hang or leak on any
// input, and whatever it accepts must survive our encoder and decode again to as many spans.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/protobuf_encoder.h"

using namespace tdemo::telemetry;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  otlp::DecodeResult first = otlp::decode_export_request(body, otlp::Format::kProtobuf);
  if (!first.ok()) {
    if (!first.spans.empty()) std::abort();  // a malformed body yields no spans
    return 0;
  }
  const std::string again = otlp::encode_protobuf(first.spans);
  otlp::DecodeResult second = otlp::decode_export_request(again, otlp::Format::kProtobuf);
  if (!second.ok() || second.spans.size() != first.spans.size() || second.rejected_spans != 0) {
    std::abort();
  }
  return 0;
}
