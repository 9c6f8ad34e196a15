#include "http/openapi.h"

#include <cctype>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

namespace tdemo::http {

namespace {

namespace json = boost::json;

std::string lower_method(Method m) {
  std::string s(to_string(m));
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "user_id" -> "User Id" (pydantic's title for a field).
std::string title_of(std::string_view name) {
  std::string out;
  bool start = true;
  for (char c : name) {
    if (c == '_' || c == '-') {
      out.push_back(' ');
      start = true;
    } else {
      out.push_back(start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      start = false;
    }
  }
  return out;
}

// FastAPI's generate_unique_id: name + path with non-word characters as '_' + '_' + method.
std::string operation_id(const Route& route) {
  if (!route.doc.operation_id.empty()) return route.doc.operation_id;
  std::string base;
  for (char c : route.doc.summary) {
    base.push_back(std::isalnum(static_cast<unsigned char>(c))
                       ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                       : '_');
  }
  if (base.empty()) base = "route";
  for (char c : route.pattern) {
    base.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_');
  }
  return base + "_" + lower_method(route.method);
}

json::object param_schema(const ParamDoc& p) {
  json::object schema;
  switch (p.type) {
    case ParamType::kString: schema["type"] = "string"; break;
    case ParamType::kInteger: schema["type"] = "integer"; break;
    case ParamType::kNumber: schema["type"] = "number"; break;
    case ParamType::kBoolean: schema["type"] = "boolean"; break;
  }
  schema["title"] = title_of(p.name);
  if (p.default_value) schema["default"] = *p.default_value;
  return schema;
}

const char* location_name(ParamLocation in) {
  switch (in) {
    case ParamLocation::kPath: return "path";
    case ParamLocation::kQuery: return "query";
    case ParamLocation::kHeader: return "header";
  }
  return "query";
}

json::object json_content(const json::value& schema, std::string_view content_type) {
  json::object media;
  media["schema"] = schema;
  json::object content;
  content[content_type] = std::move(media);
  return content;
}

json::object operation(const Route& route) {
  json::object op;
  if (!route.doc.tags.empty()) {
    json::array tags;
    for (const auto& t : route.doc.tags) tags.emplace_back(t);
    op["tags"] = std::move(tags);
  }
  if (!route.doc.summary.empty()) op["summary"] = route.doc.summary;
  if (!route.doc.description.empty()) op["description"] = route.doc.description;
  op["operationId"] = operation_id(route);
  if (route.doc.deprecated) op["deprecated"] = true;

  // Every {name} of the pattern is a parameter, declared or not (then a string).
  json::array params;
  for (const auto& seg : route.segments) {
    if (!seg.is_param) continue;
    ParamDoc doc = path_param(seg.text);
    for (const auto& p : route.doc.params) {
      if (p.in == ParamLocation::kPath && p.name == seg.text) doc = p;
    }
    json::object param;
    param["name"] = doc.name;
    param["in"] = "path";
    param["required"] = true;
    param["schema"] = param_schema(doc);
    if (!doc.description.empty()) param["description"] = doc.description;
    params.emplace_back(std::move(param));
  }
  for (const auto& p : route.doc.params) {
    if (p.in == ParamLocation::kPath) continue;
    json::object param;
    param["name"] = p.name;
    param["in"] = location_name(p.in);
    param["required"] = p.required;
    param["schema"] = param_schema(p);
    if (!p.description.empty()) param["description"] = p.description;
    params.emplace_back(std::move(param));
  }
  const bool validated = !params.empty() || route.doc.request_body_schema.has_value();
  if (!params.empty()) op["parameters"] = std::move(params);

  if (route.doc.request_body_schema) {
    json::object body;
    body["content"] = json_content(*route.doc.request_body_schema, "application/json");
    body["required"] = route.doc.request_body_required;
    op["requestBody"] = std::move(body);
  }

  json::object responses;
  if (route.doc.responses.empty()) {
    json::object ok;
    ok["description"] = "Successful Response";
    ok["content"] = json_content(json::object{}, "application/json");
    responses["200"] = std::move(ok);
  }
  for (const auto& r : route.doc.responses) {
    json::object resp;
    std::string description = r.description;
    if (description.empty()) {
      description = r.status >= 200 && r.status < 300 ? "Successful Response"
                                                       : std::string(reason_phrase(r.status));
    }
    resp["description"] = description;
    if (r.schema) {
      resp["content"] = json_content(*r.schema, r.content_type);
    } else if (r.status != 204 && r.status != 304) {
      resp["content"] = json_content(json::object{}, r.content_type);
    }
    responses[std::to_string(r.status)] = std::move(resp);
  }
  if (validated && !responses.contains("422")) {
    json::object invalid;
    invalid["description"] = "Validation Error";
    json::object ref;
    ref["$ref"] = "#/components/schemas/HTTPValidationError";
    invalid["content"] = json_content(ref, "application/json");
    responses["422"] = std::move(invalid);
  }
  op["responses"] = std::move(responses);
  return op;
}

// FastAPI's (pydantic v2) ValidationError and HTTPValidationError schemas.
json::value validation_error_schema() {
  return json::parse(R"({
    "properties": {
      "loc": {"items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
              "type": "array", "title": "Location"},
      "msg": {"type": "string", "title": "Message"},
      "type": {"type": "string", "title": "Error Type"}
    },
    "type": "object", "required": ["loc", "msg", "type"], "title": "ValidationError"})");
}

json::value http_validation_error_schema() {
  return json::parse(R"({
    "properties": {
      "detail": {"items": {"$ref": "#/components/schemas/ValidationError"},
                 "type": "array", "title": "Detail"}
    },
    "type": "object", "title": "HTTPValidationError"})");
}

}  // namespace

json::value openapi_document(const Router& router, const ApiInfo& info) {
  json::object doc;
  doc["openapi"] = "3.1.0";
  json::object info_object;
  info_object["title"] = info.title;
  if (!info.description.empty()) info_object["description"] = info.description;
  info_object["version"] = info.version;
  doc["info"] = std::move(info_object);

  json::object paths;
  for (const auto& route : router.routes()) {
    if (!route.doc.include_in_schema) continue;
    json::value& item = paths[route.pattern];
    if (!item.is_object()) item = json::object{};
    item.as_object()[lower_method(route.method)] = operation(route);
  }
  doc["paths"] = std::move(paths);

  json::object schemas;
  for (const auto& [name, schema] : router.schemas()) schemas[name] = schema;
  schemas["HTTPValidationError"] = http_validation_error_schema();
  schemas["ValidationError"] = validation_error_schema();
  json::object components;
  components["schemas"] = std::move(schemas);
  doc["components"] = std::move(components);
  return doc;
}

std::string swagger_ui_html(std::string_view title, std::string_view openapi_url,
                            std::string_view static_prefix) {
  std::string html;
  html += "<!DOCTYPE html>\n<html>\n<head>\n";
  html += "<link type=\"text/css\" rel=\"stylesheet\" href=\"";
  html += static_prefix;
  html += "/swagger-ui.css\">\n<title>";
  html += title;
  html += "</title>\n</head>\n<body>\n<div id=\"swagger-ui\">\n</div>\n<script src=\"";
  html += static_prefix;
  html += "/swagger-ui-bundle.js\"></script>\n<script>\nconst ui = SwaggerUIBundle({\n";
  html += "  url: '";
  html += openapi_url;
  html += "',\n  dom_id: '#swagger-ui',\n  layout: 'BaseLayout',\n  deepLinking: true,\n";
  html += "  showExtensions: true,\n  showCommonExtensions: true,\n  presets: [\n";
  html += "    SwaggerUIBundle.presets.apis,\n    SwaggerUIBundle.SwaggerUIStandalonePreset\n  ],\n";
  html += "})\n</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace tdemo::http
