#include "http/errors.h"

#include <cmath>
#include <cstdlib>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>

#include "http/json_syntax.h"
#include "telemetry/utf8.h"

namespace tdemo::http {

Response error_response(int status, std::string_view detail) {
  boost::json::object body;
  body["detail"] = telemetry::to_valid_utf8(detail);  // details may quote client input
  return Response::json(status, body);
}

Response validation_error(const std::vector<ValidationIssue>& issues) {
  boost::json::array detail;
  for (const auto& issue : issues) {
    boost::json::object item;
    item["type"] = issue.type;
    boost::json::array loc;
    for (const auto& part : issue.loc) {
      if (const auto* name = std::get_if<std::string>(&part)) {
        loc.emplace_back(*name);
      } else {
        loc.emplace_back(std::get<std::int64_t>(part));
      }
    }
    item["loc"] = std::move(loc);
    item["msg"] = issue.msg;
    item["input"] = issue.input;
    if (issue.ctx) item["ctx"] = *issue.ctx;
    detail.emplace_back(std::move(item));
  }
  boost::json::object body;
  body["detail"] = std::move(detail);
  return Response::json(422, body);
}

ValidationIssue int_parsing_issue(std::string where, std::string name, std::string_view input) {
  ValidationIssue issue;
  issue.loc = {std::move(where), std::move(name)};
  issue.msg = "Input should be a valid integer, unable to parse string as an integer";
  issue.type = "int_parsing";
  issue.input = boost::json::string(input);
  return issue;
}

ValidationIssue missing_issue(std::vector<std::variant<std::string, std::int64_t>> loc) {
  ValidationIssue issue;
  issue.loc = std::move(loc);
  issue.msg = "Field required";
  issue.type = "missing";
  issue.input = nullptr;
  return issue;
}

Response not_found() { return error_response(404, "Not Found"); }

Response method_not_allowed(std::string_view allow) {
  Response r = error_response(405, "Method Not Allowed");
  r.headers.set("Allow", allow);
  return r;
}

Response payload_too_large() { return error_response(413, "Request body too large"); }
Response unsupported_media_type() { return error_response(415, "Unsupported Media Type"); }
Response header_fields_too_large() {
  return error_response(431, "Request Header Fields Too Large");
}
Response bad_request(std::string_view detail) { return error_response(400, detail); }
Response internal_server_error() { return error_response(500, "Internal Server Error"); }

Response service_unavailable(int retry_after_seconds) {
  Response r = error_response(503, "Service Unavailable");
  r.headers.set("Retry-After", std::to_string(retry_after_seconds));
  return r;
}

namespace {

bool has_non_finite_number(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::double_: return !std::isfinite(value.get_double());
    case boost::json::kind::array:
      for (const auto& item : value.get_array()) {
        if (has_non_finite_number(item)) return true;
      }
      return false;
    case boost::json::kind::object:
      for (const auto& [key, item] : value.get_object()) {
        if (has_non_finite_number(item)) return true;
      }
      return false;
    default: return false;
  }
}

// The offset of the first number literal in `text` that overflows a double (0 when none is
// found): where the parser would have stopped had it refused the number.
std::size_t first_overflowing_number(std::string_view text) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      const std::size_t end = text.find_first_not_of("+-0123456789.eE", i);
      const std::string literal(text.substr(i, end == std::string_view::npos ? end : end - i));
      if (!std::isfinite(std::strtod(literal.c_str(), nullptr))) return i;
      if (end == std::string_view::npos) break;
      i = end - 1;
    }
  }
  return 0;
}

Response json_invalid(std::size_t position, std::string error) {
  ValidationIssue issue;
  issue.loc = {std::string("body"), static_cast<std::int64_t>(position)};
  issue.msg = "JSON decode error";
  issue.type = "json_invalid";
  issue.input = boost::json::object{};
  boost::json::object ctx;
  ctx["error"] = std::move(error);
  issue.ctx = std::move(ctx);
  return validation_error({issue});
}

// What parse_json_body and check_json_body refuse before reading the JSON.
std::optional<Response> refused_before_parsing(const Request& request) {
  if (request.headers.contains("content-type") && !request.has_json_content_type()) {
    return unsupported_media_type();
  }
  if (request.body.empty()) return validation_error({missing_issue({std::string("body")})});
  return std::nullopt;
}

// The 422 for a body whose parse failed (`ec`, `consumed` bytes read) or held a number out of
// double's range; empty when neither.
std::optional<Response> refused_after_parsing(const Request& request, boost::system::error_code ec,
                                              std::size_t consumed, bool non_finite) {
  if (ec) return json_invalid(consumed, ec.message());
  // Boost.JSON reads 1e999 as infinity, which no JSON text can carry back (echoed in a 422,
  // forwarded downstream): refuse it like a syntax error.
  if (non_finite) return json_invalid(first_overflowing_number(request.body), "number out of range");
  return std::nullopt;
}

}  // namespace

JsonBody parse_json_body(const Request& request, std::size_t max_depth) {
  JsonBody out;
  if ((out.error = refused_before_parsing(request))) return out;
  boost::json::parse_options options;
  options.max_depth = max_depth;
  boost::system::error_code ec;
  // The parser's working stack on ours (the document itself is allocated as usual). write()
  // takes the whole text: text after the document is extra_data, as check_json_syntax says.
  unsigned char stack[1024];
  boost::json::parser parser({}, options, stack, sizeof stack);
  const std::size_t consumed = parser.write(request.body.data(), request.body.size(), ec);
  if (!ec) out.value = parser.release();
  if ((out.error = refused_after_parsing(request, ec, consumed, !ec && has_non_finite_number(out.value)))) {
    out.value = nullptr;
  }
  return out;
}

std::optional<Response> check_json_body(const Request& request, std::size_t max_depth) {
  if (auto refused = refused_before_parsing(request)) return refused;
  const JsonSyntax syntax = check_json_syntax(request.body, max_depth);
  return refused_after_parsing(request, syntax.error, syntax.consumed, syntax.non_finite);
}

}  // namespace tdemo::http
