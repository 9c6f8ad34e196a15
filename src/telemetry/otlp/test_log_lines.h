// The exporters' tests: their log lines, collected (exporters log on the exporting thread; tests
// read afterwards), and exporter options for tests (short backoffs, every line logged).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/otlp/retry.h"

namespace tdemo::telemetry::otlp::testing {

struct LogLines {
  std::mutex mutex;
  std::vector<std::string> lines;
  ExporterLog sink() {
    return [this](std::string_view line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
    };
  }
  std::string joined() {
    std::lock_guard lock(mutex);
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
};

// Options for an exporter under test (OTLP/HTTP, OTLP/gRPC, Jaeger Thrift): `endpoint`, 20 s
// timeout, retries after 10-50 ms, and every log line to `log`.
template <class Options>
Options fast_options(const std::string& endpoint, LogLines& log) {
  using namespace std::chrono_literals;
  Options o;
  o.endpoint = endpoint;
  o.timeout = 20s;
  o.retry.initial_backoff = 10ms;
  o.retry.max_backoff = 50ms;
  o.log = log.sink();
  o.log_interval = 0ms;  // the tests read every line
  return o;
}

}  // namespace tdemo::telemetry::otlp::testing
