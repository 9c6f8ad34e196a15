// An OpenAPI 3.1 document generated from a Router, like FastAPI's /openapi.json, and the
// Swagger UI page for /docs.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "http/router.h"

namespace tdemo::http {

struct ApiInfo {
  std::string title = "tracing-demo";
  std::string version = TD_VERSION;
  std::string description;
};

// {"openapi":"3.1.0","info":...,"paths":...,"components":{"schemas":...}} with FastAPI's
// HTTPValidationError/ValidationError schemas and a 422 response on every operation that has
// parameters or a body. Routes with include_in_schema=false are left out.
boost::json::value openapi_document(const Router& router, const ApiInfo& info);

// The Swagger UI HTML page (FastAPI's get_swagger_ui_html) loading
// `{static_prefix}/swagger-ui.css` and `{static_prefix}/swagger-ui-bundle.js`, rendering
// `openapi_url`.
std::string swagger_ui_html(std::string_view title, std::string_view openapi_url = "/openapi.json",
                            std::string_view static_prefix = "/docs");

}  // namespace tdemo::http
