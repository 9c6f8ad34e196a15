#include "http/openapi.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace tdemo::http {
namespace {

namespace json = boost::json;

Handler noop() {
  return [](RequestContext&) -> boost::asio::awaitable<Response> { co_return Response::empty(200); };
}

Router documented_router() {
  Router router;
  router.add_schema("UserCreate", json::parse(R"({"type":"object","title":"UserCreate",
      "properties":{"name":{"type":"string"}},"required":["name"]})"));
  RouteDoc get_user;
  get_user.summary = "Get User";
  get_user.tags = {"users"};
  get_user.params = {path_param("user_id", ParamType::kInteger, "The user's id")};
  get_user.responses = {response_doc(200, "", schema_ref("User")),
                        response_doc(404, "User not found")};
  router.get("/users/{user_id}", noop(), get_user);
  RouteDoc create;
  create.summary = "Create User";
  create.request_body_schema = schema_ref("UserCreate");
  create.responses = {response_doc(201)};
  router.post("/users", noop(), create);
  RouteDoc health;
  health.summary = "Health";
  router.get("/health", noop(), health);
  RouteDoc hidden;
  hidden.include_in_schema = false;
  router.get("/openapi.json", noop(), hidden);
  return router;
}

TEST(OpenApiTest, DocumentStructure) {
  const Router router = documented_router();
  ApiInfo info;
  info.title = "Gateway";
  info.version = "1.2.3";
  json::value doc = openapi_document(router, info);
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_EQ(doc.at("info").at("title").as_string(), "Gateway");
  EXPECT_EQ(doc.at("info").at("version").as_string(), "1.2.3");
  const auto& paths = doc.at("paths").as_object();
  EXPECT_EQ(paths.size(), 3u);  // /openapi.json is hidden
  EXPECT_FALSE(paths.contains("/openapi.json"));

  const auto& get = paths.at("/users/{user_id}").at("get");
  EXPECT_EQ(get.at("operationId").as_string(), "get_user_users__user_id__get");
  EXPECT_EQ(get.at("summary").as_string(), "Get User");
  EXPECT_EQ(get.at("tags").at(0).as_string(), "users");
  EXPECT_EQ(get.at("parameters"), json::parse(R"([{"name":"user_id","in":"path","required":true,
      "schema":{"type":"integer","title":"User Id"},"description":"The user's id"}])"));
  EXPECT_EQ(get.at("responses").at("200").at("description").as_string(), "Successful Response");
  EXPECT_EQ(get.at("responses").at("404").at("description").as_string(), "User not found");
  EXPECT_EQ(get.at("responses").at("422").at("content").at("application/json").at("schema"),
            json::parse(R"({"$ref":"#/components/schemas/HTTPValidationError"})"));

  const auto& post = paths.at("/users").at("post");
  EXPECT_EQ(post.at("requestBody"), json::parse(R"({"content":{"application/json":{"schema":
      {"$ref":"#/components/schemas/UserCreate"}}},"required":true})"));
  EXPECT_TRUE(post.at("responses").as_object().contains("422"));

  const auto& health = paths.at("/health").at("get");
  EXPECT_FALSE(health.at("responses").as_object().contains("422"));  // nothing to validate
  EXPECT_EQ(health.at("responses").at("200"), json::parse(
      R"({"description":"Successful Response","content":{"application/json":{"schema":{}}}})"));
}

TEST(OpenApiTest, FastApiValidationSchemas) {
  json::value doc = openapi_document(documented_router(), ApiInfo{});
  const auto& schemas = doc.at("components").at("schemas");
  EXPECT_TRUE(schemas.as_object().contains("UserCreate"));
  EXPECT_EQ(schemas.at("HTTPValidationError"), json::parse(R"({"properties":{"detail":{"items":
      {"$ref":"#/components/schemas/ValidationError"},"type":"array","title":"Detail"}},
      "type":"object","title":"HTTPValidationError"})"));
  EXPECT_EQ(schemas.at("ValidationError"), json::parse(R"({"properties":{"loc":{"items":{"anyOf":
      [{"type":"string"},{"type":"integer"}]},"type":"array","title":"Location"},
      "msg":{"type":"string","title":"Message"},"type":{"type":"string","title":"Error Type"}},
      "type":"object","required":["loc","msg","type"],"title":"ValidationError"})"));
}

TEST(OpenApiTest, EveryRouteIsDocumented) {
  const Router router = documented_router();
  json::value doc = openapi_document(router, ApiInfo{});
  for (const auto& route : router.routes()) {
    if (!route.doc.include_in_schema) continue;
    std::string method(to_string(route.method));
    for (auto& c : method) c = static_cast<char>(std::tolower(c));
    EXPECT_TRUE(doc.at("paths").at(route.pattern).as_object().contains(method)) << route.pattern;
  }
}

TEST(OpenApiTest, SwaggerPage) {
  const std::string html = swagger_ui_html("Gateway - Swagger UI");
  EXPECT_NE(html.find("href=\"/docs/swagger-ui.css\""), std::string::npos);
  EXPECT_NE(html.find("src=\"/docs/swagger-ui-bundle.js\""), std::string::npos);
  EXPECT_NE(html.find("url: '/openapi.json'"), std::string::npos);
  EXPECT_NE(html.find("<title>Gateway - Swagger UI</title>"), std::string::npos);
}

}  // namespace
}  // namespace tdemo::http
