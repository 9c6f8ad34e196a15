// write_all: a message the socket takes at once, one larger than its send buffer (the rest
// written as the peer reads), and a peer that has gone.
#include "http/write_message.h"

#include <array>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <gtest/gtest.h>

namespace tdemo::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A connected pair of TCP sockets on loopback.
struct Pair {
  asio::io_context io;
  tcp::socket ours{io}, peer{io};
  Pair() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    ours.connect(acceptor.local_endpoint());
    peer = acceptor.accept();
  }
};

std::string pattern(std::size_t n, char seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + (i * 7) % 61);
  return s;
}

// The send is made at once, not by async_write: only that path puts the socket in non-blocking
// mode (async operations leave the user-visible mode alone).
TEST(WriteAllTest, ASmallMessageIsSentAtOnceOnANonBlockingSocket) {
  Pair p;
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", body = "ok";
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
  boost::system::error_code error = asio::error::would_block;
  asio::co_spawn(p.io, [&]() -> asio::awaitable<void> { error = co_await write_all(p.ours, buffers); },
                 asio::detached);
  p.io.run();
  EXPECT_FALSE(error);
  EXPECT_TRUE(p.ours.non_blocking());
  std::string received(head.size() + body.size(), '\0');
  asio::read(p.peer, asio::buffer(received));
  EXPECT_EQ(received, head + body);
}

TEST(WriteAllTest, AMessageLargerThanTheSendBufferArrivesWholeAndInOrder) {
  Pair p;
  const std::string first = pattern(3 << 20, 'a'), second = pattern(5 << 20, 'A');
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(first), asio::buffer(second)};
  boost::system::error_code error = asio::error::would_block;
  std::string received(first.size() + second.size(), '\0');
  std::size_t got = 0;
  asio::co_spawn(p.io, [&]() -> asio::awaitable<void> { error = co_await write_all(p.ours, buffers); },
                 asio::detached);
  asio::co_spawn(p.io, [&]() -> asio::awaitable<void> {
    auto [ec, n] = co_await asio::async_read(p.peer, asio::buffer(received), asio::as_tuple(asio::use_awaitable));
    got = n;
  }, asio::detached);
  p.io.run();
  EXPECT_FALSE(error);
  ASSERT_EQ(got, received.size());
  EXPECT_TRUE(received == first + second);
}

TEST(WriteAllTest, APeerThatHasGoneIsAnError) {
  Pair p;
  p.peer.close();
  const std::string big = pattern(1 << 20, 'x');
  boost::system::error_code error;
  asio::co_spawn(p.io, [&]() -> asio::awaitable<void> {
    // The first write may still be taken by the kernel; the next ones meet the reset.
    for (int i = 0; i < 20 && !error; ++i) error = co_await write_all(p.ours, asio::buffer(big));
  }, asio::detached);
  p.io.run();
  EXPECT_TRUE(error == asio::error::broken_pipe || error == asio::error::connection_reset) << error.message();
}

}  // namespace
}  // namespace tdemo::http
