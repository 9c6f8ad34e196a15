#include "http/message.h"

#include <charconv>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "telemetry/utf8.h"
#include "telemetry/word_bytes.h"

namespace tdemo::http {

std::string_view to_string(Method method) noexcept {
  switch (method) {
    case Method::kGet: return "GET";
    case Method::kHead: return "HEAD";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kDelete: return "DELETE";
    case Method::kPatch: return "PATCH";
    case Method::kOptions: return "OPTIONS";
    case Method::kTrace: return "TRACE";
    case Method::kConnect: return "CONNECT";
    case Method::kOther: return "_OTHER";
  }
  return "_OTHER";
}

Method parse_method(std::string_view text) noexcept {
  static constexpr Method kAll[] = {Method::kGet,   Method::kHead,    Method::kPost,
                                    Method::kPut,   Method::kDelete,  Method::kPatch,
                                    Method::kOptions, Method::kTrace, Method::kConnect};
  for (Method m : kAll) {
    if (to_string(m) == text) return m;
  }
  return Method::kOther;
}

namespace {
char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The eight bytes of `word` with ASCII 'A'..'Z' lowered (every other byte, 0x80-0xFF included,
// kept): per byte, "at least 'A'" and "above 'Z'" are the high bits of two additions on the
// low seven bits, which cannot carry into the next byte.
std::uint64_t lowered(std::uint64_t word) noexcept {
  const std::uint64_t low = word & ~telemetry::kByteHighs;
  const std::uint64_t at_least_a = low + 0x3f3f3f3f3f3f3f3full;  // 0x41 + 0x3f = 0x80
  const std::uint64_t above_z = low + 0x2525252525252525ull;     // 0x5b + 0x25 = 0x80
  const std::uint64_t upper = (at_least_a ^ above_z) & ~word & telemetry::kByteHighs;
  return word | (upper >> 2);  // 0x80 >> 2 = 0x20
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) {
      if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
  }
  // Eight bytes at a time (header names are 4-20 bytes), the last word overlapping the one before.
  const auto same = [&](std::size_t i) {
    const std::uint64_t x = telemetry::load_word(a.data() + i);
    const std::uint64_t y = telemetry::load_word(b.data() + i);
    return x == y || lowered(x) == lowered(y);
  };
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    if (!same(i)) return false;
  }
  return same(n - 8);
}

void Headers::add(std::string_view name, std::string_view value) {
  entries_.emplace_back(std::string(name), std::string(value));
}

void Headers::set(std::string_view name, std::string_view value) {
  remove(name);
  add(name, value);
}

void Headers::remove(std::string_view name) {
  std::erase_if(entries_, [&](const Entry& e) { return iequals(e.first, name); });
}

std::optional<std::string_view> Headers::get(std::string_view name) const noexcept {
  for (const auto& e : entries_) {
    if (iequals(e.first, name)) return std::string_view(e.second);
  }
  return std::nullopt;
}

std::optional<std::string> Headers::get_joined(std::string_view name) const {
  std::optional<std::string> out;
  for (const auto& e : entries_) {
    if (!iequals(e.first, name)) continue;
    if (out) {
      out->push_back(',');
      *out += e.second;
    } else {
      out = e.second;
    }
  }
  return out;
}

std::optional<std::string_view> Request::param(std::string_view name) const noexcept {
  for (const auto& p : path_params) {
    if (p.name == name) return std::string_view(p.value);
  }
  return std::nullopt;
}

std::optional<std::int64_t> Request::int_param(std::string_view name) const noexcept {
  auto value = param(name);
  if (!value) return std::nullopt;
  return parse_int64(*value);
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string key = percent_decode(pair.substr(0, eq), true);
    if (key != name) continue;
    return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true);
  }
  return std::nullopt;
}

bool Request::has_json_content_type() const noexcept {
  auto type = headers.get("content-type");
  if (!type) return false;
  std::string_view t = *type;
  t = t.substr(0, t.find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  if (iequals(t, "application/json")) return true;
  return t.size() > 5 && iequals(t.substr(t.size() - 5), "+json");
}

void Request::set_target(std::string_view method_token, std::string_view request_target) {
  method_text.assign(method_token);
  method = parse_method(method_token);
  target.assign(request_target);
  std::string_view origin = request_target;
  // absolute-form (RFC 9112 3.2.2), which servers must accept: "http://host:port/path?query".
  // The usual origin-form starts with '/' and is not searched for a scheme.
  const auto scheme_end = origin.starts_with('/') ? std::string_view::npos : origin.find("://");
  const bool absolute = scheme_end != std::string_view::npos &&
                        (iequals(origin.substr(0, scheme_end), "http") ||
                         iequals(origin.substr(0, scheme_end), "https"));
  if (absolute) {
    origin.remove_prefix(scheme_end + 3);
    const auto path_start = origin.find_first_of("/?");
    origin = path_start == std::string_view::npos ? std::string_view{} : origin.substr(path_start);
  }
  const auto q = origin.find('?');
  path.assign(origin.substr(0, q));
  if (absolute && path.empty()) path = "/";  // "http://host" names the root
  if (q == std::string_view::npos) {
    query.clear();
  } else {
    query.assign(origin.substr(q + 1));
  }
}

Response Response::json(int status, const boost::json::value& value) {
  return json_text(status, boost::json::serialize(value));
}

Response Response::json_text(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::html(int status, std::string body) {
  return text(status, std::move(body), "text/html; charset=utf-8");
}

Response Response::empty(int status) {
  Response r;
  r.status = status;
  return r;
}

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

std::string percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = hex_digit(text[i + 1]);
      const int lo = hex_digit(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return telemetry::is_valid_utf8(out) ? out : telemetry::to_valid_utf8(out);
}

std::optional<std::int64_t> parse_int64(std::string_view text) noexcept {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace tdemo::http
