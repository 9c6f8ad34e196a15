#include "loadgen/html_report.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace tdemo::loadgen {
namespace {

constexpr int kWidth = 760;
constexpr int kHeight = 260;
constexpr int kLeft = 60;
constexpr int kBottom = 30;
constexpr int kTop = 14;
constexpr int kRight = 16;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

// A "nice" upper bound for an axis (1, 2, 5 x 10^k).
double nice_ceiling(double v) {
  if (v <= 0) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * magnitude >= v) return step * magnitude;
  }
  return 10 * magnitude;
}

void axes(std::ostringstream& svg, double y_max, const std::string& y_label, const std::string& x_left,
          const std::string& x_right, const std::string& x_label) {
  const int plot_h = kHeight - kTop - kBottom;
  svg << "<line x1='" << kLeft << "' y1='" << kTop << "' x2='" << kLeft << "' y2='" << kHeight - kBottom
      << "' class='axis'/><line x1='" << kLeft << "' y1='" << kHeight - kBottom << "' x2='" << kWidth - kRight
      << "' y2='" << kHeight - kBottom << "' class='axis'/>";
  for (int i = 0; i <= 4; ++i) {
    const double y = kTop + plot_h * (1 - i / 4.0);
    svg << "<line x1='" << kLeft << "' y1='" << num(y) << "' x2='" << kWidth - kRight << "' y2='" << num(y)
        << "' class='grid'/><text x='" << kLeft - 6 << "' y='" << num(y + 4) << "' text-anchor='end'>"
        << html_escape(num(y_max * i / 4)) << "</text>";
  }
  svg << "<text x='12' y='" << kTop + plot_h / 2 << "' transform='rotate(-90 12 " << kTop + plot_h / 2
      << ")' text-anchor='middle'>" << html_escape(y_label) << "</text>";
  svg << "<text x='" << kLeft << "' y='" << kHeight - 8 << "'>" << html_escape(x_left) << "</text>";
  svg << "<text x='" << kWidth - kRight << "' y='" << kHeight - 8 << "' text-anchor='end'>" << html_escape(x_right)
      << "</text>";
  svg << "<text x='" << (kLeft + kWidth - kRight) / 2 << "' y='" << kHeight - 8 << "' text-anchor='middle'>"
      << html_escape(x_label) << "</text>";
}

std::string timeline_svg(const RunResult& r) {
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " << kWidth << " " << kHeight
      << "' role='img' aria-label='latency over time'>";
  if (r.timeline.empty()) return svg.str() + "<text x='20' y='40'>no data</text></svg>";
  double y_max = 0;
  for (const auto& p : r.timeline) y_max = std::max(y_max, ms(p.latency.percentile(99)));
  y_max = nice_ceiling(y_max);
  const double interval_s = static_cast<double>(r.timeline_interval_ns) / 1e9;
  axes(svg, y_max, "latency (ms)", "0 s", num(interval_s * static_cast<double>(r.timeline.size())) + " s",
       "time since start");
  const int plot_w = kWidth - kLeft - kRight;
  const int plot_h = kHeight - kTop - kBottom;
  const double step = static_cast<double>(plot_w) / static_cast<double>(r.timeline.size());
  for (auto [pct, cls] : {std::pair{50.0, "p50"}, std::pair{99.0, "p99"}}) {
    svg << "<polyline class='" << cls << "' points='";
    for (std::size_t i = 0; i < r.timeline.size(); ++i) {
      if (r.timeline[i].latency.count() == 0) continue;
      const double x = kLeft + step * (static_cast<double>(i) + 0.5);
      const double y = kTop + plot_h * (1 - ms(r.timeline[i].latency.percentile(pct)) / y_max);
      svg << num(x) << "," << num(y) << " ";
    }
    svg << "'/>";
  }
  svg << "<text x='" << kWidth - kRight - 120 << "' y='" << kTop + 12 << "' class='p50'>p50</text>";
  svg << "<text x='" << kWidth - kRight - 70 << "' y='" << kTop + 12 << "' class='p99'>p99</text>";
  return svg.str() + "</svg>";
}

