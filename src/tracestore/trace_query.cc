#include "tracestore/trace_query.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <ctime>

namespace tdemo::tracestore {
namespace {

constexpr std::uint64_t kMaxNs = std::numeric_limits<std::uint64_t>::max();

std::optional<std::int64_t> parse_int(std::string_view text) noexcept {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

// Microseconds (possibly negative or huge) to clamped nanoseconds.
std::uint64_t micros_to_ns(std::int64_t us) noexcept {
  if (us <= 0) return 0;
  if (static_cast<std::uint64_t>(us) > kMaxNs / 1000) return kMaxNs;
  return static_cast<std::uint64_t>(us) * 1000;
}

// Adds "unable to parse param 'NAME': why", Jaeger's wording.
std::string param_error(std::string_view name, std::string_view why) {
  return "unable to parse param '" + std::string(name) + "': " + std::string(why);
}

// Parses a JSON object of string values into tags. Non-string values are rendered as JSON.
bool parse_tags_json(std::string_view text,
                     std::vector<std::pair<std::string, std::string>>& tags) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return false;
  for (const auto& [k, val] : v.as_object()) {
    if (val.is_string()) {
      tags.emplace_back(std::string(k), std::string(val.as_string()));
    } else {
      return false;  // Jaeger unmarshals into map[string]string: other types are an error
    }
  }
  return true;
}

void set_tag(std::vector<std::pair<std::string, std::string>>& tags, std::string key,
             std::string value) {
  for (auto& [k, v] : tags) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  tags.emplace_back(std::move(key), std::move(value));
}

}  // namespace

std::optional<std::uint64_t> parse_go_duration(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  if (text == "0") return 0;
  if (text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '-') return std::nullopt;
  long double total = 0;
  while (!text.empty()) {
    // number: digits with an optional fraction
    std::size_t i = 0;
    long double whole = 0;
    bool digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      whole = whole * 10 + (text[i] - '0');
      ++i;
      digits = true;
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        whole += (text[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return std::nullopt;
    text.remove_prefix(i);
    // unit
    std::size_t u = 0;
    while (u < text.size() && !(text[u] >= '0' && text[u] <= '9') && text[u] != '.') ++u;
    const std::string_view unit = text.substr(0, u);
    text.remove_prefix(u);
    long double factor = 0;
    if (unit == "ns") factor = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") factor = 1e3L;
    else if (unit == "ms") factor = 1e6L;
    else if (unit == "s") factor = 1e9L;
    else if (unit == "m") factor = 60e9L;
    else if (unit == "h") factor = 3600e9L;
    else return std::nullopt;  // missing or unknown unit
    total += whole * factor;
    if (total > 9.2e18L) return std::nullopt;  // beyond Go's int64 nanoseconds
  }
  return static_cast<std::uint64_t>(std::llround(static_cast<double>(total)));
}

ParsedTraceQuery parse_jaeger_trace_query(const QueryParams& params, std::uint64_t now_ns) {
  ParsedTraceQuery out;
  TraceQuery& q = out.query;
  q.limit = 100;  // Jaeger's defaultQueryLimit
  std::optional<std::uint64_t> start, end, lookback;
  auto fail = [&out](std::string message) {
    out.error = std::move(message);
    return out;
  };
  for (const auto& [name, value] : params) {
    if (name == "service") {
      q.service = value;
    } else if (name == "operation") {
      q.operation = value;
    } else if (name == "start" || name == "end") {
      if (value.empty()) continue;
      auto v = parse_int(value);
      if (!v) return fail(param_error(name, "strconv.ParseInt: parsing \"" + value + "\": invalid syntax"));
      (name == "start" ? start : end) = micros_to_ns(*v);
    } else if (name == "lookback") {
      if (value.empty() || value == "custom") continue;
      lookback = parse_go_duration(value);
      if (!lookback) return fail(param_error(name, "time: invalid duration \"" + value + "\""));
    } else if (name == "minDuration" || name == "maxDuration") {
      if (value.empty()) continue;
      auto d = parse_go_duration(value);
      if (!d) return fail(param_error(name, "time: invalid duration \"" + value + "\""));
      (name == "minDuration" ? q.duration_min_ns : q.duration_max_ns) = *d;
    } else if (name == "limit") {
      if (value.empty()) continue;
      auto v = parse_int(value);
      if (!v || *v < 0 || *v > std::numeric_limits<std::int32_t>::max())
        return fail(param_error(name, "strconv.ParseInt: parsing \"" + value + "\": invalid syntax"));
      q.limit = *v == 0 ? 100 : static_cast<std::size_t>(*v);
    } else if (name == "tag") {
      const std::size_t colon = value.find(':');
      if (colon == std::string::npos)
        return fail("malformed 'tag' parameter, expecting key:value, received: " + value);
      set_tag(q.tags, value.substr(0, colon), value.substr(colon + 1));
    } else if (name == "tags") {
      std::vector<std::pair<std::string, std::string>> parsed;
      if (!parse_tags_json(value, parsed))
        return fail("malformed 'tags' parameter, cannot unmarshal JSON: " + value);
      for (auto& [k, v] : parsed) set_tag(q.tags, std::move(k), std::move(v));
    } else if (name == "traceID") {
      out.trace_ids.push_back(value);
    }
  }
  q.limit = std::min(q.limit, kMaxSearchLimit);
  q.start_max_ns = end.value_or(now_ns);
  if (start) {
    q.start_min_ns = *start;
  } else {
    const std::uint64_t back = lookback.value_or(kDefaultLookbackNs);
    q.start_min_ns = q.start_max_ns > back ? q.start_max_ns - back : 0;
  }
  if (out.trace_ids.empty() && q.service.empty()) return fail("parameter 'service' is required");
  if (q.duration_min_ns && q.duration_max_ns && *q.duration_min_ns != 0 &&
      *q.duration_max_ns != 0 && *q.duration_max_ns < *q.duration_min_ns)
    return fail("'maxDuration' should be greater than 'minDuration'");
  return out;
}

std::optional<std::uint64_t> parse_rfc3339(std::string_view t) noexcept {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (t.size() < 20) return std::nullopt;
  auto num = [&t](std::size_t pos, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  if (t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
      t[13] != ':' || t[16] != ':')
    return std::nullopt;
  const int year = num(0, 4), mon = num(5, 2), day = num(8, 2), hour = num(11, 2),
            min = num(14, 2), sec = num(17, 2);
  if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      min < 0 || min > 59 || sec < 0 || sec > 60)
    return std::nullopt;
  std::size_t pos = 19;
  std::uint64_t frac_ns = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    std::uint64_t scale = 100'000'000;
    const std::size_t begin = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      frac_ns += static_cast<std::uint64_t>(t[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == begin) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == t.size() && (t[pos] == '+' || t[pos] == '-') && t[pos + 3] == ':') {
    const int oh = num(pos + 1, 2), om = num(pos + 4, 2);
    if (oh < 0 || om < 0) return std::nullopt;
    offset_s = (t[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) return std::nullopt;
  // days from civil (Howard Hinnant's algorithm)
  const int y = year - (mon <= 2 ? 1 : 0);
  const int era = y / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  const std::int64_t secs = days * 86400 + hour * 3600 + min * 60 + sec - offset_s;
  if (secs < 0) return std::nullopt;
  return static_cast<std::uint64_t>(secs) * 1'000'000'000ULL + frac_ns;
}

ParsedTraceQuery parse_v3_trace_query(const QueryParams& params, std::uint64_t now_ns) {
  ParsedTraceQuery out;
  TraceQuery& q = out.query;
  q.limit = kDefaultSearchLimit;
  bool have_min = false, have_max = false;
  auto fail = [&out](std::string message) {
    out.error = std::move(message);
    return out;
  };
  auto duration = [](const std::string& value) -> std::optional<std::uint64_t> {
    return parse_go_duration(value);  // "1.5s" (proto JSON form) is also a Go duration
  };
  for (const auto& [name, value] : params) {
    if (name == "query.service_name") {
      q.service = value;
    } else if (name == "query.operation_name") {
      q.operation = value;
    } else if (name == "query.start_time_min" || name == "query.start_time_max") {
      auto t = parse_rfc3339(value);
      if (!t) return fail("malformed parameter " + name + ": " + value);
      if (name == "query.start_time_min") {
        q.start_min_ns = *t;
        have_min = true;
      } else {
        q.start_max_ns = *t;
        have_max = true;
      }
    } else if (name == "query.duration_min" || name == "query.duration_max") {
      if (value.empty()) continue;
      auto d = duration(value);
      if (!d) return fail("malformed parameter " + name + ": " + value);
      (name == "query.duration_min" ? q.duration_min_ns : q.duration_max_ns) = *d;
    } else if (name == "query.num_traces" || name == "query.search_depth") {
      auto v = parse_int(value);
      if (!v || *v < 0) return fail("malformed parameter " + name + ": " + value);
      q.limit = *v == 0 ? kDefaultSearchLimit : static_cast<std::size_t>(*v);
    } else if (name == "query.attributes") {
      std::vector<std::pair<std::string, std::string>> parsed;
      if (!parse_tags_json(value, parsed))
        return fail("malformed parameter query.attributes: " + value);
      for (auto& [k, v] : parsed) set_tag(q.tags, std::move(k), std::move(v));
    } else if (name.rfind("query.attributes.", 0) == 0) {
      set_tag(q.tags, name.substr(17), value);
    }
  }
  q.limit = std::min(q.limit, kMaxSearchLimit);
  if (!have_max) q.start_max_ns = now_ns;
  if (!have_min) q.start_min_ns = q.start_max_ns > kDefaultLookbackNs ? q.start_max_ns - kDefaultLookbackNs : 0;
  if (q.service.empty()) return fail("query.service_name is required");
  if (q.start_min_ns > q.start_max_ns)
    return fail("query.start_time_min must not be after query.start_time_max");
  if (q.duration_min_ns && q.duration_max_ns && *q.duration_max_ns < *q.duration_min_ns)
    return fail("query.duration_min must not be greater than query.duration_max");
  return out;
}

}  // namespace tdemo::tracestore
