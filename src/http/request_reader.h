// How the server turns bytes into a Request: Beast's parser with the server's limits, the
// answer to a failed read, and the conversion of the parsed message. Shared by server.cc and
// the http_request fuzz target, so the fuzzer runs the server's own path. Includes Beast:
// include it only where requests are read.
#pragma once

#include <boost/system/error_code.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "http/parser_into.h"
#include "http/server.h"

namespace tdemo::http {

// The server's request parser: Beast's (the same bytes are accepted or refused as by
// beast::http::request_parser), writing method, target, headers and body into a Request.
class RequestParser final : public ParserInto<true, Request> {
 public:
  // The request parsed so far (complete once is_done()).
  Request& request() noexcept { return message_; }

 private:
  void on_request_impl(boost::beast::http::verb method, string_view method_text, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
};

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

// The parsed request (moved out of `parser`), with the connection's addresses.
Request take_request(RequestParser& parser, const Peers& peers);
// Copies the connection's addresses into `request`.
void set_peers(Request& request, const Peers& peers);

}  // namespace tdemo::http
