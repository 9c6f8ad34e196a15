#include "loadgen/traffic_demo.h"

#include <algorithm>
#include <cmath>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "loadgen/load_report.h"
#include "loadgen/session_client.h"

namespace tdemo::loadgen {
namespace asio = boost::asio;
using namespace std::string_view_literals;
namespace json = boost::json;
using Outcome = ScenarioResult::Outcome;

namespace {

json::value parse_json(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  return ec ? json::value() : v;
}

// An integer field of a JSON object body, or -1.
std::int64_t int_field(const json::value& v, std::string_view key) {
  const auto* o = v.if_object();
  if (o == nullptr) return -1;
  const auto* f = o->if_contains(key);
  if (f == nullptr) return -1;
  if (f->is_int64()) return f->as_int64();
  if (f->is_uint64()) return static_cast<std::int64_t>(f->as_uint64());
  return -1;
}

std::string describe(const Reply& r) {
  if (r.cause != FailureCause::kNone) return std::string("no response (") + std::string(failure_cause_name(r.cause)) + ")";
  return "HTTP " + std::to_string(r.status) + " in " + format_ms(r.latency_ns) + " ms";
}

ScenarioResult from_reply(std::string name, std::string teaches, std::string request, std::string expected,
                          const Reply& r, bool ok, std::string note = {}) {
  ScenarioResult s{std::move(name), std::move(teaches), std::move(request), r.status, std::move(expected),
                   r.trace_id, ok ? Outcome::kPassed : Outcome::kFailed, std::move(note)};
  if (s.note.empty()) s.note = describe(r);
  return s;
}

ScenarioResult skipped(std::string name, std::string teaches, std::string request, std::string expected,
                       std::string trace_id, std::string note) {
  return {std::move(name), std::move(teaches), std::move(request), 0, std::move(expected), std::move(trace_id),
          Outcome::kSkipped, std::move(note)};
}

// Creates an order of `amount` for user 1; its id, or -1 (with the reply in `reply`).
asio::awaitable<std::int64_t> create_order(SessionClient& c, const std::string& amount, Reply& reply) {
  reply = co_await c.send("POST"sv, "/orders"sv, R"({"user_id":1,"amount":)" + amount + R"(,"items":["demo"]})", "/orders"sv);
  co_return (reply.status == 201 || reply.status == 200) ? int_field(parse_json(reply.body), "id") : -1;
}

asio::awaitable<void> scenarios(SessionClient& c, const DemoOptions& options, std::vector<ScenarioResult>& out) {
  // 1. The happy path across all four services.
  // The simulated processor declines a share of payments at random (--payment-decline-rate, 5% by
  // default): a 402 is tried again, up to a bound that makes missing the happy path negligible
  // (0.05^8), and the note says how many attempts were declined (each left a trace of its own).
  {
    constexpr int kAttempts = 8;
    Reply r;
    int declined = 0;
    for (int i = 0; i < kAttempts; ++i) {
      r = co_await c.send("GET"sv, "/demo/full-flow/1"sv, {}, "/demo/full-flow/{user_id}"sv);
      if (r.status != 402) break;
      ++declined;
    }
    std::string note;
    if (declined > 0 && r.status != 402) {
      note = describe(r) + " (" + std::to_string(declined) +
             " earlier attempt(s) declined at random by the simulated processor: --payment-decline-rate)";
    }
    out.push_back(from_reply("Happy full flow",
                             "one trace across gateway, users, orders and payments: lookups, DB and cache spans, "
                             "the order and the payment",
                             "GET /demo/full-flow/1", "200", r, r.status == 200, std::move(note)));
  }
  // 2. A user that does not exist: a 404 that is not an error on the server span.
  {
    const auto r = co_await c.send("GET"sv, "/users/999999"sv, {}, "/users/{user_id}"sv);
    out.push_back(from_reply("Unknown user",
                             "the gateway's call to users comes back 404; the cache miss and the empty DB query",
                             "GET /users/999999", "404", r, r.status == 404));
  }
  // 3. Validation: a negative amount never reaches the database.
  {
    const auto r = co_await c.send("POST"sv, "/orders"sv, R"({"user_id":1,"amount":-5})"sv, "/orders"sv);
    out.push_back(from_reply("Invalid order",
                             "a 422 with the validation detail; no DB span, the error is on the request",
                             "POST /orders {amount: -5}", "422", r, r.status == 422));
  }
  // 4. A declined payment: the processor's test card that always declines.
  {
    Reply order;
    const auto id = co_await create_order(c, "42.00", order);
    if (id < 0) {
      out.push_back(from_reply("Declined payment", "", "POST /orders", "201", order, false,
                               "could not create the order to pay: " + describe(order)));
    } else {
      const auto r = co_await c.send("POST"sv, "/payments"sv,
                                     R"({"order_id":)" + std::to_string(id) +
                                         R"(,"amount":42.00,"card_number":"4000000000000002"})",
                                     "/payments"sv);
      out.push_back(from_reply("Declined payment",
                               "a 402 with an ERROR span, the decline reason and an exception event in payments; "
                               "the card is masked everywhere",
                               "POST /payments (card 4000000000000002)", "402", r, r.status == 402));
    }
  }
  // 5. A slow query: only when the target was started with the slow-query knob.
  {
    const auto root = co_await c.send("GET"sv, "/"sv, {}, "/"sv);
    const auto knobs = parse_json(root.body);
    double rate = 0;
    double delay_ms = 0;
    if (const auto* o = knobs.if_object()) {
      const json::value* k = o->if_contains("knobs");
      const json::object* ko = k != nullptr && k->is_object() ? &k->as_object() : o;
      for (const auto& [key, value] : *ko) {
        const double number = value.is_number() ? value.to_number<double>() : 0;
        if (key.find("slow") != json::string::npos && key.find("rate") != json::string::npos) rate = number;
        if (key.find("slow") != json::string::npos && key.find("delay") != json::string::npos) delay_ms = number;
      }
    }
    if (rate <= 0 || delay_ms <= 0) {
      out.push_back(skipped("Slow query", "one DB span much longer than the rest", "GET /users/1", "a slow 200",
                     root.trace_id,
                     "skipped: the target runs without the slow-query knob (start it with "
                     "--slow-query-delay-ms and --slow-query-rate; GET / lists the knobs)"));
    } else {
      // GET /orders/{id} queries the orders database every time (user lookups are cached, so
      // they would hide the knob). The knob slows a share `rate` of queries: try until one is
      // slow, up to a bound that makes missing it negligible (P = (1-rate)^n).
      const int attempts = static_cast<int>(std::min(2000.0, std::ceil(std::log(1e-6) / std::log1p(-std::min(rate, 0.999)))));
      Reply slowest;
      for (int i = 0; i < attempts; ++i) {
        const auto r = co_await c.send("GET"sv, "/orders/1"sv, {}, "/orders/{order_id}"sv);
        if (r.latency_ns > slowest.latency_ns || slowest.status == 0) slowest = r;
        if (static_cast<double>(r.latency_ns) / 1e6 >= delay_ms) break;
      }
      const bool slow = (slowest.status == 200 || slowest.status == 404) &&
                        static_cast<double>(slowest.latency_ns) / 1e6 >= delay_ms;
      out.push_back(from_reply("Slow query", "one DB span much longer than the rest (the slow-query knob)",
                               "GET /orders/1", "a 200 or 404 slower than the knob's delay", slowest, slow));
    }
  }
  // 6. A downstream service that is down: only when /health says one is.
  {
    const auto health = co_await c.send("GET"sv, "/health"sv, {}, "/health"sv);
    if (health.status != 503) {
      out.push_back(skipped("Downstream down", "the gateway's CLIENT span fails; a 502/503 naming the service",
                     "GET /orders/1", "502, 503 or 504", health.trace_id,
                     "skipped: every downstream is up (GET /health " + std::to_string(health.status) +
                         "); run the services as separate processes and stop one to see it"));
    } else {
      const auto r = co_await c.send("GET"sv, "/demo/full-flow/1"sv, {}, "/demo/full-flow/{user_id}"sv);
      out.push_back(from_reply("Downstream down", "the gateway's CLIENT span fails; a 502/503 naming the service",
                               "GET /demo/full-flow/1", "502, 503 or 504", r,
                               r.status == 502 || r.status == 503 || r.status == 504));
    }
  }
  // 7. A retried payment: the same Idempotency-Key twice charges once.
  {
    Reply order;
    const auto id = co_await create_order(c, "17.50", order);
    if (id < 0) {
      out.push_back(from_reply("Idempotent retry", "", "POST /orders", "201", order, false,
                               "could not create the order to pay: " + describe(order)));
    } else {
      const std::string key = "demo-retry-" + order.trace_id.substr(0, 16);
      const std::string body = R"({"order_id":)" + std::to_string(id) +
                               R"(,"amount":17.50,"card_number":"4242424242424242"})";
      const std::vector<std::pair<std::string, std::string>> headers{{"Idempotency-Key", key}};
      const auto first = co_await c.send("POST"sv, "/payments"sv, body, "/payments"sv, headers);
      const auto second = co_await c.send("POST"sv, "/payments"sv, body, "/payments"sv, headers);
      // The payment's id: top level on success, under "payment" when the simulated processor
      // declined it (402). A decline is a result too: the retry must replay it, not charge again.
      const auto payment_id = [](const Reply& r) {
        const auto body = parse_json(r.body);
        if (const auto* o = body.if_object(); o != nullptr && o->contains("payment")) {
          return int_field(o->at("payment"), "id");
        }
        return int_field(body, "id");
      };
      const auto first_id = payment_id(first);
      const auto second_id = payment_id(second);
      const bool accepted = (first.status == 201 || first.status == 200) && (second.status == 200 || second.status == 201);
      const bool declined_twice = first.status == 402 && second.status == 402;
      const bool ok = (accepted || declined_twice) && first_id > 0 && first_id == second_id;
      auto s = from_reply("Idempotent retry",
                          "two traces, one charge: the retry finds the stored result by its Idempotency-Key",
                          "POST /payments twice, Idempotency-Key " + key,
                          "2xx twice (or the same simulated 402 twice), the same payment id",
                          second, ok,
                          "first " + describe(first) + " (payment " + std::to_string(first_id) + "), retry " +
                              describe(second) + " (payment " + std::to_string(second_id) + "), first trace " +
                              first.trace_id);
      out.push_back(std::move(s));
    }
  }
  c.close();
  (void)options;
}

}  // namespace

Result<std::vector<ScenarioResult>> run_demo_scenarios(const DemoOptions& options, RequestTracer& tracer) {
  auto endpoints = resolve_target(options.target);
  if (!endpoints) return Error{endpoints.error()};
  asio::io_context io{1};
  SessionClient client(io, endpoints.value(), options.target, tracer, options.timeout);
  std::vector<ScenarioResult> results;
  bool done = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    co_await scenarios(client, options, results);
    done = true;
  }, asio::detached);
  // The timeout watchdog.
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    asio::steady_timer timer(io);
    boost::system::error_code ec;
    while (!done) {
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      client.expire_if_due(HttpConnection::Clock::now());
    }
  }, asio::detached);
  io.run();
  return results;
}

int print_demo_results(const std::vector<ScenarioResult>& results, const std::string& ui, std::FILE* out) {
  int failed = 0;
  for (const auto& s : results) {
    const char* mark = s.outcome == Outcome::kPassed ? "PASS" : s.outcome == Outcome::kSkipped ? "SKIP" : "FAIL";
    failed += s.outcome == Outcome::kFailed;
    std::fprintf(out, "[%s] %s\n", mark, s.name.c_str());
    if (!s.teaches.empty()) std::fprintf(out, "       shows:    %s\n", s.teaches.c_str());
    std::fprintf(out, "       request:  %s -> %s (expected %s)\n", s.request.c_str(),
                 s.status != 0 ? std::to_string(s.status).c_str() : "-", s.expected.c_str());
    if (!s.note.empty()) std::fprintf(out, "       result:   %s\n", s.note.c_str());
    if (s.outcome != Outcome::kSkipped) {
      std::fprintf(out, "       trace:    %s  %s/trace/%s\n", s.trace_id.c_str(), ui.c_str(), s.trace_id.c_str());
    }
  }
  std::fprintf(out, "%zu scenarios: %d failed\n", results.size(), failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace tdemo::loadgen
