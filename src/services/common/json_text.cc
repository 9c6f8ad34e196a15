#include "services/common/json_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <boost/json.hpp>

#include "http/json_syntax.h"
#include "telemetry/decimal.h"
#include "telemetry/log.h"

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
