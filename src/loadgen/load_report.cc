#include "loadgen/load_report.h"

#include <cinttypes>
#include <cmath>
#include <sstream>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace tdemo::loadgen {
namespace json = boost::json;

namespace {

double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }
double seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string percent(double share) { return fixed(share * 100, 2) + "%"; }

json::object latency_json(const LatencyHistogram& h) {
  return {{"min", ms(h.min())},
          {"mean", h.mean() / 1e6},
          {"p50", ms(h.percentile(50))},
          {"p90", ms(h.percentile(90))},
          {"p95", ms(h.percentile(95))},
          {"p99", ms(h.percentile(99))},
          {"p999", ms(h.percentile(99.9))},
          {"max", ms(h.max())}};
}

std::string errors_summary(const RunStats& stats) {
  std::string out;
  for (const auto& [status, count] : stats.statuses()) {
    if (!is_error_status(status)) continue;
    out += (out.empty() ? "" : ", ") + std::to_string(status) + " x" + std::to_string(count);
  }
  for (std::size_t c = 1; c < kFailureCauseCount; ++c) {
    const auto cause = static_cast<FailureCause>(c);
    if (const auto n = stats.failure_count(cause); n != 0) {
      out += (out.empty() ? "" : ", ") + std::string(failure_cause_name(cause)) + " x" + std::to_string(n);
    }
  }
  return out;
}

}  // namespace

std::string format_ms(std::uint64_t nanoseconds) {
  const double v = ms(nanoseconds);
  if (v < 10) return fixed(v, 3);
  if (v < 100) return fixed(v, 2);
  if (v < 1000) return fixed(v, 1);
  return fixed(v, 0);
}

std::vector<std::string> threshold_violations(const RunResult& result, const Thresholds& thresholds) {
  std::vector<std::string> out;
  if (thresholds.max_error_rate && result.stats.error_rate() > *thresholds.max_error_rate) {
    out.push_back("error rate " + percent(result.stats.error_rate()) + " > --max-error-rate " +
                  percent(*thresholds.max_error_rate));
  }
  if (thresholds.max_p99_ms) {
    const double p99 = ms(result.stats.latency().percentile(99));
    if (p99 > *thresholds.max_p99_ms || result.stats.responses() == 0) {
      out.push_back("p99 " + format_ms(result.stats.latency().percentile(99)) + " ms > --max-p99 " +
                    fixed(*thresholds.max_p99_ms, 3) + " ms" +
                    (result.stats.responses() == 0 ? " (no responses at all)" : ""));
    }
  }
  return out;
}

std::string describe_load(const LoadOptions& o) {
  std::string s;
  if (o.mode == LoadOptions::Mode::kOpenLoop) {
    s = fixed(o.rate, 0) + " req/s for " + fixed(seconds(o.duration), 1) + " s over at most " +
        std::to_string(o.users) + " connections";
  } else {
    s = std::to_string(o.users) + " users x " +
        (o.duration.count() > 0 ? fixed(seconds(o.duration), 1) + " s" : std::to_string(o.requests_per_user) + " requests");
    if (o.ramp_up.count() > 0) s += ", ramp-up " + fixed(seconds(o.ramp_up), 1) + " s";
  }
  s += " against " + o.target.url;
  if (o.mix.size() == 1) {
    s += " " + o.mix[0].name();
  } else {
    s += " (mix of " + std::to_string(o.mix.size()) + " endpoints)";
  }
  return s;
}

std::string text_report(const LoadOptions& o, const RunResult& r) {
  std::ostringstream out;
  const auto& s = r.stats;
  const auto& h = s.latency();
  out << "Load: " << describe_load(o) << (r.interrupted ? " (interrupted)" : "") << "\n";
  out << "  requests     " << s.requests() << " in " << fixed(seconds(r.elapsed), 2) << " s = "
      << fixed(r.throughput(), 1) << " req/s (" << r.threads << " threads, " << r.connections_opened
      << " connections opened)\n";
  out << "  errors       " << s.errors() << " (" << percent(s.error_rate()) << ")";
  if (s.errors() != 0) out << ": " << errors_summary(s);
  out << "\n";
  out << "  latency ms   min " << format_ms(h.min()) << "  p50 " << format_ms(h.percentile(50)) << "  p90 "
      << format_ms(h.percentile(90)) << "  p95 " << format_ms(h.percentile(95)) << "  p99 "
      << format_ms(h.percentile(99)) << "  max " << format_ms(h.max()) << "\n";
  if (o.mode == LoadOptions::Mode::kOpenLoop) {
    const double achieved = r.throughput();
    const bool kept_up = achieved >= 0.98 * o.rate;
    out << "  rate         requested " << fixed(o.rate, 0) << " req/s, achieved " << fixed(achieved, 1)
        << " req/s (" << fixed(o.rate > 0 ? achieved / o.rate * 100 : 0, 1) << "%); sends late by p50 "
        << format_ms(r.send_lag.percentile(50)) << " / p99 " << format_ms(r.send_lag.percentile(99)) << " ms\n";
    if (!kept_up) {
      out << "  NOTE         could not keep up with the requested rate: the target (or this machine) "
             "is too slow; latencies include the queueing\n";
    }
  }
  if (o.mix.size() > 1 || s.errors() != 0) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-36s %9s %7s %9s %9s %9s\n", "endpoint", "requests", "errors",
                  "p50 ms", "p99 ms", "max ms");
    out << line;
    for (const auto& e : s.endpoints()) {
      std::snprintf(line, sizeof line, "  %-36s %9" PRIu64 " %7" PRIu64 " %9s %9s %9s\n", e.name.c_str(),
                    e.requests, e.errors, format_ms(e.latency.percentile(50)).c_str(),
                    format_ms(e.latency.percentile(99)).c_str(), format_ms(e.latency.max()).c_str());
      out << line;
    }
  }
  return out.str();
}

