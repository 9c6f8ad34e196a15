// `traffic --mode demo`: scripted scenarios, each leaving one instructive trace, checked
// against the answer it should get.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "loadgen/load_options.h"
#include "loadgen/request_tracer.h"

namespace tdemo::loadgen {

struct DemoOptions {
  Target target;
  std::string ui = "http://localhost:16686";  // trace links: {ui}/trace/{trace_id}
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);
};

struct ScenarioResult {
  enum class Outcome { kPassed, kFailed, kSkipped };
  std::string name;
  std::string teaches;  // what its trace shows
  std::string request;  // "GET /users/999999"
  int status = 0;
  std::string expected;  // "404", "201 twice, same payment id"
  std::string trace_id;
  Outcome outcome = Outcome::kFailed;
  std::string note;  // why it failed or was skipped; extra facts
};

// Runs every scenario in order against `options.target` (one connection); `tracer` should
// sample everything. Fails only when the target does not resolve.
Result<std::vector<ScenarioResult>> run_demo_scenarios(const DemoOptions& options, RequestTracer& tracer);

// Prints the scenarios; returns 0 when none failed (skipped ones do not fail the run), else 1.
int print_demo_results(const std::vector<ScenarioResult>& results, const std::string& ui, std::FILE* out);

}  // namespace tdemo::loadgen
