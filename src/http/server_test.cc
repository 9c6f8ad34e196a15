// Server + client on loopback in one process: limits, keep-alive, shutdown, tracing, metrics.
#include "http/server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <future>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "http/client.h"
#include "http/errors.h"
#include "metrics/registry.h"
#include "support/http_client.h"
#include "support/process.h"
#include "telemetry/in_memory_exporter.h"
#include "telemetry/simple_span_processor.h"
#include "telemetry/span.h"
#include "telemetry/thread_name.h"

namespace tdemo::http {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
namespace tel = tdemo::telemetry;

// A router whose only route, GET /health, answers 200 "ok".
Router ok_router() {
  Router router;
  router.get("/health", [](RequestContext&) -> asio::awaitable<Response> {
    co_return Response::text(200, "ok");
  });
  return router;
}

const tel::KeyValue* find_attribute(const tel::SpanData& span, std::string_view key) {
  for (const auto& kv : span.attributes) {
    if (kv.key == key) return &kv;
  }
  return nullptr;
}
std::string string_attribute(const tel::SpanData& span, std::string_view key) {
  auto* kv = find_attribute(span, key);
  return kv != nullptr && std::holds_alternative<std::string>(kv->value) ? std::get<std::string>(kv->value) : "";
}
std::int64_t int_attribute(const tel::SpanData& span, std::string_view key) {
  auto* kv = find_attribute(span, key);
  return kv != nullptr && std::holds_alternative<std::int64_t>(kv->value) ? std::get<std::int64_t>(kv->value) : -1;
}

// A blocking TCP connection to 127.0.0.1:`port`; -1 when it fails.
int connect_loopback(std::uint16_t port, int receive_buffer = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (receive_buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Polls `done` every 10 ms until it holds or `limit` has passed; whether it held.
template <class Done>
bool wait_for(Done&& done, std::chrono::milliseconds limit) {
  for (auto waited = 0ms; !done(); waited += 10ms) {
    if (waited >= limit) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// A server with `options` (access log off) on a started pool of one thread; stops both when
// destroyed. `router` must outlive it.
struct OneThreadServer {
  OneThreadServer(const Router& router, ServerOptions options)
      : server(pool, router, {}, nullptr, without_access_log(std::move(options))) {
    started = !server.start().has_value();
    pool.start();
  }
  ~OneThreadServer() {
    server.stop();
    pool.stop();
  }
  static ServerOptions without_access_log(ServerOptions options) {
    options.access_log = false;
    return options;
  }
  IoPool pool{1};
  Server server;
  bool started = false;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto exporter = std::make_unique<tel::InMemorySpanExporter>();
    spans_ = exporter.get();
    tel::TracerProviderOptions provider_options;
    provider_options.processors.push_back(std::make_unique<tel::SimpleSpanProcessor>(std::move(exporter)));
    provider_ = std::make_unique<tel::TracerProvider>(std::move(provider_options));
    std::vector<std::unique_ptr<tel::TextMapPropagator>> parts;
    parts.push_back(tel::make_trace_context_propagator());
    parts.push_back(tel::make_baggage_propagator());
    propagator_ = tel::make_composite_propagator(std::move(parts));
    tracing_ = TransportTracing{provider_->tracer("test"), propagator_.get()};
    client_ = std::make_unique<Client>(ClientOptions{}, tracing_, &registry_);

    router_.get("/health", [](RequestContext&) -> asio::awaitable<Response> {
      co_return Response::json_text(200, R"({"status":"ok"})");
    });
    RouteDoc user_doc;
    user_doc.params = {path_param("user_id", ParamType::kInteger)};
    router_.get("/users/{user_id}", [](RequestContext& ctx) -> asio::awaitable<Response> {
      const auto id = *ctx.request.int_param("user_id");
      if (id == 404) co_return error_response(404, "User 404 not found");
      if (id == 503) co_return error_response(503, "down");
      ctx.span.set_attribute("user.id", id);
      co_return Response::json_text(200, "{\"id\":" + std::to_string(id) + "}");
    }, user_doc);
    router_.post("/echo", [](RequestContext& ctx) -> asio::awaitable<Response> {
      co_return Response::text(200, ctx.request.body);
    });
    router_.get("/slow", [this](RequestContext&) -> asio::awaitable<Response> {
      slow_started_.store(true);
      asio::steady_timer timer(co_await asio::this_coro::executor, 500ms);
      co_await timer.async_wait(asio::use_awaitable);
      co_return Response::text(200, "finished");
    });
    router_.get("/boom", [](RequestContext&) -> asio::awaitable<Response> {
      throw std::runtime_error("database password is hunter2");
      co_return Response::empty(200);
    });
    router_.get("/proxy", [this](RequestContext& ctx) -> asio::awaitable<Response> {
      OutgoingRequest call;
      call.url = base_url() + "/users/7";
      call.route = "/users/{user_id}";
      auto result = co_await client_->send(std::move(call), ctx.telemetry);
      if (!result) co_return error_response(502, "users failed");
      co_return Response::json_text(200, result->body);
    });

    ServerOptions options;
    options.max_body_bytes = 1024;
    options.max_header_bytes = 1024;
    options.read_timeout = 300ms;
    options.shutdown_grace = 5s;
    options.access_log = false;
    server_ = std::make_unique<Server>(pool_, router_, tracing_, &registry_, options);
    auto error = server_->start();
    ASSERT_FALSE(error.has_value()) << *error;
    pool_.start();
  }

  void TearDown() override {
    server_->stop();
    client_.reset();  // its pooled sockets belong to the pool's contexts
    pool_.stop();
  }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // Runs `send` on pool context 0 and waits for it.
  ClientResult send(OutgoingRequest request, tel::Context parent = {}) {
    auto future = asio::co_spawn(pool_.context(0), client_->send(std::move(request), parent),
                                 asio::use_future);
    return future.get();
  }

  IoPool pool_{2};
  Router router_;
  metrics::Registry registry_;
  std::unique_ptr<tel::TracerProvider> provider_;
  std::unique_ptr<tel::TextMapPropagator> propagator_;
  tel::InMemorySpanExporter* spans_ = nullptr;
  TransportTracing tracing_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<Server> server_;
  std::atomic<bool> slow_started_{false};
};

TEST(IoPoolTest, ThreadsAreNamedByTheirIndex) {
  IoPool pool(2);
  pool.start();
  for (std::size_t i = 0; i < pool.size(); ++i) {
    std::promise<std::string> name;
    boost::asio::post(pool.context(i), [&] { name.set_value(tel::current_thread_name()); });
    EXPECT_EQ(name.get_future().get(), "td-io-" + std::to_string(i));
  }
  pool.stop();
}

TEST_F(ServerTest, KeepAliveReusesOneConnection) {
  for (int i = 0; i < 5; ++i) {
    OutgoingRequest r;
    r.url = base_url() + "/health";
    auto result = send(std::move(r));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, R"({"status":"ok"})");
  }
  EXPECT_EQ(client_->stats().connections_opened, 1u);
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
  EXPECT_EQ(server_->stats().requests, 5u);
}

TEST_F(ServerTest, RouterAnswersThroughTheServer) {
  EXPECT_EQ(test::http_get(base_url() + "/nope").body, R"({"detail":"Not Found"})");
  auto r405 = test::http_request("DELETE", base_url() + "/health");
  EXPECT_EQ(r405.status, 405);
  EXPECT_EQ(r405.header("allow"), "GET, HEAD, OPTIONS");
  auto r422 = test::http_get(base_url() + "/users/abc");
  EXPECT_EQ(r422.status, 422);
  EXPECT_NE(r422.body.find("int_parsing"), std::string::npos);
  auto head = test::http_request("HEAD", base_url() + "/health");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("content-length"), "15");
  auto echo = test::http_post(base_url() + "/echo", "abc");
  EXPECT_EQ(echo.body, "abc");
}

TEST_F(ServerTest, BodyOverLimitIs413) {
  auto r = test::http_post(base_url() + "/echo", std::string(2000, 'x'));
  EXPECT_EQ(r.status, 413) << r.error;
  EXPECT_EQ(r.body, R"({"detail":"Request body too large"})");
}

TEST_F(ServerTest, HeadersOverLimitAre431) {
  auto r = test::http_get(base_url() + "/health", {{"X-Big", std::string(2000, 'y')}});
  EXPECT_EQ(r.status, 431) << r.error;
}

TEST_F(ServerTest, MalformedRequestLineIs400AndServerSurvives) {
  const auto reply = test::raw_exchange("127.0.0.1", server_->port(), "NOT A REQUEST\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  const auto bad_version = test::raw_exchange("127.0.0.1", server_->port(), "GET / HTTP/9\r\n\r\n");
  EXPECT_EQ(bad_version.rfind("HTTP/1.1 400", 0), 0u) << bad_version;
  EXPECT_EQ(test::http_get(base_url() + "/health").status, 200);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  const auto reply = test::raw_exchange(
      "127.0.0.1", server_->port(),
      "GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /users/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto first = reply.find("{\"id\":1}");
  const auto second = reply.find("{\"id\":2}");
  ASSERT_NE(first, std::string::npos) << reply;
  ASSERT_NE(second, std::string::npos) << reply;
  EXPECT_LT(first, second);
}

TEST_F(ServerTest, SlowClientIsDisconnected) {
  const int fd = connect_loopback(server_->port());
  ASSERT_GE(fd, 0);
  const char partial[] = "GET /health HTTP/1.1\r\nHost: x\r\n";  // never finishes
  ASSERT_GT(::send(fd, partial, sizeof partial - 1, 0), 0);
  timeval tv{20, 0};  // a safety net only: the server's read timeout is 300 ms
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buffer[256];
  const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
  EXPECT_EQ(n, 0) << "expected the server to close the connection";
  ::close(fd);
}

TEST_F(ServerTest, GracefulStopLetsInFlightRequestFinish) {
  auto pending = std::async(std::launch::async, [this] { return test::http_get(base_url() + "/slow"); });
  wait_for([&] { return slow_started_.load(); }, 5000ms);
  ASSERT_TRUE(slow_started_.load());
  server_->stop();
  auto r = pending.get();
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "finished");
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_FALSE(test::http_get(base_url() + "/health", {}, 1s).ok());  // no longer accepting
}

TEST_F(ServerTest, ClientReportsConnectionRefusedAndTimeoutAsValues) {
  OutgoingRequest refused;
  refused.url = "http://127.0.0.1:" + std::to_string(test::free_port()) + "/";
  auto r1 = send(std::move(refused));
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().kind, ClientErrorKind::kConnectionRefused);
  OutgoingRequest slow;
  slow.url = base_url() + "/slow";
  slow.timeout = 50ms;
  auto r2 = send(std::move(slow));
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().kind, ClientErrorKind::kTimeout);
  OutgoingRequest bad;
  bad.url = "https://example.com/";
  EXPECT_EQ(send(std::move(bad)).error().kind, ClientErrorKind::kInvalidUrl);
  auto spans = spans_->spans();
  int client_errors = 0;
  for (const auto& s : spans) {
    if (s.kind == tel::SpanKind::kClient && s.status_code == tel::StatusCode::kError) ++client_errors;
  }
  EXPECT_EQ(client_errors, 3);
  EXPECT_EQ(string_attribute(spans_->spans_named("GET")[0], "error.type"), "connection_refused");
}

// The client's deadline timer is armed for the earliest deadline in flight: a short timeout
// that starts after a long one still ends its request on time (the long request, to the same
// 500 ms route, finishes), and the connection it closed is not reused.
TEST_F(ServerTest, ClientShortTimeoutStartedAfterALongOneEndsFirst) {
  auto send_slow = [&](std::chrono::milliseconds timeout) {
    OutgoingRequest slow;
    slow.url = base_url() + "/slow";
    slow.timeout = timeout;
    return asio::co_spawn(pool_.context(0), client_->send(std::move(slow)), asio::use_future);
  };
  auto long_one = send_slow(5000ms);
  wait_for([&] { return slow_started_.load(); }, 2000ms);
  auto short_one = send_slow(50ms);
  auto short_result = short_one.get();
  ASSERT_FALSE(short_result.ok());
  EXPECT_EQ(short_result.error().kind, ClientErrorKind::kTimeout);
  auto long_result = long_one.get();
  ASSERT_TRUE(long_result.ok()) << long_result.error().message;
  EXPECT_EQ(long_result->body, "finished");
  OutgoingRequest after;
  after.url = base_url() + "/health";
  auto again = send(std::move(after));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->status, 200);
}

