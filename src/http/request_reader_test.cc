// RequestParser: Beast's parsing, written straight into a Request.
#include "http/request_reader.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <gtest/gtest.h>

namespace tdemo::http {
namespace {

namespace bhttp = boost::beast::http;

// Parses `bytes` whole (eager: the body too); the parser is left as it stopped.
boost::system::error_code parse(RequestParser& parser, std::string_view bytes) {
  parser.eager(true);
  boost::system::error_code ec;
  std::size_t used = 0;
  while (!parser.is_done() && !ec) {
    const std::size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    if (ec == bhttp::error::need_more && used < bytes.size()) ec = {};
  }
  return ec;
}

TEST(RequestParserTest, RequestLineHeadersInWireOrderAndBody) {
  RequestParser parser;
  ASSERT_FALSE(parse(parser, "POST /orders?x=1 HTTP/1.1\r\nHost: h\r\nX-B: 1\r\nx-a: 2\r\nX-b: 3\r\n"
                             "Content-Length: 4\r\n\r\nbody"));
  ASSERT_TRUE(parser.is_done());
  EXPECT_TRUE(parser.keep_alive());
  const Request request = take_request(parser, Peers{"10.0.0.1", "10.0.0.2", 1234, 8000});
  EXPECT_EQ(request.method, Method::kPost);
  EXPECT_EQ(request.method_text, "POST");
  EXPECT_EQ(request.target, "/orders?x=1");
  EXPECT_EQ(request.path, "/orders");
  EXPECT_EQ(request.query, "x=1");
  EXPECT_EQ(request.version, 11);
  const std::vector<Headers::Entry> expected{
      {"Host", "h"}, {"X-B", "1"}, {"x-a", "2"}, {"X-b", "3"}, {"Content-Length", "4"}};
  EXPECT_EQ(request.headers.entries(), expected);
  EXPECT_EQ(request.headers.get_joined("x-b"), "1,3");
  EXPECT_EQ(request.body, "body");
  EXPECT_EQ(request.client_address, "10.0.0.1");
  EXPECT_EQ(request.server_address, "10.0.0.2");
  EXPECT_EQ(request.client_port, 1234);
  EXPECT_EQ(request.server_port, 8000);
}

TEST(RequestParserTest, ChunkedBodyIsJoinedAndHttp10ClosesByDefault) {
  RequestParser chunked;
  ASSERT_FALSE(parse(chunked, "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n"));
  EXPECT_EQ(take_request(chunked, {}).body, "abcde");
  RequestParser old;
  ASSERT_FALSE(parse(old, "GET / HTTP/1.0\r\n\r\n"));
  EXPECT_FALSE(old.keep_alive());
  EXPECT_EQ(take_request(old, {}).version, 10);
}

TEST(RequestParserTest, LimitsAndMalformedInputAreBeastsErrors) {
  RequestParser big_body;
  big_body.body_limit(3);
  EXPECT_EQ(parse(big_body, "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody"), bhttp::error::body_limit);
  RequestParser big_header;
  big_header.header_limit(32);
  EXPECT_EQ(parse(big_header, "GET / HTTP/1.1\r\nX-Long: " + std::string(64, 'a') + "\r\n\r\n"),
            bhttp::error::header_limit);
  RequestParser bad;
  EXPECT_TRUE(parse(bad, "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n"));
  RequestParser two_lengths;
  EXPECT_TRUE(parse(two_lengths, "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"));
}

}  // namespace
}  // namespace tdemo::http
