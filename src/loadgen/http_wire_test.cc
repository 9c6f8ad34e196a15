#include "loadgen/http_wire.h"

#include <gtest/gtest.h>

#include <string>

namespace tdemo::loadgen {
namespace {

// Feeds `wire` in pieces of `step` bytes the way a connection does (keeping unconsumed bytes).
ResponseParser::Status feed_in_pieces(ResponseParser& parser, std::string_view wire, std::size_t step,
                                      std::size_t* leftover = nullptr) {
  std::string buffered;
  std::size_t offset = 0;
  while (true) {
    const auto n = std::min(step, wire.size() - offset);
    buffered.append(wire.substr(offset, n));
    offset += n;
    const auto progress = parser.feed(buffered);
    buffered.erase(0, progress.consumed);
    if (progress.status != ResponseParser::Status::kNeedMore) {
      if (leftover) *leftover = buffered.size() + (wire.size() - offset);
      return progress.status;
    }
    if (offset == wire.size()) return ResponseParser::Status::kNeedMore;
  }
}

TEST(RequestBytes, GetWithoutBody) {
  const auto r = RequestBytes::build("GET", "/users/1", "localhost:8000", "", false);
  const std::string_view b = r.bytes();
  EXPECT_TRUE(b.starts_with("GET /users/1 HTTP/1.1\r\nHost: localhost:8000\r\n"));
  EXPECT_TRUE(b.ends_with("\r\n\r\n"));
  EXPECT_EQ(b.find("Content-Length"), std::string_view::npos);
  EXPECT_FALSE(r.has_traceparent_slot());
}

TEST(RequestBytes, PostWithBodyHeadersAndTraceparentSlot) {
  auto r = RequestBytes::build("POST", "/orders", "h:1", R"({"a":1})", true,
                               {{"Idempotency-Key", "k-1"}});
  ASSERT_TRUE(r.has_traceparent_slot());
  const std::string tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  std::copy(tp.begin(), tp.end(), r.traceparent_slot());
  const std::string_view b = r.bytes();
  EXPECT_NE(b.find("traceparent: " + tp + "\r\n"), std::string_view::npos);
  EXPECT_NE(b.find("Idempotency-Key: k-1\r\n"), std::string_view::npos);
  EXPECT_NE(b.find("Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"),
            std::string_view::npos);
}

TEST(ResponseParser, ContentLengthInEveryPieceSize) {
  const std::string wire =
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
      "traceresponse: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n\r\n{\"id\": 42 }";
  for (std::size_t step = 1; step <= wire.size(); ++step) {
    ResponseParser parser({}, true);
    std::size_t leftover = 99;
    ASSERT_EQ(feed_in_pieces(parser, wire, step, &leftover), ResponseParser::Status::kDone) << step;
    EXPECT_EQ(leftover, 0u);
    EXPECT_EQ(parser.status_code(), 201);
    EXPECT_EQ(parser.body(), "{\"id\": 42 }");
    EXPECT_TRUE(parser.keep_alive());
    EXPECT_EQ(parser.header("TraceResponse"), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    EXPECT_EQ(parser.header("content-type"), "application/json");
  }
}

TEST(ResponseParser, ChunkedWithExtensionsAndTrailers) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: y\r\n\r\n";
  for (std::size_t step = 1; step <= wire.size(); ++step) {
    ResponseParser parser({}, true);
    ASSERT_EQ(feed_in_pieces(parser, wire, step), ResponseParser::Status::kDone) << step;
    EXPECT_EQ(parser.body(), "hello, world");
  }
}

TEST(ResponseParser, NoBodyStatusesAndHead) {
  ResponseParser parser;
  EXPECT_EQ(parser.feed("HTTP/1.1 204 No Content\r\n\r\n").status, ResponseParser::Status::kDone);
  parser.reset(/*head_request=*/true);
  EXPECT_EQ(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n").status,
            ResponseParser::Status::kDone);
}

TEST(ResponseParser, Skips100Continue) {
  ResponseParser parser({}, true);
  const auto p = parser.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_EQ(p.status, ResponseParser::Status::kDone);
  EXPECT_EQ(parser.status_code(), 200);
  EXPECT_EQ(parser.body(), "ok");
}

TEST(ResponseParser, ConnectionCloseAndHttp10) {
  ResponseParser parser;
  parser.feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  EXPECT_FALSE(parser.keep_alive());
  parser.reset();
  parser.feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_FALSE(parser.keep_alive());
  parser.reset();
  parser.feed("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(parser.keep_alive());
}

TEST(ResponseParser, BodyUntilClose) {
  ResponseParser parser({}, true);
  const auto p = parser.feed("HTTP/1.1 200 OK\r\n\r\nsome bytes");
  EXPECT_EQ(p.status, ResponseParser::Status::kNeedMore);
  EXPECT_TRUE(parser.finish_at_eof());
  EXPECT_EQ(parser.body(), "some bytes");
  EXPECT_FALSE(parser.keep_alive());
}

TEST(ResponseParser, ReportsMalformedResponsesAndLimits) {
  for (const char* wire : {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 999 X\r\n\r\n",
                           "HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n",
                           "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
                           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc"}) {
    ResponseParser parser;
    const auto p = parser.feed(wire);
    EXPECT_EQ(p.status, ResponseParser::Status::kError) << wire;
    EXPECT_NE(parser.error(), nullptr);
  }
  ResponseParser small({.max_header_bytes = 32, .max_body_bytes = 4});
  EXPECT_EQ(small.feed("HTTP/1.1 200 OK\r\nX-Long-Header: 0123456789abcdef\r\n\r\n").status,
            ResponseParser::Status::kError);
  small.reset();
  EXPECT_EQ(small.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n").status,
            ResponseParser::Status::kError);
}

TEST(ResponseParser, DoesNotKeepTheBodyUnlessAsked) {
  ResponseParser parser;
  EXPECT_EQ(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc").status,
            ResponseParser::Status::kDone);
  EXPECT_TRUE(parser.body().empty());
}

}  // namespace
}  // namespace tdemo::loadgen
