// The reference OTLP/protobuf decoder (libprotobuf), for tests and fuzzing: what
// decode_export_request(body, Format::kProtobuf) must answer, byte for byte, for any body.
#pragma once

#include <string_view>

#include "telemetry/otlp/decoder.h"

namespace tdemo::telemetry::otlp {

DecodeResult decode_protobuf_with_libprotobuf(std::string_view body, const DecodeLimits& limits = {});

}  // namespace tdemo::telemetry::otlp
