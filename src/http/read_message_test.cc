// read_message against Beast's async_read_header / async_read: for each message, with every
// split between bytes already buffered and bytes still on the socket, the same error, the same
// parsed message and the same bytes left in the buffer.
#include "http/read_message.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <gtest/gtest.h>

#include "http/request_reader.h"

namespace tdemo::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using Socket = asio::local::stream_protocol::socket;

struct Outcome {
  boost::system::error_code error;
  std::string message;  // what the parser holds, as text
  std::string left;     // the buffer's bytes after the read
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "{" << o.error.message() << ", [" << o.message << "], left [" << o.left << "]}";
}

std::string describe(RequestParser& parser) {
  const Request& r = parser.request();
  std::string out = r.method_text + " " + r.target + " " + std::to_string(r.version);
  for (const auto& [name, value] : r.headers.entries()) out += "|" + name + ":" + value;
  return out + "|body:" + r.body + (parser.is_done() ? "|done" : "");
}

std::string describe(bhttp::response_parser<bhttp::string_body>& parser) {
  const auto& m = parser.get();
  std::string out = std::to_string(m.result_int());
  for (const auto& field : m) out += "|" + std::string(field.name_string()) + ":" + std::string(field.value());
  return out + "|body:" + m.body() + (parser.is_done() ? "|done" : "");
}

enum class Reader { kOurs, kBeast };

// `buffered` is in the buffer before the read (as a previous read left it); `on_socket` is
// written to the peer, which then closes its end. The buffer holds at most `max_buffer` bytes.
template <class Parser>
Outcome read_once(Reader reader, ReadUntil until, std::string_view buffered, std::string_view on_socket,
                  std::size_t header_limit, std::size_t max_buffer = 1 << 20) {
  asio::io_context io;
  Socket ours(io), peer(io);
  asio::local::connect_pair(ours, peer);
  asio::write(peer, asio::buffer(on_socket));
  peer.shutdown(Socket::shutdown_send);
  boost::beast::flat_buffer buffer(max_buffer);
  asio::buffer_copy(buffer.prepare(buffered.size()), asio::buffer(buffered));
  buffer.commit(buffered.size());
  Parser parser;
  parser.header_limit(static_cast<std::uint32_t>(header_limit));
  parser.body_limit(64);
  Outcome outcome;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    if (reader == Reader::kOurs) {
      outcome.error = co_await read_message(ours, buffer, parser, until);
    } else if (until == ReadUntil::kHeader) {
      auto [ec, n] = co_await bhttp::async_read_header(ours, buffer, parser, asio::as_tuple(asio::use_awaitable));
      outcome.error = ec;
    } else {
      auto [ec, n] = co_await bhttp::async_read(ours, buffer, parser, asio::as_tuple(asio::use_awaitable));
      outcome.error = ec;
    }
  }, asio::detached);
  io.run();
  outcome.message = describe(parser);
  const auto data = buffer.data();
  outcome.left.assign(static_cast<const char*>(data.data()), data.size());
  return outcome;
}

template <class Parser>
void expect_same_as_beast(std::string_view bytes, ReadUntil until, std::size_t header_limit = 8192,
                          std::size_t max_buffer = 1 << 20) {
  for (std::size_t split = 0; split <= bytes.size(); ++split) {
    const auto buffered = bytes.substr(0, split), on_socket = bytes.substr(split);
    if (buffered.size() > max_buffer) break;
    const Outcome ours = read_once<Parser>(Reader::kOurs, until, buffered, on_socket, header_limit, max_buffer);
    const Outcome beast = read_once<Parser>(Reader::kBeast, until, buffered, on_socket, header_limit, max_buffer);
    EXPECT_EQ(ours, beast) << "split at " << split << " of [" << bytes << "]";
  }
}

const char* const kRequests[] = {
    "GET /users/1 HTTP/1.1\r\nHost: h\r\nUser-Agent: t\r\n\r\n",
    // A pipelined second request stays in the buffer.
    "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n",
    "POST /orders HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n{\"user\":1}\nGET /",
    "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n",
    "GET / HTTP/1.0\r\n\r\n",
    "",                                                        // closed before any byte
    "GET /cut HTTP/1.1\r\nHost: h\r\n",                        // closed inside the header
    "POST /cut HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",     // closed inside the body
    "GET / HTTP/1.1\r\nBad Header\r\n\r\n",                    // malformed
    "POST /big HTTP/1.1\r\nContent-Length: 65\r\n\r\n",        // over the body limit
    "GET / HTTP/1.1\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
};

TEST(ReadMessageTest, RequestHeaderAsBeastReadsIt) {
  for (const char* bytes : kRequests) expect_same_as_beast<RequestParser>(bytes, ReadUntil::kHeader);
}

TEST(ReadMessageTest, WholeRequestAsBeastReadsIt) {
  for (const char* bytes : kRequests) expect_same_as_beast<RequestParser>(bytes, ReadUntil::kMessage);
}

TEST(ReadMessageTest, HeaderOverTheLimitAsBeast) {
  expect_same_as_beast<RequestParser>(kRequests[10], ReadUntil::kHeader, /*header_limit=*/48);
}

TEST(ReadMessageTest, FullBufferAsBeast) {
  // A buffer of 40 bytes cannot hold the 80-byte header line: buffer_overflow, as Beast says.
  expect_same_as_beast<RequestParser>(kRequests[10], ReadUntil::kHeader, 8192, /*max_buffer=*/40);
  EXPECT_EQ(read_once<RequestParser>(Reader::kOurs, ReadUntil::kHeader, "", kRequests[10], 8192, 40).error,
            bhttp::error::buffer_overflow);
}

TEST(ReadMessageTest, ResponsesIncludingABodyEndedByTheClose) {
  for (const char* bytes : {
           "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
           "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the close",  // body ends at EOF
           "HTTP/1.1 204 No Content\r\n\r\n",
       }) {
    expect_same_as_beast<bhttp::response_parser<bhttp::string_body>>(bytes, ReadUntil::kMessage);
  }
}

TEST(ReadMessageTest, ABufferedRequestIsParsedWithoutReading) {
  // The socket's peer stays open and sends nothing: a read would wait for ever (io.run() would
  // not return). The header, already buffered, is the answer.
  asio::io_context io;
  Socket ours(io), peer(io);
  asio::local::connect_pair(ours, peer);
  boost::beast::flat_buffer buffer;
  const std::string_view bytes = "GET /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y";
  asio::buffer_copy(buffer.prepare(bytes.size()), asio::buffer(bytes));
  buffer.commit(bytes.size());
  RequestParser parser;
  boost::system::error_code error = bhttp::error::need_more;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    error = co_await read_message(ours, buffer, parser, ReadUntil::kMessage);
  }, asio::detached);
  io.run();
  EXPECT_FALSE(error);
  EXPECT_EQ(parser.request().target, "/x");
  EXPECT_EQ(buffer.size(), 6u);  // "GET /y" is the next request's
}

}  // namespace
}  // namespace tdemo::http
