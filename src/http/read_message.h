// Reading an HTTP message (its header, or all of it) with a Beast parser, as Beast's
// async_read_header / async_read do: the same read sizes, the same end-of-stream and overflow
// errors, the same bytes left in the buffer. One difference: bytes already buffered are parsed
// at once. Beast's composed operation, when it needs no read (a keep-alive request read whole
// by the previous read), posts its completion through the executor: a trip through the
// scheduler's queue, its mutex and two executor copies per request. Includes Beast: include it
// only where messages are read (server.cc, client.cc).
#pragma once

#include <cstddef>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

namespace tdemo::http {

enum class ReadUntil { kHeader, kMessage };

// Reads from `stream` into `buffer` and feeds `parser` until it has the header (kHeader) or the
// whole message (kMessage). The error is Beast's: end_of_stream when the stream ends before any
// byte of the message, partial_message when it ends inside one, buffer_overflow when `buffer`
// is full, the parser's own errors (limits, syntax), or the stream's.
template <class Stream, class DynamicBuffer, class Parser>
boost::asio::awaitable<boost::system::error_code> read_message(Stream& stream, DynamicBuffer& buffer,
                                                               Parser& parser, ReadUntil until) {
  namespace bhttp = boost::beast::http;
  boost::system::error_code ec;
  while (until == ReadUntil::kHeader ? !parser.is_header_done() : !parser.is_done()) {
    if (buffer.size() > 0) {
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec && ec != bhttp::error::need_more) co_return ec;
      const bool need_more = ec == bhttp::error::need_more || used == 0;
      ec = {};
      if (!need_more) continue;
    }
    const std::size_t size = boost::beast::read_size(buffer, 65536);
    if (size == 0) co_return bhttp::error::buffer_overflow;
    typename DynamicBuffer::mutable_buffers_type space;
    try {
      space = buffer.prepare(size);
    } catch (const std::length_error&) {
      co_return bhttp::error::buffer_overflow;
    }
    auto [read_error, n] = co_await stream.async_read_some(
        space, boost::asio::as_tuple(boost::asio::use_awaitable));
    buffer.commit(n);
    if (read_error == boost::asio::error::eof) {
      if (!parser.got_some()) co_return bhttp::error::end_of_stream;
      parser.put_eof(ec);  // partial_message unless the message ends at the close
      co_return ec;
    }
    if (read_error) co_return read_error;
  }
  co_return ec;
}

}  // namespace tdemo::http
