#include "http/quick_read.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "telemetry/word_bytes.h"

namespace tdemo::http {
namespace {

// RFC 9110 tchar: what Beast's parser takes in a method and a header name.
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool is_token_char(char c) noexcept { return kTokenChars[static_cast<unsigned char>(c)]; }
// Printable ASCII: a request target's bytes here (Beast also takes obs-text, left to it).
bool is_visible(char c) noexcept { return c > ' ' && c < 0x7f; }
// A header value's bytes here: printable ASCII, space and tab.
bool is_value_char(char c) noexcept { return (c >= ' ' && c < 0x7f) || c == '\t'; }

// The first byte from `p` that is not is_value_char, eight at a time while all eight are
// printable ASCII (a word with a tab, a control byte, DEL or obs-text is checked byte by byte).
// Reads no further than `limit`; the scan stops at the header's final CR at the latest.
const char* skip_value_chars(const char* p, const char* limit) noexcept {
  while (limit - p >= 8) {
    const std::uint64_t word = telemetry::load_word(p);
    if (((word & telemetry::kByteHighs) | telemetry::byte_below_bits(word, 0x20) | telemetry::byte_bits(word, 0x7f)) != 0) break;
    p += 8;
  }
  while (is_value_char(*p)) ++p;
  return p;
}

// The header fields Beast's parser acts on, as the quick read sees them.
enum class Special { kNone, kContentLength, kConnection, kUnsupported };

Special special_field(std::string_view name) noexcept {
  switch (name.size()) {  // compared only when the length matches one of them
    case 6: return iequals(name, "expect") ? Special::kUnsupported : Special::kNone;
    case 7: return iequals(name, "upgrade") ? Special::kUnsupported : Special::kNone;
    case 10: return iequals(name, "connection") ? Special::kConnection : Special::kNone;
    case 14: return iequals(name, "content-length") ? Special::kContentLength : Special::kNone;
    case 16: return iequals(name, "proxy-connection") ? Special::kConnection : Special::kNone;
    case 17: return iequals(name, "transfer-encoding") ? Special::kUnsupported : Special::kNone;
    default: return Special::kNone;
  }
}

// What the header fields say about the message, as Beast's parser reads them.
struct Fields {
  bool close = false;       // a Connection (or Proxy-Connection) "close"
  bool keep_alive = false;  // a Connection (or Proxy-Connection) "keep-alive"
  std::optional<std::uint64_t> content_length;
};

// The header lines from `p` (after the start line) to `end` (just past the last line's CRLF)
// into `headers`, in wire order; false for anything left to Beast.
bool read_fields(const char* p, const char* end, Headers& headers, Fields& fields) {
  const char* const limit = end + 2;  // the blank line's end: the header's last byte
  headers.reserve(8);
  while (p < end) {  // each line: field-name ":" OWS field-value OWS CRLF
    const char* const name = p;
    while (is_token_char(*p)) ++p;
    if (p == name || *p != ':') return false;
    const std::string_view name_text(name, static_cast<std::size_t>(p - name));
    ++p;
    while (*p == ' ' || *p == '\t') ++p;
    const char* const value = p;
    p = skip_value_chars(p, limit);
    // The line must end here (a CR elsewhere, or bytes past printable ASCII, are Beast's);
    // a next line starting with white space would be obs-fold.
    if (p[0] != '\r' || p[1] != '\n' || p[2] == ' ' || p[2] == '\t') return false;
    const char* value_end = p;
    while (value_end != value && (value_end[-1] == ' ' || value_end[-1] == '\t')) --value_end;
    const std::string_view value_text(value, static_cast<std::size_t>(value_end - value));
    p += 2;
    switch (special_field(name_text)) {
      case Special::kNone: break;
      case Special::kUnsupported: return false;
      case Special::kConnection:
        if (iequals(value_text, "close")) {
          fields.close = true;
        } else if (iequals(value_text, "keep-alive")) {
          fields.keep_alive = true;
        } else {
          return false;  // a list, "upgrade", or anything Beast would weigh
        }
        break;
      case Special::kContentLength: {
        if (fields.content_length || value_text.empty() || value_text.size() > 18) return false;
        std::uint64_t length = 0;
        for (const char c : value_text) {
          if (c < '0' || c > '9') return false;
          length = length * 10 + static_cast<std::uint64_t>(c - '0');
        }
        fields.content_length = length;
        break;
      }
    }
    headers.add(name_text, value_text);
  }
  return true;
}

// The header's end (the offset of its blank line's CRLF CRLF) when it is whole within `limit`.
std::optional<std::size_t> find_header_end(std::string_view bytes, std::size_t limit) {
  const std::size_t end = bytes.substr(0, limit).find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  return end;
}

// "HTTP/1.0" or "HTTP/1.1" at `p` (at least 8 bytes before `end`): 10 or 11, else 0.
int read_version(const char* p, const char* end) {
  if (end - p < 8 || std::memcmp(p, "HTTP/1.", 7) != 0) return 0;
  return p[7] == '1' ? 11 : p[7] == '0' ? 10 : 0;
}

// Beast's keep_alive(): HTTP/1.1 stays open unless "close"; HTTP/1.0 closes unless "keep-alive".
bool keep_alive(int version, const Fields& fields) { return version == 11 ? !fields.close : fields.keep_alive; }

}  // namespace

std::optional<QuickRead> quick_read_request(std::string_view bytes, std::size_t max_header_bytes,
                                            std::size_t max_body_bytes, Request& out) {
  // The header must be whole within the limit (Beast answers 431 past it).
  const auto head_end = find_header_end(bytes, max_header_bytes);
  if (!head_end) return std::nullopt;
  const char* p = bytes.data();
  const char* const end = p + *head_end + 2;  // just past the last header line's CRLF

  // request-line = method SP request-target SP HTTP-version CRLF
  const char* const method = p;
  while (is_token_char(*p)) ++p;
  if (p == method || *p != ' ') return std::nullopt;
  const std::string_view method_text(method, static_cast<std::size_t>(p - method));
  const char* const target = ++p;
  while (is_visible(*p)) ++p;
  if (p == target || *p != ' ') return std::nullopt;
  const std::string_view target_text(target, static_cast<std::size_t>(p - target));
  ++p;
  const int version = read_version(p, end);
  if (version == 0 || end - p < 10 || p[8] != '\r' || p[9] != '\n') return std::nullopt;
  p += 10;
  out.set_target(method_text, target_text);
  out.version = version;
  Fields fields;
  if (!read_fields(p, end, out.headers, fields)) return std::nullopt;

  const std::size_t head_size = *head_end + 4;
  const std::uint64_t body_size = fields.content_length.value_or(0);
  if (body_size > max_body_bytes || body_size > bytes.size() - head_size) return std::nullopt;
  out.body.assign(bytes.data() + head_size, static_cast<std::size_t>(body_size));
  return QuickRead{head_size + static_cast<std::size_t>(body_size), keep_alive(version, fields)};
}

}  // namespace tdemo::http
