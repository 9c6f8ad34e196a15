// The orders service's routes: GET /orders/{order_id}, POST /orders,
// POST /orders/{order_id}/pay (used by payments).
#pragma once

#include "http/router.h"
#include "services/orders/service.h"

namespace tdemo::services::orders {

// The largest order amount accepted (1,000,000.00), in cents.
inline constexpr std::int64_t kMaxAmountCents = 100'000'000;
// The most items one order may list.
inline constexpr std::size_t kMaxItems = 100;

// Adds the routes with their docs and schemas. `service` must outlive the router.
void add_routes(http::Router& router, OrderService& service);

boost::json::value order_schema();
boost::json::value order_create_schema();

}  // namespace tdemo::services::orders
