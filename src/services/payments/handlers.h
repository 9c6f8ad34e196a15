// The payments service's routes: POST /payments (Idempotency-Key header), GET /payments/{id}.
#pragma once

#include "http/router.h"
#include "services/payments/service.h"
#include "storage/payment_repository.h"

namespace tdemo::services::payments {

inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;

// `service`, `repository` and `blocking` must outlive the router.
void add_routes(http::Router& router, PaymentService& service, storage::PaymentRepository& repository,
                BlockingPool& blocking);

boost::json::value payment_schema();
boost::json::value payment_create_schema();

// The body with any card number replaced by its masked form (for error inputs and logs).
boost::json::value redact_payment_body(const boost::json::value& body);

}  // namespace tdemo::services::payments
