// HttpSender: a synchronous client built from Beast's asynchronous operations on a private
// io_context, so every step (resolve, connect, write, read) honours the deadline.
#include "telemetry/otlp/http_sender.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <ctime>
#include <iomanip>
#include <random>
#include <sstream>

namespace tdemo::telemetry::otlp {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

enum class Outcome { kSuccess, kRetryable, kPermanent };

struct AttemptResult {
  Outcome outcome = Outcome::kPermanent;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string message;
  std::string body;          // of a 2xx answer
  std::string content_type;  // of a 2xx answer
};

bool retryable_status(unsigned status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  std::uint64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && ptr == value.data() + value.size()) {
    return std::chrono::milliseconds(std::min<std::uint64_t>(seconds, 86400) * 1000);
  }
  // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  std::istringstream in{std::string(value)};
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
  std::string zone;
  in >> zone;
  if (in.fail() || zone != "GMT") return std::nullopt;
  const auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (when <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
}

struct HttpSender::Impl {
  explicit Impl(HttpSenderOptions o) : options(std::move(o)), random(std::random_device{}()) {
    auto url = boost::urls::parse_uri(options.endpoint);
    if (!url) {
      config_error = "invalid " + options.endpoint_kind + " endpoint '" + options.endpoint +
                     "': " + url.error().message();
      return;
    }
    if (url->scheme() != "http") {
      config_error = "unsupported scheme in " + options.endpoint_kind + " endpoint '" +
                     options.endpoint + "' (only http is supported)";
      return;
    }
    host = url->host_address();
    if (host.size() >= 2 && host.front() == '[')
      host = host.substr(1, host.size() - 2);  // IPv6 literal
    port = url->has_port() ? std::string(url->port()) : "80";
    target = url->encoded_target().empty() ? "/" : std::string(url->encoded_target());
    host_header = std::string(url->encoded_host_and_port());
  }

  // Runs the queued asynchronous operation(s) to completion.
  void run() {
    io.restart();
    io.run();
  }

  void close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    connected = false;
  }

  // Connects if needed. Failures are retryable (the collector may be starting).
  AttemptResult connect(Clock::time_point deadline) {
    beast::error_code ec;
    tcp::resolver::results_type endpoints;
    asio::steady_timer timer(io, deadline);
    bool resolved = false;
    resolver.async_resolve(host, port, [&](beast::error_code e, tcp::resolver::results_type r) {
      ec = e;
      endpoints = std::move(r);
      resolved = true;
      timer.cancel();
    });
    timer.async_wait([&](beast::error_code e) {
      if (!e && !resolved) resolver.cancel();
    });
    run();
    if (ec)
      return {Outcome::kRetryable, std::nullopt, "resolving " + host + ": " + ec.message(), {}, {}};
    stream.expires_at(deadline);
    stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run();
    if (ec) {
      stream.close();
      return {Outcome::kRetryable,
              std::nullopt,
              "connecting to " + host + ":" + port + ": " + ec.message(),
              {},
              {}};
    }
    stream.socket().set_option(tcp::no_delay(true), ec);
    connected = true;
    return {Outcome::kSuccess, std::nullopt, {}, {}, {}};
  }

  // One request/response exchange. A connection that was reused and turns out closed by the
  // server (it may close idle keep-alive connections at any time) is reopened once at once.
  AttemptResult attempt(const http::request<http::string_body>& request,
                        Clock::time_point deadline) {
    for (int round = 0; round < 2; ++round) {
      const bool reused = connected;
      if (!connected) {
        AttemptResult r = connect(deadline);
        if (r.outcome != Outcome::kSuccess) return r;
      }
      beast::error_code ec;
      stream.expires_at(deadline);
      http::async_write(stream, request, [&](beast::error_code e, std::size_t) { ec = e; });
      run();
      http::response_parser<http::string_body> parser;
      parser.body_limit(options.max_response_bytes);
      buffer.clear();
      if (!ec) {
        http::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
        run();
      }
      if (ec) {
        close();
        if (ec == beast::error::timeout)
          return {Outcome::kPermanent, std::nullopt, "timed out", {}, {}};
        const bool nothing_received = !parser.got_some();
        if (reused && nothing_received && round == 0) continue;  // stale keep-alive connection
        if (ec == http::error::body_limit)
          return {Outcome::kPermanent, std::nullopt, "response too large", {}, {}};
        return {Outcome::kRetryable, std::nullopt, "connection lost: " + ec.message(), {}, {}};
      }
      auto& response = parser.get();
      if (!response.keep_alive()) close();
      const unsigned status = response.result_int();
      if (status >= 200 && status < 300) {
        return {Outcome::kSuccess,
                std::nullopt,
                {},
                std::move(response.body()),
                std::string(response[http::field::content_type])};
      }
      AttemptResult r;
      r.outcome = retryable_status(status) ? Outcome::kRetryable : Outcome::kPermanent;
      r.message = "HTTP " + std::to_string(status);
      if (auto it = response.find(http::field::retry_after); it != response.end()) {
        r.retry_after = parse_retry_after(it->value());
      }
      if (r.outcome == Outcome::kPermanent && !response.body().empty()) {
        r.message += " (" + std::to_string(response.body().size()) + " byte body)";
      }
      return r;
    }
    return {Outcome::kRetryable, std::nullopt, "connection lost", {}, {}};
  }

