#include "tracestore/terminal_view.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <vector>

namespace tdemo::tracestore {
namespace json = boost::json;
namespace {

std::string format_duration_us(std::int64_t us) {
  char buf[32];
  if (us < 1000) std::snprintf(buf, sizeof buf, "%lldus", static_cast<long long>(us));
  else if (us < 1'000'000) std::snprintf(buf, sizeof buf, "%.2fms", static_cast<double>(us) / 1e3);
  else std::snprintf(buf, sizeof buf, "%.2fs", static_cast<double>(us) / 1e6);
  return buf;
}

std::string format_time_us(std::int64_t us) {
  const std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>((us / 1000) % 1000));
  return out;
}

std::int64_t int_of(const json::value& v) { return v.is_int64() ? v.as_int64() : v.is_uint64() ? static_cast<std::int64_t>(v.as_uint64()) : 0; }

std::string str_of(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : std::string(); }

// Removes control characters so span data cannot drive the terminal (escape sequences).
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
  return out;
}

bool has_error(const json::object& span) {
  for (const auto& t : span.at("tags").as_array()) {
    const auto& tag = t.as_object();
    if (tag.at("key").as_string() == "error" && tag.at("value").is_bool() && tag.at("value").as_bool()) return true;
  }
  return false;
}

std::string parent_of(const json::object& span) {
  for (const auto& r : span.at("references").as_array()) {
    if (r.as_object().at("refType").as_string() == "CHILD_OF") return str_of(r.as_object().at("spanID"));
  }
  return {};
}

}  // namespace

std::string render_waterfall(const json::object& trace, std::size_t width) {
  const auto& spans = trace.at("spans").as_array();
  const auto& processes = trace.at("processes").as_object();
  std::map<std::string, std::vector<const json::object*>> children;
  std::set<std::string> ids;
  std::int64_t begin = INT64_MAX, end = 0;
  for (const auto& v : spans) {
    const auto& s = v.as_object();
    ids.insert(str_of(s.at("spanID")));
    begin = std::min(begin, int_of(s.at("startTime")));
    end = std::max(end, int_of(s.at("startTime")) + int_of(s.at("duration")));
  }
  for (const auto& v : spans) {
    const auto& s = v.as_object();
    std::string parent = parent_of(s);
    if (!ids.count(parent)) parent.clear();  // a root, or an orphan whose parent is missing
    children[parent].push_back(&s);
  }
  for (auto& [p, list] : children) {
    std::sort(list.begin(), list.end(), [](const json::object* a, const json::object* b) {
      return int_of(a->at("startTime")) < int_of(b->at("startTime"));
    });
  }
  const double total = static_cast<double>(std::max<std::int64_t>(1, end - begin));
  std::string out = "Trace " + str_of(trace.at("traceID")) + "  " + std::to_string(spans.size()) +
                    " spans  " + format_duration_us(end - begin) + "  started " + format_time_us(begin) + "\n";
  std::vector<std::pair<const json::object*, int>> stack;
  auto roots = children[""];
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.emplace_back(*it, 0);
  while (!stack.empty()) {
    auto [s, depth] = stack.back();
    stack.pop_back();
    const std::int64_t start = int_of(s->at("startTime")) - begin;
    const std::int64_t dur = int_of(s->at("duration"));
    const auto from = static_cast<std::size_t>(static_cast<double>(start) / total * static_cast<double>(width));
    auto len = static_cast<std::size_t>(static_cast<double>(dur) / total * static_cast<double>(width));
    len = std::max<std::size_t>(1, std::min(len, width - std::min(from, width - 1)));
    std::string bar(width, ' ');
    for (std::size_t i = from; i < std::min(width, from + len); ++i) bar[i] = '=';
    std::string service;
    if (auto* p = processes.if_contains(str_of(s->at("processID")))) service = str_of(p->as_object().at("serviceName"));
    std::string label = std::string(static_cast<std::size_t>(depth) * 2, ' ') + printable(service) + ": " +
                        printable(str_of(s->at("operationName")));
    if (label.size() > 60) label = label.substr(0, 57) + "...";
    char line[512];
    std::snprintf(line, sizeof line, "%-60s |%s| %10s%s\n", label.c_str(), bar.c_str(),
                  format_duration_us(dur).c_str(), has_error(*s) ? "  ERROR" : "");
    out += line;
    const auto& kids = children[str_of(s->at("spanID"))];
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.emplace_back(*it, depth + 1);
  }
  return out;
}

