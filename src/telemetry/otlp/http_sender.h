// The HTTP transport of the exporters that POST batches (OTLP/HTTP, Jaeger Thrift over HTTP): one
// keep-alive HTTP/1.1 connection, retries with backoff and Retry-After, all within a deadline.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "telemetry/otlp/retry.h"

namespace tdemo::telemetry::otlp {

struct HttpSenderOptions {
  std::string endpoint;                        // full URL; http only
  std::string endpoint_kind = "OTLP";          // names the endpoint in the configuration error
  std::map<std::string, std::string> headers;  // added to every request
  std::string user_agent;
  RetryPolicy retry;
  std::size_t max_response_bytes = 1u << 20;  // larger responses count as failures
  ExporterLog log;                            // used as given (callers rate-limit it)
};

// One POST's body and how to label it.
struct HttpPayload {
  std::string_view content_type;
  std::string_view content_encoding;  // "" for none
  std::string_view what;              // for log lines: "export of 12 spans"
};

// A 2xx answer (ok) or a failure that was already logged.
struct HttpSendResult {
  bool ok = false;
  std::string response_body;          // of the 2xx answer
  std::string response_content_type;  // of the 2xx answer
};

// POSTs bodies to one endpoint. Retries only 429, 502, 503, 504 (honouring Retry-After: seconds
// or an HTTP-date, capped at retry.max_retry_after) and lost or refused connections, with
// exponential backoff and jitter; other statuses fail at once. A keep-alive connection the
// server closed while idle is reopened at once, without counting as a failure. Every failure is
// written to options.log as one line naming payload.what and the endpoint. Never throws on
// network trouble (std::bad_alloc and the like may escape).
//
// Thread safety: post must not be called concurrently; shutdown may be called from any thread
// and interrupts a backoff wait.
class HttpSender {
 public:
  explicit HttpSender(HttpSenderOptions options);
  ~HttpSender();
  HttpSender(const HttpSender&) = delete;
  HttpSender& operator=(const HttpSender&) = delete;

  // Sends `body` (swapped into the request and back, so the caller's buffer is kept) until it
  // is accepted (2xx), fails for good, runs out of attempts, would pass `deadline`, or shutdown
  // is called.
  HttpSendResult post(std::string& body, const HttpPayload& payload,
                      std::chrono::steady_clock::time_point deadline);

  // Interrupts a backoff wait; later posts fail at once.
  void shutdown() noexcept;
  bool is_shut_down() const noexcept;
  // Drops the connection (after an unexpected error, so the next post starts clean).
  void close() noexcept;

  const std::string& endpoint() const noexcept;
  // Empty when the endpoint parsed; else why every post fails (logged once).
  const std::string& configuration_error() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses a Retry-After value: delay-seconds or an HTTP-date (IMF-fixdate), relative to `now`.
// A date in the past gives zero; anything unparsable gives nullopt.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace tdemo::telemetry::otlp
