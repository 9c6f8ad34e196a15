// Fuzzes the router and request-target handling with arbitrary "METHOD TARGET" lines (no space:
// the whole input is a GET target) against the services' and trace store's route shapes.
// Checks: a match is the right method (or HEAD through GET) with one decoded value per
// parameter segment; re-encoding those values into the pattern matches the same route with the
// same values; declared integer parameters either parse or give 422; unmatched requests get
// 404/405/204 with Allow; the target (origin- or absolute-form) splits into path and query
// losslessly; decoded text is valid UTF-8; query values and percent-decoding survive an
// encode -> decode round trip.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/errors.h"
#include "http/message.h"
#include "http/router.h"
#include "telemetry/utf8.h"

using namespace tdemo::http;
using tdemo::telemetry::is_valid_utf8;
using tdemo::telemetry::to_valid_utf8;

namespace {

boost::asio::awaitable<Response> no_op(RequestContext&) { co_return Response::empty(204); }

RouteDoc with_params(std::vector<ParamDoc> params) {
  RouteDoc doc;
  doc.params = std::move(params);
  return doc;
}

const Router& routes() {
  static const Router router = [] {
    Router r;
    const auto integer = [](std::string name) { return path_param(name, ParamType::kInteger); };
    r.get("/", no_op).get("/health", no_op).get("/metrics", no_op).get("/docs", no_op);
    r.get("/openapi.json", no_op);
    r.get("/users/{user_id}", no_op, with_params({integer("user_id")}));
    r.post("/users", no_op);
    r.get("/orders/{order_id}", no_op, with_params({integer("order_id")}));
    r.post("/orders", no_op);
    r.post("/orders/{order_id}/pay", no_op, with_params({integer("order_id")}));
    r.post("/payments", no_op);
    r.get("/payments/{payment_id}", no_op, with_params({integer("payment_id")}));
    r.get("/demo/full-flow/{user_id}", no_op, with_params({integer("user_id")}));
    r.get("/api/services", no_op);
    r.get("/api/services/{service}/operations", no_op);
    r.get("/api/traces", no_op,
          with_params({query_param("limit", ParamType::kInteger),
                       query_param("service", ParamType::kString, true)}));
    r.get("/api/traces/{traceID}", no_op);
    r.get("/static/{file}", no_op);
    r.put("/items/{a}/{b}", no_op);
    r.del("/items/{a}/{b}", no_op);
    r.get("/items/fixed/{b}", no_op);
    return r;
  }();
  return router;
}

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
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

std::size_t param_segments(const Route& route) {
  std::size_t n = 0;
  for (const auto& s : route.segments) n += s.is_param ? 1 : 0;
  return n;
}

void check_match(Request& request) {
  const RouteMatch match = routes().match(request);
  if (match.route == nullptr) {
    if (!match.response) std::abort();
    const int status = match.response->status;
    if (status == 404) return;
    if ((status != 405 && status != 204) || !match.response->headers.contains("Allow")) {
      std::abort();
    }
    if ((status == 204) != (request.method == Method::kOptions)) std::abort();
    return;
  }
  const Route& route = *match.route;
  if (match.head_via_get) {
    if (request.method != Method::kHead || route.method != Method::kGet) std::abort();
  } else if (route.method != request.method) {
    std::abort();
  }
  if (request.path_params.size() != param_segments(route)) std::abort();
  bool integers_ok = true;
  for (const auto& doc : route.doc.params) {
    if (doc.in != ParamLocation::kPath || doc.type != ParamType::kInteger) continue;
    if (!request.int_param(doc.name)) integers_ok = false;
  }
  if (match.response) {
    if (match.response->status != 422) std::abort();
  } else if (!integers_ok) {
    std::abort();  // an invalid integer parameter reached the handler
  }

  // Rebuild the path from the pattern with the decoded values encoded again: same route, same
  // values.
  Request again;
  std::string path;
  std::size_t next_param = 0;
  for (const auto& segment : route.segments) {
    path += '/';
    path +=
        segment.is_param ? percent_encode(request.path_params[next_param++].value) : segment.text;
  }
  again.set_target(request.method_text, path + (request.query.empty() ? "" : "?" + request.query));
  const RouteMatch second = routes().match(again);
  if (second.route != match.route || again.path_params.size() != request.path_params.size()) {
    std::abort();
  }
  for (std::size_t i = 0; i < again.path_params.size(); ++i) {
    if (again.path_params[i].name != request.path_params[i].name ||
        again.path_params[i].value != request.path_params[i].value) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto space = input.find(' ');
  const std::string_view method = space == std::string_view::npos ? "GET" : input.substr(0, space);
  const std::string_view target = space == std::string_view::npos ? input : input.substr(space + 1);

  Request request;
  request.set_target(method, target);
  if (request.method_text != method || request.target != target ||
      request.path.find('?') != std::string::npos || !split_is_lossless(request)) {
    std::abort();
  }
  if (request.method != Method::kOther && to_string(request.method) != method) std::abort();
  check_match(request);

  // Decoding gives valid UTF-8 (U+FFFD for stray bytes), at most 3 bytes per input byte;
  // encoding then decoding gives the text back (repaired where it was not UTF-8).
  const std::string decoded = percent_decode(target);
  if (!is_valid_utf8(decoded) || decoded.size() > 3 * target.size()) std::abort();
  const std::string text = to_valid_utf8(target);
  if (percent_decode(percent_encode(target)) != text) std::abort();
  // A query built from encoded pairs gives each value back by its (first) name.
  const std::string key = to_valid_utf8(method);
  Request query_request;
  query_request.set_target("GET", "/?" + percent_encode(key) + "=" + percent_encode(target));
  const auto found = query_request.query_param(key);
  if (!found || *found != text) std::abort();
  return 0;
}
