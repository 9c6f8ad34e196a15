// The pooled, traced HTTP/1.1 client.
#include "http/client.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <iterator>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "http/loopback_affinity.h"
#include "http/message_writer.h"
#include "http/parser_into.h"
#include "http/read_message.h"
#include "http/server.h"  // IoPool::current_index
#include "http/write_message.h"
#include "metrics/registry.h"
#include "telemetry/span.h"

namespace tdemo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace tel = tdemo::telemetry;
using tcp = asio::ip::tcp;

std::string_view to_string(ClientErrorKind kind) noexcept {
  switch (kind) {
    case ClientErrorKind::kInvalidUrl: return "invalid_url";
    case ClientErrorKind::kResolveFailed: return "resolve_failed";
    case ClientErrorKind::kConnectionRefused: return "connection_refused";
    case ClientErrorKind::kConnectFailed: return "connect_failed";
    case ClientErrorKind::kTimeout: return "timeout";
    case ClientErrorKind::kProtocolError: return "protocol_error";
    case ClientErrorKind::kResponseTooLarge: return "response_too_large";
    case ClientErrorKind::kPoolExhausted: return "pool_exhausted";
  }
  return "unknown";
}

std::optional<ParsedUrl> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() <= kScheme.size() || !iequals(url.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  url.remove_prefix(kScheme.size());
  // (A loop: string_view::find_first_of with a set calls memchr once per character.)
  std::size_t path_start = 0;
  while (path_start < url.size() && url[path_start] != '/' && url[path_start] != '?') ++path_start;
  if (path_start == url.size()) path_start = std::string_view::npos;
  std::string_view authority = url.substr(0, path_start);
  ParsedUrl parsed;
  if (path_start != std::string_view::npos) {
    parsed.target = std::string(url.substr(path_start));
    if (parsed.target.front() == '?') parsed.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos || authority.empty()) return std::nullopt;
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port = authority.substr(close + 2);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  parsed.host = std::string(host);
  if (!port.empty()) {
    auto value = parse_int64(port);
    if (!value || *value <= 0 || *value > 65535) return std::nullopt;
    parsed.port = static_cast<std::uint16_t>(*value);
  }
  return parsed;
}

namespace {

using Clock = std::chrono::steady_clock;

struct PooledConnection {
  explicit PooledConnection(asio::any_io_executor executor) : socket(std::move(executor)) {}
  ~PooledConnection() { forget_affinity(); }
  PooledConnection(const PooledConnection&) = delete;
  PooledConnection& operator=(const PooledConnection&) = delete;
  tcp::socket socket;
  beast::flat_buffer buffer;
  std::string peer_address;
  std::chrono::steady_clock::time_point idle_since{};  // when it went back to the pool
  void note_affinity(std::uint16_t port, int thread) {
    affinity_port = port;
    affinity_thread = thread;
    loopback_affinity::note(port, thread);
  }
  void forget_affinity() {
    if (affinity_port != 0) loopback_affinity::forget(affinity_port, affinity_thread);
    affinity_port = 0;
  }
  // Noted in loopback_affinity while open (a loopback connection made on a pool thread).
  std::uint16_t affinity_port = 0;
  int affinity_thread = -1;
  // While a connect or an exchange runs (see ContextPools): when it must end, and whether the
  // deadline sweep ended it (its pending operation then fails with operation_aborted).
  Clock::time_point deadline{};
  bool timed_out = false;
};

// A connection idle for less than this is reused without asking the kernel whether the peer
// closed it (peer_closed, a system call per request). Servers close idle keep-alive connections
// on a timer of seconds (ours 60 s, uvicorn 5 s, nginx 75 s); one closing within this window is
// as unlikely as the close racing the check itself, and both end the same way: an idempotent
// request is retried once on a fresh connection.
constexpr auto kFreshIdle = std::chrono::milliseconds(2);

struct HostPool {
  std::vector<std::unique_ptr<PooledConnection>> idle;
  std::size_t open = 0;  // idle + in use
};

// The pools of one io_context, and the deadlines of its connects and exchanges. The mutex is
// only contended when a context is run by several threads; with IoPool it is always taken by the
// same thread.
//
// Timeouts: one timer per context, armed for the earliest deadline of the connections in
// flight, closes the socket of each one past its own (its pending or next operation fails, and
// `timed_out` says why), then re-arms for the next. beast::tcp_stream instead arms and cancels a
// timer around every read and write (~4k instructions a call). The timer is cancelled when
// nothing is in flight, so a context with no request left returns from run().
struct ContextPools : std::enable_shared_from_this<ContextPools> {
  std::mutex mutex;
  std::unordered_map<std::string, HostPool> hosts;
  std::vector<PooledConnection*> in_flight;
  std::unique_ptr<asio::steady_timer> timer;  // made on the first deadline, on this context
  Clock::time_point timer_at = Clock::time_point::max();  // when the armed timer fires

