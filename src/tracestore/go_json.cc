#include "tracestore/go_json.h"

#include <cmath>
#include <type_traits>

#include "telemetry/utf8.h"

namespace tdemo::tracestore {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_escaped_byte(std::string& out, unsigned char c) {
  out += "\\u00";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

}  // namespace

void append_go_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '<':
        case '>':
        case '&':
          append_escaped_byte(out, c);
          break;
        default:
          if (c < 0x20) {
            append_escaped_byte(out, c);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    const std::size_t n = telemetry::utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
    } else if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += n;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  out.push_back('"');
}

std::string go_json_array(const telemetry::AttributeValue& value) {
  std::string out;
  const bool ok = std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                      std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          return false;
        } else {
          out.push_back('[');
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i > 0) out.push_back(',');
            if constexpr (std::is_same_v<T, std::vector<std::string>>) {
              append_go_json_string(out, v[i]);
            } else if constexpr (std::is_same_v<T, std::vector<bool>>) {
              out += v[i] ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
              out += std::to_string(v[i]);
            } else if (!append_go_json_number(out, v[i])) {
              return false;
            }
          }
          out.push_back(']');
          return true;
        }
      },
      value);
  if (!ok) out.clear();
  return out;
}

}  // namespace tdemo::tracestore
