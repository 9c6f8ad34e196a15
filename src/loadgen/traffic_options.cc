#include "loadgen/traffic_options.h"

namespace tdemo::loadgen {

Result<TrafficOptions> make_traffic_options(const TrafficArgs& a) {
  TrafficOptions o;
  if (a.mode == "activity") {
    o.mode = TrafficMode::kActivity;
  } else if (a.mode == "demo") {
    o.mode = TrafficMode::kDemo;
  } else if (a.mode == "stress") {
    o.mode = TrafficMode::kStress;
  } else {
    return Error{"bad --mode '" + a.mode + "': expected activity, demo or stress"};
  }
  const bool stress = o.mode == TrafficMode::kStress;
  auto target = parse_target(a.target);
  if (!target) return Error{target.error()};
  o.target = std::move(target).value();
  if (!a.ui.starts_with("http://") && !a.ui.starts_with("https://")) {
    return Error{"bad --ui '" + a.ui + "': expected an http:// or https:// URL"};
  }
  o.ui = a.ui;
  while (o.ui.ends_with('/')) o.ui.pop_back();
  auto duration = seconds_option("--duration", a.duration_s < 0 ? (stress ? 10 : 60) : a.duration_s, false);
  if (!duration) return Error{duration.error()};
  o.duration = duration.value();
  auto timeout = seconds_option("--timeout", a.timeout_s, false);
  if (!timeout) return Error{timeout.error()};
  o.timeout = timeout.value();
  o.rps = a.rps < 0 ? (stress ? 100 : 20) : a.rps;
  if (!(o.rps <= kMaxRate) || (stress && o.rps <= 0)) {
    return Error{"bad --rps: expected requests per second > 0 and at most 10000000 (activity: 0 means no limit)"};
  }
  o.concurrency = a.concurrency == 0 ? (stress ? 64 : 5) : a.concurrency;
  if (o.concurrency > kMaxUsers) return Error{"bad --concurrency: at most " + std::to_string(kMaxUsers)};
  o.sample_rate = a.sample_rate < 0 ? (stress ? 0.01 : 1.0) : a.sample_rate;
  if (!(o.sample_rate <= 1)) return Error{"bad --sample-rate: expected a share from 0 to 1"};
  if (o.mode == TrafficMode::kDemo) o.sample_rate = 1;  // each scenario must leave its trace
  o.seed = a.seed;
  auto mix = parse_mix(a.mix);
  if (!mix) return Error{"bad --mix: " + mix.error()};
  o.mix = std::move(mix).value();
  return o;
}

}  // namespace tdemo::loadgen
