// The payments domain: check the order (via orders), claim the Idempotency-Key in the
// database, run the processor, record the outcome, and mark the order paid (via orders).
// Never a second charge: the claim is a transaction with a unique key, so a retry replays the
// stored result, and a concurrent retry finds the payment pending (409) instead of charging.
// Nothing stuck: a claim lasts `claim_timeout`; a retry that finds the payment still pending
// after that (its process died mid-payment) takes the claim over and finishes the payment.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "services/common/blocking.h"
#include "services/common/outcome.h"
#include "services/orders/client.h"
#include "services/payments/processor.h"
#include "storage/payment_repository.h"
#include "telemetry/tracer.h"

namespace tdemo::services::payments {

struct PaymentRequest {
  std::int64_t order_id = 0;
  std::int64_t amount_cents = 0;
  std::string card_digits;  // normalised; lives only for this request, never stored whole
  std::optional<std::string> idempotency_key;
};

struct PaymentOutcome {
  storage::Payment payment;
  bool replayed = false;  // an earlier result for the same Idempotency-Key
};

// {"id","order_id","amount","status","card","transaction_id","idempotency_key",
//  "decline_reason","created_at"}; the card as "****1234".
std::string payment_json(const storage::Payment& payment);

// Thread-safe. References must outlive the service.
class PaymentService {
 public:
  // `claim_timeout` must exceed the longest time a live request needs from claiming a payment
  // to recording its outcome (the processor's latency included).
  PaymentService(storage::PaymentRepository& repository, orders::Client& orders,
                 Processor& processor, telemetry::Tracer tracer, BlockingPool& blocking,
                 std::chrono::milliseconds claim_timeout)
      : repository_(repository),
        orders_(orders),
        processor_(processor),
        tracer_(std::move(tracer)),
        blocking_(blocking),
        claim_timeout_(claim_timeout) {}

  // A `payments.process` span. 201/200 on success; errors: 404 (order), 422 (amount does not
  // match, key reused for another request), 409 (order already has a payment, or the same key
  // is still being processed), 402 (declined: ERROR span, exception event, clear reason),
  // 502/503/504 naming orders.
  boost::asio::awaitable<Outcome<PaymentOutcome>> pay(const telemetry::Context& parent,
                                                      const PaymentRequest& request);

 private:
  boost::asio::awaitable<Outcome<PaymentOutcome>> finish_replay(const telemetry::Context& context,
                                                                telemetry::Span& span,
                                                                storage::Payment payment);
  // complete()/decline() found the payment no longer pending: another request took the claim
  // over and finished it. Replays the stored result.
  boost::asio::awaitable<Outcome<PaymentOutcome>> finish_taken_over(
      const telemetry::Context& context, telemetry::Span& span, std::int64_t id);
  boost::asio::awaitable<std::optional<http::Response>> mark_order_paid(
      const telemetry::Context& context, telemetry::Span& span, const storage::Payment& payment);

  storage::PaymentRepository& repository_;
  orders::Client& orders_;
  Processor& processor_;
  telemetry::Tracer tracer_;
  BlockingPool& blocking_;
  std::chrono::milliseconds claim_timeout_;
};

// The 402 body for a declined payment.
http::Response declined_response(const storage::Payment& payment);

}  // namespace tdemo::services::payments