std::string render_search_table(const json::array& traces) {
  char line[512];
  std::snprintf(line, sizeof line, "%-32s  %-40s %6s %6s %10s  %s\n", "TRACE ID", "ROOT", "SPANS", "ERRORS",
                "DURATION", "START");
  std::string out = line;
  for (const auto& v : traces) {
    const auto& t = v.as_object();
    const auto& spans = t.at("spans").as_array();
    std::int64_t begin = INT64_MAX, end = 0;
    int errors = 0;
    std::string root = "(missing root)";
    for (const auto& sv : spans) {
      const auto& s = sv.as_object();
      begin = std::min(begin, int_of(s.at("startTime")));
      end = std::max(end, int_of(s.at("startTime")) + int_of(s.at("duration")));
      if (has_error(s)) ++errors;
      if (parent_of(s).empty()) {
        std::string service;
        if (auto* p = t.at("processes").as_object().if_contains(str_of(s.at("processID"))))
          service = str_of(p->as_object().at("serviceName"));
        root = service + ": " + str_of(s.at("operationName"));
      }
    }
    root = printable(root);
    if (root.size() > 40) root = root.substr(0, 37) + "...";
    std::snprintf(line, sizeof line, "%-32s  %-40s %6zu %6d %10s  %s\n", printable(str_of(t.at("traceID"))).c_str(),
                  root.c_str(), spans.size(), errors, format_duration_us(end - begin).c_str(),
                  spans.empty() ? "" : format_time_us(begin).c_str());
    out += line;
  }
  if (traces.empty()) out += "(no traces)\n";
  return out;
}

SimpleResponse blocking_get(const std::string& host, std::uint16_t port, const std::string& target,
                            const std::string& bearer_token, int timeout_ms) {
  SimpleResponse result;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addresses) != 0 || !addresses) {
    result.body = "cannot resolve " + host;
    return result;
  }
  const int fd = socket(addresses->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool connected = fd >= 0 && connect(fd, addresses->ai_addr, addresses->ai_addrlen) == 0;
  freeaddrinfo(addresses);
  if (!connected) {
    if (fd >= 0) close(fd);
    result.body = "cannot connect to " + host + ":" + std::to_string(port);
    return result;
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n";
  if (!bearer_token.empty()) request += "Authorization: Bearer " + bearer_token + "\r\n";
  request += "\r\n";
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    close(fd);
    result.body = "send failed";
    return result;
  }
  std::string response;
  char buf[16384];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) {
      close(fd);
      result.body = "timeout";
      return result;
    }
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    response.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  const std::size_t head_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos || response.size() < 12) {
    result.body = "malformed response";
    return result;
  }
  result.status = std::atoi(response.c_str() + 9);
  std::string body = response.substr(head_end + 4);
  std::string head = response.substr(0, head_end);
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (head.find("transfer-encoding: chunked") != std::string::npos) {
    std::string decoded;
    std::size_t pos = 0;
    while (pos < body.size()) {
      const std::size_t eol = body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const std::size_t size = std::strtoul(body.c_str() + pos, nullptr, 16);
      if (size == 0) break;
      decoded += body.substr(eol + 2, size);
      pos = eol + 2 + size + 2;
    }
    body = std::move(decoded);
  }
  result.body = std::move(body);
  return result;
}

}  // namespace tdemo::tracestore
