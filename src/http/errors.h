// Error responses in FastAPI's JSON shapes.
//
//   error_response(404, "User 42 not found")  ->  {"detail":"User 42 not found"}
//   validation_error({{{"path","user_id"}, "Input should be ...", "int_parsing", "abc"}})
//     -> 422 {"detail":[{"type":"int_parsing","loc":["path","user_id"],"msg":"...","input":"abc"}]}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

#include "http/message.h"

namespace tdemo::http {

// {"detail": detail} with `status`.
Response error_response(int status, std::string_view detail);

// One entry of a 422 detail list (pydantic v2 fields). loc items are names or list indexes.
struct ValidationIssue {
  std::vector<std::variant<std::string, std::int64_t>> loc;
  std::string msg;
  std::string type;
  boost::json::value input;          // null -> the "input" key is still written (as pydantic)
  std::optional<boost::json::object> ctx;  // written when set
};

// 422 {"detail":[...]}.
Response validation_error(const std::vector<ValidationIssue>& issues);

// Pydantic v2 messages for common failures, for consistent wording across services.
ValidationIssue int_parsing_issue(std::string where, std::string name, std::string_view input);
ValidationIssue missing_issue(std::vector<std::variant<std::string, std::int64_t>> loc);

// The fixed responses of the transport.
Response not_found();                        // 404 {"detail":"Not Found"}
Response method_not_allowed(std::string_view allow);  // 405 + Allow
Response payload_too_large();                // 413 {"detail":"Request body too large"}
Response unsupported_media_type();           // 415 {"detail":"Unsupported Media Type"}
Response header_fields_too_large();          // 431
Response bad_request(std::string_view detail = "Bad Request");  // 400
Response internal_server_error();            // 500 {"detail":"Internal Server Error"}
Response service_unavailable(int retry_after_seconds);  // 503 + Retry-After

// Parses a request body as JSON the way FastAPI does for a body parameter:
//  - Content-Type present and not JSON          -> 415 (FastAPI would try anyway; we refuse)
//  - empty body                                 -> 422 [{"type":"missing","loc":["body"],...}]
//  - malformed JSON                              -> 422 [{"type":"json_invalid","loc":["body",pos],
//                                                      "msg":"JSON decode error",...}]
//  - nesting deeper than `max_depth`             -> 422 json_invalid
//  - a number beyond double's range (1e999)      -> 422 json_invalid ("number out of range")
// On success `error` is empty and `value` holds the document.
struct JsonBody {
  boost::json::value value;
  std::optional<Response> error;
};
JsonBody parse_json_body(const Request& request, std::size_t max_depth = 64);

// parse_json_body's checks and errors, without building the document: for a body that is
// passed on as it is (the gateway forwards what the client sent; the service behind it reads
// the fields). Empty when parse_json_body would accept the body.
std::optional<Response> check_json_body(const Request& request, std::size_t max_depth = 64);

}  // namespace tdemo::http
