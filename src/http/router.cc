#include "http/router.h"

#include <stdexcept>
#include <typeinfo>

#include <boost/core/demangle.hpp>
#include <boost/json/object.hpp>

#include "http/errors.h"
#include "telemetry/span.h"

namespace tdemo::http {

namespace {

// The segments of `path` into `parts` (cleared first).
void split_path(std::string_view path, std::vector<std::string_view>& parts) {
  parts.clear();
  if (path.empty() || path.front() != '/') return;
  path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
}

// Matches one route's segments; fills `params` (decoded) on success.
bool match_segments(const Route& route, const std::vector<std::string_view>& parts,
                    std::vector<PathParam>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = route.segments[i];
    if (seg.is_param) {
      if (parts[i].empty()) return false;
    } else if (seg.text != parts[i]) {
      return false;
    }
  }
  if (params != nullptr) {
    params->clear();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (route.segments[i].is_param) {
        params->push_back({route.segments[i].text, percent_decode(parts[i])});
      }
    }
  }
  return true;
}

int literal_count(const Route& route) {
  int n = 0;
  for (const auto& s : route.segments) n += s.is_param ? 0 : 1;
  return n;
}

std::string allow_header(const std::vector<Method>& methods) {
  std::string allow;
  for (Method m : methods) {
    if (!allow.empty()) allow += ", ";
    allow += to_string(m);
  }
  return allow;
}

// Validates declared typed path and query parameters (FastAPI order: path, then query).
std::vector<ValidationIssue> validate(const Route& route, const Request& request,
                                      std::string (*redact)(std::string_view)) {
  std::vector<ValidationIssue> issues;
  const auto input = [redact](std::string_view value) {
    return redact != nullptr ? redact(value) : std::string(value);
  };
  for (const auto& doc : route.doc.params) {
    if (doc.in == ParamLocation::kPath) {
      auto value = request.param(doc.name);
      if (value && doc.type == ParamType::kInteger && !parse_int64(*value)) {
        issues.push_back(int_parsing_issue("path", doc.name, input(*value)));
      }
    }
  }
  for (const auto& doc : route.doc.params) {
    if (doc.in != ParamLocation::kQuery) continue;
    auto value = request.query_param(doc.name);
    if (!value) {
      if (doc.required) issues.push_back(missing_issue({std::string("query"), doc.name}));
    } else if (doc.type == ParamType::kInteger && !parse_int64(*value)) {
      issues.push_back(int_parsing_issue("query", doc.name, input(*value)));
    }
  }
  return issues;
}

}  // namespace

ParamDoc path_param(std::string name, ParamType type, std::string description) {
  ParamDoc p;
  p.name = std::move(name);
  p.type = type;
  p.in = ParamLocation::kPath;
  p.description = std::move(description);
  return p;
}

ParamDoc query_param(std::string name, ParamType type, bool required, std::string description) {
  ParamDoc p;
  p.name = std::move(name);
  p.type = type;
  p.in = ParamLocation::kQuery;
  p.required = required;
  p.description = std::move(description);
  return p;
}

ResponseDoc response_doc(int status, std::string description,
                         std::optional<boost::json::value> schema) {
  ResponseDoc r;
  r.status = status;
  r.description = std::move(description);
  r.schema = std::move(schema);
  return r;
}

boost::json::value schema_ref(std::string_view name) {
  boost::json::object ref;
  ref["$ref"] = "#/components/schemas/" + std::string(name);
  return ref;
}

Router& Router::add(Method method, std::string pattern, Handler handler, RouteDoc doc) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  Route route{method, pattern, std::move(handler), std::move(doc), {}};
  std::vector<std::string_view> parts;
  split_path(pattern, parts);
  for (std::string_view part : parts) {
    const bool open = part.find('{') != std::string_view::npos;
    const bool close = part.find('}') != std::string_view::npos;
    if (open || close) {
      if (part.size() < 3 || part.front() != '{' || part.back() != '}' ||
          part.find_first_of("{}/", 1) != part.size() - 1) {
        throw std::invalid_argument("route parameter must be a whole segment: " + pattern);
      }
      route.segments.push_back({std::string(part.substr(1, part.size() - 2)), true});
    } else {
      route.segments.push_back({std::string(part), false});
    }
  }
  for (const auto& existing : routes_) {
    if (existing.method == method && existing.pattern == pattern) {
      throw std::invalid_argument("duplicate route: " + std::string(to_string(method)) + " " + pattern);
    }
  }
  const std::size_t length = route.segments.size();
  routes_.push_back(std::move(route));
  if (by_segment_count_.size() <= length) by_segment_count_.resize(length + 1);
  by_segment_count_[length].push_back(routes_.size() - 1);
  return *this;
}

Router& Router::add_schema(std::string name, boost::json::value schema) {
  schemas_[std::move(name)] = std::move(schema);
  return *this;
}

RouteMatch Router::match(Request& request) const {
  RouteMatch result;
  // The segments, in this thread's buffer (kept between requests: no allocation per request).
  thread_local std::vector<std::string_view> parts;
  split_path(request.path, parts);
  // The most specific route among those whose path matches: more literal segments win.
  const Route* best = nullptr;
  const Route* best_get = nullptr;
  bool path_matched = false;
  int best_literals = -1;
  int best_get_literals = -1;
  static const std::vector<std::size_t> kNoRoutes;
  const auto& candidates = parts.size() < by_segment_count_.size() ? by_segment_count_[parts.size()] : kNoRoutes;
  for (const std::size_t index : candidates) {
    const Route& route = routes_[index];
    if (!match_segments(route, parts, nullptr)) continue;
    path_matched = true;
    const int literals = literal_count(route);
    if (route.method == request.method && literals > best_literals) {
      best = &route;
      best_literals = literals;
    }
    if (route.method == Method::kGet && literals > best_get_literals) {
      best_get = &route;
      best_get_literals = literals;
    }
  }
  if (best == nullptr && request.method == Method::kHead && best_get != nullptr) {
    best = best_get;
    result.head_via_get = true;
  }
  if (best == nullptr) {
    if (!path_matched) {
      result.response = not_found();
    } else {
      // The methods of the routes that match the path, in the order they were added.
      std::vector<Method> allowed;
      for (const std::size_t index : candidates) {
        const Route& route = routes_[index];
        if (match_segments(route, parts, nullptr) &&
            std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
          allowed.push_back(route.method);
        }
      }
      if (best_get != nullptr) allowed.push_back(Method::kHead);
      allowed.push_back(Method::kOptions);
      if (request.method == Method::kOptions) {
        result.response = Response::empty(204);
        result.response->headers.set("Allow", allow_header(allowed));
      } else {
        result.response = method_not_allowed(allow_header(allowed));
      }
    }
    return result;
  }
  match_segments(*best, parts, &request.path_params);
  result.route = best;
  auto issues = validate(*best, request, redact_input_);
  if (!issues.empty()) result.response = validation_error(issues);
  return result;
}

boost::asio::awaitable<Response> invoke(const Route& route, RequestContext& context) {
  std::string error_type;
  std::string message;
  try {
    co_return co_await route.handler(context);
  } catch (const std::exception& error) {
    context.span.record_exception(error);
    error_type = boost::core::demangle(typeid(error).name());
  } catch (...) {
    context.span.record_exception("unknown", "a non-standard exception was thrown");
    error_type = "unknown";
  }
  context.span.set_status(telemetry::StatusCode::kError, error_type);
  context.span.set_attribute("error.type", error_type);
  co_return internal_server_error();
}

}  // namespace tdemo::http
