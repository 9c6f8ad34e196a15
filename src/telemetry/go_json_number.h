// A float64 as Go's encoding/json writes it. Jaeger is written in Go, so both the trace
// store's query API and the Jaeger Thrift exporter's JSON-valued tags format numbers this way.
#pragma once

#include <string>

namespace tdemo::telemetry {

// Appends `d` as json.Marshal writes a float64: the shortest round-trip digits, plain
// notation for 1e-6 <= |d| < 1e21, else an exponent without leading zeros (1e-7, 1e+21).
// Returns false (appending nothing) for NaN and infinities, which json.Marshal rejects.
bool append_go_json_number(std::string& out, double d);

}  // namespace tdemo::telemetry