std::string histogram_svg(const RunResult& r) {
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " << kWidth << " " << kHeight
      << "' role='img' aria-label='latency histogram'>";
  const auto& h = r.stats.latency();
  if (h.count() == 0) return svg.str() + "<text x='20' y='40'>no data</text></svg>";
  // Regroup the fine buckets into ~60 log-spaced bins between min and max.
  constexpr int kBins = 60;
  const double lo = std::log10(std::max(1.0, static_cast<double>(h.min())));
  const double hi = std::max(lo + 1e-9, std::log10(std::max(1.0, static_cast<double>(h.max()) + 1)));
  std::vector<std::uint64_t> bins(kBins, 0);
  for (const auto& b : h.buckets()) {
    const double mid = std::log10(std::max(1.0, static_cast<double>(b.lower + b.upper) / 2));
    const int i = std::clamp(static_cast<int>((mid - lo) / (hi - lo) * kBins), 0, kBins - 1);
    bins[i] += b.count;
  }
  const double y_max = nice_ceiling(static_cast<double>(*std::max_element(bins.begin(), bins.end())));
  axes(svg, y_max, "requests", num(ms(h.min())) + " ms", num(ms(h.max())) + " ms", "latency (log scale)");
  const int plot_w = kWidth - kLeft - kRight;
  const int plot_h = kHeight - kTop - kBottom;
  const double w = static_cast<double>(plot_w) / kBins;
  for (int i = 0; i < kBins; ++i) {
    if (bins[i] == 0) continue;
    const double bar = plot_h * static_cast<double>(bins[i]) / y_max;
    svg << "<rect class='bar' x='" << num(kLeft + w * i + 1) << "' y='" << num(kTop + plot_h - bar) << "' width='"
        << num(std::max(1.0, w - 2)) << "' height='" << num(bar) << "'><title>"
        << html_escape(num(ms(static_cast<std::uint64_t>(std::pow(10.0, lo + (hi - lo) * i / kBins))))) << "-"
        << html_escape(num(ms(static_cast<std::uint64_t>(std::pow(10.0, lo + (hi - lo) * (i + 1) / kBins)))))
        << " ms: " << bins[i] << "</title></rect>";
  }
  return svg.str() + "</svg>";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string html_report(const LoadOptions& o, const RunResult& r, const Thresholds& thresholds) {
  std::ostringstream page;
  const auto& s = r.stats;
  const auto violations = threshold_violations(r, thresholds);
  page << "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>Load test report</title>"
          "<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:820px}"
          "table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #ddd;"
          "text-align:right}td:first-child,th:first-child{text-align:left}svg{width:100%;height:auto;"
          "background:#fafafa;border:1px solid #eee}svg text{font-size:11px;fill:#444}.axis{stroke:#888}"
          ".grid{stroke:#e4e4e4}.p50{fill:none;stroke:#1f77b4;stroke-width:2}.p99{fill:none;stroke:#d62728;"
          "stroke-width:2}text.p50{fill:#1f77b4;stroke:none}text.p99{fill:#d62728;stroke:none}.bar{fill:#4c78a8}"
          ".pass{color:#2a7d2a}.fail{color:#b00020}</style></head><body>\n";
  page << "<h1>Load test report</h1><p>" << html_escape(describe_load(o)) << "</p>\n";
  page << "<p class='" << (violations.empty() ? "pass'>Thresholds: passed" : "fail'>Thresholds: FAILED");
  for (const auto& v : violations) page << "<br>" << html_escape(v);
  page << "</p>\n<table><tr><th>requests</th><th>throughput</th><th>errors</th><th>min</th><th>p50</th>"
          "<th>p90</th><th>p95</th><th>p99</th><th>max</th></tr><tr><td>"
       << s.requests() << "</td><td>" << num(r.throughput()) << " req/s</td><td>" << s.errors() << " ("
       << num(s.error_rate() * 100) << "%)</td>";
  for (double p : {-1.0, 50.0, 90.0, 95.0, 99.0, 101.0}) {
    const auto v = p < 0 ? s.latency().min() : p > 100 ? s.latency().max() : s.latency().percentile(p);
    page << "<td>" << format_ms(v) << " ms</td>";
  }
  page << "</tr></table>\n<h2>Latency over time</h2>" << timeline_svg(r) << "\n<h2>Latency histogram</h2>"
       << histogram_svg(r) << "\n<h2>Endpoints</h2><table><tr><th>endpoint</th><th>requests</th><th>errors</th>"
       << "<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th></tr>";
  for (const auto& e : s.endpoints()) {
    page << "<tr><td>" << html_escape(e.name) << "</td><td>" << e.requests << "</td><td>" << e.errors << "</td><td>"
         << format_ms(e.latency.percentile(50)) << "</td><td>" << format_ms(e.latency.percentile(90)) << "</td><td>"
         << format_ms(e.latency.percentile(99)) << "</td><td>" << format_ms(e.latency.max()) << "</td></tr>";
  }
  page << "</table>\n<h2>Responses and failures</h2><table><tr><th>status or cause</th><th>count</th></tr>";
  for (const auto& [status, count] : s.statuses()) page << "<tr><td>HTTP " << status << "</td><td>" << count << "</td></tr>";
  for (std::size_t c = 1; c < kFailureCauseCount; ++c) {
    const auto cause = static_cast<FailureCause>(c);
    if (s.failure_count(cause) != 0) {
      page << "<tr><td>" << html_escape(failure_cause_name(cause)) << "</td><td>" << s.failure_count(cause) << "</td></tr>";
    }
  }
  page << "</table>\n</body></html>\n";
  return page.str();
}

}  // namespace tdemo::loadgen
