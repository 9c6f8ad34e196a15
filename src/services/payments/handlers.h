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

// POST /payments: the body and Idempotency-Key header as a validated PaymentRequest (order_id
// > 0, 0 < amount <= orders::kMaxAmountCents with at most two decimals, a 12-19 digit card
// number passing the Luhn check, a UTF-8 key of 1..kMaxIdempotencyKeyLength bytes when sent),
// or the answer to send instead (415, 422). Error answers never hold the card number.
Outcome<PaymentRequest> parse_payment_create(const http::Request& request);

// The body with any card number replaced by its masked form (for error inputs and logs).
boost::json::value redact_payment_body(const boost::json::value& body);

}  // namespace tdemo::services::payments