// Nothing of the client keeps a context busy once its requests are done: run() returns at once,
// not when the 30 s request timeout would have passed.
TEST_F(ServerTest, ClientLeavesNoTimerPendingOnItsContext) {
  asio::io_context io;
  Client client(ClientOptions{.request_timeout = 30000ms});
  std::optional<ClientResult> result;
  OutgoingRequest r;
  r.url = base_url() + "/health";
  asio::co_spawn(io, client.send(std::move(r)), [&](std::exception_ptr, ClientResult value) {
    result = std::move(value);
  });
  const auto started = std::chrono::steady_clock::now();
  io.run();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->ok()) << result->error().message;
}

TEST_F(ServerTest, ClientSpanIsParentOfServerSpanAcrossTwoHops) {
  OutgoingRequest r;
  r.url = base_url() + "/proxy";
  auto result = send(std::move(r));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->body, R"({"id":7})");
  ASSERT_TRUE(provider_->force_flush(5s));
  auto spans = spans_->spans();
  ASSERT_EQ(spans.size(), 4u);  // client -> SERVER /proxy -> CLIENT users -> SERVER users
  const tel::SpanData* outer_client = nullptr;
  const tel::SpanData* proxy_server = nullptr;
  const tel::SpanData* inner_client = nullptr;
  const tel::SpanData* user_server = nullptr;
  for (const auto& s : spans) {
    if (s.name == "GET") outer_client = &s;
    if (s.name == "GET /proxy") proxy_server = &s;
    if (s.name == "GET /users/{user_id}" && s.kind == tel::SpanKind::kClient) inner_client = &s;
    if (s.name == "GET /users/{user_id}" && s.kind == tel::SpanKind::kServer) user_server = &s;
  }
  ASSERT_TRUE(outer_client && proxy_server && inner_client && user_server);
  const auto trace = outer_client->context.trace_id();
  for (const auto& s : spans) EXPECT_EQ(s.context.trace_id(), trace);
  EXPECT_FALSE(outer_client->parent_span_id.valid());
  EXPECT_EQ(proxy_server->parent_span_id, outer_client->context.span_id());
  EXPECT_TRUE(proxy_server->parent_is_remote);
  EXPECT_EQ(inner_client->parent_span_id, proxy_server->context.span_id());
  EXPECT_EQ(user_server->parent_span_id, inner_client->context.span_id());

  // Semantic conventions on the server span.
  EXPECT_EQ(string_attribute(*user_server, "http.request.method"), "GET");
  EXPECT_EQ(string_attribute(*user_server, "http.route"), "/users/{user_id}");
  EXPECT_EQ(string_attribute(*user_server, "url.path"), "/users/7");
  EXPECT_EQ(string_attribute(*user_server, "url.scheme"), "http");
  EXPECT_EQ(string_attribute(*user_server, "server.address"), "127.0.0.1");
  EXPECT_EQ(int_attribute(*user_server, "server.port"), server_->port());
  EXPECT_EQ(string_attribute(*user_server, "client.address"), "127.0.0.1");
  EXPECT_GT(int_attribute(*user_server, "client.port"), 0);
  EXPECT_EQ(string_attribute(*user_server, "network.protocol.version"), "1.1");
  EXPECT_EQ(string_attribute(*user_server, "user_agent.original"), "tracing-demo/" TD_VERSION);
  EXPECT_EQ(int_attribute(*user_server, "http.response.status_code"), 200);
  EXPECT_EQ(int_attribute(*user_server, "user.id"), 7);
  EXPECT_EQ(user_server->kind, tel::SpanKind::kServer);
  EXPECT_EQ(user_server->status_code, tel::StatusCode::kUnset);
  // ... and on the client span.
  EXPECT_EQ(string_attribute(*inner_client, "url.full"), base_url() + "/users/7");
  EXPECT_EQ(string_attribute(*inner_client, "server.address"), "127.0.0.1");
  EXPECT_EQ(int_attribute(*inner_client, "http.response.status_code"), 200);
  EXPECT_EQ(string_attribute(*inner_client, "network.peer.address"), "127.0.0.1");
}

