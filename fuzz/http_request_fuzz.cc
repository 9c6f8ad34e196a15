// Fuzzes the server's request path over raw bytes: Beast's parser with the server's default
// limits (request_reader.h), the answer to a failed read, the conversion to a Request, and
// what every handler does next (JSON body parsing, query parameters).
// Up to four pipelined requests are read from one input, as on a keep-alive connection.
// Checks: the server's parser (RequestParser) answers exactly as Beast's request_parser (same
// error and bytes consumed, or the same method, target, version, headers (each name's values in
// order), body, keep-alive); the quick read (quick_read.h), whenever it takes a request, reads
// the same as RequestParser;
// a failed read is answered 400/413/431 with a JSON body (or closes, only when the
// input ends mid-message); a parsed request keeps the server's limits, has header values
// without CR/LF and a lossless method/target/path/query split, and written out again in a
// canonical form (Content-Length body) parses to the same Request.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json.hpp>
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "http/errors.h"
#include "http/message.h"
#include "http/quick_read.h"
#include "http/request_reader.h"
#include "http/server.h"

using namespace tdemo::http;
namespace bhttp = boost::beast::http;

namespace {

struct ReadResult {
  std::optional<Request> request;
  bool keep_alive = false;
  boost::system::error_code error;
  std::size_t consumed = 0;
};

// Reads one message from `bytes` as the server's read loop does, with the input ending
// (end of stream) where the bytes end. Parser: the server's RequestParser or, to check it
// against, Beast's own request_parser.
template <class Parser>
ReadResult read_one(std::string_view bytes, const ServerOptions& options) {
  ReadResult out;
  Parser parser;
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
  parser.eager(true);
  while (!parser.is_done()) {
    boost::system::error_code ec;
    const std::size_t n = parser.put(
        boost::asio::buffer(bytes.data() + out.consumed, bytes.size() - out.consumed), ec);
    out.consumed += n;
    if (ec && ec != bhttp::error::need_more) {
      out.error = ec;
      return out;
    }
    if (n > 0 || parser.is_done()) continue;
    // No progress: the parser needs more than is left, and the peer has closed.
    parser.put_eof(ec);
    if (ec || !parser.is_done()) {
      out.error = out.consumed == 0 ? bhttp::error::end_of_stream
                  : ec              ? ec
                                    : bhttp::error::partial_message;
      return out;
    }
  }
  out.keep_alive = parser.keep_alive();
  if constexpr (std::is_same_v<Parser, RequestParser>) {
    out.request = take_request(parser, Peers{});
  } else {
    auto message = parser.release();
    Request request;
    request.set_target(std::string_view(message.method_string()), std::string_view(message.target()));
    request.version = message.version() == 10 ? 10 : 11;
    for (const auto& field : message) {
      request.headers.add(std::string_view(field.name_string()), std::string_view(field.value()));
    }
    request.body = std::move(message.body());
    out.request = std::move(request);
  }
  return out;
}

// Header entries grouped by name (case-insensitively), each name's values in their order:
// Beast's fields list puts a repeated name after its earlier values, the server's parser keeps
// the order of the wire; within one name both keep the order.
std::vector<Headers::Entry> grouped(const Headers& headers) {
  std::vector<Headers::Entry> out(headers.begin(), headers.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return std::lexicographical_compare(x.first.begin(), x.first.end(), y.first.begin(), y.first.end(),
                                        [](char p, char q) { return std::tolower(static_cast<unsigned char>(p)) <
                                                                    std::tolower(static_cast<unsigned char>(q)); });
  });
  return out;
}

// The same request line, version and body (headers are compared by each caller: grouped by
// name against Beast, in wire order against the quick read).
bool same_line_and_body(const Request& a, const Request& b) {
  return a.method == b.method && a.method_text == b.method_text && a.target == b.target && a.path == b.path &&
         a.query == b.query && a.version == b.version && a.body == b.body;
}

// The server's parser and Beast's give the same answer: the same error, or the same request.
void check_same_as_beast(std::string_view bytes, const ServerOptions& options, const ReadResult& ours) {
  const ReadResult beast = read_one<bhttp::request_parser<bhttp::string_body>>(bytes, options);
  if (beast.error != ours.error || beast.consumed != ours.consumed ||
      beast.request.has_value() != ours.request.has_value()) {
    std::abort();
  }
  if (!ours.request) return;
  const Request& a = *ours.request;
  const Request& b = *beast.request;
  if (!same_line_and_body(a, b) || grouped(a.headers) != grouped(b.headers) || ours.keep_alive != beast.keep_alive) {
    std::abort();
  }
}

