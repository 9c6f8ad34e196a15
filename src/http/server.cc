// The Beast session and listener. Shape: one accept loop per pool context (SO_REUSEPORT), one
// coroutine per connection running read -> handle -> write until close, timeouts on every step.
// Timeouts are deadlines on the connection, checked by one sweep timer per context (not a timer
// armed and cancelled around every read and write, as beast::tcp_stream does: that costs a
// timer-queue insert, a cancel and one more completion per operation).
#include "http/server.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <unordered_set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>

#include "http/errors.h"
#include "http/loopback_affinity.h"
#include "http/message_writer.h"
#include "http/quick_read.h"
#include "http/read_message.h"
#include "http/request_handler.h"
#include "http/request_reader.h"
#include "http/write_message.h"
#include "telemetry/thread_name.h"

namespace tdemo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// ---------------------------------------------------------------------------------- IoPool

namespace {
thread_local int t_pool_index = -1;
}  // namespace

struct IoPool::WorkGuards {
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
};

IoPool::IoPool(std::size_t threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));  // one thread per context
  }
}

IoPool::~IoPool() { stop(); }

void IoPool::start() {
  if (running_.exchange(true)) return;
  guards_ = std::make_unique<WorkGuards>();
  for (auto& context : contexts_) {
    guards_->guards.push_back(asio::make_work_guard(*context));
  }
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      t_pool_index = static_cast<int>(i);
      telemetry::set_current_thread_name("td-io-" + std::to_string(i));
      contexts_[i]->run();
    });
  }
}

void IoPool::stop() {
  running_.store(false);
  if (guards_) guards_->guards.clear();
  for (auto& context : contexts_) context->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

int IoPool::current_index() noexcept { return t_pool_index; }

// ---------------------------------------------------------------------------------- Server

namespace {

using Clock = std::chrono::steady_clock;

struct Connection;

// Per pool context; touched only from that context's thread (except the atomics).
struct Worker {
  asio::io_context* io = nullptr;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> sweep;  // closes connections past their deadline
  bool sweeping = false;  // sweep_loop runs (only while `connections` is not empty)
  std::unordered_set<Connection*> connections;
  // Connections assigned to this context (open, or being handed over to it); their sum over
  // the workers is the server's open connections.
  std::atomic<std::size_t> assigned{0};
};

struct Connection {
  tcp::socket socket;
  // The current read or write must end by then, or the sweep closes the socket (the pending
  // operation then fails and `timed_out` tells why). max(): no deadline (the handler runs).
  Clock::time_point deadline = Clock::time_point::max();
  bool timed_out = false;
  bool idle = true;  // waiting for the next request (may be closed on shutdown)
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}
  void expires_after(std::chrono::milliseconds timeout) { deadline = Clock::now() + timeout; }
  void expires_never() { deadline = Clock::time_point::max(); }
  // An operation's error, or beast::error::timeout when the sweep ended it.
  boost::system::error_code outcome(const boost::system::error_code& ec) const {
    return ec && timed_out ? boost::system::error_code(beast::error::timeout) : ec;
  }
};

// The sweep's period: a quarter of the shortest timeout, within [1 ms, 250 ms], so a timeout
// fires at most a quarter late (and at most 250 ms late).
std::chrono::milliseconds sweep_interval(const ServerOptions& o) {
  const auto shortest = std::min({o.read_timeout, o.idle_timeout, o.write_timeout});
  return std::clamp(shortest / 4, std::chrono::milliseconds(1), std::chrono::milliseconds(250));
}

// Writes `response` (head and body in one gather write) with `stream`'s timeout as set.
template <class Stream>
asio::awaitable<boost::system::error_code> write_response(Stream& stream, const Response& response,
                                                          int version, bool keep_alive,
                                                          bool head_only) {
  const std::string head = serialize_response_head(response, version, keep_alive);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::const_buffer()};
  if (response_has_body(response, head_only)) buffers[1] = asio::buffer(response.body);
  co_return co_await write_all(stream, buffers);
}

}  // namespace

