// `tracing-demo logs --trace TRACE_ID [--file PATH...]`: prints the JSON log lines (one object
// per line, as written by telemetry::Logger) whose "trace_id" equals TRACE_ID, in file order.
// Reads the given files, else build/logs/app.log, or stdin when a path is "-". Lines that are
// not JSON objects are skipped. Exit code: 0 when at least one line matched, 1 when none did,
// 2 when a file cannot be read.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "cli/commands.h"

namespace tdemo::cli {
namespace {

// Upper bound on one log line; longer lines are skipped (explicit limit, default 1 MiB).
constexpr std::size_t kMaxLineBytes = 1 << 20;

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// True when `line` is a JSON object with "trace_id" == `trace_id` (case-insensitive hex).
bool line_matches(const std::string& line, const std::string& trace_id) {
  if (line.size() > kMaxLineBytes || lowercase(line).find(trace_id) == std::string::npos) return false;
  boost::system::error_code ec;
  auto value = boost::json::parse(line, ec);
  if (ec || !value.is_object()) return false;
  const auto* field = value.as_object().if_contains("trace_id");
  return field != nullptr && field->is_string() && lowercase(std::string(field->as_string())) == trace_id;
}

// Prints the matching lines of `in`; returns how many matched.
std::size_t print_matches(std::istream& in, const std::string& trace_id) {
  std::size_t matched = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line_matches(line, trace_id)) {
      std::cout << line << '\n';
      ++matched;
    }
  }
  return matched;
}

int run_logs(const std::string& trace_id_text, const std::vector<std::string>& files) {
  const std::string trace_id = lowercase(trace_id_text);
  const bool valid = trace_id.size() == 32 &&
                     std::all_of(trace_id.begin(), trace_id.end(), [](unsigned char c) { return std::isxdigit(c); });
  if (!valid) {
    std::cerr << "logs: --trace must be a 32-digit hex trace id\n";
    return 2;
  }
  std::size_t matched = 0;
  for (const auto& path : files.empty() ? std::vector<std::string>{"build/logs/app.log"} : files) {
    if (path == "-") {
      matched += print_matches(std::cin, trace_id);
      continue;
    }
    std::ifstream in(path);
    if (!in) {
      std::cerr << "logs: cannot read " << path << "\n";
      return 2;
    }
    matched += print_matches(in, trace_id);
  }
  std::cout.flush();
  return matched > 0 ? 0 : 1;
}

}  // namespace

void add_log_commands(CLI::App& app) {
  static std::string trace_id;
  static std::vector<std::string> files;
  auto* logs = app.add_subcommand("logs", "print the JSON log lines of one trace");
  logs->add_option("--trace", trace_id, "trace id (32 hex digits)")->required();
  logs->add_option("--file", files, "log files (repeatable; '-' = stdin; default build/logs/app.log)");
  logs->callback([] { std::exit(run_logs(trace_id, files)); });
}

}  // namespace tdemo::cli
