// The users service's routes: GET /users/{user_id}, POST /users.
#pragma once

#include "http/router.h"
#include "services/common/outcome.h"
#include "services/users/service.h"

namespace tdemo::services::users {

// Adds the routes (and their OpenAPI docs and schemas). `service` must outlive the router.
void add_routes(http::Router& router, UserService& service);

// POST /users: the request body as a validated NewUser (name 1..100 characters, a valid email),
// or the answer to send instead (415 wrong Content-Type, 422 malformed JSON or invalid fields).
Outcome<storage::NewUser> parse_user_create(const http::Request& request);

// JSON Schemas shared with the gateway's OpenAPI document.
boost::json::value user_schema();
boost::json::value user_create_schema();

}  // namespace tdemo::services::users
