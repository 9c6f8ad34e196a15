#include "services/common/card.h"
#include "services/users/handlers.h"

#include <boost/json.hpp>

#include "http/errors.h"
#include "services/common/responses.h"
#include "services/common/route_docs.h"
#include "services/common/validation.h"
#include "services/common/json_text.h"
#include "telemetry/span.h"

namespace tdemo::services::users {

boost::json::value user_schema() {
  return boost::json::parse(R"({
    "title": "User", "type": "object",
    "required": ["id", "name", "email", "created_at"],
    "properties": {
      "id": {"title": "Id", "type": "integer"},
      "name": {"title": "Name", "type": "string"},
      "email": {"title": "Email", "type": "string", "format": "email"},
      "created_at": {"title": "Created At", "type": "string", "format": "date-time"}
    }})");
}

boost::json::value user_create_schema() {
  return boost::json::parse(R"({
    "title": "UserCreate", "type": "object", "required": ["name", "email"],
    "properties": {
      "name": {"title": "Name", "type": "string", "minLength": 1, "maxLength": 100},
      "email": {"title": "Email", "type": "string", "format": "email"}
    },
    "example": {"name": "Ada Lovelace", "email": "ada@example.com"}})");
}

Outcome<storage::NewUser> parse_user_create(const http::Request& request) {
  auto body = http::parse_json_body(request);
  if (body.error) return std::move(*body.error);
  BodyValidator validator(body.value);
  auto name = validator.string_field("name", 1, 100);
  auto email = validator.email_field("email");
  if (!validator.ok()) return http::validation_error(validator.issues());
  return storage::NewUser{std::move(*name), std::move(*email)};
}

void add_routes(http::Router& router, UserService& service) {
  router.add_schema("User", user_schema());
  router.add_schema("UserCreate", user_create_schema());
  auto get_doc = route_doc("Get a user", "users");
  get_doc.params = {path_int_param("user_id")};
  get_doc.responses = {response_doc(200, "", schema_ref("User")), response_doc(404, "User not found")};
  auto create_doc = route_doc("Create a user", "users");
  create_doc.request_body_schema = schema_ref("UserCreate");
  create_doc.responses = {response_doc(201, "User created", schema_ref("User")),
                          response_doc(409, "Email already registered")};

  router.get(
      "/users/{user_id}",
      [&service](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        const std::int64_t id = ctx.request.int_param("user_id").value_or(0);
        ctx.span.set_attribute("user.id", id_attribute(id));
        auto user = co_await service.get_user_json(ctx.telemetry, id);
        if (!user.ok()) co_return storage_error_response(user.error());
        co_return http::Response::json_text(200, std::move(user.value()));
      },
      std::move(get_doc));

  router.post(
      "/users",
      [&service](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        auto new_user = parse_user_create(ctx.request);
        if (!new_user.ok()) co_return new_user.error();
        auto user = co_await service.create_user(ctx.telemetry, std::move(new_user).value());
        if (!user.ok()) co_return storage_error_response(user.error());
        ctx.span.set_attribute("user.id", id_attribute(user.value().id));
        co_return http::Response::json_text(201, user_json(user.value()));
      },
      std::move(create_doc));
}

}  // namespace tdemo::services::users