std::string json_report(const LoadOptions& o, const RunResult& r, const Thresholds& thresholds) {
  const auto& s = r.stats;
  json::object root;
  root["tool"] = "tracing-demo load";
  root["mode"] = o.mode == LoadOptions::Mode::kOpenLoop ? "open_loop" : "closed_loop";
  root["target"] = o.target.url;
  root["settings"] = json::object{{"users", o.users},
                                  {"requests_per_user", o.duration.count() > 0 ? 0 : o.requests_per_user},
                                  {"ramp_up_s", seconds(o.ramp_up)},
                                  {"duration_s", seconds(o.duration)},
                                  {"rate", o.rate},
                                  {"timeout_s", seconds(o.timeout)},
                                  {"threads", r.threads},
                                  {"traceparent", o.traceparent}};
  root["requests"] = s.requests();
  root["responses"] = s.responses();
  root["errors"] = s.errors();
  root["error_rate"] = s.error_rate();
  root["elapsed_s"] = seconds(r.elapsed);
  root["throughput_rps"] = r.throughput();
  root["connections_opened"] = r.connections_opened;
  root["interrupted"] = r.interrupted;
  root["latency_ms"] = latency_json(s.latency());
  json::object statuses;
  for (const auto& [status, count] : s.statuses()) statuses[std::to_string(status)] = count;
  root["statuses"] = std::move(statuses);
  json::object failures;
  for (std::size_t c = 1; c < kFailureCauseCount; ++c) {
    const auto cause = static_cast<FailureCause>(c);
    failures[failure_cause_name(cause)] = s.failure_count(cause);
  }
  root["failures"] = std::move(failures);
  json::array endpoints;
  for (const auto& e : s.endpoints()) {
    endpoints.push_back(json::object{{"name", e.name},
                                     {"requests", e.requests},
                                     {"errors", e.errors},
                                     {"latency_ms", latency_json(e.latency)}});
  }
  root["endpoints"] = std::move(endpoints);
  json::array points;
  const double interval_s = static_cast<double>(r.timeline_interval_ns) / 1e9;
  for (std::size_t i = 0; i < r.timeline.size(); ++i) {
    const auto& p = r.timeline[i];
    points.push_back(json::object{{"t_s", static_cast<double>(i) * interval_s},
                                  {"requests", p.requests},
                                  {"errors", p.errors},
                                  {"rps", interval_s > 0 ? static_cast<double>(p.requests) / interval_s : 0.0},
                                  {"p50_ms", ms(p.latency.percentile(50))},
                                  {"p99_ms", ms(p.latency.percentile(99))},
                                  {"max_ms", ms(p.latency.max())}});
  }
  root["timeline"] = json::object{{"interval_s", interval_s}, {"points", std::move(points)}};
  json::array histogram;
  for (const auto& b : s.latency().buckets()) {
    histogram.push_back(json::object{{"lower_ms", ms(b.lower)}, {"upper_ms", ms(b.upper)}, {"count", b.count}});
  }
  root["histogram"] = std::move(histogram);
  if (o.mode == LoadOptions::Mode::kOpenLoop) {
    root["open_loop"] = json::object{{"requested_rps", o.rate},
                                     {"achieved_rps", r.throughput()},
                                     {"scheduled", r.scheduled},
                                     {"kept_up", r.throughput() >= 0.98 * o.rate},
                                     {"send_lag_ms", latency_json(r.send_lag)}};
  }
  const auto violations = threshold_violations(r, thresholds);
  json::array broken;
  for (const auto& v : violations) broken.push_back(json::string(v));
  json::object t{{"passed", violations.empty()}, {"violations", std::move(broken)}};
  t["max_error_rate"] = thresholds.max_error_rate ? json::value(*thresholds.max_error_rate) : json::value(nullptr);
  t["max_p99_ms"] = thresholds.max_p99_ms ? json::value(*thresholds.max_p99_ms) : json::value(nullptr);
  root["thresholds"] = std::move(t);
  return json::serialize(root);
}

std::string ProgressPrinter::format(const ProgressSnapshot& p) {
  std::string line = "[" + fixed(seconds(p.elapsed), 1) + " s] " + std::to_string(p.requests);
  if (p.planned != 0) line += "/" + std::to_string(p.planned);
  line += " requests, " + fixed(p.recent_rate, 0) + " req/s, " + std::to_string(p.errors) + " errors";
  line += ", p50 " + format_ms(p.recent_p50_ns) + " ms, p99 " + format_ms(p.recent_p99_ns) + " ms";
  return line;
}

void ProgressPrinter::operator()(const ProgressSnapshot& snapshot) {
  if (terminal_) {
    std::fprintf(out_, "\r\033[K%s", format(snapshot).c_str());
    printed_ = true;
  } else if (++calls_ % plain_every_ == 0) {
    std::fprintf(out_, "%s\n", format(snapshot).c_str());
  }
  std::fflush(out_);
}

void ProgressPrinter::finish() {
  if (terminal_ && printed_) std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
  printed_ = false;
}

}  // namespace tdemo::loadgen
