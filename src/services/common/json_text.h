// JSON text with numbers the way Python and JavaScript print them (99.99, not Boost.JSON
// 1.81's 9.999E1), so the services' answers read like the seed's FastAPI ones.
#pragma once

#include <cstddef>
#include <cstdint>
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

// The length (quotes included) of the JSON string at the start of `text` when it is one that
// every JSON parser accepts: printable or escaped characters, valid UTF-8, \u escapes of
// code points or of surrogate pairs. 0 otherwise: no string there, a control character, an
// unknown escape, a lone surrogate, invalid UTF-8, no closing quote. Plain runs are checked
// eight bytes at a time: for answers checked on every request (a cached user) without a
// whole parse.
std::size_t json_string_length(std::string_view text) noexcept;

// A JSON response built with to_json_text.
http::Response json_response(int status, const boost::json::value& value);

// JSON text written straight into a string, without a document, as to_json_text writes it:
// for the answers every request returns (an entity, /health). Keys are ours: ASCII that needs
// no escaping.
void append_json_key(std::string& out, std::string_view key);        // "key":
void append_json_string(std::string& out, std::string_view text);    // quoted and escaped
void append_json_int(std::string& out, std::int64_t value);
void append_json_double(std::string& out, double value);             // 99.99, 5.0; null if not finite

// One JSON object, field by field, in the order written.
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::size_t reserve = 192);
  JsonObjectWriter& field(std::string_view key, std::string_view value);
  JsonObjectWriter& field(std::string_view key, std::int64_t value);
  JsonObjectWriter& field(std::string_view key, double value);
  JsonObjectWriter& null_field(std::string_view key);
  // `json`: JSON text already (a nested object, a stored array), copied as it is.
  JsonObjectWriter& json_field(std::string_view key, std::string_view json);
  // The object's text; the writer is empty afterwards.
  std::string take();

 private:
  void key(std::string_view key);
  std::string out_;
};

}  // namespace tdemo::services
