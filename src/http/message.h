// HTTP request and response values, independent of Beast (cheap to include).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/fwd.hpp>

namespace tdemo::http {

enum class Method : std::uint8_t {
  kGet, kHead, kPost, kPut, kDelete, kPatch, kOptions, kTrace, kConnect, kOther
};
// "GET", ...; "_OTHER" for kOther (the semantic-conventions spelling).
std::string_view to_string(Method method) noexcept;
// Case-sensitive, as HTTP methods are: "get" is kOther.
Method parse_method(std::string_view text) noexcept;

// ASCII case-insensitive comparison (header names, tokens).
bool iequals(std::string_view a, std::string_view b) noexcept;

// An ordered header list; names compare case-insensitively, repeated names are kept.
class Headers {
 public:
  using Entry = std::pair<std::string, std::string>;

  void add(std::string_view name, std::string_view value);
  // Replaces every value of `name` with one.
  void set(std::string_view name, std::string_view value);
  void remove(std::string_view name);
  // The first value of `name`.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  // Every value of `name` joined with "," (nullopt when absent).
  std::optional<std::string> get_joined(std::string_view name) const;
  bool contains(std::string_view name) const noexcept { return get(name).has_value(); }

  const std::vector<Entry>& entries() const noexcept { return entries_; }
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  void clear() noexcept { entries_.clear(); }
  void reserve(std::size_t n) { entries_.reserve(n); }
  auto begin() const noexcept { return entries_.begin(); }
  auto end() const noexcept { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
};

// A path parameter matched by the router: name and percent-decoded value.
struct PathParam {
  std::string name;
  std::string value;
};

// A received request. Owned by the connection that read it; handlers get a reference that is
// valid until their coroutine completes.
struct Request {
  Method method = Method::kGet;
  std::string method_text;  // as received, e.g. "GET" or an unknown token
  std::string target;       // as received: "/users/1?x=y" (or absolute-form "http://h/users/1")
  std::string path;         // target up to '?' without scheme and authority, not decoded
  std::string query;        // after '?', without it; empty when absent
  Headers headers;
  std::string body;
  int version = 11;         // 10 for HTTP/1.0, 11 for HTTP/1.1
  std::string client_address;
  std::uint16_t client_port = 0;
  std::string server_address;  // the local address the connection was accepted on
  std::uint16_t server_port = 0;
  std::vector<PathParam> path_params;  // filled by the router

  std::optional<std::string_view> header(std::string_view name) const noexcept {
    return headers.get(name);
  }
  // A matched path parameter (decoded).
  std::optional<std::string_view> param(std::string_view name) const noexcept;
  // A path parameter parsed as a base-10 int64 (nullopt when absent or not an integer; the
  // router has already answered 422 for declared integer parameters that do not parse).
  std::optional<std::int64_t> int_param(std::string_view name) const noexcept;
  // The first query parameter `name`, percent- and '+'-decoded.
  std::optional<std::string> query_param(std::string_view name) const;
  // True when Content-Type is application/json or */*+json (parameters ignored).
  bool has_json_content_type() const noexcept;
  // Sets method/method_text, target, path and query from a method token and a target in
  // origin-form ("/a?b") or absolute-form ("http://host/a?b": scheme and authority dropped).
  void set_target(std::string_view method_token, std::string_view request_target);
};

// A response to send. content_type, when not empty, becomes the Content-Type header; the
// server adds Content-Length, Date-free minimal headers, and traceresponse.
struct Response {
  int status = 200;
  std::string content_type;
  Headers headers;
  std::string body;
  bool close = false;  // close the connection after sending

  // `value` serialized; content type application/json.
  static Response json(int status, const boost::json::value& value);
  // An already-serialized JSON body.
  static Response json_text(int status, std::string body);
  static Response text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  static Response html(int status, std::string body);
  static Response empty(int status);
};

// "OK", "Not Found", ...; "" for unknown codes.
std::string_view reason_phrase(int status) noexcept;

// Percent-decodes `text`; with plus_as_space, '+' becomes ' ' (query strings). Invalid escapes
// are kept verbatim. The result is always valid UTF-8: bytes that do not form UTF-8 become
// U+FFFD, as Python's urllib.parse.unquote does, so decoded parameters are text that can be
// echoed in JSON.
std::string percent_decode(std::string_view text, bool plus_as_space = false);
// Strict base-10 int64 (optional leading '-' or '+'; no spaces; overflow -> nullopt).
std::optional<std::int64_t> parse_int64(std::string_view text) noexcept;

}  // namespace tdemo::http
