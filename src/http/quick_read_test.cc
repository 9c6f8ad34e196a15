// quick_read_request: the usual requests read without Beast, exactly as Beast's parser reads
// them; every other shape left to Beast.
#include "http/quick_read.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <gtest/gtest.h>

#include "http/request_reader.h"

namespace tdemo::http {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::size_t kHeaderLimit = 8192;
constexpr std::size_t kBodyLimit = 1 << 20;

struct BeastRead {
  std::optional<Request> request;
  std::size_t used = 0;
  bool keep_alive = false;
};

// What the server's Beast parser makes of the first request of `bytes` (all of them buffered).
BeastRead beast_read(std::string_view bytes, std::size_t header_limit = kHeaderLimit) {
  RequestParser parser;
  parser.header_limit(static_cast<std::uint32_t>(header_limit));
  parser.body_limit(kBodyLimit);
  parser.eager(true);
  BeastRead out;
  boost::system::error_code ec;
  while (!parser.is_done()) {
    const std::size_t n = parser.put(boost::asio::buffer(bytes.data() + out.used, bytes.size() - out.used), ec);
    out.used += n;
    if (ec && ec != bhttp::error::need_more) return out;
    if (n == 0 && !parser.is_done()) return out;  // needs bytes that are not there
  }
  out.keep_alive = parser.keep_alive();
  out.request = take_request(parser, Peers{});
  return out;
}

// Reads `bytes` both ways: the quick read must accept it, and agree with Beast field by field.
void expect_quick_and_same(std::string_view bytes) {
  SCOPED_TRACE(std::string(bytes));
  Request quick;
  const auto read = quick_read_request(bytes, kHeaderLimit, kBodyLimit, quick);
  ASSERT_TRUE(read.has_value());
  const BeastRead beast = beast_read(bytes);
  ASSERT_TRUE(beast.request.has_value());
  EXPECT_EQ(read->size, beast.used);
  EXPECT_EQ(read->keep_alive, beast.keep_alive);
  const Request& b = *beast.request;
  EXPECT_EQ(quick.method, b.method);
  EXPECT_EQ(quick.method_text, b.method_text);
  EXPECT_EQ(quick.target, b.target);
  EXPECT_EQ(quick.path, b.path);
  EXPECT_EQ(quick.query, b.query);
  EXPECT_EQ(quick.version, b.version);
  EXPECT_EQ(quick.headers.entries(), b.headers.entries());
  EXPECT_EQ(quick.body, b.body);
}

// The quick read declines `bytes` (Beast reads it, or refuses it).
void expect_left_to_beast(std::string_view bytes, std::size_t header_limit = kHeaderLimit) {
  Request quick;
  EXPECT_FALSE(quick_read_request(bytes, header_limit, kBodyLimit, quick).has_value()) << bytes;
}

TEST(QuickReadTest, UsualRequestsAreReadAsBeastReadsThem) {
  // wrk's GET, our client's POST (trace context, JSON body), curl's shape, HTTP/1.0.
  expect_quick_and_same("GET /users/1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n");
  expect_quick_and_same(
      "POST /orders HTTP/1.1\r\nHost: 127.0.0.1:8002\r\nUser-Agent: tracing-demo/0.1.0\r\n"
      "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"
      "Content-Type: application/json\r\nContent-Length: 31\r\n\r\n"
      R"({"user_id": 1, "amount": 99.99})");
  expect_quick_and_same("GET /health?verbose=1&x= HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n");
  expect_quick_and_same("GET / HTTP/1.0\r\n\r\n");
  expect_quick_and_same("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  expect_quick_and_same("GET / HTTP/1.0\r\nConnection: close\r\nProxy-Connection: keep-alive\r\n\r\n");
  expect_quick_and_same("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
  expect_quick_and_same("GET http://h:1/p?q HTTP/1.1\r\nhost: h\r\n\r\n");  // absolute-form
  expect_quick_and_same("PURGE /x HTTP/1.1\r\n\r\n");                      // a method Beast does not know
  // Values trimmed as Beast trims them (tabs too, inner white space kept), empty values, names
  // in any case, repeated names in wire order, leading zeros in a length.
  expect_quick_and_same("GET / HTTP/1.1\r\nX-A:\t a  b \t\r\nX-Empty:\r\nX-Blank:   \r\nx-a: 2\r\n\r\n");
  expect_quick_and_same("POST / HTTP/1.1\r\ncontent-LENGTH: 003\r\n\r\nabc");
  expect_quick_and_same("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
}

// Every byte at every place of a value (checked eight bytes at a time): printable ASCII and tab
// are read as Beast reads them; control bytes, DEL and obs-text are left to Beast.
TEST(QuickReadTest, EveryByteAtEveryPlaceOfAValue) {
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t at = 0; at < 20; ++at) {
      std::string value(20, 'v');
      value[at] = static_cast<char>(byte);
      const std::string bytes = "GET / HTTP/1.1\r\nX-A: " + value + "\r\nX-B: b\r\n\r\n";
      const bool readable = (byte >= 0x20 && byte < 0x7f) || byte == '\t';
      if (readable) {
        expect_quick_and_same(bytes);
      } else {
        expect_left_to_beast(bytes);
      }
    }
  }
}

// The fields the quick read leaves to Beast are recognised in any case, and only they: each
// name with one byte replaced by every token character.
TEST(QuickReadTest, FieldNamesAreMatchedIgnoringCaseExactly) {
  const std::string token_chars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  for (const std::string name : {"transfer-encoding", "expect", "upgrade"}) {
    for (std::size_t at = 0; at < name.size(); ++at) {
      for (const char c : token_chars) {
        std::string variant = name;
        variant[at] = c;
        const bool same = std::tolower(static_cast<unsigned char>(c)) == name[at];
        Request quick;
        const auto read = quick_read_request("GET / HTTP/1.1\r\n" + variant + ": x\r\n\r\n", kHeaderLimit,
                                             kBodyLimit, quick);
        EXPECT_EQ(read.has_value(), !same) << variant;
      }
    }
  }
  expect_left_to_beast("GET / HTTP/1.1\r\nTRANSFER-ENCODING: x\r\n\r\n");
  expect_quick_and_same("GET / HTTP/1.1\r\nTransfer_Encoding: x\r\nContent-Lengtx: 1\r\n\r\n");
}

TEST(QuickReadTest, PipelinedRequestsAreReadOneAtATime) {
  const std::string first = "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi";
  const std::string second = "GET /b HTTP/1.1\r\n\r\n";
  Request quick;
  const auto read = quick_read_request(first + second, kHeaderLimit, kBodyLimit, quick);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->size, first.size());
  EXPECT_EQ(quick.body, "hi");
  expect_quick_and_same(first + second);
}

TEST(QuickReadTest, EveryOtherShapeIsLeftToBeast) {
  // Not whole yet: no blank line, or part of the body.
  expect_left_to_beast("GET / HTTP/1.1\r\nHost: h\r\n");
  expect_left_to_beast("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc");
  // Framing and features Beast handles: chunked, Transfer-Encoding, Expect, Upgrade, Connection
  // lists or upgrade, a second Content-Length, a length with a sign or a list.
  expect_left_to_beast("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  expect_left_to_beast("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nContent-Length: 0\r\n\r\n");
  expect_left_to_beast("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx");
  expect_left_to_beast("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n");
  expect_left_to_beast("GET / HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n");
  expect_left_to_beast("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx");
  expect_left_to_beast("POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx");
  expect_left_to_beast("POST / HTTP/1.1\r\nContent-Length: 1,1\r\n\r\nx");
  expect_left_to_beast("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n");
  // Syntax Beast accepts (obs-fold, obs-text, other versions) or refuses (bare LF, a space
  // before the colon, no method, no target).
  expect_left_to_beast("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n");
  expect_left_to_beast("GET / HTTP/1.1\r\nX-A: caf\xc3\xa9\r\n\r\n");
  expect_left_to_beast("GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n");
  expect_left_to_beast("GET / HTTP/2.0\r\n\r\n");
  expect_left_to_beast("GET / HTTP/1.1\r\nX-A: a\nX-B: b\r\n\r\n");
  expect_left_to_beast("GET / HTTP/1.1\r\nX-A : a\r\n\r\n");
  expect_left_to_beast(" / HTTP/1.1\r\n\r\n");
  expect_left_to_beast("GET  HTTP/1.1\r\n\r\n");
  expect_left_to_beast("GET / HTTP/1.1\r\n: a\r\n\r\n");
  // Over a limit: the header (Beast answers 431) and the body (413).
  const std::string big_header = "GET / HTTP/1.1\r\nX-A: " + std::string(100, 'a') + "\r\n\r\n";
  expect_left_to_beast(big_header, big_header.size() - 1);
  Request quick;
  EXPECT_TRUE(quick_read_request(big_header, big_header.size(), kBodyLimit, quick).has_value());
  EXPECT_TRUE(beast_read(big_header, big_header.size()).request.has_value());  // Beast agrees at the limit
  Request small;
  EXPECT_FALSE(quick_read_request("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", kHeaderLimit, 2, small));
}

}  // namespace
}  // namespace tdemo::http
