// A static file compiled into the binary (web UI assets, Swagger UI), see cmake/td_embed.cmake.
#pragma once

#include <string_view>

namespace tdemo::embedded {

struct EmbeddedFile {
  std::string_view path;          // relative to the embed's base dir, e.g. "app.js"
  std::string_view content_type;  // from the extension, e.g. "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted strong ETag from the content hash
  std::string_view data;          // the bytes
};

}  // namespace tdemo::embedded