  // Precondition: `mutex` held.
  void arm(const asio::any_io_executor& executor, Clock::time_point at) {
    if (at >= timer_at) return;
    if (!timer) timer = std::make_unique<asio::steady_timer>(executor);
    timer_at = at;
    timer->expires_at(at);  // a pending wait ends with operation_aborted
    timer->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;  // re-armed, cancelled, or the client is gone
      if (auto self = weak.lock()) self->sweep();
    });
  }

  void sweep() {
    std::lock_guard lock(mutex);
    timer_at = Clock::time_point::max();
    const auto now = Clock::now();
    auto next = Clock::time_point::max();
    for (PooledConnection* c : in_flight) {
      if (c->timed_out) continue;
      if (c->deadline <= now) {
        c->timed_out = true;
        boost::system::error_code ignored;
        c->socket.close(ignored);
      } else {
        next = std::min(next, c->deadline);
      }
    }
    if (next != Clock::time_point::max()) arm(timer->get_executor(), next);
  }
};

// A connection's connect or exchange in flight in `pools`, to end by `deadline`.
class InFlight {
 public:
  InFlight(ContextPools& pools, PooledConnection& connection, Clock::time_point deadline)
      : pools_(pools), connection_(connection) {
    connection.deadline = deadline;
    connection.timed_out = false;
    std::lock_guard lock(pools.mutex);
    pools.in_flight.push_back(&connection);
    pools.arm(connection.socket.get_executor(), deadline);
  }
  ~InFlight() {
    std::lock_guard lock(pools_.mutex);
    auto& all = pools_.in_flight;
    if (auto it = std::find(all.begin(), all.end(), &connection_); it != all.end()) {
      *it = all.back();
      all.pop_back();
    }
    if (all.empty() && pools_.timer) {
      pools_.timer_at = Clock::time_point::max();
      pools_.timer->cancel();
    }
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  ContextPools& pools_;
  PooledConnection& connection_;
};

bool idempotent(Method m) {
  return m == Method::kGet || m == Method::kHead || m == Method::kPut || m == Method::kDelete ||
         m == Method::kOptions || m == Method::kTrace;
}

// True when a pooled idle connection was closed by the peer (EOF or error pending).
bool peer_closed(PooledConnection& c) {
  char byte;
  const auto fd = c.socket.native_handle();
  const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  return true;  // unexpected bytes on an idle connection: do not reuse it
}

bool stale_error(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == bhttp::error::end_of_stream ||
         ec == asio::error::connection_aborted;
}

ClientError io_error(const boost::system::error_code& ec, std::string_view during) {
  if (ec == bhttp::error::body_limit) {
    return {ClientErrorKind::kResponseTooLarge, "response body over the limit"};
  }
  return {ClientErrorKind::kProtocolError, std::string(during) + ": " + ec.message()};
}

// The client's response parser: status, headers and body into a Response (ParserInto).
class ResponseParser final : public ParserInto<false, Response> {
 public:
  Response& response() noexcept { return message_; }

 private:
  void on_request_impl(bhttp::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override {
    message_.status = code;
    message_.headers.reserve(8);
  }
  void on_field_impl(bhttp::field name, string_view name_text, string_view value, error_code& ec) override {
    if (name == bhttp::field::content_type) message_.content_type = view(value);
    ParserInto::on_field_impl(name, name_text, value, ec);
  }
};

std::atomic<std::uint64_t> g_next_client_id{1};

}  // namespace

class Client::Impl {
 public:
  Impl(ClientOptions options, TransportTracing tracing, metrics::Registry* registry)
      : options_(std::move(options)), tracing_(std::move(tracing)), id_(g_next_client_id++) {
    if (registry != nullptr) {
      duration_ = &registry->histogram("http_client_request_duration_seconds",
                                       "Duration of HTTP client requests.",
                                       {"server", "method", "status"});
    }
  }

