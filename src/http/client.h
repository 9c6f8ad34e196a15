// The async HTTP/1.1 client: keep-alive pools per (host, port) and per io_context, timeouts,
// one retry of idempotent requests on a stale pooled connection, and CLIENT spans.
//
//   http::Client client(http::ClientOptions{}, http::transport_tracing(telemetry), &registry);
//   http::OutgoingRequest request{.method = http::Method::kGet,
//                                 .url = "http://127.0.0.1:8001/users/42",
//                                 .route = "/users/{user_id}"};
//   http::ClientResult result = co_await client.send(std::move(request), ctx.telemetry);
//   if (!result) { ... result.error().kind ... }   // failures are values
//   else if (result->status == 404) { ... }
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <boost/asio/awaitable.hpp>

#include "http/message.h"
#include "http/transport_tracing.h"
#include "telemetry/context.h"

namespace tdemo::metrics { class Registry; }

namespace tdemo::http {

enum class ClientErrorKind : std::uint8_t {
  kInvalidUrl,         // not http://host[:port]/...
  kResolveFailed,      // host name did not resolve
  kConnectionRefused,  // nothing listens there
  kConnectFailed,      // other connect errors
  kTimeout,            // connect or request timeout
  kProtocolError,      // malformed response, or the peer closed mid-response
  kResponseTooLarge,   // body over max_response_body_bytes
  kPoolExhausted,      // max_connections_per_host reached
};
// "invalid_url", "resolve_failed", "connection_refused", "connect_failed", "timeout",
// "protocol_error", "response_too_large", "pool_exhausted" (used as error.type).
std::string_view to_string(ClientErrorKind kind) noexcept;

struct ClientError {
  ClientErrorKind kind;
  std::string message;
};

// A response or an error; never both. Cheap to move.
class ClientResult {
 public:
  // A protocol_error "no request sent" (so results can be declared first, e.g. by
  // asio::use_future, and assigned later).
  ClientResult() : value_(ClientError{ClientErrorKind::kProtocolError, "no request sent"}) {}
  ClientResult(Response response) : value_(std::move(response)) {}  // NOLINT: implicit on purpose
  ClientResult(ClientError error) : value_(std::move(error)) {}     // NOLINT
  bool ok() const noexcept { return value_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  // Preconditions: ok() for value(), !ok() for error().
  Response& value() & { return std::get<0>(value_); }
  const Response& value() const& { return std::get<0>(value_); }
  Response&& value() && { return std::get<0>(std::move(value_)); }
  const ClientError& error() const { return std::get<1>(value_); }
  Response* operator->() { return &std::get<0>(value_); }
  const Response* operator->() const { return &std::get<0>(value_); }
  Response& operator*() & { return value(); }

 private:
  std::variant<Response, ClientError> value_;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{10000};  // write + read of one exchange
  std::size_t max_idle_per_host = 64;        // idle keep-alive connections kept, per context
  std::size_t max_connections_per_host = 1024;  // open connections, per context
  std::size_t max_response_body_bytes = 16 << 20;
  std::string user_agent = "tracing-demo/" TD_VERSION;
};

struct OutgoingRequest {
  Method method = Method::kGet;
  std::string url;            // "http://host:port/path?query"
  Headers headers;
  std::string body;
  std::string content_type;   // sets Content-Type when not empty
  std::string route;          // optional template for the span name: "GET /users/{user_id}"
  std::optional<std::chrono::milliseconds> timeout;  // overrides request_timeout
};

// Thread-safe. Each io_context gets its own pools (looked up once per thread and cached), so
// the hot path takes no cross-thread lock. `registry` (nullable) and the tracing propagator must
// outlive the client. Connections of a context must be used from that context's thread only
// (true for IoPool contexts; a context run by several threads is also safe: pools lock).
// Destroy the Client before the io_contexts it was used on (its idle sockets belong to them).
class Client {
 public:
  explicit Client(ClientOptions options = {}, TransportTracing tracing = {},
                  metrics::Registry* registry = nullptr);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client();

  // Sends on the calling coroutine's executor. With tracing: a CLIENT span, child of
  // `parent`, whose context is injected into the request headers. `parent` is taken by value:
  // a coroutine spawned with a temporary one (or none) does not keep a dangling reference.
  boost::asio::awaitable<ClientResult> send(OutgoingRequest request, telemetry::Context parent = {});

  struct Stats {
    std::uint64_t connections_opened = 0;
    std::uint64_t requests = 0;
    std::uint64_t retries = 0;
  };
  Stats stats() const noexcept;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// Parsed "http://host[:port][/path][?query]" (only http).
struct ParsedUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string target = "/";  // path + query
};
std::optional<ParsedUrl> parse_http_url(std::string_view url);

}  // namespace tdemo::http
