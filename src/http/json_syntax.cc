#include "http/json_syntax.h"

#include <cmath>
#include <cstdint>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/parse_options.hpp>

namespace tdemo::http {
namespace {

// Boost.JSON's SAX events, kept only as far as needed: whether a number was read as infinity.
// The parser itself checks the grammar, the depth and UTF-8.
struct CheckingHandler {
  using error_code = boost::system::error_code;
  using string_view = boost::json::string_view;
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  bool non_finite = false;
  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t, error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_key_part(string_view, std::size_t, error_code&) { return true; }
  bool on_key(string_view, std::size_t, error_code&) { return true; }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
  bool on_double(double value, string_view, error_code&) {
    non_finite = non_finite || !std::isfinite(value);
    return true;
  }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

}  // namespace

JsonSyntax check_json_syntax(std::string_view text, std::size_t max_depth) {
  boost::json::parse_options options;
  options.max_depth = max_depth;
  boost::json::basic_parser<CheckingHandler> parser(options);
  JsonSyntax out;
  out.consumed = parser.write_some(false, text.data(), text.size(), out.error);
  // The parser stops after one document: what follows it is extra data (boost::json::parser's
  // write() rule, which parse_json_body uses).
  if (!out.error && out.consumed < text.size()) out.error = boost::json::error::extra_data;
  out.non_finite = parser.handler().non_finite;
  return out;
}

}  // namespace tdemo::http
