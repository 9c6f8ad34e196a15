#include "loadgen/load_options.h"

#include <charconv>
#include <cmath>
#include <thread>

namespace tdemo::loadgen {

Result<Target> parse_target(std::string_view url) {
  const std::string original(url);
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return Error{"bad --target '" + original + "': expected http://HOST[:PORT] (https is not supported)"};
  }
  url.remove_prefix(kScheme.size());
  if (url.ends_with('/')) url.remove_suffix(1);
  if (url.find('/') != std::string_view::npos) {
    return Error{"bad --target '" + original + "': give the server only (http://HOST:PORT); "
                 "paths go in --endpoint or --mix"};
  }
  Target t;
  std::string_view host = url;
  std::string_view port;
  if (url.starts_with('[')) {  // [::1]:8000
    const auto close = url.find(']');
    if (close == std::string_view::npos) return Error{"bad --target '" + original + "': unclosed '['"};
    host = url.substr(1, close - 1);
    const std::string_view rest = url.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Error{"bad --target '" + original + "'"};
      port = rest.substr(1);
    }
  } else if (const auto colon = url.rfind(':'); colon != std::string_view::npos) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
  }
  if (host.empty()) return Error{"bad --target '" + original + "': no host"};
  if (!port.empty() || url.ends_with(':')) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      return Error{"bad --target '" + original + "': the port must be a number from 1 to 65535"};
    }
    t.port = static_cast<std::uint16_t>(value);
  }
  t.host = std::string(host);
  const bool ipv6 = t.host.find(':') != std::string::npos;
  t.host_header = (ipv6 ? "[" + t.host + "]" : t.host) + ":" + std::to_string(t.port);
  t.url = "http://" + t.host_header;
  return t;
}

Result<std::chrono::nanoseconds> seconds_option(std::string_view name, double seconds, bool zero_ok) {
  if (!std::isfinite(seconds) || seconds < 0 || (!zero_ok && seconds == 0) || seconds > kMaxSeconds) {
    return Error{"bad " + std::string(name) + " " + std::to_string(seconds) + ": expected seconds " +
                 (zero_ok ? ">= 0" : "> 0") + " and at most " + std::to_string(static_cast<long>(kMaxSeconds))};
  }
  return std::chrono::nanoseconds{static_cast<std::int64_t>(std::llround(seconds * 1e9))};
}

std::uint64_t LoadOptions::total_requests() const noexcept {
  if (mode != Mode::kClosedLoop || duration.count() > 0) return 0;
  return static_cast<std::uint64_t>(users) * requests_per_user;
}

Result<LoadOptions> make_load_options(const LoadTestArgs& args) {
  LoadOptions o;
  auto target = parse_target(args.target);
  if (!target) return Error{target.error()};
  o.target = std::move(target).value();
  if (args.users < 1 || args.users > kMaxUsers) {
    return Error{"bad --users " + std::to_string(args.users) + ": expected 1 to " + std::to_string(kMaxUsers)};
  }
  o.users = args.users;
  if (args.duration_s == 0 && args.requests < 1) {
    return Error{"bad --requests 0: each user must send at least one request (or give --duration)"};
  }
  o.requests_per_user = args.requests;
  auto ramp = seconds_option("--ramp-up", args.ramp_up_s, true);
  if (!ramp) return Error{ramp.error()};
  o.ramp_up = ramp.value();
  auto duration = seconds_option("--duration", args.duration_s, true);
  if (!duration) return Error{duration.error()};
  o.duration = duration.value();
  if (o.duration.count() > 0 && o.ramp_up >= o.duration) {
    return Error{"--ramp-up must be shorter than --duration"};
  }
  auto timeout = seconds_option("--timeout", args.timeout_s, false);
  if (!timeout) return Error{timeout.error()};
  o.timeout = timeout.value();
  if (!args.endpoint.empty() && !args.mix.empty()) return Error{"give either --endpoint or --mix, not both"};
  if (!args.mix.empty()) {
    auto mix = parse_mix(args.mix);
    if (!mix) return Error{"bad --mix: " + mix.error()};
    o.mix = std::move(mix).value();
  } else {
    auto endpoint = parse_endpoint(args.endpoint.empty() ? "GET /health" : args.endpoint);
    if (!endpoint) return Error{"bad --endpoint: " + endpoint.error()};
    o.mix.push_back(std::move(endpoint).value());
  }
  if (args.threads > kMaxThreads) {
    return Error{"bad --threads " + std::to_string(args.threads) + ": at most " + std::to_string(kMaxThreads)};
  }
  o.threads = args.threads;
  o.traceparent = args.traceparent;
  if (args.max_error_rate && !(*args.max_error_rate >= 0 && *args.max_error_rate <= 1)) {
    return Error{"bad --max-error-rate: expected a share from 0 to 1 (e.g. 0.01 for 1%)"};
  }
  if (args.max_p99_ms && !(*args.max_p99_ms > 0 && std::isfinite(*args.max_p99_ms))) {
    return Error{"bad --max-p99: expected milliseconds > 0"};
  }
  return o;
}

}  // namespace tdemo::loadgen
