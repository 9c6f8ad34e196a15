#include "loadgen/load_runner.h"

#include <algorithm>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "loadgen/http_connection.h"
#include "loadgen/schedule.h"
#include "telemetry/thread_name.h"

namespace tdemo::loadgen {
namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

double RunResult::throughput() const noexcept {
  const double seconds = static_cast<double>(elapsed.count()) / 1e9;
  return seconds <= 0 ? 0.0 : static_cast<double>(stats.requests()) / seconds;
}

namespace {

std::vector<std::string> endpoint_names(const std::vector<EndpointSpec>& mix) {
  std::vector<std::string> names;
  for (const auto& e : mix) names.push_back(e.name());
  return names;
}

// Shared, read-only during the run.
struct Plan {
  const LoadOptions* options;
  std::vector<tcp::endpoint> endpoints;
  std::vector<std::uint32_t> sequence;  // the mix order
  std::vector<std::string> urls;        // per mix entry, for CLIENT spans
  RequestTracer* tracer;
  const std::atomic<bool>* stop;
  Clock::time_point start;
  Timeline* timeline;
  std::uint32_t threads;
  std::uint64_t scheduled;  // open loop: requests in the schedule
};

// One thread's share of the run. Counters read by the progress thread are single-writer atomics.
struct Worker {
  Worker(const Plan& plan, std::uint32_t index)
      : plan(&plan), index(index), stats(endpoint_names(plan.options->mix)), recorder(*plan.timeline) {}

  const Plan* plan;
  std::uint32_t index;
  asio::io_context io{1};
  RunStats stats;
  TimelineRecorder recorder;
  LatencyHistogram send_lag;
  std::vector<HttpConnection*> connections;  // live ones, for the timeout watchdog
  std::size_t running = 0;                   // coroutines still sending
  std::uint64_t next_arrival = 0;            // open loop: next schedule index of this worker
  std::uint64_t connects = 0;
  Clock::time_point last_completion{};
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<bool> done{false};  // set when the thread has finished its share
  std::thread thread;

  bool stopping() const noexcept { return plan->stop != nullptr && plan->stop->load(std::memory_order_relaxed); }

