// Fuzzes the trace store's OTLP/protobuf request decoder (the wire decoder): it must never
// crash, hang or leak on any input; it must answer exactly what the libprotobuf-based reference
// decoder answers (the same error, or the same spans, rejections and messages: compared by
// their encoding); its attribute-reference form (decode_protobuf_attribute_refs) must answer the
// same; and whatever it accepts must survive our encoder and decode again.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/protobuf_encoder.h"
#include "telemetry/otlp/reference_decoder.h"

using namespace tdemo::telemetry;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "otlp_protobuf_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  otlp::DecodeResult first = otlp::decode_export_request(body, otlp::Format::kProtobuf);
  const otlp::DecodeResult reference = otlp::decode_protobuf_with_libprotobuf(body);
  if (first.error != reference.error) fail("error differs from libprotobuf's");
  if (!first.ok()) {
    if (!first.spans.empty()) fail("a malformed body yielded spans");
    return 0;
  }
  if (first.rejected_spans != reference.rejected_spans || first.messages != reference.messages) {
    fail("rejections differ from libprotobuf's");
  }
  if (first.spans.size() != reference.spans.size()) fail("span count differs from libprotobuf's");
  const std::string again = otlp::encode_protobuf(first.spans);
  if (again != otlp::encode_protobuf(reference.spans)) fail("spans differ from libprotobuf's");
  // The same body decoded with attribute references (the trace store's ingest) is the same once
  // the references are copied into the spans.
  otlp::DecodeResult refs = otlp::decode_protobuf_attribute_refs(body);
  if (refs.error != first.error || refs.rejected_spans != first.rejected_spans || refs.messages != first.messages ||
      refs.spans.size() != first.spans.size()) {
    fail("the attribute-reference decoder's answer differs");
  }
  otlp::materialize_attribute_refs(refs);
  if (otlp::encode_protobuf(refs.spans) != again) fail("the attribute-reference decoder's spans differ");
  otlp::DecodeResult second = otlp::decode_export_request(again, otlp::Format::kProtobuf);
  if (!second.ok() || second.spans.size() != first.spans.size() || second.rejected_spans != 0) {
    fail("our own encoding did not decode again");
  }
  return 0;
}
