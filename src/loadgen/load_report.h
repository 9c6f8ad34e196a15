// What a load run reports: a text summary for people, JSON for machines, the pass/fail
// verdict of the CI thresholds, and the live progress line.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/load_options.h"
#include "loadgen/load_runner.h"

namespace tdemo::loadgen {

struct Thresholds {
  std::optional<double> max_error_rate;  // share in [0, 1]
  std::optional<double> max_p99_ms;
};

// One line per threshold that the run broke, e.g. "error rate 2.50% > 1.00%"; empty: passed.
std::vector<std::string> threshold_violations(const RunResult& result, const Thresholds& thresholds);

// A one-line description of the run, e.g. "10 users x 100 requests, ramp-up 5 s".
std::string describe_load(const LoadOptions& options);

// The summary printed at the end (several lines, ends with a newline).
std::string text_report(const LoadOptions& options, const RunResult& result);

// The JSON report (schema in docs: tool, settings, totals, latency_ms, statuses, failures,
// endpoints, timeline, histogram, open_loop, thresholds).
std::string json_report(const LoadOptions& options, const RunResult& result, const Thresholds& thresholds);

// Prints ProgressSnapshots: on a terminal one line rewritten in place; otherwise a plain line
// every `plain_every` snapshots. Thread-compatible (called from the runner's calling thread).
class ProgressPrinter {
 public:
  ProgressPrinter(std::FILE* out, bool terminal, int plain_every = 8)
      : out_(out), terminal_(terminal), plain_every_(plain_every) {}
  void operator()(const ProgressSnapshot& snapshot);
  // Ends the in-place line (a newline on a terminal when something was printed).
  void finish();
  static std::string format(const ProgressSnapshot& snapshot);

 private:
  std::FILE* out_;
  bool terminal_;
  int plain_every_;
  int calls_ = 0;
  bool printed_ = false;
};

// Milliseconds with a precision that suits the value ("0.213", "12.4", "1530").
std::string format_ms(std::uint64_t nanoseconds);

}  // namespace tdemo::loadgen
