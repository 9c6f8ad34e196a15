// The settings of `tracing-demo traffic`, checked from the command-line values. Defaults
// depend on the mode (see TrafficArgs); no Asio here.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "loadgen/load_options.h"
#include "loadgen/result.h"

namespace tdemo::loadgen {

enum class TrafficMode { kActivity, kDemo, kStress };

// As typed; negative or zero values mean "the mode's default".
struct TrafficArgs {
  std::string mode = "activity";
  std::string target = "http://localhost:8000";
  std::string ui = "http://localhost:16686";
  double duration_s = -1;         // activity 60, stress 10
  double rps = -1;                // activity 20 (at most; 0: no limit), stress 100 (exactly)
  std::uint32_t concurrency = 0;  // activity 5 sessions, stress 64 connections
  std::uint64_t seed = 1;
  double sample_rate = -1;        // activity and demo 1, stress 0.01
  double timeout_s = 10;
  std::string mix = "GET /users/1=3,GET /users/2=2,GET /health=1";  // stress
};

struct TrafficOptions {
  TrafficMode mode = TrafficMode::kActivity;
  Target target;
  std::string ui;
  std::chrono::nanoseconds duration{0};
  double rps = 0;
  std::uint32_t concurrency = 0;
  std::uint64_t seed = 1;
  double sample_rate = 1;
  std::chrono::nanoseconds timeout{0};
  std::vector<EndpointSpec> mix;
};

Result<TrafficOptions> make_traffic_options(const TrafficArgs& args);

}  // namespace tdemo::loadgen
