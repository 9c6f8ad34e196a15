#include "services/common/json_text.h"

#include <charconv>
#include <cmath>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

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

// Accepts every event: basic_parser alone checks the grammar, depth and UTF-8.
struct AcceptingHandler {
  using error_code = boost::system::error_code;
  using string_view = boost::json::string_view;
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t, error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_key_part(string_view, std::size_t, error_code&) { return true; }
  bool on_key(string_view, std::size_t, error_code&) { return true; }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
  bool on_double(double, string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

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
  if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
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
  boost::json::basic_parser<AcceptingHandler> parser(boost::json::parse_options{});
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  return !ec && used == text.size();
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