  HttpSendResult post(std::string& body, const HttpPayload& payload, Clock::time_point deadline) {
    if (!config_error.empty()) {
      if (!config_error_logged.exchange(true)) write_log(options.log, config_error);
      return {};
    }
    http::request<http::string_body> request{http::verb::post, target, 11};
    request.set(http::field::host, host_header);
    request.set(http::field::user_agent, options.user_agent);
    request.set(http::field::content_type, payload.content_type);
    for (const auto& [name, value] : options.headers) request.set(name, value);
    if (!payload.content_encoding.empty()) {
      request.set(http::field::content_encoding, payload.content_encoding);
    }
    request.keep_alive(true);
    request.body().swap(body);
    request.prepare_payload();
    struct GiveBack {  // the caller's buffer comes back whatever happens
      std::string& body;
      http::request<http::string_body>& request;
      ~GiveBack() { body.swap(request.body()); }
    } give_back{body, request};

    for (int attempt = 1;; ++attempt) {
      AttemptResult r = this->attempt(request, deadline);
      if (r.outcome == Outcome::kSuccess) {
        return {true, std::move(r.body), std::move(r.content_type)};
      }
      const std::string what = std::string(payload.what) + " to " + options.endpoint;
      if (r.outcome == Outcome::kPermanent) {
        write_log(options.log, what + " failed: " + r.message);
        return {};
      }
      if (attempt >= options.retry.max_attempts) {
        write_log(options.log,
                  what + " failed after " + std::to_string(attempt) + " attempts: " + r.message);
        return {};
      }
      const auto delay = r.retry_after ? std::min(*r.retry_after, options.retry.max_retry_after)
                                       : backoff_delay(options.retry, attempt, random);
      if (Clock::now() + delay >= deadline) {
        write_log(options.log,
                  what + " failed: " + r.message + "; no time left to retry within the timeout");
        return {};
      }
      if (!shutdown_signal.wait_for(delay)) {
        write_log(options.log, what + " abandoned: shutting down");
        return {};
      }
    }
  }

  HttpSenderOptions options;
  std::string config_error;
  std::atomic<bool> config_error_logged{false};
  std::string host, port, target, host_header;
  asio::io_context io{1};
  tcp::resolver resolver{io};
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool connected = false;
  std::mt19937_64 random;
  ShutdownSignal shutdown_signal;
};

HttpSender::HttpSender(HttpSenderOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpSender::~HttpSender() = default;

HttpSendResult HttpSender::post(std::string& body, const HttpPayload& payload,
                                Clock::time_point deadline) {
  if (impl_->shutdown_signal.triggered()) return {};
  return impl_->post(body, payload, deadline);
}

void HttpSender::shutdown() noexcept { impl_->shutdown_signal.trigger(); }

bool HttpSender::is_shut_down() const noexcept { return impl_->shutdown_signal.triggered(); }

void HttpSender::close() noexcept {
  try {
    impl_->close();
  } catch (...) {  // closing is best effort
  }
}

const std::string& HttpSender::endpoint() const noexcept { return impl_->options.endpoint; }

const std::string& HttpSender::configuration_error() const noexcept { return impl_->config_error; }

}  // namespace tdemo::telemetry::otlp
