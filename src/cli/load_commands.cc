// `tracing-demo traffic` and `tracing-demo load-test`: flags in, loadgen functions out.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "loadgen/load_test_command.h"

namespace tdemo::cli {
namespace {

std::atomic<bool> g_stop{false};

void request_stop(int) { g_stop.store(true); }

void install_stop_handlers() {
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
}

// Exits with `code` through CLI11 (quietly) when it is not 0.
void finish(int code) {
  if (code != 0) throw CLI::RuntimeError(code);
}

int usage_error(const char* command, const std::string& message) {
  std::fprintf(stderr, "tracing-demo %s: %s\n", command, message.c_str());
  return 2;
}

void add_load_test(CLI::App& app) {
  auto* cmd = app.add_subcommand("load-test",
                                 "Closed-loop load test: N virtual users, each sending its requests over "
                                 "a keep-alive connection; latency percentiles, errors, per-endpoint table");
  auto args = std::make_shared<loadgen::LoadTestArgs>();
  auto files = std::make_shared<loadgen::ReportFiles>();
  auto max_error_rate = std::make_shared<double>(-1);
  auto max_p99 = std::make_shared<double>(-1);
  cmd->add_option("--target", args->target, "Server to load, http://HOST:PORT")->capture_default_str();
  cmd->add_option("--users", args->users, "Virtual users (each one connection)")->capture_default_str();
  cmd->add_option("--requests", args->requests, "Requests per user")->capture_default_str();
  cmd->add_option("--ramp-up", args->ramp_up_s, "Seconds over which users start, linearly")->capture_default_str();
  cmd->add_option("--duration", args->duration_s, "Seconds to run (instead of --requests)");
  cmd->add_option("--endpoint", args->endpoint, "One endpoint: PATH or 'METHOD PATH' (default GET /health)");
  cmd->add_option("--mix", args->mix, "Weighted endpoints: 'GET /users/1=3,GET /demo/full-flow/1=1'");
  cmd->add_option("--timeout", args->timeout_s, "Seconds per request, connect included")->capture_default_str();
  cmd->add_option("--threads", args->threads, "Worker threads (0: one per core)")->capture_default_str();
  cmd->add_flag("--traceparent", args->traceparent, "Send a new (unsampled) traceparent with every request");
  cmd->add_option("--json", files->json_path, "Write the JSON report to this file");
  cmd->add_option("--html", files->html_path, "Write the HTML report (inline SVG charts) to this file");
  cmd->add_option("--max-error-rate", *max_error_rate, "Exit 1 when the error share exceeds this (0..1)");
  cmd->add_option("--max-p99", *max_p99, "Exit 1 when p99 latency exceeds this many milliseconds");
  cmd->callback([args, files, max_error_rate, max_p99, cmd] {
    if (cmd->count("--max-error-rate") != 0) args->max_error_rate = *max_error_rate;
    if (cmd->count("--max-p99") != 0) args->max_p99_ms = *max_p99;
    auto options = loadgen::make_load_options(*args);
    if (!options) finish(usage_error("load-test", options.error()));
    install_stop_handlers();
    loadgen::UnsampledTraceparents tracer;
    const loadgen::Thresholds thresholds{args->max_error_rate, args->max_p99_ms};
    finish(loadgen::run_load_command(options.value(), thresholds, *files, &tracer, stdout, stderr,
                                     isatty(fileno(stderr)) != 0, &g_stop));
  });
}

}  // namespace

void add_load_commands(CLI::App& app) {
  add_load_test(app);
}

}  // namespace tdemo::cli
