// Go's encoding/json rendering of attribute arrays. Jaeger's OTLP translator turns an array
// attribute into a string tag with pcommon.Value.AsString(), which is json.Marshal of the array;
// the query API writes the same text (and tag search matches it), so clients see what real
// Jaeger shows. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

#include "telemetry/attributes.h"
#include "telemetry/go_json_number.h"

namespace tdemo::tracestore {

// Appends `s` as a JSON string the way json.Marshal writes it: \" \\ \b \f \n \r \t, other
// control characters and < > & as \u00XX, U+2028/U+2029 escaped, invalid UTF-8 as \ufffd.
void append_go_json_string(std::string& out, std::string_view s);

// A float64 as json.Marshal writes it (shared with the Jaeger Thrift exporter).
using telemetry::append_go_json_number;

// An array attribute as json.Marshal writes it (["a","b"], [1.5,-2], [true]); "" when
// json.Marshal would fail (a NaN or infinity inside), as AsString() then returns "".
// Scalars are not arrays: "".
std::string go_json_array(const telemetry::AttributeValue& value);

}  // namespace tdemo::tracestore
