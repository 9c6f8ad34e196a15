#include "http/message_writer.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <ostream>  // Beast's status.hpp needs it
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/status.hpp>

#include "telemetry/decimal.h"
#include "telemetry/word_bytes.h"

namespace tdemo::http {
namespace {

bool no_body_status(int status) noexcept { return status == 204 || status == 304 || status < 200; }

// Ours for the codes the services use, else Beast's table (every registered code); "" when
// neither knows it (the reason phrase may be empty, RFC 9112 §4).
std::string_view reason_for(int status) noexcept {
  const std::string_view ours = reason_phrase(status);
  if (!ours.empty() || status < 100 || status > 999) return ours;
  const auto known = boost::beast::http::int_to_status(static_cast<unsigned>(status));
  if (known == boost::beast::http::status::unknown) return {};
  const auto text = boost::beast::http::obsolete_reason(known);
  return std::string_view(text.data(), text.size());
}

void write_status_line(std::string& out, int version, int status) {
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  telemetry::append_decimal(out, static_cast<std::uint64_t>(status < 0 ? 0 : status));
  out += ' ';
  out += reason_for(status);
  out += "\r\n";
}

// "HTTP/1.1 200 OK\r\n": HTTP/1.1's lines for 100-599 from a table written once; others
// written each time.
void append_status_line(std::string& out, int version, int status) {
  constexpr int kFirst = 100, kLast = 599;
  static const auto lines = [] {
    std::array<std::string, kLast - kFirst + 1> table;
    for (int code = kFirst; code <= kLast; ++code) write_status_line(table[code - kFirst], 11, code);
    return table;
  }();
  if (version != 10 && status >= kFirst && status <= kLast) {
    out += lines[status - kFirst];
  } else {
    write_status_line(out, version, status);
  }
}

// No CR, LF or NUL: eight bytes per step (a traceresponse value is 55), the tail byte by byte.
// (string_view::find_first_of with a set calls memchr once per character.)
bool safe(std::string_view text) noexcept {
  const char* p = text.data();
  std::size_t n = text.size();
  for (; n >= 8; p += 8, n -= 8) {
    const std::uint64_t word = telemetry::load_word(p);
    if ((telemetry::zero_byte_bits(word) | telemetry::byte_bits(word, '\r') | telemetry::byte_bits(word, '\n')) != 0) {
      return false;
    }
  }
  for (; n > 0; ++p, --n) {
    if (*p == '\r' || *p == '\n' || *p == '\0') return false;
  }
  return true;
}

// Header names the writer sets itself.
bool framing_header(std::string_view name) noexcept {
  return iequals(name, "connection") || iequals(name, "content-length") ||
         iequals(name, "transfer-encoding");
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

void append_content_length(std::string& out, std::size_t size) {
  out += "Content-Length: ";
  telemetry::append_decimal(out, static_cast<std::uint64_t>(size));
  out += "\r\n";
}

}  // namespace

std::string serialize_request_head(std::string_view method, std::string_view target,
                                   std::string_view host, std::string_view user_agent,
                                   const Headers& headers, std::string_view content_type,
                                   std::size_t body_size) {
  // Beast's set(): a name set again is erased and appended, so the fields end in the order of
  // each name's last setting. At most a few dozen fields: a linear scan is enough.
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  fields.reserve(headers.size() + 3);
  const auto set = [&fields](std::string_view name, std::string_view value) {
    if (name.empty() || !safe(name) || !safe(value) || framing_header(name)) return;
    std::erase_if(fields, [name](const auto& field) { return iequals(field.first, name); });
    fields.emplace_back(name, value);
  };
  set("Host", host);
  if (!user_agent.empty()) set("User-Agent", user_agent);
  for (const auto& [name, value] : headers) set(name, value);
  if (!content_type.empty()) set("Content-Type", content_type);

  std::string out;
  out.reserve(64 + target.size() + fields.size() * 48);
  out += method;
  out += ' ';
  out += target;
  out += " HTTP/1.1\r\n";
  for (const auto& [name, value] : fields) append_header(out, name, value);
  if (body_size > 0 || method == "POST" || method == "PUT" || method == "OPTIONS") {
    append_content_length(out, body_size);
  }
  out += "\r\n";
  return out;
}

bool response_has_body(const Response& response, bool head_only) noexcept {
  return !head_only && !no_body_status(response.status);
}

std::string serialize_response_head(const Response& response, int version, bool keep_alive) {
  std::string out;
  out.reserve(128 + response.headers.size() * 48);
  append_status_line(out, version, response.status);
  const bool has_content_type = !response.content_type.empty() && safe(response.content_type);
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || !safe(name) || !safe(value) || framing_header(name) ||
        (has_content_type && iequals(name, "content-type"))) {
      continue;
    }
    append_header(out, name, value);
  }
  if (has_content_type) append_header(out, "Content-Type", response.content_type);
  if (!no_body_status(response.status)) append_content_length(out, response.body.size());
  if (version == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

}  // namespace tdemo::http
