// A sequential HTTP client for scripted traffic (activity sessions, demo scenarios): builds
// each request on the fly, gives it a traceparent (and a CLIENT span when sampled), keeps the
// response body. Include only from .cc files (Asio).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "loadgen/http_connection.h"
#include "loadgen/load_options.h"
#include "loadgen/request_tracer.h"

namespace tdemo::loadgen {

struct Reply {
  int status = 0;                            // 0 when there was no response
  FailureCause cause = FailureCause::kNone;  // why not
  std::string body;
  std::string trace_id;                      // of the request's trace (32 hex)
  std::uint64_t latency_ns = 0;
};

// Not thread-safe: one coroutine at a time, on `io`'s thread. `endpoints`, `target` and
// `tracer` must outlive it.
class SessionClient {
 public:
  SessionClient(boost::asio::io_context& io, const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
                const Target& target, RequestTracer& tracer, std::chrono::nanoseconds timeout);

  // `route` is the path template for the span name ("/users/{user_id}"), may be empty.
  boost::asio::awaitable<Reply> send(std::string_view method, std::string_view path, std::string_view body = {},
                                     std::string_view route = {},
                                     const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Aborts a request past its timeout (call from a periodic timer on the same thread).
  void expire_if_due(HttpConnection::Clock::time_point now) { connection_.expire_if_due(now); }
  void close() { connection_.close(); }

 private:
  const Target* target_;
  RequestTracer* tracer_;
  std::chrono::nanoseconds timeout_;
  HttpConnection connection_;
};

// Resolves the target's host; an error message when it does not resolve.
Result<std::vector<boost::asio::ip::tcp::endpoint>> resolve_target(const Target& target);

}  // namespace tdemo::loadgen
