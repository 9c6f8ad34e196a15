#include "telemetry/otlp/test_http_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <deque>
#include <mutex>
#include <thread>

namespace tdemo::telemetry::otlp::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct TestHttpServer::State {
  asio::io_context io{1};
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::thread thread;
  mutable std::mutex mutex;
  std::deque<ScriptedAction> script;      // guarded by mutex
  std::vector<RecordedRequest> requests;  // guarded by mutex
  std::size_t connections = 0;            // guarded by mutex
  unsigned short port = 0;

  ScriptedAction record(RecordedRequest r) {
    std::lock_guard lock(mutex);
    requests.push_back(std::move(r));
    if (script.empty()) return ScriptedAction::respond(200);
    ScriptedAction next = std::move(script.front());
    script.pop_front();
    return next;
  }

  asio::awaitable<void> session(tcp::socket socket) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
      http::request<http::string_body> request;
      co_await http::async_read(socket, buffer, request, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      RecordedRequest r{std::string(request.method_string()), std::string(request.target()), {}, request.body()};
      for (const auto& field : request) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        r.headers[name] = std::string(field.value());
      }
      const ScriptedAction action = record(std::move(r));
      if (action.kind == ScriptedAction::kDrop) co_return;
      if (action.kind == ScriptedAction::kHang) {
        asio::steady_timer forever(socket.get_executor(), std::chrono::hours(1));
        co_await forever.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        co_return;
      }
      http::response<http::string_body> response{static_cast<http::status>(action.status), 11};
      for (const auto& [name, value] : action.headers) response.set(name, value);
      response.body() = action.body;
      response.keep_alive(request.keep_alive() && response[http::field::connection] != "close");
      response.prepare_payload();
      co_await http::async_write(socket, response, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !response.keep_alive() || action.close_after) co_return;
    }
  }

  asio::awaitable<void> listen() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      {
        std::lock_guard lock(mutex);
        ++connections;
      }
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
  }
};

TestHttpServer::TestHttpServer(std::vector<ScriptedAction> script) : state_(std::make_shared<State>()) {
  state_->script.assign(script.begin(), script.end());
  state_->port = state_->acceptor.local_endpoint().port();
  asio::co_spawn(state_->io, state_->listen(), asio::detached);
  state_->thread = std::thread([state = state_] { state->io.run(); });
}

TestHttpServer::~TestHttpServer() {
  state_->io.stop();
  state_->thread.join();
}

unsigned short TestHttpServer::port() const { return state_->port; }

std::string TestHttpServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(state_->port) + path;
}

std::vector<RecordedRequest> TestHttpServer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

std::size_t TestHttpServer::connections() const {
  std::lock_guard lock(state_->mutex);
  return state_->connections;
}

}  // namespace tdemo::telemetry::otlp::testing
