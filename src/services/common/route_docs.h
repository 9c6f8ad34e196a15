// Small builders for RouteDoc (OpenAPI per route), so handler files stay readable.
#pragma once

#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "http/router.h"

namespace tdemo::services {

inline http::RouteDoc route_doc(std::string summary, std::string tag) {
  http::RouteDoc doc;
  doc.summary = std::move(summary);
  doc.tags.push_back(std::move(tag));
  return doc;
}

inline http::ParamDoc path_int_param(std::string name, std::string description = {}) {
  http::ParamDoc param;
  param.name = std::move(name);
  param.type = http::ParamType::kInteger;
  param.in = http::ParamLocation::kPath;
  param.description = std::move(description);
  return param;
}

inline http::ParamDoc header_param(std::string name, std::string description) {
  http::ParamDoc param;
  param.name = std::move(name);
  param.type = http::ParamType::kString;
  param.in = http::ParamLocation::kHeader;
  param.required = false;
  param.description = std::move(description);
  return param;
}

inline http::ResponseDoc response_doc(int status, std::string description = {},
                                      std::optional<boost::json::value> schema = std::nullopt) {
  http::ResponseDoc response;
  response.status = status;
  response.description = std::move(description);
  response.schema = std::move(schema);
  return response;
}

// {"$ref": "#/components/schemas/<name>"}
inline boost::json::value schema_ref(std::string_view name) {
  return boost::json::value{{"$ref", "#/components/schemas/" + std::string(name)}};
}

}  // namespace tdemo::services
