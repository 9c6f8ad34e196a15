// Serving static files (Swagger UI assets, the trace store UI) with content types, ETag and
// Cache-Control.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace tdemo::http {

// "text/html; charset=utf-8", "application/javascript", "text/css", "image/png", ... by the
// extension of `path`; "application/octet-stream" when unknown.
std::string_view content_type_for(std::string_view path) noexcept;

// A strong ETag for `content` ("\"<16 hex digits>\"", a 64-bit FNV-1a hash).
std::string etag_for(std::string_view content);

// 200 with `content`, its content type (by `path`), ETag and Cache-Control
// ("public, max-age=<max_age_seconds>", or "no-cache" when 0); 304 without a body when the
// request's If-None-Match matches. HEAD is handled by the server.
Response static_file_response(const Request& request, std::string_view path,
                              std::string_view content, int max_age_seconds = 3600);

// Reads a file from disk (bounded by max_bytes); nullopt when missing/unreadable/too large.
std::optional<std::string> read_file(const std::string& filename,
                                     std::size_t max_bytes = 64 * 1024 * 1024);

}  // namespace tdemo::http
