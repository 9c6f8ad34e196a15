#include "http/request_reader.h"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include "http/errors.h"

namespace tdemo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

void apply_limits(RequestParser& parser, const ServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
}

std::optional<Response> read_error_response(const boost::system::error_code& error) {
  if (error == bhttp::error::header_limit) return header_fields_too_large();
  if (error == bhttp::error::body_limit) return payload_too_large();
  if (error == bhttp::error::end_of_stream || error == bhttp::error::partial_message ||
      error == beast::error::timeout || error == asio::error::eof ||
      error == asio::error::operation_aborted || error == asio::error::connection_reset) {
    return std::nullopt;
  }
  return bad_request("Bad Request");
}

void RequestParser::on_request_impl(bhttp::verb, string_view method_text, string_view target,
                                    int version, error_code&) {
  message_.set_target(view(method_text), view(target));
  message_.version = version == 10 ? 10 : 11;
  message_.headers.reserve(8);
}

Request take_request(RequestParser& parser, const Peers& peers) {
  Request request = std::move(parser.request());
  set_peers(request, peers);
  return request;
}

void set_peers(Request& request, const Peers& peers) {
  request.client_address = peers.client_address;
  request.client_port = peers.client_port;
  request.server_address = peers.server_address;
  request.server_port = peers.server_port;
}

}  // namespace tdemo::http