TEST_F(ServerTest, TraceparentIsContinuedAndTraceresponseReturned) {
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto r = test::http_get(base_url() + "/users/1?x=1",
                          {{"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"},
                           {"User-Agent", "curl/8"}});
  ASSERT_EQ(r.status, 200);
  auto traceresponse = r.header("traceresponse");
  ASSERT_TRUE(traceresponse.has_value());
  ASSERT_EQ(traceresponse->size(), 55u);
  EXPECT_EQ(traceresponse->substr(0, 36), "00-" + trace + "-");
  EXPECT_EQ(traceresponse->substr(52), "-01");
  auto spans = spans_->spans_named("GET /users/{user_id}");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].context.trace_id().hex(), trace);
  EXPECT_EQ(spans[0].parent_span_id.hex(), "00f067aa0ba902b7");
  EXPECT_EQ(spans[0].context.span_id().hex(), traceresponse->substr(36, 16));
  EXPECT_EQ(string_attribute(spans[0], "url.query"), "x=1");
  EXPECT_EQ(string_attribute(spans[0], "user_agent.original"), "curl/8");
}

TEST_F(ServerTest, MalformedTraceparentStartsANewTrace) {
  auto r = test::http_get(base_url() + "/health",
                          {{"traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}});
  ASSERT_EQ(r.status, 200);
  auto spans = spans_->spans_named("GET /health");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_FALSE(spans[0].parent_span_id.valid());
  EXPECT_TRUE(spans[0].context.trace_id().valid());
  EXPECT_NE(spans[0].context.trace_id().hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_F(ServerTest, ErrorsSetSpanStatusPerConventions) {
  EXPECT_EQ(test::http_get(base_url() + "/users/404").status, 404);
  EXPECT_EQ(test::http_get(base_url() + "/users/503").status, 503);
  auto boom = test::http_get(base_url() + "/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.body.find("hunter2"), std::string::npos);
  EXPECT_EQ(test::http_request("BREW", base_url() + "/health").status, 405);
  auto spans = spans_->spans();
  ASSERT_EQ(spans.size(), 4u);
  EXPECT_EQ(spans[0].status_code, tel::StatusCode::kUnset);  // 4xx: UNSET on a server span
  EXPECT_EQ(spans[1].status_code, tel::StatusCode::kError);
  EXPECT_EQ(string_attribute(spans[1], "error.type"), "503");
  EXPECT_EQ(spans[2].name, "GET /boom");
  EXPECT_EQ(spans[2].status_code, tel::StatusCode::kError);
  EXPECT_EQ(string_attribute(spans[2], "error.type"), "std::runtime_error");
  ASSERT_EQ(spans[2].events.size(), 1u);
  EXPECT_EQ(spans[2].events[0].name, "exception");
  EXPECT_EQ(spans[3].name, "HTTP");
  EXPECT_EQ(string_attribute(spans[3], "http.request.method"), "_OTHER");
  EXPECT_EQ(string_attribute(spans[3], "http.request.method_original"), "BREW");
}

TEST_F(ServerTest, MetricsRecordDurationsByRoute) {
  for (int i = 0; i < 3; ++i) test::http_get(base_url() + "/users/" + std::to_string(i));
  test::http_get(base_url() + "/unknown/path");
  const std::string text = registry_.render();
  EXPECT_NE(text.find("http_server_request_duration_seconds_count{method=\"GET\",route=\"/users/{user_id}\",status=\"200\"} 3"),
            std::string::npos) << text;
  EXPECT_NE(text.find("route=\"unmatched\",status=\"404\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE http_server_active_requests gauge\nhttp_server_active_requests 0\n"),
            std::string::npos) << text;
}

// The client's duration histogram: one child per server, method and status (code or kind of
// failure), counted right however its per-thread lookup cache is hit.
TEST_F(ServerTest, ClientMetricsRecordDurationsByServerMethodAndStatus) {
  const auto get = [&](std::string url) {
    OutgoingRequest request;
    request.url = std::move(url);
    return send(std::move(request));
  };
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(get(base_url() + "/users/1").ok());
  EXPECT_TRUE(get(base_url() + "/users/404").ok());
  OutgoingRequest post;
  post.method = Method::kPost;
  post.url = base_url() + "/echo";
  post.body = "x";
  EXPECT_TRUE(send(std::move(post)).ok());
  const std::string refused_server = "127.0.0.1:" + std::to_string(test::free_port());
  for (int i = 0; i < 2; ++i) EXPECT_FALSE(get("http://" + refused_server + "/").ok());
  EXPECT_TRUE(get(base_url() + "/users/2").ok());
  const std::string text = registry_.render();
  const std::string server = "127.0.0.1:" + std::to_string(server_->port());
  const auto count = [&](const std::string& labels, int n) {
    return "http_client_request_duration_seconds_count{" + labels + "} " + std::to_string(n) + "\n";
  };
  EXPECT_NE(text.find(count("server=\"" + server + "\",method=\"GET\",status=\"200\"", 4)), std::string::npos) << text;
  EXPECT_NE(text.find(count("server=\"" + server + "\",method=\"GET\",status=\"404\"", 1)), std::string::npos) << text;
  EXPECT_NE(text.find(count("server=\"" + server + "\",method=\"POST\",status=\"200\"", 1)), std::string::npos) << text;
  EXPECT_NE(text.find(count("server=\"" + refused_server + "\",method=\"GET\",status=\"connection_refused\"", 2)),
            std::string::npos) << text;
}

TEST(ServerLimitsTest, EnvironmentSetsTimeoutsAndHeaderLimit) {
  ::setenv("HTTP_READ_TIMEOUT_MS", "1500", 1);
  ::setenv("HTTP_IDLE_TIMEOUT_MS", "2500", 1);
  ::setenv("HTTP_MAX_HEADER_BYTES", "", 1);  // empty: the default stays
  ServerOptions options;
  EXPECT_EQ(apply_environment(options), std::nullopt);
  EXPECT_EQ(options.read_timeout, 1500ms);
  EXPECT_EQ(options.idle_timeout, 2500ms);
  EXPECT_EQ(options.write_timeout, ServerOptions{}.write_timeout);
  EXPECT_EQ(options.max_header_bytes, ServerOptions{}.max_header_bytes);
  for (const char* bad : {"0", "-5", "soon", "3600001"}) {
    ::setenv("HTTP_READ_TIMEOUT_MS", bad, 1);
    ServerOptions rejected;
    auto error = apply_environment(rejected);
    ASSERT_TRUE(error.has_value()) << bad;
    EXPECT_NE(error->find("HTTP_READ_TIMEOUT_MS"), std::string::npos) << *error;
  }
  ::unsetenv("HTTP_READ_TIMEOUT_MS");
  ::setenv("HTTP_MAX_HEADER_BYTES", "100", 1);
  ServerOptions small;
  EXPECT_TRUE(apply_environment(small).has_value());
  ::unsetenv("HTTP_IDLE_TIMEOUT_MS");
  ::unsetenv("HTTP_MAX_HEADER_BYTES");
}

// A second server (or process) on a port in use fails to start, SO_REUSEPORT notwithstanding:
// the two would otherwise share the port's connections. The failed server, destroyed before the
// pool runs, leaves the pool's other servers unharmed (its stop() once queued closures that ran
// on the freed server once the pool started: a trace store whose Jaeger port was taken stopped
// answering on its UI port).
TEST(ServerPortTest, AFixedPortInUseIsRefusedAndTheFailureHarmsNothing) {
  IoPool pool(2);
  const Router router = ok_router();
  ServerOptions options;
  options.access_log = false;
  Server first(pool, router, {}, nullptr, options);
  ASSERT_FALSE(first.start().has_value());
  options.port = first.port();
  {
    Server second(pool, router, {}, nullptr, options);
    const auto error = second.start();
    ASSERT_TRUE(error.has_value()) << "a second server joined port " << options.port;
    EXPECT_NE(error->find("in use"), std::string::npos) << *error;
  }
  pool.start();
  for (int i = 0; i < 20; ++i) {
    const auto r = test::http_get("http://127.0.0.1:" + std::to_string(first.port()) + "/health");
    ASSERT_EQ(r.status, 200) << "request " << i;
  }
  first.stop();
  Server again(pool, router, {}, nullptr, options);  // free again once the first has stopped
  EXPECT_FALSE(again.start().has_value());
  again.stop();
  pool.stop();
}

// stop() on a running pool while clients keep connecting: an accept loop that takes a
// connection after `stopping_` is set exits before the closure that closes its acceptor has
// run. The acceptor must then still be destroyed on its own thread, after that closure (TSan
// saw the calling thread destroy it while the closure read it).
TEST(ServerPortTest, StopWhileClientsConnectIsCleanOnEveryContext) {
  IoPool pool(2);
  const Router router = ok_router();
  ServerOptions options;
  options.access_log = false;
  options.shutdown_grace = std::chrono::milliseconds(200);
  pool.start();
  for (int round = 0; round < 20; ++round) {
    Server server(pool, router, {}, nullptr, options);
    ASSERT_FALSE(server.start().has_value());
    const auto port = server.port();
    std::atomic<bool> done{false};
    std::thread client([&] {
      while (!done.load()) {
        asio::io_context io;
        tcp::socket socket(io);
        boost::system::error_code ec;
        socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server.stop();
    done = true;
    client.join();
    // The port is free again: a new server on it starts.
    options.port = port;
    Server again(pool, router, {}, nullptr, options);
    EXPECT_FALSE(again.start().has_value()) << "round " << round;
    again.stop();
    options.port = 0;
  }
  pool.stop();
}

TEST(ServerLimitsTest, OverMaxConnectionsGets503WithRetryAfter) {
  const Router router = ok_router();
  ServerOptions options;
  options.max_connections = 1;
  options.retry_after_seconds = 2;
  OneThreadServer s(router, options);
  ASSERT_TRUE(s.started);
  // Hold one connection open, then try a second.
  const int fd = connect_loopback(s.server.port());
  ASSERT_GE(fd, 0);
  wait_for([&] { return s.server.stats().connections_open >= 1; }, 2000ms);
  auto r = test::http_get("http://127.0.0.1:" + std::to_string(s.server.port()) + "/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("retry-after"), "2");
  ::close(fd);
}


TEST(ServerLimitsTest, OverMaxInFlightPerThreadGets503) {
  IoPool pool(1);
  Router router;
  std::atomic<bool> started{false};
  router.get("/slow", [&](RequestContext&) -> asio::awaitable<Response> {
    started.store(true);
    asio::steady_timer timer(co_await asio::this_coro::executor, 300ms);
    co_await timer.async_wait(asio::use_awaitable);
    co_return Response::text(200, "done");
  });
  ServerOptions options;
  options.max_in_flight_per_thread = 1;
  options.access_log = false;
  Server server(pool, router, {}, nullptr, options);
  ASSERT_FALSE(server.start().has_value());
  pool.start();
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/slow";
  auto first = std::async(std::launch::async, [&] { return test::http_get(url); });
  wait_for([&] { return started.load(); }, 5000ms);
  auto second = test::http_get(url);
  EXPECT_EQ(second.status, 503);
  EXPECT_EQ(second.header("retry-after"), "1");
  EXPECT_EQ(first.get().status, 200);
  EXPECT_EQ(server.stats().requests_rejected, 1u);
  server.stop();
  pool.stop();
}

// A server on a pool of two threads whose GET /thread answers the index of the thread that
// served it.
class ThreadPlacementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.get("/thread", [](RequestContext&) -> asio::awaitable<Response> {
      co_return Response::text(200, std::to_string(IoPool::current_index()));
    });
    ServerOptions options;
    options.access_log = false;
    server_ = std::make_unique<Server>(pool_, router_, TransportTracing{}, nullptr, options);
    ASSERT_FALSE(server_->start().has_value());
    pool_.start();
  }
  void TearDown() override {
    server_->stop();
    pool_.stop();
  }
  IoPool pool_{2};
  Router router_;
  std::unique_ptr<Server> server_;
};

// Connections are spread over the pool's threads by count, not by the kernel's hash of their
// addresses: 16 connections opened one after the other (each kept open) are served 8 and 8.
TEST_F(ThreadPlacementTest, ConnectionsAreSpreadEvenlyOverThePoolThreads) {
  std::vector<int> fds;
  int served[2] = {0, 0};
  for (int i = 0; i < 16; ++i) {
    const int fd = connect_loopback(server_->port());
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
    const char request[] = "GET /thread HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(fd, request, sizeof request - 1, 0), static_cast<ssize_t>(sizeof request - 1));
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string reply;
    char buffer[512];
    while (reply.find("\r\n\r\n") == std::string::npos || reply.back() == '\n') {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      ASSERT_GT(n, 0) << reply;
      reply.append(buffer, static_cast<std::size_t>(n));
    }
    const char thread = reply.back();  // the body: "0" or "1"
    ASSERT_TRUE(thread == '0' || thread == '1') << reply;
    ++served[thread - '0'];
  }
  EXPECT_EQ(served[0], 8);
  EXPECT_EQ(served[1], 8);
  for (int fd : fds) ::close(fd);
}

// A loopback connection made by this process's client on a pool thread is served on that same
// thread (loopback_affinity): four clients calling from thread 1 are all answered on thread 1,
// where balancing by count alone would put two of them on thread 0.
TEST_F(ThreadPlacementTest, LoopbackConnectionsFromAPoolThreadAreServedOnThatThread) {
  std::vector<std::unique_ptr<Client>> clients;  // each keeps its connection open
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<Client>());
    OutgoingRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/thread";
    auto reply = asio::co_spawn(pool_.context(1), clients.back()->send(std::move(r)), asio::use_future).get();
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    EXPECT_EQ(reply->body, "1") << "connection " << i;
  }
}

// A client that asks for a large answer and never reads it: the write cannot finish, and the
// server closes the connection once the write timeout has passed (the deadline sweep), instead
// of holding it open for good.
TEST(ServerLimitsTest, ClientThatNeverReadsIsDisconnectedAfterTheWriteTimeout) {
  Router router;
  router.get("/big", [](RequestContext&) -> asio::awaitable<Response> {
    co_return Response::text(200, std::string(std::size_t{64} << 20, 'x'));
  });
  ServerOptions options;
  options.write_timeout = 200ms;
  OneThreadServer s(router, options);
  ASSERT_TRUE(s.started);
  const int fd = connect_loopback(s.server.port(), 4096);
  ASSERT_GE(fd, 0);
  const char request[] = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(fd, request, sizeof request - 1, 0), static_cast<ssize_t>(sizeof request - 1));
  wait_for([&] { return s.server.stats().requests > 0; }, 1000ms);
  EXPECT_EQ(s.server.stats().connections_open, 1u);  // the answer is being written
  wait_for([&] { return s.server.stats().connections_open == 0; }, 5000ms);
  EXPECT_EQ(s.server.stats().connections_open, 0u) << "the stalled write was not timed out";
  ::close(fd);
}

// The deadline sweep runs only while a thread has connections: after the first idle
// connection is timed out and the thread has none left, a second one is timed out as well.
TEST(ServerLimitsTest, IdleTimeoutStillWorksAfterTheThreadHadNoConnections) {
  Router router;
  ServerOptions options;
  options.idle_timeout = 50ms;
  OneThreadServer s(router, options);
  ASSERT_TRUE(s.started);
  for (int round = 0; round < 2; ++round) {
    const int fd = connect_loopback(s.server.port());
    ASSERT_GE(fd, 0);
    wait_for([&] { return s.server.stats().connections_accepted > static_cast<std::uint64_t>(round); }, 1000ms);
    wait_for([&] { return s.server.stats().connections_open == 0; }, 3000ms);
    EXPECT_EQ(s.server.stats().connections_open, 0u) << "round " << round;
    char byte;
    EXPECT_EQ(::recv(fd, &byte, 1, 0), 0) << "round " << round;  // closed by the server
    ::close(fd);
    std::this_thread::sleep_for(100ms);  // several sweep periods (12 ms) with no connection
  }
}

TEST(ClientPoolTest, ConnectionClosedByServerIsNotReused) {
  IoPool pool(1);
  Router router;
  router.get("/x", [](RequestContext&) -> asio::awaitable<Response> { co_return Response::text(200, "x"); });
  ServerOptions options;
  options.idle_timeout = 50ms;  // the server drops idle keep-alive connections quickly
  options.access_log = false;
  Server server(pool, router, {}, nullptr, options);
  ASSERT_FALSE(server.start().has_value());
  pool.start();
  {
    Client client;
    auto get = [&] {
      OutgoingRequest r;
      r.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/x";
      return asio::co_spawn(pool.context(0), client.send(std::move(r)), asio::use_future).get();
    };
    EXPECT_TRUE(get().ok());
    wait_for([&] { return server.stats().connections_open == 0; }, 2000ms);
    ASSERT_EQ(server.stats().connections_open, 0u);
    auto again = get();
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->body, "x");
    EXPECT_EQ(client.stats().connections_opened, 2u);
    server.stop();
  }
  pool.stop();
}

// A server that answers keep-alive and then closes at once (no Connection: close): the client
// reuses the connection (within its fresh-idle window, without asking the kernel first), meets
// the close, and retries the GET once on a new connection. Either way both requests succeed.
TEST(ClientPoolTest, ConnectionClosedRightAfterAnswerIsRetried) {
  asio::io_context accept_context;
  tcp::acceptor listener(accept_context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = listener.local_endpoint().port();
  std::thread server([&] {
    for (int i = 0; i < 2; ++i) {
      tcp::socket socket(accept_context);
      boost::system::error_code ec;
      listener.accept(socket, ec);
      if (ec) return;
      std::string request;
      char chunk[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const auto n = socket.read_some(asio::buffer(chunk), ec);
        if (ec) return;
        request.append(chunk, n);
      }
      asio::write(socket, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")), ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
    }
  });
  IoPool pool(1);
  pool.start();
  {
    Client client;
    auto get = [&] {
      OutgoingRequest r;
      r.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
      return asio::co_spawn(pool.context(0), client.send(std::move(r)), asio::use_future).get();
    };
    auto first = get();
    ASSERT_TRUE(first.ok()) << first.error().message;
    auto second = get();
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(second->body, "x");
    EXPECT_EQ(client.stats().connections_opened, 2u);
    EXPECT_LE(client.stats().retries, 1u);
  }
  pool.stop();
  server.join();
}

// The client's response parser: a chunked body joined, headers in the order sent (a repeated
// name too), Content-Type, and a HEAD answer's Content-Length without a body, on one
// keep-alive connection.
TEST(ClientPoolTest, ChunkedAndHeadResponsesAreReadWhole) {
  asio::io_context accept_context;
  tcp::acceptor listener(accept_context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = listener.local_endpoint().port();
  std::thread server([&] {
    tcp::socket socket(accept_context);
    boost::system::error_code ec;
    listener.accept(socket, ec);
    if (ec) return;
    const std::string answers[] = {
        "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Type: application/json\r\nX-B: 2\r\nx-a: 3\r\n"
        "Transfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"};
    std::string request;
    for (const auto& answer : answers) {
      char chunk[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const auto n = socket.read_some(asio::buffer(chunk), ec);
        if (ec) return;
        request.append(chunk, n);
      }
      request.erase(0, request.find("\r\n\r\n") + 4);
      asio::write(socket, asio::buffer(answer), ec);
    }
    socket.read_some(asio::buffer(request.data(), 1), ec);  // until the client closes
  });
  IoPool pool(1);
  pool.start();
  {
    Client client;
    auto send = [&](Method method) {
      OutgoingRequest r;
      r.method = method;
      r.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
      return asio::co_spawn(pool.context(0), client.send(std::move(r)), asio::use_future).get();
    };
    auto chunked = send(Method::kGet);
    ASSERT_TRUE(chunked.ok()) << chunked.error().message;
    EXPECT_EQ(chunked->body, R"({"a":1})");
    EXPECT_EQ(chunked->content_type, "application/json");
    const std::vector<Headers::Entry> sent{{"X-A", "1"}, {"Content-Type", "application/json"}, {"X-B", "2"},
                                           {"x-a", "3"}, {"Transfer-Encoding", "chunked"}};
    EXPECT_EQ(chunked->headers.entries(), sent);
    auto head = send(Method::kHead);
    ASSERT_TRUE(head.ok()) << head.error().message;
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->body, "");
    EXPECT_EQ(head->headers.get("content-length"), "10");
    EXPECT_EQ(client.stats().connections_opened, 1u);
  }
  pool.stop();
  server.join();
}

}  // namespace
}  // namespace tdemo::http
