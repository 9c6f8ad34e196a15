#include "loadgen/http_connection.h"

#include <cstring>

#include <boost/asio/connect.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace tdemo::loadgen {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr std::size_t kReadChunk = 16 * 1024;
}

HttpConnection::HttpConnection(asio::io_context& io, const std::vector<tcp::endpoint>& endpoints,
                               ResponseLimits limits, bool keep_body)
    : socket_(io), endpoints_(&endpoints), parser_(limits, keep_body), buffer_(4 * kReadChunk) {}

void HttpConnection::close() noexcept {
  boost::system::error_code ignored;
  socket_.close(ignored);
  connected_ = false;
  begin_ = end_ = 0;
}

void HttpConnection::expire_if_due(Clock::time_point now) {
  if (busy_ && now >= deadline_ && !timed_out_) {
    timed_out_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);  // the pending operation completes with operation_aborted
  }
}

HttpConnection::Outcome HttpConnection::fail(FailureCause cause) noexcept {
  close();
  busy_ = false;
  return {0, timed_out_ ? FailureCause::kTimeout : cause};
}

asio::awaitable<bool> HttpConnection::connect() {
  boost::system::error_code ec;
  socket_ = tcp::socket(socket_.get_executor());
  co_await asio::async_connect(socket_, *endpoints_, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return false;
  socket_.set_option(tcp::no_delay(true), ec);
  connected_ = true;
  ++connects_;
  co_return true;
}

asio::awaitable<HttpConnection::Outcome> HttpConnection::exchange(std::string_view request,
                                                                   Clock::time_point deadline,
                                                                   bool head_request) {
  busy_ = true;
  timed_out_ = false;
  deadline_ = deadline;
  boost::system::error_code ec;
  // A kept-alive connection the server closed while idle fails on write or on the first read
  // without any response byte; such a request is retried once on a fresh connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = connected_;
    if (!connected_ && !co_await connect()) co_return fail(FailureCause::kConnect);
    co_await asio::async_write(socket_, asio::buffer(request.data(), request.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (reused && !timed_out_) { close(); continue; }
      co_return fail(FailureCause::kWrite);
    }
    parser_.reset(head_request);
    begin_ = end_ = 0;
    bool got_bytes = false;
    while (true) {
      if (end_ > begin_) {
        const auto progress = parser_.feed(std::string_view(buffer_.data() + begin_, end_ - begin_));
        begin_ += progress.consumed;
        if (progress.status == ResponseParser::Status::kDone) {
          busy_ = false;
          if (!parser_.keep_alive()) close();
          co_return Outcome{parser_.status_code(), FailureCause::kNone};
        }
        if (progress.status == ResponseParser::Status::kError) co_return fail(FailureCause::kProtocol);
      }
      if (begin_ == end_) {
        begin_ = end_ = 0;
      } else if (end_ == buffer_.size()) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
        if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);  // a header larger than the buffer
      }
      const std::size_t n = co_await socket_.async_read_some(
          asio::buffer(buffer_.data() + end_, buffer_.size() - end_),
          asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::eof && parser_.finish_at_eof()) {
          busy_ = false;
          close();
          co_return Outcome{parser_.status_code(), FailureCause::kNone};
        }
        if (reused && !got_bytes && !timed_out_ && attempt == 0) break;  // stale keep-alive: retry
        co_return fail(ec == asio::error::eof || ec == asio::error::connection_reset
                           ? FailureCause::kClosed
                           : FailureCause::kRead);
      }
      got_bytes = true;
      end_ += n;
    }
    close();
  }
  co_return fail(FailureCause::kClosed);
}

}  // namespace tdemo::loadgen
