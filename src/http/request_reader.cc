#include "http/request_reader.h"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <iterator>

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

Request to_request(RequestMessage&& message, const Peers& peers) {
  Request request;
  request.set_target(message.method_string(), message.target());
  request.version = message.version() == 10 ? 10 : 11;
  request.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) request.headers.add(field.name_string(), field.value());
  request.body = std::move(message.body());
  request.client_address = peers.client_address;
  request.client_port = peers.client_port;
  request.server_address = peers.server_address;
  request.server_port = peers.server_port;
  return request;
}

}  // namespace tdemo::http
