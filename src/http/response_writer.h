// HTTP/1.x response serialization for the server: the status line and headers in one string,
// the body sent beside it as a second buffer (one gather write, no copy of the body). Cheaper
// than building a Beast message (a heap node per header field) for every response.
#pragma once

#include <string>

#include "http/message.h"

namespace tdemo::http {

// The head (status line, headers, blank line) of `response` for a request of HTTP `version`
// (10 or 11):
// - Content-Type from response.content_type (replacing one in response.headers);
// - Content-Length: the body's size, except for 1xx, 204 and 304, which have no body;
// - Connection: "close" on HTTP/1.1 when !keep_alive, "keep-alive" on HTTP/1.0 when keep_alive;
// - Connection, Content-Length and Transfer-Encoding in response.headers are ignored (the
//   server owns framing), as is any header whose name or value holds CR, LF or NUL (no
//   response splitting).
std::string serialize_response_head(const Response& response, int version, bool keep_alive);

// Whether the response carries its body: not for HEAD (head_only) and not for 1xx, 204, 304.
bool response_has_body(const Response& response, bool head_only) noexcept;

}  // namespace tdemo::http