// The quick read (the server's path for the usual request), when it takes the request, reads
// exactly what the server's Beast parser reads: the same bytes, request and keep-alive.
void check_quick_read(std::string_view bytes, const ServerOptions& options, const ReadResult& ours) {
  Request quick;
  const auto read = quick_read_request(bytes, options.max_header_bytes, options.max_body_bytes, quick);
  if (!read) return;
  if (!ours.request || ours.consumed != read->size || ours.keep_alive != read->keep_alive) std::abort();
  if (!same_line_and_body(*ours.request, quick) || ours.request->headers.entries() != quick.headers.entries()) {
    std::abort();
  }
}

// The path and query split off the target lose nothing: they are the target itself, or, for an
// http(s) absolute-form target, its end (with "/" standing for an empty path).
bool split_is_lossless(const Request& request) {
  const std::string_view target = request.target;
  const bool has_query = target.find('?') != std::string_view::npos;
  const std::string rebuilt = request.path + (has_query ? "?" + request.query : "");
  if (rebuilt == target) return true;
  const auto scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos || (!iequals(target.substr(0, scheme_end), "http") &&
                                               !iequals(target.substr(0, scheme_end), "https"))) {
    return false;
  }
  const std::string_view rest = target.substr(scheme_end + 3);
  if (rest.ends_with(rebuilt)) return true;
  return request.path == "/" && rest.ends_with(std::string_view(rebuilt).substr(1));
}

// The request written back canonically: request line, headers without framing, then
// Content-Length and the body.
std::string canonical(const Request& request) {
  std::string out = request.method_text + " " + request.target + " HTTP/1." +
                    (request.version == 10 ? "0" : "1") + "\r\n";
  for (const auto& [name, value] : request.headers) {
    if (iequals(name, "content-length") || iequals(name, "transfer-encoding")) continue;
    out += name + ": " + value + "\r\n";
  }
  out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n\r\n" + request.body;
  return out;
}

void check_error_answer(const Response& response) {
  if (response.status != 400 && response.status != 413 && response.status != 431) std::abort();
  boost::system::error_code ec;
  const auto body = boost::json::parse(response.body, ec);
  if (ec || !body.is_object() || !body.as_object().contains("detail")) std::abort();
}

// What handlers do with a request: must not crash, and answer 415/422 or give a value.
void use_like_handlers(const Request& request) {
  auto body = parse_json_body(request);
  if (body.error && body.error->status != 415 && body.error->status != 422) std::abort();
  (void)request.query_param("limit");
  (void)request.headers.get_joined("traceparent");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static const ServerOptions options;
  for (int i = 0; i < 4 && !bytes.empty(); ++i) {
    ReadResult read = read_one<RequestParser>(bytes, options);
    check_same_as_beast(bytes, options, read);
    check_quick_read(bytes, options, read);
    if (!read.request) {
      auto answer = read_error_response(read.error);
      if (answer) {
        check_error_answer(*answer);
      } else if (read.error != bhttp::error::partial_message &&
                 read.error != bhttp::error::end_of_stream) {
        std::abort();  // with every byte available only a cut-short message closes silently
      }
      return 0;
    }
    bytes.remove_prefix(read.consumed);
    Request request = std::move(*read.request);
    if (request.body.size() > options.max_body_bytes) std::abort();
    if (!split_is_lossless(request)) std::abort();
    for (const auto& [name, value] : request.headers) {
      if (name.empty() || value.find_first_of("\r\n") != std::string::npos) std::abort();
    }

    ServerOptions roomy;  // the canonical form may be a little longer than the original
    roomy.max_header_bytes = options.max_header_bytes * 2 + 64;
    const std::string again_bytes = canonical(request);
    ReadResult again = read_one<RequestParser>(again_bytes, roomy);
    if (!again.request || again.consumed != again_bytes.size()) std::abort();
    const Request second = std::move(*again.request);
    if (second.method_text != request.method_text || second.target != request.target ||
        second.version != request.version || second.body != request.body) {
      std::abort();
    }
    std::size_t expected_headers = 0;
    for (const auto& [name, value] : request.headers) {
      if (iequals(name, "content-length") || iequals(name, "transfer-encoding")) continue;
      const auto& entries = second.headers.entries();
      if (expected_headers >= entries.size() || entries[expected_headers].first != name ||
          entries[expected_headers].second != value) {
        std::abort();
      }
      ++expected_headers;
    }
    use_like_handlers(request);
  }
  return 0;
}
