// How the server turns bytes into a Request: Beast's parser with the server's limits, the
// answer to a failed read, and the conversion of the parsed message. Shared by server.cc and
// the http_request fuzz target, so the fuzzer runs the server's own path. Includes Beast:
// include it only where requests are read.
#pragma once

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "http/message.h"
#include "http/server.h"

namespace tdemo::http {

using RequestMessage = boost::beast::http::request<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// The connection's addresses, formatted once per connection and copied into each Request.
struct Peers {
  std::string client_address, server_address;
  std::uint16_t client_port = 0, server_port = 0;
};

// Sets the parser's limits from `options`: max_header_bytes (request line + headers) and
// max_body_bytes.
void apply_limits(RequestParser& parser, const ServerOptions& options);

// The answer to a failed read, sent before closing: 431 (headers over the limit), 413 (body
// over the limit), 400 (malformed). nullopt when the connection just closes without an answer:
// the peer closed or reset, the read timed out, or the message was cut short.
std::optional<Response> read_error_response(const boost::system::error_code& error);

// The parsed message as a Request (the body is moved out of `message`).
Request to_request(RequestMessage&& message, const Peers& peers);

}  // namespace tdemo::http
