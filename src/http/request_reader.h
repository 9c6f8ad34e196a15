// How the server turns bytes into a Request: Beast's parser with the server's limits, the
// answer to a failed read, and the conversion of the parsed message. Shared by server.cc and
// the http_request fuzz target, so the fuzzer runs the server's own path. Includes Beast:
// include it only where requests are read.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <boost/optional/optional.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "http/server.h"

namespace tdemo::http {

// Beast's request parser (its tokenizer, limits and checks: the same bytes are accepted or
// refused as by beast::http::request_parser) writing straight into a Request: method, target
// and headers as they are parsed, the body appended, instead of a message with a heap node per
// header that is then copied.
class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  RequestParser() = default;
  // The request parsed so far (complete once is_done()).
  Request& request() noexcept { return request_; }

 private:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb method, string_view method_text,
                       string_view target, int version, error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field name, string_view name_text, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  Request request_;
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

}  // namespace tdemo::http
