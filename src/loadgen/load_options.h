// The settings of a load run (closed loop: virtual users; open loop: a constant arrival rate),
// and their validation from command-line values. No Asio here: cheap to include and test.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/endpoint_mix.h"
#include "loadgen/result.h"

namespace tdemo::loadgen {

// Where requests go: an http:// URL with host and port (no path other than "/").
struct Target {
  std::string host;        // "localhost", "127.0.0.1", "::1"
  std::uint16_t port = 80;
  std::string url;         // normalized: "http://localhost:8000" (no trailing slash)
  std::string host_header; // "localhost:8000"
};
Result<Target> parse_target(std::string_view url);

// Explicit limits (defaults in brackets).
inline constexpr std::uint32_t kMaxUsers = 100'000;           // virtual users / connections
inline constexpr std::uint32_t kMaxThreads = 64;
inline constexpr double kMaxRate = 10'000'000;                // requests per second
inline constexpr double kMaxSeconds = 7 * 24 * 3600.0;        // any duration

struct LoadOptions {
  enum class Mode { kClosedLoop, kOpenLoop };
  Mode mode = Mode::kClosedLoop;
  Target target;
  std::vector<EndpointSpec> mix;  // at least one entry
  // Closed loop: `users` users started linearly over `ramp_up`, each sending
  // `requests_per_user` requests one after another, or, when `duration` is set, sending until
  // the duration is over.
  std::uint32_t users = 10;
  std::uint64_t requests_per_user = 100;
  std::chrono::nanoseconds ramp_up{0};
  // Open loop: `rate` requests per second for `duration`, over at most `users` connections.
  double rate = 0;
  std::chrono::nanoseconds duration{0};
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);  // per request, connect included
  std::uint32_t threads = 0;  // worker threads (each its own io_context); 0: one per core
  bool traceparent = false;   // send a traceparent of its own with every request
  std::uint64_t seed = 0;     // where choices are random (0: from the clock)

  std::uint64_t total_requests() const noexcept;  // closed loop with a count; else 0
};

// The values of `tracing-demo load-test`'s options, as typed (validated by make_load_options).
struct LoadTestArgs {
  std::string target = "http://localhost:8000";
  std::uint32_t users = 10;
  std::uint64_t requests = 100;       // per user
  double ramp_up_s = 0;
  double duration_s = 0;              // > 0: run for this long instead of `requests`
  std::string endpoint;               // "GET /health" (default: GET /health)
  std::string mix;                    // "GET /users/1=3,..." (exclusive with endpoint)
  double timeout_s = 10;
  std::uint32_t threads = 0;
  bool traceparent = false;
  std::optional<double> max_error_rate;  // in [0, 1]
  std::optional<double> max_p99_ms;      // > 0
};

// Checks every value and builds the options; the error says which option is wrong and why.
Result<LoadOptions> make_load_options(const LoadTestArgs& args);

// Checks a duration in seconds given to option `name` (> 0 unless `zero_ok`, <= kMaxSeconds).
Result<std::chrono::nanoseconds> seconds_option(std::string_view name, double seconds, bool zero_ok);

}  // namespace tdemo::loadgen
