// Writing a message whole. Asio's async_write posts its completion through the executor even
// when its first send took every byte (the usual case: an answer smaller than the socket's
// send buffer), a trip through the scheduler's queue per message. write_all sends at once and
// waits only for what the socket did not take.
#pragma once

#include <cstddef>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/system/error_code.hpp>

namespace tdemo::http {

// Writes `buffers` to `stream` whole; the stream's error if it fails. A socket (a stream with
// a synchronous send) is put in non-blocking mode, once, and sent to at once; the rest, if the
// send buffer is full, is written asynchronously. Other streams (beast::tcp_stream, with its
// timeouts) are written asynchronously.
template <class Stream, class ConstBufferSequence>
boost::asio::awaitable<boost::system::error_code> write_all(Stream& stream, const ConstBufferSequence& buffers) {
  namespace asio = boost::asio;
  boost::beast::buffers_suffix<ConstBufferSequence> rest(buffers);
  if constexpr (requires(boost::system::error_code& e) {
                  stream.non_blocking();
                  stream.write_some(buffers, e);
                }) {
    boost::system::error_code ec;
    if (!stream.non_blocking()) stream.non_blocking(true, ec);
    if (!ec) {
      const std::size_t sent = stream.write_some(buffers, ec);
      if (!ec && sent == asio::buffer_size(buffers)) co_return ec;
      if (ec && ec != asio::error::would_block) co_return ec;  // (EAGAIN is EWOULDBLOCK here)
      rest.consume(sent);  // 0 when the send buffer was full
    }
  }
  auto [ec, n] = co_await asio::async_write(stream, rest, asio::as_tuple(asio::use_awaitable));
  co_return ec;
}

}  // namespace tdemo::http
