// Calls from one service to another, and what a failed call becomes: 502/503/504 with a body
// that names the service that failed (never a hang: every call has a timeout).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "http/client.h"
#include "http/message.h"
#include "storage/result.h"
#include "telemetry/context.h"

namespace tdemo::services {

// Any HTTP answer below 500 from the service.
struct DownstreamReply {
  int status = 0;
  std::string text;  // the body as received

  // The body parsed; null when it is not JSON (a proxy passes `text` on without parsing it).
  // `storage`: where the document's memory comes from, e.g. a monotonic_resource over a
  // buffer on the caller's stack for a body read once (default: the heap).
  boost::json::value json(boost::json::storage_ptr storage = {}) const;
  // The body as received when it is JSON text, else "null": checked, not parsed, for answers
  // that pass it on.
  std::string_view json_text() const;
};

// No usable answer: refused/unreachable (503), timed out (504), or broken/5xx (502).
struct DownstreamFailure {
  int status = 502;
  std::string service;     // "users", "orders", "payments"
  std::string detail;      // "users service unavailable: connection refused"
  std::string error_type;  // for error.type on spans: "connection_refused", "http_500", ...
};

using DownstreamResult = storage::Result<DownstreamReply, DownstreamFailure>;

// {"detail": "...", "service": "users"} with the failure's status.
http::Response failure_response(const DownstreamFailure& failure);
// The reply passed through unchanged (status and JSON text; "null" when the body is not JSON).
http::Response reply_response(const DownstreamReply& reply);

struct DownstreamOptions {
  std::string service;   // "users"
  std::string base_url;  // "http://127.0.0.1:8001"
  std::chrono::milliseconds timeout{5000};
  std::chrono::milliseconds added_latency{0};  // the downstream-latency knob
};

// One downstream service as seen by a caller. Thread-safe; `client` must outlive it.
class Downstream {
 public:
  Downstream(http::Client& client, DownstreamOptions options)
      : client_(client), options_(std::move(options)) {}

  // Sends `method path` (with `json_body`, JSON text, when given) as a child of `parent`;
  // `route` names the CLIENT span ("GET /users/{user_id}").
  boost::asio::awaitable<DownstreamResult> call(http::Method method, std::string path,
                                                std::string route,
                                                const telemetry::Context& parent,
                                                std::optional<std::string> json_body = std::nullopt,
                                                http::Headers headers = {});

  const std::string& service() const noexcept { return options_.service; }
  const std::string& base_url() const noexcept { return options_.base_url; }

 private:
  http::Client& client_;
  DownstreamOptions options_;
};

}  // namespace tdemo::services
