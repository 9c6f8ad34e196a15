// One keep-alive HTTP/1.1 client connection for the load generator: writes pre-built request
// bytes, parses the response in place from a reused buffer, reconnects after a failure.
// Include only from .cc files (Asio).
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "loadgen/http_wire.h"
#include "loadgen/run_stats.h"

namespace tdemo::loadgen {

// Not thread-safe: used by one coroutine on its io_context's thread; the watchdog that calls
// expire_if_due() must run on the same thread. `endpoints` must outlive the connection.
class HttpConnection {
 public:
  using Clock = std::chrono::steady_clock;
  struct Outcome {
    int status = 0;                            // the HTTP status, 0 on failure
    FailureCause cause = FailureCause::kNone;  // why there is no status
  };

  HttpConnection(boost::asio::io_context& io,
                 const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
                 ResponseLimits limits = {}, bool keep_body = false);
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Connects if needed, sends `request`, reads one response; the whole exchange must finish
  // before `deadline` (enforced by expire_if_due). Never throws for network errors.
  boost::asio::awaitable<Outcome> exchange(std::string_view request, Clock::time_point deadline,
                                           bool head_request = false);
  // Aborts a pending exchange whose deadline has passed (it then returns kTimeout).
  void expire_if_due(Clock::time_point now);
  void close() noexcept;

  const ResponseParser& response() const noexcept { return parser_; }
  bool busy() const noexcept { return busy_; }
  std::uint64_t connects() const noexcept { return connects_; }

 private:
  boost::asio::awaitable<bool> connect();
  Outcome fail(FailureCause cause) noexcept;

  boost::asio::ip::tcp::socket socket_;
  const std::vector<boost::asio::ip::tcp::endpoint>* endpoints_;
  ResponseParser parser_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // unparsed bytes are buffer_[begin_, end_)
  std::size_t end_ = 0;
  Clock::time_point deadline_{};
  bool busy_ = false;
  bool timed_out_ = false;
  bool connected_ = false;
  std::uint64_t connects_ = 0;
};

}  // namespace tdemo::loadgen