  ContextPools& pools_for(asio::execution_context& context) {
    struct CacheEntry {
      std::uint64_t client = 0;
      asio::execution_context* context = nullptr;
      ContextPools* pools = nullptr;
    };
    thread_local std::array<CacheEntry, 8> cache{};
    thread_local std::size_t next_slot = 0;
    for (const auto& e : cache) {
      if (e.client == id_ && e.context == &context) return *e.pools;
    }
    ContextPools* pools;
    {
      std::lock_guard lock(mutex_);
      auto& slot = pools_[&context];
      if (!slot) slot = std::make_shared<ContextPools>();
      pools = slot.get();
    }
    cache[next_slot] = {id_, &context, pools};
    next_slot = (next_slot + 1) % cache.size();
    return *pools;
  }

  // `self` keeps the pools alive while the call runs (one coroutine frame holds it).
  static asio::awaitable<ClientResult> send(std::shared_ptr<Impl> self, OutgoingRequest request,
                                            tel::Context parent);

  ClientOptions options_;
  TransportTracing tracing_;
  metrics::HistogramFamily* duration_ = nullptr;

  // The duration histogram's child for (server, method, status code or `failure`), through a
  // small per-thread cache: building the three label strings and finding the child cost ~1.2k
  // instructions per call. Precondition: duration_ set.
  metrics::Histogram& duration_child(const ParsedUrl* url, Method method, int status, std::string_view failure) {
    struct Entry {
      std::uint64_t client;
      std::string host;
      std::uint16_t port;
      Method method;
      int status;
      std::string_view failure;  // to_string(ClientErrorKind): static text
      metrics::Histogram* histogram;
    };
    constexpr std::size_t kMaxEntries = 64;
    thread_local std::vector<Entry> cache;
    const std::string_view host = url ? std::string_view(url->host) : std::string_view();
    const std::uint16_t port = url ? url->port : 0;
    for (const Entry& e : cache) {
      if (e.client == id_ && e.status == status && e.method == method && e.port == port &&
          e.failure == failure && e.host == host) {
        return *e.histogram;
      }
    }
    const std::string server = url ? url->host + ":" + std::to_string(url->port) : "invalid";
    metrics::Histogram& histogram = duration_->with(
        {server, std::string(to_string(method)), failure.empty() ? std::to_string(status) : std::string(failure)});
    if (cache.size() >= kMaxEntries) cache.erase(cache.begin());
    cache.push_back(Entry{id_, std::string(host), port, method, status, failure, &histogram});
    return histogram;
  }
  std::uint64_t id_;
  std::mutex mutex_;
  // Shared: the deadline timer's handler holds a weak reference.
  std::unordered_map<asio::execution_context*, std::shared_ptr<ContextPools>> pools_;
  std::atomic<std::uint64_t> connections_opened_{0}, requests_{0}, retries_{0};

