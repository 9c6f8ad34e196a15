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
  request_.set_target(std::string_view(method_text.data(), method_text.size()),
                      std::string_view(target.data(), target.size()));
  request_.version = version == 10 ? 10 : 11;
  request_.headers.reserve(8);
}

void RequestParser::on_field_impl(bhttp::field, string_view name_text, string_view value,
                                  error_code&) {
  request_.headers.add(std::string_view(name_text.data(), name_text.size()),
                       std::string_view(value.data(), value.size()));
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) {
  // basic_parser has already refused a length over body_limit.
  if (content_length) request_.body.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

Request take_request(RequestParser& parser, const Peers& peers) {
  Request request = std::move(parser.request());
  request.client_address = peers.client_address;
  request.client_port = peers.client_port;
  request.server_address = peers.server_address;
  request.server_port = peers.server_port;
  return request;
}

}  // namespace tdemo::http
