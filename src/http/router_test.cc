#include "http/router.h"

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "telemetry/span.h"

namespace tdemo::http {
namespace {

Handler answer(std::string text) {
  return [text](RequestContext&) -> boost::asio::awaitable<Response> {
    co_return Response::text(200, text);
  };
}

Router make_router() {
  Router router;
  RouteDoc user_doc;
  user_doc.params = {path_param("user_id", ParamType::kInteger)};
  router.get("/users/{user_id}", answer("get user"), user_doc);
  router.del("/users/{user_id}", answer("delete user"), user_doc);
  router.get("/users/me", answer("me"));
  router.post("/users", answer("create"));
  router.get("/", answer("root"));
  RouteDoc search_doc;
  search_doc.params = {query_param("limit", ParamType::kInteger, true),
                       query_param("q", ParamType::kString, false)};
  router.get("/search", answer("search"), search_doc);
  return router;
}

Request request(std::string_view method, std::string_view target) {
  Request r;
  r.set_target(method, target);
  return r;
}

struct Case {
  std::string method, target;
  int status;            // 0: matched a route
  std::string pattern;   // matched pattern, when status == 0
};

TEST(RouterTest, MatchTable) {
  const Router router = make_router();
  const Case cases[] = {
      {"GET", "/users/42", 0, "/users/{user_id}"},
      {"DELETE", "/users/42", 0, "/users/{user_id}"},
      {"GET", "/users/me", 0, "/users/me"},  // literal beats parameter
      {"POST", "/users", 0, "/users"},
      {"GET", "/", 0, "/"},
      {"HEAD", "/users/1", 0, "/users/{user_id}"},
      {"GET", "/users/abc", 422, ""},
      {"GET", "/users/", 404, ""},
      {"GET", "/users/1/orders", 404, ""},
      {"GET", "/nope", 404, ""},
      {"PUT", "/users/1", 405, ""},
      {"GET", "/users", 405, ""},
      {"OPTIONS", "/users/1", 204, ""},
      {"BREW", "/users", 405, ""},
      {"GET", "/search?limit=5", 0, "/search"},
      {"GET", "/search", 422, ""},
      {"GET", "/search?limit=x", 422, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.target);
    Request r = request(c.method, c.target);
    RouteMatch m = router.match(r);
    if (c.status == 0) {
      ASSERT_NE(m.route, nullptr);
      EXPECT_FALSE(m.response.has_value());
      EXPECT_EQ(m.route->pattern, c.pattern);
    } else {
      ASSERT_TRUE(m.response.has_value());
      EXPECT_EQ(m.response->status, c.status);
    }
  }
}

TEST(RouterTest, PathParamsAreDecodedAndTyped) {
  const Router router = make_router();
  Request r = request("GET", "/users/%34%32");
  RouteMatch m = router.match(r);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(r.int_param("user_id"), 42);
}

TEST(RouterTest, ErrorShapes) {
  const Router router = make_router();
  Request bad = request("GET", "/users/abc");
  auto m = router.match(bad);
  EXPECT_EQ(boost::json::parse(m.response->body), boost::json::parse(R"({"detail":[{
      "type":"int_parsing","loc":["path","user_id"],
      "msg":"Input should be a valid integer, unable to parse string as an integer",
      "input":"abc"}]})"));
  Request put = request("PUT", "/users/1");
  auto m405 = router.match(put);
  EXPECT_EQ(m405.response->body, R"({"detail":"Method Not Allowed"})");
  EXPECT_EQ(m405.response->headers.get("allow"), "GET, DELETE, HEAD, OPTIONS");
  Request missing = request("GET", "/search");
  auto m422 = router.match(missing);
  EXPECT_EQ(boost::json::parse(m422.response->body), boost::json::parse(R"({"detail":[{
      "type":"missing","loc":["query","limit"],"msg":"Field required","input":null}]})"));
  Request unknown = request("GET", "/x");
  EXPECT_EQ(router.match(unknown).response->body, R"({"detail":"Not Found"})");
}

TEST(RouterTest, TheInputRedactorRewritesEchoedParameters) {
  Router router = make_router();
  router.set_input_redactor([](std::string_view value) { return "<" + std::string(value.size(), '*') + ">"; });
  Request path = request("GET", "/users/secret");
  EXPECT_EQ(boost::json::parse(router.match(path).response->body).at("detail").at(0).at("input"), "<******>");
  Request query = request("GET", "/search?limit=abc");
  EXPECT_EQ(boost::json::parse(router.match(query).response->body).at("detail").at(0).at("input"), "<***>");
}

TEST(RouterTest, HeadUsesGetRoute) {
  const Router router = make_router();
  Request r = request("HEAD", "/");
  auto m = router.match(r);
  ASSERT_NE(m.route, nullptr);
  EXPECT_TRUE(m.head_via_get);
}

TEST(RouterTest, RejectsBadPatternsAndDuplicates) {
  Router router;
  EXPECT_THROW(router.get("users", answer("")), std::invalid_argument);
  EXPECT_THROW(router.get("/users/{id", answer("")), std::invalid_argument);
  EXPECT_THROW(router.get("/users/x{id}", answer("")), std::invalid_argument);
  EXPECT_THROW(router.get("/users/{}", answer("")), std::invalid_argument);
  router.get("/a/{id}", answer(""));
  EXPECT_THROW(router.get("/a/{id}", answer("")), std::invalid_argument);
  EXPECT_NO_THROW(router.post("/a/{id}", answer("")));
}

Response run_invoke(const Route& route, Request& request, telemetry::Span& span) {
  boost::asio::io_context io;
  RequestContext context{request, {}, span, route.pattern};
  auto future = boost::asio::co_spawn(io, invoke(route, context), boost::asio::use_future);
  io.run();
  return future.get();
}

TEST(RouterTest, InvokeRunsHandlerAndTurnsExceptionsInto500) {
  Router router;
  router.get("/ok", answer("fine"));
  router.get("/boom", [](RequestContext&) -> boost::asio::awaitable<Response> {
    throw std::runtime_error("secret internals");
    co_return Response::empty(200);
  });
  telemetry::Span span;
  Request ok = request("GET", "/ok");
  EXPECT_EQ(run_invoke(router.routes()[0], ok, span).body, "fine");
  Request boom = request("GET", "/boom");
  Response r = run_invoke(router.routes()[1], boom, span);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"detail":"Internal Server Error"})");
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace tdemo::http
