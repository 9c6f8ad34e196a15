#include "loadgen/load_test_command.h"

#include <filesystem>
#include <fstream>

#include "loadgen/html_report.h"
#include "loadgen/load_runner.h"

namespace tdemo::loadgen {

bool write_file(const std::string& path, const std::string& content, std::string& error) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    error = "cannot write " + path;
    return false;
  }
  file << content;
  file.close();
  if (!file) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

int run_load_command(const LoadOptions& options, const Thresholds& thresholds, const ReportFiles& files,
                     RequestTracer* tracer, std::FILE* out, std::FILE* progress_out, bool terminal,
                     const std::atomic<bool>* stop) {
  std::fprintf(progress_out, "Starting: %s\n", describe_load(options).c_str());
  ProgressPrinter printer(progress_out, terminal, terminal ? 1 : 8);
  auto result = run_load(options, tracer, std::ref(printer), stop);
  printer.finish();
  if (!result) {
    std::fprintf(stderr, "error: %s\n", result.error().c_str());
    return 2;
  }
  const auto& r = result.value();
  std::fputs(text_report(options, r).c_str(), out);
  int code = 0;
  std::string error;
  if (!files.json_path.empty()) {
    if (write_file(files.json_path, json_report(options, r, thresholds), error)) {
      std::fprintf(out, "  JSON report  %s\n", files.json_path.c_str());
    } else {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      code = 2;
    }
  }
  if (!files.html_path.empty()) {
    if (write_file(files.html_path, html_report(options, r, thresholds), error)) {
      std::fprintf(out, "  HTML report  %s\n", files.html_path.c_str());
    } else {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      code = 2;
    }
  }
  const auto violations = threshold_violations(r, thresholds);
  for (const auto& v : violations) std::fprintf(out, "  FAILED       %s\n", v.c_str());
  if (!violations.empty() && code == 0) code = 1;
  if (r.stats.requests() == 0 && code == 0) {
    std::fprintf(out, "  FAILED       no request was sent\n");
    code = 1;
  }
  std::fflush(out);
  return code;
}

}  // namespace tdemo::loadgen