 private:
  asio::awaitable<ClientResult> exchange(const OutgoingRequest& request, const ParsedUrl& url,
                                         std::string* peer_address);
  asio::awaitable<std::variant<std::unique_ptr<PooledConnection>, ClientError>> connect(
      ContextPools& pools, const ParsedUrl& url);
};

asio::awaitable<std::variant<std::unique_ptr<PooledConnection>, ClientError>>
Client::Impl::connect(ContextPools& pools, const ParsedUrl& url) {
  using Out = std::variant<std::unique_ptr<PooledConnection>, ClientError>;
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(
      url.host, std::to_string(url.port), asio::as_tuple(asio::use_awaitable));
  if (rec) co_return Out{ClientError{ClientErrorKind::kResolveFailed, "resolve " + url.host + ": " + rec.message()}};
  auto connection = std::make_unique<PooledConnection>(executor);
  std::optional<InFlight> in_flight;
  in_flight.emplace(pools, *connection, Clock::now() + options_.connect_timeout);  // all attempts
  // Each address in turn (as asio::async_connect does). A loopback connection made on a pool
  // thread binds its port first and notes it in loopback_affinity before connecting, so the
  // server end (when it is in this process) can be served on this thread from its accept on.
  boost::system::error_code cec = asio::error::host_not_found;
  tcp::endpoint endpoint;
  for (const auto& entry : endpoints) {
    if (connection->timed_out) break;
    endpoint = entry.endpoint();
    auto& socket = connection->socket;
    boost::system::error_code ignored;
    socket.close(ignored);
    connection->forget_affinity();
    socket.open(endpoint.protocol(), cec);
    if (cec) continue;
    if (endpoint.address().is_loopback() && IoPool::current_index() >= 0) {
      boost::system::error_code bound;
      socket.bind(tcp::endpoint(endpoint.address(), 0), bound);
      const auto local = bound ? tcp::endpoint() : socket.local_endpoint(bound);
      if (!bound && local.port() != 0) connection->note_affinity(local.port(), IoPool::current_index());
    }
    auto [ec] = co_await socket.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
    cec = ec;
    if (!cec || connection->timed_out) break;
  }
  const bool timed_out = connection->timed_out;
  in_flight.reset();
  if (cec || timed_out) {
    const std::string where = url.host + ":" + std::to_string(url.port);
    if (timed_out) co_return Out{ClientError{ClientErrorKind::kTimeout, "connect to " + where + " timed out"}};
    if (cec == asio::error::connection_refused) {
      co_return Out{ClientError{ClientErrorKind::kConnectionRefused, "connection refused by " + where}};
    }
    co_return Out{ClientError{ClientErrorKind::kConnectFailed, "connect to " + where + ": " + cec.message()}};
  }
  boost::system::error_code ignored;
  connection->socket.set_option(tcp::no_delay(true), ignored);
  connection->peer_address = endpoint.address().to_string();
  connections_opened_.fetch_add(1, std::memory_order_relaxed);
  co_return Out{std::move(connection)};
}

asio::awaitable<ClientResult> Client::Impl::exchange(const OutgoingRequest& request,
                                                     const ParsedUrl& url,
                                                     std::string* peer_address) {
  auto executor = co_await asio::this_coro::executor;
  ContextPools& pools = pools_for(asio::query(executor, asio::execution::context));
  const std::string key = url.host + ":" + std::to_string(url.port);

  const std::string head = serialize_request_head(
      request.method == Method::kOther ? "GET" : to_string(request.method), url.target,
      url.port == 80 ? url.host : key, options_.user_agent, request.headers, request.content_type,
      request.body.size());
  const std::array<asio::const_buffer, 2> message{asio::buffer(head), asio::buffer(request.body)};
  const auto timeout = request.timeout.value_or(options_.request_timeout);

  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<PooledConnection> connection;
    {
      std::lock_guard lock(pools.mutex);
      HostPool& host = pools.hosts[key];
      while (!host.idle.empty() && !connection) {
        connection = std::move(host.idle.back());
        host.idle.pop_back();
        const bool fresh = std::chrono::steady_clock::now() - connection->idle_since < kFreshIdle;
        if (!fresh && peer_closed(*connection)) {
          connection.reset();
          --host.open;
        }
      }
      if (!connection) {
        if (host.open >= options_.max_connections_per_host) {
          co_return ClientError{ClientErrorKind::kPoolExhausted,
                                "over " + std::to_string(options_.max_connections_per_host) +
                                    " connections to " + key};
        }
        ++host.open;  // reserved for the connection opened below
      }
    }
    auto release = [&](std::unique_ptr<PooledConnection> c, bool reusable) {
      std::lock_guard lock(pools.mutex);
      HostPool& host = pools.hosts[key];
      if (reusable && c && host.idle.size() < options_.max_idle_per_host) {
        c->idle_since = std::chrono::steady_clock::now();
        host.idle.push_back(std::move(c));
      } else {
        --host.open;
      }
    };
    const bool reused = connection != nullptr;
    if (!connection) {
      auto connected = co_await connect(pools, url);
      if (auto* error = std::get_if<ClientError>(&connected)) {
        release(nullptr, false);
        co_return std::move(*error);
      }
      connection = std::move(std::get<0>(connected));
    }
    *peer_address = connection->peer_address;

    std::optional<InFlight> in_flight;
    in_flight.emplace(pools, *connection, Clock::now() + timeout);
    const auto wec = co_await write_all(connection->socket, message);
    ResponseParser parser;
    boost::system::error_code rec;
    if (!wec) {
      parser.header_limit(64 * 1024);
      parser.body_limit(options_.max_response_body_bytes);
      if (request.method == Method::kHead) parser.skip(true);
      rec = co_await read_message(connection->socket, connection->buffer, parser, ReadUntil::kMessage);
    }
    const auto ec = wec ? wec : rec;
    // (A response read in full just as the deadline passed is still the answer; its closed
    // connection is not reused.)
    const bool timed_out = connection->timed_out;
    in_flight.reset();
    if (ec && timed_out) {
      release(nullptr, false);
      co_return ClientError{ClientErrorKind::kTimeout, wec ? "write timed out" : "read timed out"};
    }
    if (ec) {
      const bool retry = reused && attempt == 0 && stale_error(ec) &&
                         (idempotent(request.method) || wec);
      release(nullptr, false);
      if (retry) {
        retries_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      co_return io_error(ec, wec ? "write" : "read");
    }
    const bool reusable = !timed_out && parser.keep_alive() && parser.is_done();
    Response response = std::move(parser.response());
    release(std::move(connection), reusable);
    co_return response;
  }
}

asio::awaitable<ClientResult> Client::Impl::send(std::shared_ptr<Impl> self, OutgoingRequest request,
                                                 tel::Context parent) {
  self->requests_.fetch_add(1, std::memory_order_relaxed);
  const auto started = std::chrono::steady_clock::now();
  const auto url = parse_http_url(request.url);
  const std::string_view method = to_string(request.method);

  tel::Span span;
  if (self->tracing_.tracer.may_record()) {
    tel::StartSpanOptions start;
    start.kind = tel::SpanKind::kClient;
    // append_attribute reuses the key buffers of recycled spans.
    tel::Attributes& a = start.attributes;
    a = tel::take_attribute_list(4);
    tel::append_text_attribute(a, "http.request.method", method);
    tel::append_attribute(a, "url.full") = self->tracing_.redacted(request.url);
    if (url) {
      tel::append_text_attribute(a, "server.address", url->host);
      tel::append_attribute(a, "server.port") = static_cast<std::int64_t>(url->port);
    }
    span = self->tracing_.tracer.start_span(http_span_name(request.method, request.route), parent,
                                            std::move(start));
  } else if (self->tracing_.tracer.enabled()) {
    span = self->tracing_.tracer.start_span({}, parent, {});  // propagates only
  }
  if (self->tracing_.propagator != nullptr) {
    HeadersCarrier carrier(request.headers);
    self->tracing_.propagator->inject(tel::context_with(parent, span), carrier);
  }

  std::string peer_address;
  // (No co_await inside a conditional expression: GCC 12 miscompiles its temporaries.)
  ClientResult result;
  if (url) {
    result = co_await self->exchange(request, *url, &peer_address);
  } else {
    result = ClientError{ClientErrorKind::kInvalidUrl, "not an http URL: " + request.url};
  }
  // The duration's status label: the status code, or the kind of failure.
  const int status = result ? result->status : 0;
  const std::string_view failure = result ? std::string_view() : to_string(result.error().kind);
  if (result) {
    if (span.is_recording()) {
      span.set_attribute("http.response.status_code", static_cast<std::int64_t>(result->status));
      if (result->status >= 500) {
        span.set_attribute("error.type", std::to_string(result->status));
        span.set_status(tel::StatusCode::kError);
      }
    }
  } else {
    if (span.is_recording()) {
      span.set_attribute("error.type", failure);
      span.set_status(tel::StatusCode::kError, result.error().message);
    }
  }
  if (span.is_recording() && !peer_address.empty()) {
    span.set_attribute("network.peer.address", peer_address);
  }
  span.end();
  if (self->duration_ != nullptr) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    self->duration_child(url ? &*url : nullptr, request.method, status, failure).observe(seconds);
  }
  co_return result;
}

Client::Client(ClientOptions options, TransportTracing tracing, metrics::Registry* registry)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(tracing), registry)) {}

Client::~Client() = default;

asio::awaitable<ClientResult> Client::send(OutgoingRequest request, tel::Context parent) {
  return Impl::send(impl_, std::move(request), std::move(parent));
}

Client::Stats Client::stats() const noexcept {
  return Stats{impl_->connections_opened_.load(), impl_->requests_.load(), impl_->retries_.load()};
}

}  // namespace tdemo::http
