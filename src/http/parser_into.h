// Beast's basic_parser (its tokenizer, limits and checks) writing headers and body straight
// into one of our messages (Request or Response), instead of a beast message with a heap node
// per header that is then copied. The start line is the derived parser's. Includes Beast:
// include it only where messages are read.
#pragma once

#include <cstdint>
#include <string_view>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/optional/optional.hpp>
#include <boost/system/error_code.hpp>

namespace tdemo::http {

template <bool isRequest, class Message>
class ParserInto : public boost::beast::http::basic_parser<isRequest> {
 protected:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;
  static std::string_view view(string_view s) noexcept { return {s.data(), s.size()}; }

  void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code&) override {
    message_.headers.add(view(name), view(value));
  }

  Message message_;

 private:
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    // basic_parser has already refused a length over body_limit.
    if (length) message_.body.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(string_view body, error_code&) override {
    message_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    message_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}
};

}  // namespace tdemo::http
