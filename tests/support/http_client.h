// A tiny synchronous HTTP/1.1 client for tests. Every call has a timeout and never hangs;
// failures are values (status 0 and `error` set).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tdemo::test {

struct HttpResponse {
  int status = 0;               // 0: no response (see error)
  std::string error;            // connect/timeout/protocol failure text
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Case-insensitive header lookup (first value).
  std::optional<std::string> header(const std::string& name) const;
  bool ok() const noexcept { return status != 0; }
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// `url` is http://host:port/path?query. One connection per call (Connection: close).
HttpResponse http_request(const std::string& method, const std::string& url,
                          const std::string& body = {}, const HeaderList& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
HttpResponse http_get(const std::string& url, const HeaderList& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
// Adds Content-Type: application/json unless `headers` sets a Content-Type.
HttpResponse http_post(const std::string& url, const std::string& body,
                       const HeaderList& headers = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Polls GET `url` until it answers (any status below 500 unless `accept_5xx`) or `timeout`
// passes. True when it answered.
bool wait_for_http(const std::string& url,
                   std::chrono::milliseconds timeout = std::chrono::seconds(20),
                   bool accept_5xx = false);

// Sends raw bytes over a new TCP connection and returns everything read until the peer closes
// or `timeout` passes (for malformed-request tests).
std::string raw_exchange(const std::string& host, unsigned short port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace tdemo::test
