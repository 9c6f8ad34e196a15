// Go's encoding/json rendering of attribute arrays. Jaeger's OTLP translator turns an array
// attribute into a string tag with pcommon.Value.AsString(), which is json.Marshal of the array;
// the query API writes the same text (and tag search matches it), so clients see what real
// Jaeger shows. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

#include "telemetry/attributes.h"

namespace tdemo::tracestore {

// Appends `s` as a JSON string the way json.Marshal writes it: \" \\ \b \f \n \r \t, other
// control characters and < > & as \u00XX, U+2028/U+2029 escaped, invalid UTF-8 as \ufffd.
void append_go_json_string(std::string& out, std::string_view s);

// Appends `d` as json.Marshal writes a float64: the shortest round-trip digits, plain
// notation for 1e-6 <= |d| < 1e21, else an exponent without leading zeros (1e-7, 1e+21).
// Returns false (appending nothing) for NaN and infinities, which json.Marshal rejects.
bool append_go_json_number(std::string& out, double d);

// An array attribute as json.Marshal writes it (["a","b"], [1.5,-2], [true]); "" when
// json.Marshal would fail (a NaN or infinity inside), as AsString() then returns "".
// Scalars are not arrays: "".
std::string go_json_array(const telemetry::AttributeValue& value);

}  // namespace tdemo::tracestore
