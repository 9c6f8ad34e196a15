// One JSON document checked by Boost.JSON's parser without building it: the grammar, the
// nesting depth and UTF-8 strings, as boost::json::parse checks them, at the cost of a scan.
#pragma once

#include <cstddef>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace tdemo::http {

struct JsonSyntax {
  boost::system::error_code error;  // Boost.JSON's; extra_data when text follows the document
  std::size_t consumed = 0;         // bytes read up to the error (all of them when none)
  bool non_finite = false;          // a number read as infinity (1e999): valid to Boost.JSON
};

// `text` read as one document (no comments, Boost.JSON's other defaults) of at most
// `max_depth` levels.
JsonSyntax check_json_syntax(std::string_view text, std::size_t max_depth);

}  // namespace tdemo::http
