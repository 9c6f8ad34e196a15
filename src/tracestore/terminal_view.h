// Renders query API answers (Jaeger JSON) for a terminal: a trace as an indented waterfall,
// search results as a table. Pure functions over parsed JSON, so they are unit-testable.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace tdemo::tracestore {

// `trace` is one element of /api/traces/{id}'s "data". `width` is the bar column's width.
std::string render_waterfall(const boost::json::object& trace, std::size_t width = 40);
// `traces` is /api/traces's "data".
std::string render_search_table(const boost::json::array& traces);

// A blocking GET (HTTP/1.1, Connection: close) for the CLI: status and body, or status 0 and
// an error text in `body`. `timeout_ms` bounds connect and read.
struct SimpleResponse {
  int status = 0;
  std::string body;
};
SimpleResponse blocking_get(const std::string& host, std::uint16_t port, const std::string& target,
                            const std::string& bearer_token = "", int timeout_ms = 10000);

}  // namespace tdemo::tracestore
