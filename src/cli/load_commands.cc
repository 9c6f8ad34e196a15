// `tracing-demo traffic` and `tracing-demo load-test`: flags in, loadgen functions out.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "loadgen/load_test_command.h"
#include "loadgen/traffic_activity.h"
#include "loadgen/traffic_demo.h"
#include "loadgen/traffic_options.h"
#include "loadgen/traffic_telemetry.h"

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

bool stderr_is_terminal() { return isatty(fileno(stderr)) != 0; }

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
                                     stderr_is_terminal(), &g_stop));
  });
}

struct TrafficCommandArgs {
  loadgen::TrafficArgs values;
  loadgen::ReportFiles files;  // stress only
};

int run_traffic(const TrafficCommandArgs& args) {
  auto parsed = loadgen::make_traffic_options(args.values);
  if (!parsed) return usage_error("traffic", parsed.error());
  const auto& o = parsed.value();
  install_stop_handlers();
  auto telemetry = loadgen::start_traffic_telemetry(o.sample_rate);
  std::fprintf(stderr, "traffic --mode %s against %s; spans: %s\n", args.values.mode.c_str(), o.target.url.c_str(),
               telemetry->description().c_str());
  int code = 0;
  if (o.mode == loadgen::TrafficMode::kDemo) {
    loadgen::DemoOptions options{o.target, o.ui, o.timeout};
    auto results = loadgen::run_demo_scenarios(options, telemetry->request_tracer());
    if (!results) return usage_error("traffic", results.error());
    code = loadgen::print_demo_results(results.value(), o.ui, stdout);
  } else if (o.mode == loadgen::TrafficMode::kStress) {
    loadgen::LoadOptions options;
    options.mode = loadgen::LoadOptions::Mode::kOpenLoop;
    options.target = o.target;
    options.mix = o.mix;
    options.rate = o.rps;
    options.duration = o.duration;
    options.users = o.concurrency;
    options.timeout = o.timeout;
    options.traceparent = true;
    code = loadgen::run_load_command(options, {}, args.files, &telemetry->request_tracer(), stdout, stderr,
                                     stderr_is_terminal(), &g_stop);
  } else {
    loadgen::ActivityOptions options;
    options.target = o.target;
    options.duration = o.duration;
    options.rps = o.rps;
    options.sessions = o.concurrency;
    options.seed = o.seed;
    options.timeout = o.timeout;
    auto result = loadgen::run_activity(options, telemetry->request_tracer(), &g_stop);
    if (!result) return usage_error("traffic", result.error());
    loadgen::LoadOptions shown;
    shown.target = o.target;
    shown.users = o.concurrency;
    shown.duration = o.duration;
    for (const char* step : loadgen::kActivitySteps) shown.mix.push_back({"", step, 1, ""});
    std::fputs(loadgen::text_report(shown, result.value()).c_str(), stdout);
    if (result.value().stats.responses() == 0) code = 1;
  }
  telemetry->flush();
  return code;
}

void add_traffic(CLI::App& app) {
  auto* cmd = app.add_subcommand("traffic", "Generate traced traffic against the gateway: realistic sessions "
                                            "(activity), the scripted demo scenarios (demo), or a constant "
                                            "arrival rate (stress)");
  auto args = std::make_shared<TrafficCommandArgs>();
  auto* a = &args->values;
  cmd->add_option("--mode", a->mode, "activity | demo | stress")->capture_default_str();
  cmd->add_option("--target", a->target, "The gateway, http://HOST:PORT")->capture_default_str();
  cmd->add_option("--duration", a->duration_s, "Seconds to run (activity 60, stress 10)");
  cmd->add_option("--rps", a->rps, "Requests per second (activity: at most, default 20; stress: exactly, default 100)");
  cmd->add_option("--concurrency", a->concurrency, "Concurrent sessions (activity, 5) or connections (stress, 64)");
  cmd->add_option("--seed", a->seed, "Seed of the activity's choices (same seed, same choices)")->capture_default_str();
  cmd->add_option("--sample-rate", a->sample_rate, "Share of requests that start a sampled trace (stress 0.01, else 1)");
  cmd->add_option("--ui", a->ui, "Trace UI for links: {ui}/trace/{trace_id}")->capture_default_str();
  cmd->add_option("--timeout", a->timeout_s, "Seconds per request")->capture_default_str();
  cmd->add_option("--mix", a->mix, "Stress: weighted endpoints")->capture_default_str();
  cmd->add_option("--json", args->files.json_path, "Stress: write the JSON report here");
  cmd->add_option("--html", args->files.html_path, "Stress: write the HTML report here");
  cmd->callback([args] { finish(run_traffic(*args)); });
}

}  // namespace

void add_load_commands(CLI::App& app) {
  add_load_test(app);
  add_traffic(app);
}

}  // namespace tdemo::cli
