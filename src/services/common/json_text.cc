#include "services/common/json_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <boost/json.hpp>

#include "http/json_syntax.h"
#include "telemetry/decimal.h"
#include "telemetry/log.h"
#include "telemetry/utf8.h"
#include "telemetry/word_bytes.h"

namespace tdemo::services {
namespace {

void write(const boost::json::value& value, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::null: out += "null"; return;
    case boost::json::kind::bool_: out += value.get_bool() ? "true" : "false"; return;
    case boost::json::kind::int64: telemetry::append_decimal(out, value.get_int64()); return;
    case boost::json::kind::uint64: telemetry::append_decimal(out, value.get_uint64()); return;
    case boost::json::kind::double_: append_json_double(out, value.get_double()); return;
    case boost::json::kind::string: append_json_string(out, value.get_string()); return;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out += ',';
        first = false;
        write(item, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.get_object()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        write(item, out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

void append_json_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  telemetry::append_json_escaped(out, text);
  out += '"';
}

void append_json_int(std::string& out, std::int64_t value) { telemetry::append_decimal(out, value); }

void append_json_double(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";  // JSON has no NaN/Infinity
    return;
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  const std::string_view text(buffer, static_cast<std::size_t>((ec == std::errc() ? end : buffer) - buffer));
  out += text;
  // (Not find_first_of(".eE"): it calls memchr once per character.)
  if (std::ranges::none_of(text, [](char c) { return c == '.' || c == 'e' || c == 'E'; })) out += ".0";
}

JsonObjectWriter::JsonObjectWriter(std::size_t reserve) {
  out_.reserve(reserve);
  out_ += '{';
}

void JsonObjectWriter::key(std::string_view key) {
  if (out_.size() > 1) out_ += ',';
  append_json_key(out_, key);
}

JsonObjectWriter& JsonObjectWriter::field(std::string_view key, std::string_view value) {
  this->key(key);
  append_json_string(out_, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::field(std::string_view key, std::int64_t value) {
  this->key(key);
  append_json_int(out_, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::field(std::string_view key, double value) {
  this->key(key);
  append_json_double(out_, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::null_field(std::string_view key) {
  this->key(key);
  out_ += "null";
  return *this;
}

JsonObjectWriter& JsonObjectWriter::json_field(std::string_view key, std::string_view json) {
  this->key(key);
  out_ += json;
  return *this;
}

std::string JsonObjectWriter::take() {
  out_ += '}';
  std::string text = std::move(out_);
  out_.clear();
  out_ += '{';
  return text;
}

namespace {

// The value of the four hex digits at text[at], or -1.
int hex4(std::string_view text, std::size_t at) noexcept {
  if (at + 4 > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const char c = text[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return -1;
    }
    value = value * 16 + digit;
  }
  return value;
}

}  // namespace

std::size_t json_string_length(std::string_view text) noexcept {
  if (text.empty() || text[0] != '"') return 0;
  std::size_t i = 1;
  while (i < text.size()) {
    // Plain runs a word at a time (a word holding 0x7f, which JSON lets stand, goes byte by byte).
    while (i + 8 <= text.size() && !telemetry::word_needs_json_escape(telemetry::load_word(text.data() + i))) i += 8;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"') return i + 1;
    if (c < 0x20) return 0;
    if (c >= 0x80) {
      const std::size_t length = telemetry::utf8_sequence_length(text, i);
      if (length == 0) return 0;
      i += length;
      continue;
    }
    if (c != '\\') {
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) return 0;
    switch (text[i + 1]) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        i += 2;
        continue;
      case 'u':
        break;
      default:
        return 0;
    }
    const int unit = hex4(text, i + 2);
    if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) return 0;  // a low surrogate first
    i += 6;
    if (unit >= 0xD800 && unit <= 0xDBFF) {  // a high surrogate: its low one must follow
      if (i + 1 >= text.size() || text[i] != '\\' || text[i + 1] != 'u') return 0;
      const int low = hex4(text, i + 2);
      if (low < 0xDC00 || low > 0xDFFF) return 0;
      i += 6;
    }
  }
  return 0;
}

bool is_json_text(std::string_view text) {
  return !http::check_json_syntax(text, boost::json::parse_options{}.max_depth).error;
}

std::string to_json_text(const boost::json::value& value) {
  std::string out;
  out.reserve(256);
  write(value, out);
  return out;
}

http::Response json_response(int status, const boost::json::value& value) {
  return http::Response::json_text(status, to_json_text(value));
}

}  // namespace tdemo::services
