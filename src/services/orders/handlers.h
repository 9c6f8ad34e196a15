// The orders service's routes: GET /orders/{order_id}, POST /orders,
// POST /orders/{order_id}/pay (used by payments).
#pragma once

#include "http/router.h"
#include "services/common/outcome.h"
#include "services/orders/service.h"

namespace tdemo::services::orders {

// The largest order amount accepted (1,000,000.00), in cents.
inline constexpr std::int64_t kMaxAmountCents = 100'000'000;
// The most items one order may list.
inline constexpr std::size_t kMaxItems = 100;

// Adds the routes with their docs and schemas. `service` must outlive the router.
void add_routes(http::Router& router, OrderService& service);

// POST /orders: the request body as a validated NewOrder (user_id > 0, 0 < amount <=
// kMaxAmountCents with at most two decimals, at most kMaxItems items), or the answer to send
// instead (415 wrong Content-Type, 422 malformed JSON or invalid fields).
Outcome<storage::NewOrder> parse_order_create(const http::Request& request);
// POST /orders/{order_id}/pay: the payment id (> 0) from the body, or the 415/422 answer.
Outcome<std::int64_t> parse_mark_paid(const http::Request& request);

boost::json::value order_schema();
boost::json::value order_create_schema();

}  // namespace tdemo::services::orders
