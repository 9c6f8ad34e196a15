// JSON text with numbers the way Python and JavaScript print them (99.99, not Boost.JSON
// 1.81's 9.999E1), so the services' answers read like the seed's FastAPI ones.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "http/message.h"

namespace tdemo::services {

// Compact JSON; doubles in the shortest form that round-trips, integral doubles as "5.0";
// strings escaped as the logs escape them (invalid UTF-8 becomes U+FFFD: always valid JSON).
std::string to_json_text(const boost::json::value& value);

// Whether `text` is one JSON value that boost::json::parse (default options: depth 32, no
// comments, UTF-8 strings) accepts, checked without building it.
bool is_json_text(std::string_view text);

// A JSON response built with to_json_text.
http::Response json_response(int status, const boost::json::value& value);

}  // namespace tdemo::services
