// The `load-test` and `traffic --mode stress` runs as functions of validated options: run,
// print, write the reports, decide the exit code. The CLI layer (src/cli/load_commands.cc) only
// parses flags into these structs.
#pragma once

#include <atomic>
#include <cstdio>
#include <string>

#include "loadgen/load_options.h"
#include "loadgen/load_report.h"
#include "loadgen/request_tracer.h"

namespace tdemo::loadgen {

struct ReportFiles {
  std::string json_path;  // empty: none
  std::string html_path;  // empty: none
};

// Runs the load, shows progress on `progress_out` (in place when `terminal`), prints the text
// report to `out`, writes the files. Returns the exit code: 0, 1 when a threshold is broken,
// 2 when the run could not start or a report could not be written.
int run_load_command(const LoadOptions& options, const Thresholds& thresholds, const ReportFiles& files,
                     RequestTracer* tracer, std::FILE* out, std::FILE* progress_out, bool terminal,
                     const std::atomic<bool>* stop);

// Writes `content` to `path` (creating parent directories); false with `error` set on failure.
bool write_file(const std::string& path, const std::string& content, std::string& error);

}  // namespace tdemo::loadgen