  // Sends the request of mix entry `entry` on `connection`; latency from `t0`.
  asio::awaitable<void> send_one(HttpConnection& connection, std::vector<RequestBytes>& requests,
                                 std::uint32_t entry, Clock::time_point t0) {
    const auto& options = *plan->options;
    auto& request = requests[entry];
    std::unique_ptr<TracedRequest> span;
    if (options.traceparent && plan->tracer != nullptr && request.has_traceparent_slot()) {
      span = plan->tracer->begin(options.mix[entry].method, plan->urls[entry], {}, request.traceparent_slot());
    }
    const auto outcome = co_await connection.exchange(request.bytes(), Clock::now() + options.timeout);
    const auto t1 = Clock::now();
    last_completion = t1;
    const auto latency = static_cast<std::uint64_t>(std::max<std::int64_t>(0, (t1 - t0).count()));
    const bool failed = outcome.cause != FailureCause::kNone;
    if (failed) {
      stats.record_failure(entry, outcome.cause);
    } else {
      stats.record_response(entry, latency, outcome.status);
    }
    const bool error = failed || is_error_status(outcome.status);
    recorder.record(static_cast<std::uint64_t>((t1 - plan->start).count()), latency, error, !failed);
    if (span) span->end(outcome.status, outcome.cause);
    sent.store(sent.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (error) errors.store(errors.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  std::vector<RequestBytes> build_requests() const {
    std::vector<RequestBytes> out;
    for (const auto& e : plan->options->mix) {
      out.push_back(RequestBytes::build(e.method, e.path, plan->options->target.host_header, e.body,
                                        plan->options->traceparent));
    }
    return out;
  }

  void attach(HttpConnection& c) { connections.push_back(&c); }
  void detach(HttpConnection& c) {
    connects += c.connects();
    connections.erase(std::find(connections.begin(), connections.end(), &c));
    --running;
  }

  // Closed loop: one virtual user, its own connection and request copies.
  asio::awaitable<void> virtual_user(std::uint64_t user) {
    const auto& options = *plan->options;
    asio::steady_timer timer(io);
    timer.expires_at(plan->start + ramp_up_start(user, options.users, options.ramp_up));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    HttpConnection connection(io, plan->endpoints);
    attach(connection);
    auto requests = build_requests();
    const auto end = plan->start + options.duration;
    std::size_t position = user % plan->sequence.size();
    for (std::uint64_t i = 0;; ++i) {
      if (stopping()) break;
      if (options.duration.count() > 0 ? Clock::now() >= end : i >= options.requests_per_user) break;
      const std::uint32_t entry = plan->sequence[position];
      position = position + 1 == plan->sequence.size() ? 0 : position + 1;
      co_await send_one(connection, requests, entry, Clock::now());
    }
    connection.close();
    detach(connection);
  }

  // Open loop: one connection taking the next due request of this worker's share of the
  // schedule (indexes index, index + threads, ...), latency from the intended send time.
  asio::awaitable<void> open_loop_connection() {
    const auto& options = *plan->options;
    const ArrivalSchedule schedule(options.rate);
    HttpConnection connection(io, plan->endpoints);
    attach(connection);
    auto requests = build_requests();
    asio::steady_timer timer(io);
    boost::system::error_code ec;
    while (!stopping()) {
      const std::uint64_t i = next_arrival;
      if (i >= plan->scheduled) break;
      next_arrival += plan->threads;
      const auto intended = plan->start + schedule.send_time(i);
      if (Clock::now() < intended) {
        timer.expires_at(intended);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      send_lag.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, (Clock::now() - intended).count())));
      co_await send_one(connection, requests, plan->sequence[i % plan->sequence.size()], intended);
    }
    connection.close();
    detach(connection);
  }

  // Closes connections whose request is past its deadline, until every sender is done.
  asio::awaitable<void> watchdog() {
    const auto period = std::clamp<Clock::duration>(plan->options->timeout / 8, std::chrono::milliseconds(5),
                                                    std::chrono::milliseconds(100));
    asio::steady_timer timer(io);
    boost::system::error_code ec;
    while (running > 0) {
      timer.expires_after(period);
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      const auto now = Clock::now();
      for (auto* c : connections) c->expire_if_due(now);
    }
  }

  void start(const std::vector<std::uint64_t>& users, std::uint32_t open_loop_connections) {
    for (auto user : users) {
      ++running;
      asio::co_spawn(io, virtual_user(user), asio::detached);
    }
    next_arrival = index;
    for (std::uint32_t c = 0; c < open_loop_connections; ++c) {
      ++running;
      asio::co_spawn(io, open_loop_connection(), asio::detached);
    }
    asio::co_spawn(io, watchdog(), asio::detached);
    thread = std::thread([this] {
      telemetry::set_current_thread_name("load-test");
      io.run();
      recorder.flush();
      done.store(true, std::memory_order_release);
    });
  }
};

}  // namespace

Result<RunResult> run_load(const LoadOptions& options, RequestTracer* tracer,
                           const ProgressCallback& on_progress, const std::atomic<bool>* stop,
                           std::chrono::milliseconds progress_interval) {
  Plan plan{&options, {}, weighted_sequence(options.mix), {}, tracer, stop, {}, nullptr, 0, 0};
  {
    asio::io_context io;
    tcp::resolver resolver(io);
    boost::system::error_code ec;
    const auto results = resolver.resolve(options.target.host, std::to_string(options.target.port), ec);
    if (ec || results.empty()) {
      return Error{"cannot resolve " + options.target.host + ": " + ec.message()};
    }
    for (const auto& r : results) plan.endpoints.push_back(r.endpoint());
  }
  for (const auto& e : options.mix) plan.urls.push_back(options.target.url + e.path);
  const bool open_loop = options.mode == LoadOptions::Mode::kOpenLoop;
  const std::uint32_t hardware = std::max(1u, std::thread::hardware_concurrency());
  plan.threads = std::clamp<std::uint32_t>(options.threads != 0 ? options.threads : hardware, 1, options.users);
  if (open_loop) plan.scheduled = ArrivalSchedule(options.rate).count_within(options.duration);

  // Timeline resolution: about 100 points over the expected length, at least 1/4 s.
  std::uint64_t expected_ns = static_cast<std::uint64_t>(options.duration.count());
  if (expected_ns == 0) expected_ns = static_cast<std::uint64_t>(options.ramp_up.count()) + 10'000'000'000ULL;
  Timeline timeline(std::max<std::uint64_t>(250'000'000, expected_ns / 100 / 250'000'000 * 250'000'000), 240);
  plan.timeline = &timeline;

  std::vector<std::unique_ptr<Worker>> workers;
  for (std::uint32_t t = 0; t < plan.threads; ++t) workers.push_back(std::make_unique<Worker>(plan, t));
  plan.start = Clock::now() + std::chrono::milliseconds(5);  // all workers see the same start
  for (std::uint32_t t = 0; t < plan.threads; ++t) {
    std::vector<std::uint64_t> users;
    std::uint32_t connections = 0;
    if (open_loop) {
      connections = options.users / plan.threads + (t < options.users % plan.threads ? 1 : 0);
    } else {
      for (std::uint64_t u = t; u < options.users; u += plan.threads) users.push_back(u);
    }
    workers[t]->start(users, connections);
  }

  // Progress, on this thread, until every worker is done.
  std::uint64_t last_requests = 0;
  auto last_time = Clock::now();
  const std::uint64_t planned = open_loop ? plan.scheduled : options.total_requests();
  for (auto& w : workers) {
    while (w->thread.joinable()) {
      if (!on_progress) {
        w->thread.join();
        break;
      }
      std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(progress_interval, std::chrono::milliseconds(50)));
      const auto now = Clock::now();
      if (now - last_time >= progress_interval) {
        ProgressSnapshot snapshot;
        snapshot.elapsed = now - plan.start;
        for (const auto& x : workers) {
          snapshot.requests += x->sent.load(std::memory_order_relaxed);
          snapshot.errors += x->errors.load(std::memory_order_relaxed);
        }
        snapshot.planned = planned;
        snapshot.recent_rate = static_cast<double>(snapshot.requests - last_requests) /
                               std::chrono::duration<double>(now - last_time).count();
        const auto latest = timeline.latest();
        snapshot.recent_p50_ns = latest.latency.percentile(50);
        snapshot.recent_p99_ns = latest.latency.percentile(99);
        last_requests = snapshot.requests;
        last_time = now;
        on_progress(snapshot);
      }
      if (w->done.load(std::memory_order_acquire)) w->thread.join();
    }
  }

  RunResult result(RunStats(endpoint_names(options.mix)));
  result.threads = plan.threads;
  result.scheduled = plan.scheduled;
  result.interrupted = stop != nullptr && stop->load();
  Clock::time_point last = plan.start;
  for (auto& w : workers) {
    result.stats.merge(w->stats);
    result.send_lag.merge(w->send_lag);
    result.connections_opened += w->connects;
    last = std::max(last, w->last_completion);
  }
  result.elapsed = last - plan.start;
  result.timeline = timeline.points();
  result.timeline_interval_ns = timeline.interval_ns();
  return result;
}

}  // namespace tdemo::loadgen
