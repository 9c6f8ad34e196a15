// The gateway (:8000): the seed's public API in front of users, orders and payments, plus
// GET / (service info, knobs, links), the full-flow demo, /docs and the W3C test endpoint.
#pragma once

#include "http/router.h"
#include "services/common/service_context.h"
#include "services/orders/client.h"
#include "services/payments/client.h"
#include "services/users/client.h"

namespace tdemo::services::gateway {

// The typed clients the gateway depends on (never raw URLs). Must outlive the routes.
struct Downstreams {
  users::Client& users;
  orders::Client& orders;
  payments::Client& payments;
};

// GET /, the proxied user/order/payment routes, /demo/full-flow/{user_id}, /docs (and its
// assets), and POST /test when config.trace_context_test. `context` must outlive the router.
void add_routes(http::Router& router, ServiceContext& context, Downstreams downstreams);

// Pieces, in their own files.
void add_full_flow_route(http::Router& router, ServiceContext& context, Downstreams downstreams);
void add_docs_routes(http::Router& router);
void add_trace_context_test_route(http::Router& router, ServiceContext& context);

// The proxied result: the downstream's answer as is, or 502/503/504 naming the service (and
// the span marked with the failed service).
http::Response proxy_response(const DownstreamResult& result, telemetry::Span& span);

}  // namespace tdemo::services::gateway
