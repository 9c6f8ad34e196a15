// A self-contained HTML page for a load run: the summary, the per-endpoint table, and two
// charts drawn as inline SVG (latency over time, latency histogram). No scripts, no external
// resources: the file can be opened anywhere, attached to a CI run, or mailed.
#pragma once

#include <string>

#include "loadgen/load_options.h"
#include "loadgen/load_runner.h"
#include "loadgen/load_report.h"

namespace tdemo::loadgen {

std::string html_report(const LoadOptions& options, const RunResult& result, const Thresholds& thresholds);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

}  // namespace tdemo::loadgen
