// HTTP/1.x message heads, for the server's responses and the client's requests: the start line
// and headers in one string, the body sent beside it as a second buffer (one gather write, no
// copy of the body). Cheaper than building a Beast message (a heap node per header field) and
// running Beast's serializer for every message.
#pragma once

#include <string>
#include <string_view>

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

// The head of an HTTP/1.1 request for `target` (origin form, "/path?query") with keep-alive, as
// Beast's request message would write it after set() of each field and prepare_payload():
// - Host, then User-Agent when not empty; then `headers` in order, a name (any case) set again
//   replacing the earlier value in its place of the latest; then Content-Type when not empty;
// - Content-Length: the body's size when it is not empty, and 0 for an empty body of POST, PUT
//   and OPTIONS (methods that take one); none for other empty requests;
// - Connection, Content-Length and Transfer-Encoding in `headers` are ignored (the client owns
//   framing), as is any header whose name or value holds CR, LF or NUL (no request splitting).
std::string serialize_request_head(std::string_view method, std::string_view target,
                                   std::string_view host, std::string_view user_agent,
                                   const Headers& headers, std::string_view content_type,
                                   std::size_t body_size);

// Whether the response carries its body: not for HEAD (head_only) and not for 1xx, 204, 304.
bool response_has_body(const Response& response, bool head_only) noexcept;

}  // namespace tdemo::http
