#include "services/payments/service.h"

#include <boost/json.hpp>

#include "http/errors.h"
#include "services/common/card.h"
#include "services/common/responses.h"
#include "services/common/validation.h"
#include "services/common/json_text.h"
#include "telemetry/span.h"

namespace tdemo::services::payments {

std::string payment_json(const storage::Payment& payment) {
  JsonObjectWriter json(256);
  json.field("id", payment.id)
      .field("order_id", payment.order_id)
      .field("amount", cents_to_double(payment.amount_cents))
      .field("status", payment.status)
      .field("card", "****" + payment.card_last4)
      .field("created_at", payment.created_at);
  const auto text_or_null = [&json](std::string_view key, const std::string* text) {
    if (text != nullptr) {
      json.field(key, *text);
    } else {
      json.null_field(key);
    }
  };
  text_or_null("transaction_id", payment.transaction_id.empty() ? nullptr : &payment.transaction_id);
  text_or_null("idempotency_key", payment.idempotency_key ? &*payment.idempotency_key : nullptr);
  text_or_null("decline_reason", payment.decline_reason.empty() ? nullptr : &payment.decline_reason);
  return json.take();
}

http::Response declined_response(const storage::Payment& payment) {
  return http::Response::json_text(402, JsonObjectWriter(384)
                                            .field("detail", "Payment declined: " + payment.decline_reason)
                                            .field("reason", payment.decline_reason)
                                            .json_field("payment", payment_json(payment))
                                            .take());
}

namespace {

http::Response amount_mismatch(std::int64_t requested, std::int64_t expected, std::int64_t order_id) {
  http::ValidationIssue issue;
  issue.loc = {std::string("body"), std::string("amount")};
  issue.type = "value_error";
  issue.msg = "Value error, amount " + format_cents(requested) + " does not match order " +
              std::to_string(order_id) + " total " + format_cents(expected);
  issue.input = cents_to_double(requested);
  return http::validation_error({issue});
}

// An order answer's "amount" in cents, when it has one. Parsed into a buffer on the stack (an
// order is a few hundred bytes; the heap took a call per member), outside the coroutine's frame.
std::optional<std::int64_t> order_total_cents(const DownstreamReply& order) {
  unsigned char buffer[2048];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  const boost::json::value json = order.json(&arena);
  const auto* object = json.if_object();
  const auto* total = object != nullptr ? object->if_contains("amount") : nullptr;
  return total != nullptr ? parse_cents(*total) : std::nullopt;
}

}  // namespace

boost::asio::awaitable<Outcome<PaymentOutcome>> PaymentService::pay(const telemetry::Context& parent,
                                                                    const PaymentRequest& request) {
  auto span = tracer_.start_span("payments.process", parent);
  span.set_attribute("order.id", id_attribute(request.order_id));
  span.set_attribute("order.amount", cents_to_double(request.amount_cents));
  span.set_attribute("payment.card.masked", mask_card_number(request.card_digits));
  span.set_attribute("payment.idempotency_key.present", request.idempotency_key.has_value());
  const auto context = telemetry::context_with(parent, span);

  // 1. The order must exist and the amount must match it.
  auto order = co_await orders_.get_order(request.order_id, context);
  if (!order.ok()) {
    mark_span_error(span, order.error().error_type, order.error().detail);
    co_return failure_response(order.error());
  }
  if (order.value().status == 404) {
    span.add_event("payment.order_not_found");
    co_return not_found_response("Order", request.order_id);
  }
  const auto order_cents = order.value().status == 200 ? order_total_cents(order.value()) : std::nullopt;
  if (!order_cents) {
    mark_span_error(span, "unexpected_response", "orders service gave no order total");
    const DownstreamFailure failure{502, "orders", "orders service gave no order total",
                                    "unexpected_response"};
    co_return failure_response(failure);
  }
  if (*order_cents != request.amount_cents) {
    span.add_event("payment.amount_mismatch");
    co_return amount_mismatch(request.amount_cents, *order_cents, request.order_id);
  }

  // 2. Claim the key (or find the earlier result) in one transaction.
  storage::NewPayment claim_request{request.order_id, request.amount_cents,
                                    last_four_digits(request.card_digits), request.idempotency_key,
                                    claim_timeout_};
  auto claim = co_await run_blocking(blocking_, [&] { return repository_.begin(context, claim_request); });
  if (!claim.ok()) {
    const auto& error = claim.error();
    span.add_event("payment.rejected", {{"reason", telemetry::attribute(error.message)}});
    if (error.code == storage::ErrorCode::kInvalid) co_return http::error_response(422, error.message);
    if (error.code != storage::ErrorCode::kConflict) {
      mark_span_error(span, storage::to_string(error.code), error.message);
    }
    co_return storage_error_response(error);
  }
  span.set_attribute("payment.id", id_attribute(claim.value().payment.id));
  if (!claim.value().created) co_return co_await finish_replay(context, span, claim.value().payment);
  if (claim.value().resumed) {
    // The first attempt's process died between claiming and recording the outcome; the
    // processor is keyed by the payment id, so authorizing it again is not a second charge.
    span.set_attribute("payment.resumed", true);
    span.add_event("payment.resumed_abandoned_claim");
  }

  // 3. Charge: fraud check + authorization.
  auto decision = co_await processor_.authorize(context, claim.value().payment.id,
                                                request.amount_cents, request.card_digits);
  if (!decision.approved) {
    const auto id = claim.value().payment.id;
    auto declined = co_await run_blocking(
        blocking_, [&] { return repository_.decline(context, claim.value().payment, decision.reason); });
    if (!declined.ok() && declined.error().code == storage::ErrorCode::kNotFound) {
      co_return co_await finish_taken_over(context, span, id);
    }
    if (!declined.ok()) {
      mark_span_error(span, storage::to_string(declined.error().code), declined.error().message);
      co_return storage_error_response(declined.error());
    }
    span.set_attribute("payment.status", "declined");
    mark_span_error(span, "PaymentDeclined", "Payment declined: " + decision.reason);
    span.set_attribute("error.type", decision.error_type);
    span.add_event("payment.declined", {{"reason", telemetry::attribute(decision.reason)}});
    co_return declined_response(declined.value());
  }
  const auto id = claim.value().payment.id;
  auto completed = co_await run_blocking(
      blocking_, [&] { return repository_.complete(context, claim.value().payment, decision.transaction_id); });
  if (!completed.ok() && completed.error().code == storage::ErrorCode::kNotFound) {
    co_return co_await finish_taken_over(context, span, id);
  }
  if (!completed.ok()) {
    mark_span_error(span, storage::to_string(completed.error().code), completed.error().message);
    co_return storage_error_response(completed.error());
  }
  span.add_event("payment.authorized",
                 {{"transaction_id", telemetry::attribute(decision.transaction_id)}});
  span.set_attribute("payment.status", "completed");

  // 4. Mark the order paid. When orders cannot be reached the payment stays completed and a
  //    retry with the same key finishes the job (mark_paid is idempotent).
  if (auto failed = co_await mark_order_paid(context, span, completed.value())) co_return std::move(*failed);
  span.end();
  PaymentOutcome outcome{std::move(completed).value(), false};
  co_return outcome;
}

boost::asio::awaitable<Outcome<PaymentOutcome>> PaymentService::finish_replay(
    const telemetry::Context& context, telemetry::Span& span, storage::Payment payment) {
  span.set_attribute("payment.replayed", true);
  span.set_attribute("payment.status", payment.status);
  span.add_event("payment.idempotent_replay");
  if (payment.status == "pending") {
    co_return http::error_response(409, "A payment with this Idempotency-Key is still being processed");
  }
  if (payment.status == "declined") co_return declined_response(payment);
  if (auto failed = co_await mark_order_paid(context, span, payment)) co_return std::move(*failed);
  PaymentOutcome outcome{std::move(payment), true};
  co_return outcome;
}

boost::asio::awaitable<Outcome<PaymentOutcome>> PaymentService::finish_taken_over(
    const telemetry::Context& context, telemetry::Span& span, std::int64_t id) {
  // Our claim expired while we were charging and a retry recorded the outcome first: answer
  // with what the database holds (the recorded outcome stands; ours is not written).
  span.add_event("payment.claim_lost");
  auto stored = co_await run_blocking(blocking_, [&] { return repository_.find(context, id); });
  if (!stored.ok()) {
    mark_span_error(span, storage::to_string(stored.error().code), stored.error().message);
    co_return storage_error_response(stored.error());
  }
  co_return co_await finish_replay(context, span, std::move(stored).value());
}

boost::asio::awaitable<std::optional<http::Response>> PaymentService::mark_order_paid(
    const telemetry::Context& context, telemetry::Span& span, const storage::Payment& payment) {
  auto marked = co_await orders_.mark_paid(payment.order_id, payment.id, context);
  if (!marked.ok()) {
    mark_span_error(span, marked.error().error_type, marked.error().detail);
    co_return failure_response(marked.error());
  }
  if (marked.value().status != 200) {
    const std::string detail =
        "orders service refused to mark the order paid (" + std::to_string(marked.value().status) + ")";
    mark_span_error(span, "order_not_marked_paid", detail);
    const DownstreamFailure failure{502, "orders", detail, "order_not_marked_paid"};
    co_return failure_response(failure);
  }
  span.add_event("payment.order_marked_paid");
  co_return std::nullopt;
}

}  // namespace tdemo::services::payments
