// Routes with typed path parameters, the handler type, and the documentation each route
// carries (from which openapi.h builds /openapi.json, so the document cannot drift).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "http/message.h"
#include "telemetry/context.h"

namespace tdemo::telemetry { class Span; }

namespace tdemo::http {

enum class ParamType : std::uint8_t { kString, kInteger, kNumber, kBoolean };
enum class ParamLocation : std::uint8_t { kPath, kQuery, kHeader };

// A documented parameter. Path parameters of a pattern must each be declared (else they are
// strings); declared kInteger path/query parameters are validated before the handler runs
// (-> 422 int_parsing), required query parameters must be present (-> 422 missing).
struct ParamDoc {
  std::string name;
  ParamType type = ParamType::kString;
  ParamLocation in = ParamLocation::kPath;
  bool required = true;  // path parameters are always required
  std::string description;
  std::optional<boost::json::value> default_value;  // documentation only
};

struct ResponseDoc {
  int status = 200;
  std::string description;         // "" -> the reason phrase ("Successful Response" for 2xx)
  std::optional<boost::json::value> schema;  // JSON Schema, or {"$ref": "#/components/schemas/X"}
  std::string content_type = "application/json";
};

struct RouteDoc {
  std::string summary;
  std::string description;
  std::string operation_id;        // "" -> FastAPI style: {name}_{path}_{method}
  std::vector<std::string> tags;
  std::vector<ParamDoc> params;
  std::optional<boost::json::value> request_body_schema;  // JSON Schema or $ref
  bool request_body_required = true;
  std::vector<ResponseDoc> responses;  // none -> 200 "Successful Response" with {} schema
  bool include_in_schema = true;
  bool deprecated = false;
};

// Builders that keep call sites short (and -Wmissing-field-initializers quiet):
//   doc.params = {path_param("user_id", ParamType::kInteger, "The user's id")};
//   doc.responses = {response_doc(200, "", schema_ref("User")), response_doc(404, "Not found")};
ParamDoc path_param(std::string name, ParamType type = ParamType::kString,
                    std::string description = {});
ParamDoc query_param(std::string name, ParamType type = ParamType::kString, bool required = false,
                     std::string description = {});
ResponseDoc response_doc(int status, std::string description = {},
                         std::optional<boost::json::value> schema = std::nullopt);
// {"$ref": "#/components/schemas/<name>"}
boost::json::value schema_ref(std::string_view name);

// What a handler gets. References are valid until the handler's coroutine completes.
struct RequestContext {
  Request& request;
  // The SERVER span's context: pass it to children (business spans, client calls).
  telemetry::Context telemetry;
  // The SERVER span, to add attributes and events (owned by the server; do not end it).
  telemetry::Span& span;
  // The matched route pattern, e.g. "/users/{user_id}" ("" when none matched).
  std::string_view route;
};

// Handlers answer expected failures with error responses (errors.h); an exception escaping a
// handler becomes a 500 with an `exception` event on the SERVER span and no internals leaked.
using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

struct Route {
  Method method;
  std::string pattern;   // "/users/{user_id}"
  Handler handler;
  RouteDoc doc;
  // Parsed pattern: literal segments, and "{name}" segments as parameter names.
  struct Segment { std::string text; bool is_param = false; };
  std::vector<Segment> segments;
};

// The outcome of matching a request.
struct RouteMatch {
  const Route* route = nullptr;      // set when a route matched path and method
  std::optional<Response> response;  // set when the router answers itself (404/405/422/OPTIONS)
  // For HEAD served by a GET route: the server sends headers only.
  bool head_via_get = false;
};

// A route table. Build it before the server starts; after that it is immutable and
// thread-safe to match against.
class Router {
 public:
  // Throws std::invalid_argument for a malformed pattern (must start with '/', "{name}" segments
  // whole) or a duplicate (method, pattern): programmer errors found at startup.
  Router& add(Method method, std::string pattern, Handler handler, RouteDoc doc = {});
  Router& get(std::string pattern, Handler handler, RouteDoc doc = {}) {
    return add(Method::kGet, std::move(pattern), std::move(handler), std::move(doc));
  }
  Router& post(std::string pattern, Handler handler, RouteDoc doc = {}) {
    return add(Method::kPost, std::move(pattern), std::move(handler), std::move(doc));
  }
  Router& put(std::string pattern, Handler handler, RouteDoc doc = {}) {
    return add(Method::kPut, std::move(pattern), std::move(handler), std::move(doc));
  }
  Router& del(std::string pattern, Handler handler, RouteDoc doc = {}) {
    return add(Method::kDelete, std::move(pattern), std::move(handler), std::move(doc));
  }

  // A named JSON Schema for components/schemas (refer to it as
  // {"$ref":"#/components/schemas/<name>"}).
  Router& add_schema(std::string name, boost::json::value schema);

  // Matches `request.path`; on success fills request.path_params and validates declared
  // parameters. Literal segments win over parameters when both match. Unknown path -> 404
  // {"detail":"Not Found"}; known path, other method -> 405 with Allow (OPTIONS -> 204 with
  // Allow, HEAD -> the GET route); invalid typed parameter -> 422.
  RouteMatch match(Request& request) const;

  const std::vector<Route>& routes() const noexcept { return routes_; }
  const std::map<std::string, boost::json::value>& schemas() const noexcept { return schemas_; }

  // Rewrites a parameter value before a 422 echoes it as "input" (the services mask card
  // numbers). Null (the default): echoed as is.
  void set_input_redactor(std::string (*redact)(std::string_view)) noexcept { redact_input_ = redact; }

 private:
  std::vector<Route> routes_;
  // Indexes into routes_ by segment count, in the order added: a path is matched only against
  // the routes of its length.
  std::vector<std::vector<std::size_t>> by_segment_count_;
  std::string (*redact_input_)(std::string_view) = nullptr;
  std::map<std::string, boost::json::value> schemas_;
};

// Runs the matched route's handler; an escaping exception becomes 500 and is recorded on
// `context.span` (exception event, status ERROR, error.type = the exception's type).
boost::asio::awaitable<Response> invoke(const Route& route, RequestContext& context);

}  // namespace tdemo::http
