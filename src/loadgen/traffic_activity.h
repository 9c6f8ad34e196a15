// `traffic --mode activity`: realistic user sessions (sign up, look themselves up, browse
// orders, order, pay) with think time, including the usual share of mistakes: unknown ids
// (404), invalid input (422) and declined cards (402).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "loadgen/load_options.h"
#include "loadgen/load_runner.h"
#include "loadgen/request_tracer.h"

namespace tdemo::loadgen {

struct ActivityOptions {
  Target target;
  std::chrono::nanoseconds duration = std::chrono::seconds(60);
  double rps = 20;                 // at most this many requests per second overall; 0: no limit
  std::uint32_t sessions = 5;      // concurrent users (--concurrency)
  std::uint64_t seed = 1;          // the same seed makes the same choices
  std::chrono::nanoseconds think_time = std::chrono::milliseconds(200);  // mean, between steps
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);
  std::uint64_t max_requests = 0;  // stop after this many (0: only the duration counts)
};

// The steps, as the endpoint names of the result's per-endpoint table.
inline constexpr const char* kActivitySteps[] = {"POST /users", "GET /users/{user_id}", "GET /orders/{order_id}",
                                                 "POST /orders", "POST /payments"};

// Runs the sessions on one thread; fails only when the target does not resolve.
Result<RunResult> run_activity(const ActivityOptions& options, RequestTracer& tracer,
                               const std::atomic<bool>* stop = nullptr);

}  // namespace tdemo::loadgen