class Server::Impl : public std::enable_shared_from_this<Server::Impl> {
 public:
  Impl(IoPool& pool, const Router& router, TransportTracing tracing, metrics::Registry* registry,
       const ServerOptions& options)
      : pool_(pool), options_(options),
        handler_(router, std::move(tracing), registry, options_, pool.size()),
        workers_(pool.size()) {
    for (std::size_t i = 0; i < pool.size(); ++i) workers_[i].io = &pool.context(i);
  }

  std::optional<std::string> listen(std::uint16_t* bound_port) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return "invalid host address '" + options_.host + "': " + ec.message();
    std::uint16_t port = options_.port;
    // SO_REUSEPORT lets any process of the same user join a port's group, which would silently
    // split the traffic of a fixed port between two instances (a second `tracing-demo all`, or
    // two trace stores on 14268). A plain bind first fails with "Address already in use" when
    // anyone listens there.
    if (port != 0) {
      tcp::acceptor probe(*workers_.front().io);
      const tcp::endpoint endpoint(address, port);
      probe.open(endpoint.protocol(), ec);
      if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) probe.bind(endpoint, ec);
      if (ec) return "cannot listen on " + options_.host + ":" + std::to_string(port) + ": " + ec.message();
      probe.close(ec);
    }
    for (auto& worker : workers_) {
      auto acceptor = std::make_unique<tcp::acceptor>(*worker.io);
      tcp::endpoint endpoint(address, port);
      acceptor->open(endpoint.protocol(), ec);
      if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) {
        using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
        acceptor->set_option(reuse_port(true), ec);
      }
      if (!ec) acceptor->bind(endpoint, ec);
      if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        close_acceptors();
        return "cannot listen on " + options_.host + ":" + std::to_string(port) + ": " + ec.message();
      }
      port = acceptor->local_endpoint().port();
      worker.acceptor = std::move(acceptor);
    }
    *bound_port = port;
    listening_ = true;
    accept_loops_.store(static_cast<int>(workers_.size()));
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      workers_[i].sweep = std::make_unique<asio::steady_timer>(*workers_[i].io);
      asio::co_spawn(*workers_[i].io, accept_loop(shared_from_this(), i), asio::detached);
    }
    return std::nullopt;
  }

  void close_acceptors() {
    for (auto& w : workers_) {
      if (w.acceptor) {
        boost::system::error_code ignored;
        w.acceptor->close(ignored);
      }
    }
  }

  void stop() {
    if (stopping_.exchange(true)) return;
    // A server whose start() failed (or never ran) has nothing to close; posting the closures
    // below would leave them queued on contexts that may outlive this Impl.
    if (!listening_) return;
    // Close acceptors and idle connections on their own threads. Each closure keeps the Impl
    // alive: a context that is not running yet runs them after the Server may be gone.
    auto self = shared_from_this();
    for (auto& worker : workers_) {
      asio::post(*worker.io, [self, &worker] {
        boost::system::error_code ignored;
        if (worker.acceptor) worker.acceptor->close(ignored);
        for (Connection* c : worker.connections) {
          if (c->idle) c->socket.close(ignored);
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
    std::unique_lock lock(mutex_);
    // When the pool is not running nothing can finish: do not wait then.
    while ((open_connections() > 0 || accept_loops_.load() > 0) && pool_.running() &&
           std::chrono::steady_clock::now() < deadline) {
      changed_.wait_for(lock, std::chrono::milliseconds(20));
    }
    lock.unlock();
    // Whatever is left past the grace period is closed.
    for (auto& worker : workers_) {
      asio::post(*worker.io, [self, &worker] {
        boost::system::error_code ignored;
        for (Connection* c : worker.connections) c->socket.close(ignored);
      });
    }
    const auto hard_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    lock.lock();
    while ((open_connections() > 0 || accept_loops_.load() > 0) && pool_.running() &&
           std::chrono::steady_clock::now() < hard_deadline) {
      changed_.wait_for(lock, std::chrono::milliseconds(20));
    }
    lock.unlock();
    destroy_acceptors(self);
  }

  // Acceptors belong to their contexts: destroy them now, while every context lives (the
  // Impl itself may be released later, from a coroutine frame destroyed with a context), and
  // on each acceptor's own thread: an accept loop can exit on `stopping_` before the close
  // closure posted above has run, and that closure still reads the acceptor.
  void destroy_acceptors(const std::shared_ptr<Impl>& self) {
    if (!pool_.running()) {
      // No context runs, so nothing else touches the acceptors (queued closures run later
      // and find them gone).
      for (auto& worker : workers_) {
        worker.acceptor.reset();
        worker.sweep.reset();
      }
      return;
    }
    std::unique_lock lock(mutex_);
    acceptors_left_ = workers_.size();
    lock.unlock();
    for (auto& worker : workers_) {
      asio::post(*worker.io, [self, &worker] {
        worker.acceptor.reset();
        worker.sweep.reset();  // its loop wakes with operation_aborted and ends
        std::lock_guard guard(self->mutex_);
        --self->acceptors_left_;
        self->changed_.notify_all();
      });
    }
    // A context stopped meanwhile runs its closure when it next runs, or never: the closure
    // holds `self`, so it is safe either way.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    lock.lock();
    while (acceptors_left_ > 0 && pool_.running() && std::chrono::steady_clock::now() < deadline) {
      changed_.wait_for(lock, std::chrono::milliseconds(20));
    }
  }

  ServerStats stats() const {
    ServerStats s;
    s.connections_accepted = accepted_.load();
    s.connections_rejected = rejected_.load();
    s.connections_open = open_connections();
    s.requests = handler_.requests();
    s.requests_in_flight = handler_.in_flight();
    s.requests_rejected = handler_.rejected();
    return s;
  }

 private:
  static asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self, std::size_t index) {
    Worker& worker = self->workers_[index];
    while (!self->stopping_.load()) {
      auto [ec, socket] = co_await worker.acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !worker.acceptor || !worker.acceptor->is_open()) break;
        // EMFILE and friends: back off briefly instead of spinning.
        asio::steady_timer timer(*worker.io, std::chrono::milliseconds(10));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      self->accepted_.fetch_add(1, std::memory_order_relaxed);
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      if (self->open_connections() >= self->options_.max_connections) {
        self->rejected_.fetch_add(1, std::memory_order_relaxed);
        asio::co_spawn(*worker.io, reject(self, std::move(socket)), asio::detached);
        continue;
      }
      // The peer, looked up once: for the thread's choice and the request's client address. A
      // peer already gone (no address) is served here, where its first read ends it.
      boost::system::error_code peer_error;
      std::optional<tcp::endpoint> remote = socket.remote_endpoint(peer_error);
      if (peer_error) remote.reset();
      const std::size_t target = remote ? self->thread_for(*remote, index) : index;
      self->workers_[target].assigned.fetch_add(1, std::memory_order_relaxed);
      if (target == index) {
        asio::co_spawn(*worker.io, session(self, index, std::move(socket), remote), asio::detached);
      } else {
        hand_over(self, target, std::move(socket), *remote);
      }
    }
    std::lock_guard lock(self->mutex_);
    self->accept_loops_.fetch_sub(1);
    self->changed_.notify_all();
  }

  // Where a new connection is served: on the thread of its client end when that is a loopback
  // connection made by this process on a thread of this pool (see loopback_affinity.h), else
  // on the least loaded thread.
  std::size_t thread_for(const tcp::endpoint& remote, std::size_t own) const {
    if (remote.address().is_loopback()) {
      if (const auto thread = loopback_affinity::thread_of(remote.port());
          thread && static_cast<std::size_t>(*thread) < workers_.size()) {
        return static_cast<std::size_t>(*thread);
      }
    }
    return least_assigned(own);
  }

  // The context with the fewest connections, `own` on a tie. SO_REUSEPORT spreads connections
  // by a hash of their addresses: 32 connections land 19/13 as often as 16/16, and the threads
  // of the busier context then answer each of its clients more slowly (the tail of the latency).
  std::size_t least_assigned(std::size_t own) const {
    std::size_t best = own;
    std::size_t fewest = workers_[own].assigned.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      const std::size_t n = workers_[i].assigned.load(std::memory_order_relaxed);
      if (n < fewest) {
        fewest = n;
        best = i;
      }
    }
    return best;
  }

  // Moves an accepted socket to another context: its descriptor is re-registered there, and
  // the session runs on that context's thread. A context that never runs the closure (stopped)
  // closes the descriptor when the closure is destroyed.
  static void hand_over(const std::shared_ptr<Impl>& self, std::size_t target, tcp::socket socket,
                        const tcp::endpoint& remote) {
    boost::system::error_code ec;
    const auto protocol = remote.protocol();  // the listener's, which the peer shares
    struct Descriptor {
      int fd;
      explicit Descriptor(int f) : fd(f) {}
      Descriptor(const Descriptor&) = delete;
      ~Descriptor() { if (fd >= 0) ::close(fd); }
    };
    auto descriptor = std::make_shared<Descriptor>(socket.release(ec));
    if (ec) descriptor->fd = -1;  // the socket still owns it and closes it
    asio::post(*self->workers_[target].io, [self, target, protocol, remote, descriptor] {
      boost::system::error_code error;
      tcp::socket moved(*self->workers_[target].io);
      if (descriptor->fd >= 0) moved.assign(protocol, descriptor->fd, error);
      if (descriptor->fd < 0 || error) {
        self->connection_closed(target);
        return;
      }
      descriptor->fd = -1;  // owned by `moved` now
      asio::co_spawn(*self->workers_[target].io,
                     session(self, target, std::move(moved), std::optional<tcp::endpoint>(remote)),
                     asio::detached);
    });
  }

  // Closes the worker's connections whose deadline has passed, every sweep_interval(), while
  // it has connections (session() starts it again) and until destroy_acceptors() destroys the
  // timer: an idle server does not wake up.
  static asio::awaitable<void> sweep_loop(std::shared_ptr<Impl> self, std::size_t index) {
    Worker& worker = self->workers_[index];
    const auto interval = sweep_interval(self->options_);
    while (worker.sweep && !worker.connections.empty()) {
      worker.sweep->expires_after(interval);
      auto [ec] = co_await worker.sweep->async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      const auto now = Clock::now();
      for (Connection* c : worker.connections) {
        if (c->deadline > now) continue;
        c->timed_out = true;
        c->deadline = Clock::time_point::max();
        boost::system::error_code ignored;
        c->socket.close(ignored);
      }
    }
    worker.sweeping = false;
  }

  // Over max_connections: a short 503 with Retry-After, then close (bounded by a timeout).
  static asio::awaitable<void> reject(std::shared_ptr<Impl> self, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(1));
    co_await write_response(stream, service_unavailable(self->options_.retry_after_seconds), 11, false,
                            false);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  std::uint64_t open_connections() const {
    std::uint64_t n = 0;
    for (const auto& worker : workers_) n += worker.assigned.load(std::memory_order_relaxed);
    return n;
  }

  // A connection of worker `index` ended (or never started there).
  void connection_closed(std::size_t index) {
    std::lock_guard lock(mutex_);
    workers_[index].assigned.fetch_sub(1);
    changed_.notify_all();
  }

  static asio::awaitable<void> write_error(Connection& c, Response response, int version,
                                           std::chrono::milliseconds timeout) {
    c.expires_after(timeout);
    co_await write_response(c.socket, response, version, false, false);
  }

  // `remote`: the peer as found on accept (none when it was already gone).
  static asio::awaitable<void> session(std::shared_ptr<Impl> self, std::size_t index,
                                       tcp::socket socket, std::optional<tcp::endpoint> remote) {
    Worker& worker = self->workers_[index];
    Connection connection(std::move(socket));
    worker.connections.insert(&connection);
    if (!worker.sweeping && worker.sweep) {
      worker.sweeping = true;
      asio::co_spawn(*worker.io, sweep_loop(self, index), asio::detached);
    }
    boost::system::error_code ec;
    Peers peers;
    if (remote) {
      peers.client_address = remote->address().to_string();
      peers.client_port = remote->port();
    }
    const tcp::endpoint local = connection.socket.local_endpoint(ec);
    if (!ec) {
      peers.server_address = local.address().to_string();
      peers.server_port = local.port();
    }
    const bool answered_error = co_await self->serve(connection, index, peers);
    connection.socket.shutdown(tcp::socket::shutdown_send, ec);
    if (answered_error) co_await drain(connection);
    connection.socket.close(ec);
    worker.connections.erase(&connection);
    self->connection_closed(index);
  }

  // After an error answer, reads (and drops) what the client still sends for a short while, so
  // closing does not reset the connection before the client has read the answer.
  static asio::awaitable<void> drain(Connection& c) {
    c.expires_after(std::chrono::milliseconds(500));
    std::array<char, 16384> scratch;
    std::size_t total = 0;
    while (total < (4u << 20)) {
      auto [ec, n] = co_await c.socket.async_read_some(asio::buffer(scratch),
                                                       asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      total += n;
    }
  }

  // Serves requests until the connection should close; true when it ended with an error answer.
  asio::awaitable<bool> serve(Connection& c, std::size_t index, const Peers& peers) {
    beast::flat_buffer buffer;
    const auto& o = options_;
    while (!stopping_.load(std::memory_order_relaxed)) {
      c.idle = true;
      if (buffer.size() == 0) {
        // Keep-alive wait for the first byte of the next request.
        c.expires_after(o.idle_timeout);
        auto [ec, n] = co_await c.socket.async_read_some(buffer.prepare(4096),
                                                         asio::as_tuple(asio::use_awaitable));
        if (ec) co_return false;  // closed, idle timeout, or shutdown
        buffer.commit(n);
      }
      c.idle = false;
      Request request;
      bool keep_alive = false;
      const std::string_view buffered(static_cast<const char*>(buffer.data().data()), buffer.size());
      if (auto quick = quick_read_request(buffered, o.max_header_bytes, o.max_body_bytes, request)) {
        buffer.consume(quick->size);  // the usual request, whole in the buffer: no parser, no read
        keep_alive = quick->keep_alive;
        set_peers(request, peers);
      } else {
        request = Request();  // partly written by the quick read
        RequestParser parser;
        apply_limits(parser, o);
        c.expires_after(o.read_timeout);
        auto hec = co_await read_message(c.socket, buffer, parser, ReadUntil::kHeader);
        if (!hec && !parser.is_done()) {
          auto expect = parser.request().header("expect");
          if (expect && iequals(*expect, "100-continue")) {
            auto cont = bhttp::response<bhttp::empty_body>(bhttp::status::continue_, parser.request().version);
            co_await bhttp::async_write(c.socket, cont, asio::as_tuple(asio::use_awaitable));
          }
          hec = co_await read_message(c.socket, buffer, parser, ReadUntil::kMessage);
        }
        hec = c.outcome(hec);
        if (hec) {
          auto answer = read_error_response(hec);
          if (!answer) co_return false;
          co_await write_error(c, std::move(*answer), 11, o.write_timeout);
          co_return true;
        }
        keep_alive = parser.keep_alive();
        request = take_request(parser, peers);
      }
      const int version = request.version;
      c.expires_never();  // the handler's time is bounded by its own timeouts
      RequestHandler::Outcome outcome = co_await handler_.handle(request, index);
      const bool keep = keep_alive && !outcome.response.close &&
                        !stopping_.load(std::memory_order_relaxed);
      c.expires_after(o.write_timeout);
      const auto wec = co_await write_response(c.socket, outcome.response, version, keep, outcome.head_only);
      if (wec || !keep) co_return false;
    }
    co_return false;
  }

  IoPool& pool_;
  const ServerOptions options_;  // a copy: coroutines may outlive the Server object
  RequestHandler handler_;
  std::vector<Worker> workers_;
  std::atomic<bool> stopping_{false};
  bool listening_ = false;  // set by a successful listen(), before any accept loop runs
  std::atomic<std::uint64_t> accepted_{0}, rejected_{0};
  std::atomic<int> accept_loops_{0};
  std::size_t acceptors_left_ = 0;  // destroy_acceptors() closures still to run; under mutex_
  std::mutex mutex_;
  std::condition_variable changed_;
};

std::optional<std::string> apply_environment(ServerOptions& options) {
  const auto read = [](const char* name, std::int64_t min, std::int64_t max,
                       std::int64_t& out) -> std::optional<std::string> {
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0') return std::nullopt;
    const auto value = parse_int64(text);
    if (!value || *value < min || *value > max) {
      return std::string(name) + "='" + text + "': expected an integer in " + std::to_string(min) +
             ".." + std::to_string(max);
    }
    out = *value;
    return std::nullopt;
  };
  const struct {
    const char* name;
    std::chrono::milliseconds* field;
  } timeouts[] = {{"HTTP_READ_TIMEOUT_MS", &options.read_timeout},
                  {"HTTP_IDLE_TIMEOUT_MS", &options.idle_timeout},
                  {"HTTP_WRITE_TIMEOUT_MS", &options.write_timeout}};
  for (const auto& [name, field] : timeouts) {
    std::int64_t ms = field->count();
    if (auto error = read(name, 1, 3'600'000, ms)) return error;
    *field = std::chrono::milliseconds(ms);
  }
  auto header_bytes = static_cast<std::int64_t>(options.max_header_bytes);
  if (auto error = read("HTTP_MAX_HEADER_BYTES", 1024, 1 << 20, header_bytes)) return error;
  options.max_header_bytes = static_cast<std::size_t>(header_bytes);
  return std::nullopt;
}

Server::Server(IoPool& pool, const Router& router, TransportTracing tracing,
               metrics::Registry* registry, ServerOptions options)
    : options_(std::move(options)) {
  impl_ = std::make_shared<Impl>(pool, router, std::move(tracing), registry, options_);
  if (registry != nullptr) {
    std::weak_ptr<Impl> weak = impl_;
    try {
      registry->add_callback("http_server_active_requests", "HTTP requests being handled.",
                             metrics::MetricType::kGauge, [weak] {
                               auto impl = weak.lock();
                               if (!impl) return std::vector<metrics::Sample>{};
                               return std::vector<metrics::Sample>{
                                   {{}, static_cast<double>(impl->stats().requests_in_flight)}};
                             });
      registry->add_callback("http_server_open_connections", "Open HTTP connections.",
                             metrics::MetricType::kGauge, [weak] {
                               auto impl = weak.lock();
                               if (!impl) return std::vector<metrics::Sample>{};
                               return std::vector<metrics::Sample>{
                                   {{}, static_cast<double>(impl->stats().connections_open)}};
                             });
      registry->add_callback("http_server_rejected_total",
                             "Connections and requests refused with 503 (over the limits).",
                             metrics::MetricType::kCounter, [weak] {
                               auto impl = weak.lock();
                               if (!impl) return std::vector<metrics::Sample>{};
                               auto s = impl->stats();
                               return std::vector<metrics::Sample>{
                                   {{{"reason", "max_connections"}}, static_cast<double>(s.connections_rejected)},
                                   {{{"reason", "max_in_flight"}}, static_cast<double>(s.requests_rejected)}};
                             });
    } catch (const std::invalid_argument&) {
      // A second server on the same registry: the first one's gauges stay registered.
    }
  }
}

Server::~Server() { stop(); }

std::optional<std::string> Server::start() { return impl_->listen(&port_); }

void Server::stop() {
  if (impl_) impl_->stop();
}

ServerStats Server::stats() const { return impl_->stats(); }

namespace {
sigset_t shutdown_signal_set() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}
}  // namespace

void block_shutdown_signals() {
  const sigset_t signals = shutdown_signal_set();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int wait_for_shutdown_signal() {
  block_shutdown_signals();
  const sigset_t signals = shutdown_signal_set();
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  return received;
}

}  // namespace tdemo::http
