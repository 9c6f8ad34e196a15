// Reading the messages almost every peer sends, whole in the buffer, in one pass without
// Beast's parser: a start line, plain header lines, and no body or a Content-Length one.
//
// Beast's parser costs ~4.5k instructions per request (callgrind, `POST /orders`): it looks
// every header name up in its table of ~350 known fields, turns the method into a verb, and
// checks every byte through a callback-driven state machine. The quick read accepts a strict
// subset of what Beast accepts and leaves everything else to it (the server tries it on the
// buffered bytes first): chunked bodies, Transfer-Encoding, Upgrade, Expect, any
// Connection value but one "close" or "keep-alive", a second Content-Length, obs-fold, bytes
// outside printable ASCII (obs-text), versions other than HTTP/1.0 and 1.1, a message not yet
// whole in the buffer, a header over the size limit. For every request it accepts, the result
// (method, target, version, headers in wire order with values trimmed as Beast trims them,
// body, keep-alive, bytes used) is Beast's: fuzz/http_request_fuzz.cc checks it on every input,
// quick_read_test.cc on each shape.
// Responses stay with Beast: the same reader for the client's answers measured no gain (untraced
// `GET /users/1` 47.1k -> 47.2k instructions; Beast's response path is cheaper, no verb, and
// the answers have three header fields).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "http/message.h"

namespace tdemo::http {

struct QuickRead {
  std::size_t size = 0;     // bytes of `bytes` the message took (the rest is the next one's)
  bool keep_alive = false;  // as Beast's parser.keep_alive() answers
};

// The request at the start of `bytes` into `out` (a fresh Request), when it has the common
// shape above, its header (request line to the blank line) is at most `max_header_bytes` and
// its body at most `max_body_bytes`. nullopt otherwise: `out` is then partly written and must
// be discarded, and Beast's parser reads the request from the same bytes.
std::optional<QuickRead> quick_read_request(std::string_view bytes, std::size_t max_header_bytes,
                                            std::size_t max_body_bytes, Request& out);

}  // namespace tdemo::http
