#include "loadgen/traffic_activity.h"

#include <algorithm>
#include <random>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "loadgen/session_client.h"

namespace tdemo::loadgen {
namespace asio = boost::asio;
using namespace std::string_view_literals;
using Clock = std::chrono::steady_clock;

namespace {

enum Step : std::size_t { kSignUp, kLookUp, kBrowse, kOrder, kPay };

std::int64_t id_of(const std::string& body) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return -1;
  const auto* id = v.as_object().if_contains("id");
  return id != nullptr && id->is_int64() ? id->as_int64() : -1;
}

std::string amount_text(std::int64_t cents) {
  return std::to_string(cents / 100) + "." + (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100);
}

struct Activity {
  Activity(const ActivityOptions& options, asio::io_context& io, const std::vector<asio::ip::tcp::endpoint>& endpoints,
           RequestTracer& tracer, const std::atomic<bool>* stop)
      : options(options), io(io), endpoints(endpoints), tracer(tracer), stop(stop) {}

  const ActivityOptions& options;
  asio::io_context& io;
  const std::vector<asio::ip::tcp::endpoint>& endpoints;
  RequestTracer& tracer;
  const std::atomic<bool>* stop;
  RunStats stats{std::vector<std::string>(std::begin(kActivitySteps), std::end(kActivitySteps))};
  Clock::time_point start = Clock::now();
  Clock::time_point next_slot = start;  // rate limit: the earliest time of the next request
  std::uint64_t nonce = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  std::vector<SessionClient*> clients;
  std::uint32_t running = 0;
  Clock::time_point last = start;

  bool over() const {
    return (stop != nullptr && stop->load()) || Clock::now() >= start + options.duration ||
           (options.max_requests != 0 && stats.requests() >= options.max_requests);
  }

  asio::awaitable<void> sleep_until(Clock::time_point t) {
    if (Clock::now() >= t) co_return;
    asio::steady_timer timer(io);
    timer.expires_at(t);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  // One request of `step`, rate-limited, recorded.
  asio::awaitable<Reply> step(SessionClient& c, Step s, std::string_view method, std::string_view path,
                              std::string_view body, std::string_view route,
                              const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    if (options.rps > 0) {
      const auto slot = std::max(next_slot, Clock::now());
      next_slot = slot + std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / options.rps));
      co_await sleep_until(slot);
    }
    auto reply = co_await c.send(method, path, body, route, headers);
    if (reply.cause == FailureCause::kNone) {
      stats.record_response(s, reply.latency_ns, reply.status);
    } else {
      stats.record_failure(s, reply.cause);
    }
    last = Clock::now();
    co_return reply;
  }

  asio::awaitable<void> think(std::mt19937_64& rng) {
    if (options.think_time.count() <= 0) co_return;
    std::exponential_distribution<double> d(1.0 / static_cast<double>(options.think_time.count()));
    const auto pause = std::min(d(rng), 4.0 * static_cast<double>(options.think_time.count()));
    co_await sleep_until(Clock::now() + std::chrono::nanoseconds(static_cast<std::int64_t>(pause)));
  }

  asio::awaitable<void> session(std::uint32_t index) {
    std::mt19937_64 rng(options.seed * 1'000'003 + index);
    std::uniform_real_distribution<double> chance(0, 1);
    SessionClient c(io, endpoints, options.target, tracer, options.timeout);
    clients.push_back(&c);
    std::int64_t last_order = -1;
    for (std::uint64_t visit = 0; !over(); ++visit) {
      // Sign up (5% with an invalid email: 422).
      const bool bad_email = chance(rng) < 0.05;
      const std::string email = bad_email ? std::string("not-an-email")
                                          : "user-" + std::to_string(nonce % 1'000'000'007) + "-" + std::to_string(index) +
                                                "-" + std::to_string(visit) + "@example.com";
      auto r = co_await step(c, kSignUp, "POST"sv, "/users"sv,
                             R"({"name":"Demo User )" + std::to_string(index) + "-" + std::to_string(visit) +
                                 R"(","email":")" + email + R"("})",
                             "/users"sv);
      std::int64_t user = r.status == 201 || r.status == 200 ? id_of(r.body) : -1;
      if (user < 0) user = 1 + static_cast<std::int64_t>(rng() % 3);  // a seeded demo user
      if (over()) break;
      co_await think(rng);
      // Look themselves up (8%: a mistyped id, 404).
      const bool unknown = chance(rng) < 0.08;
      co_await step(c, kLookUp, "GET"sv, std::string("/users/") + std::to_string(unknown ? 900'000 + (rng() % 99'999) : user), {},
                    "/users/{user_id}"sv);
      if (over()) break;
      co_await think(rng);
      // Browse an order (their last one, or a guess that may not exist: 404).
      const std::int64_t browse = last_order > 0 && chance(rng) < 0.7 ? last_order : 1 + static_cast<std::int64_t>(rng() % 200);
      co_await step(c, kBrowse, "GET"sv, std::string("/orders/") + std::to_string(browse), {}, "/orders/{order_id}"sv);
      if (over()) break;
      co_await think(rng);
      // Order (4%: a zero amount, 422).
      const std::int64_t cents = chance(rng) < 0.04 ? 0 : 500 + static_cast<std::int64_t>(rng() % 19'500);
      r = co_await step(c, kOrder, "POST"sv, "/orders"sv,
                        R"({"user_id":)" + std::to_string(user) + R"(,"amount":)" + amount_text(cents) +
                            R"(,"items":["book","pen"]})",
                        "/orders"sv);
      const std::int64_t order = r.status == 201 || r.status == 200 ? id_of(r.body) : -1;
      if (order < 0 || over() || chance(rng) >= 0.85) continue;  // 15% leave without paying
      last_order = order;
      co_await think(rng);
      // Pay (8%: the always-declined test card, 402).
      const std::string_view card = chance(rng) < 0.08 ? "4000000000000002"sv : "4242424242424242"sv;
      const std::vector<std::pair<std::string, std::string>> headers{
          {"Idempotency-Key", "activity-" + std::to_string(nonce) + "-" + std::to_string(order)}};
      co_await step(c, kPay, "POST"sv, "/payments"sv,
                    R"({"order_id":)" + std::to_string(order) + R"(,"amount":)" + amount_text(cents) +
                        R"(,"card_number":")" + std::string(card) + R"("})",
                    "/payments"sv, headers);
      co_await think(rng);
    }
    c.close();
    clients.erase(std::find(clients.begin(), clients.end(), &c));
    --running;
  }

  asio::awaitable<void> watchdog() {
    asio::steady_timer timer(io);
    boost::system::error_code ec;
    while (running > 0) {
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      for (auto* c : clients) c->expire_if_due(Clock::now());
    }
  }
};

}  // namespace

Result<RunResult> run_activity(const ActivityOptions& options, RequestTracer& tracer, const std::atomic<bool>* stop) {
  auto endpoints = resolve_target(options.target);
  if (!endpoints) return Error{endpoints.error()};
  asio::io_context io{1};
  Activity activity{options, io, endpoints.value(), tracer, stop};
  for (std::uint32_t s = 0; s < std::max<std::uint32_t>(1, options.sessions); ++s) {
    ++activity.running;
    asio::co_spawn(io, activity.session(s), asio::detached);
  }
  asio::co_spawn(io, activity.watchdog(), asio::detached);
  io.run();
  RunResult result(std::move(activity.stats));
  result.elapsed = activity.last - activity.start;
  result.threads = 1;
  return result;
}

}  // namespace tdemo::loadgen
