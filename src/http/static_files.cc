#include "http/static_files.h"

#include <cstdint>
#include <fstream>
#include <sstream>

namespace tdemo::http {

std::string_view content_type_for(std::string_view path) noexcept {
  struct Entry { std::string_view extension, type; };
  static constexpr Entry kTypes[] = {
      {".html", "text/html; charset=utf-8"},       {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},         {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},  {".json", "application/json"},
      {".map", "application/json"},                {".svg", "image/svg+xml"},
      {".png", "image/png"},                       {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},                     {".gif", "image/gif"},
      {".ico", "image/x-icon"},                    {".webp", "image/webp"},
      {".woff", "font/woff"},                      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},                        {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
  };
  const auto dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) {
    return "application/octet-stream";
  }
  const std::string_view extension = path.substr(dot);
  for (const auto& e : kTypes) {
    if (iequals(e.extension, extension)) return e.type;
  }
  return "application/octet-stream";
}

std::string etag_for(std::string_view content) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
  for (unsigned char c : content) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) tag.push_back(kHex[(hash >> shift) & 0xf]);
  tag.push_back('"');
  return tag;
}

namespace {

// True when an If-None-Match list contains `tag` (or "*"); weak tags compare weakly.
bool none_match(std::string_view header, std::string_view tag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == tag) return true;
  }
  return false;
}

}  // namespace

Response static_file_response(const Request& request, std::string_view path,
                              std::string_view content, int max_age_seconds) {
  const std::string tag = etag_for(content);
  const std::string cache_control =
      max_age_seconds > 0 ? "public, max-age=" + std::to_string(max_age_seconds) : "no-cache";
  if (auto inm = request.headers.get("if-none-match"); inm && none_match(*inm, tag)) {
    Response r = Response::empty(304);
    r.headers.set("ETag", tag);
    r.headers.set("Cache-Control", cache_control);
    return r;
  }
  Response r = Response::text(200, std::string(content), std::string(content_type_for(path)));
  r.headers.set("ETag", tag);
  r.headers.set("Cache-Control", cache_control);
  return r;
}

std::optional<std::string> read_file(const std::string& filename, std::size_t max_bytes) {
  std::ifstream in(filename, std::ios::binary);
  if (!in) return std::nullopt;
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  if (size < 0 || static_cast<std::uint64_t>(size) > max_bytes) return std::nullopt;
  in.seekg(0);
  std::string data(static_cast<std::size_t>(size), '\0');
  if (!in.read(data.data(), size)) return std::nullopt;
  return data;
}

}  // namespace tdemo::http
