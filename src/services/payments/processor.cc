#include "services/payments/processor.h"

#include <cstdio>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "services/common/card.h"
#include "services/common/validation.h"
#include "telemetry/span.h"

namespace tdemo::services::payments {

Processor::Processor(telemetry::Tracer tracer, ProcessorOptions options)
    : tracer_(std::move(tracer)), options_(options),
      engine_(options.seed != 0 ? options.seed : std::random_device{}()) {}

double Processor::next_unit() {
  std::lock_guard lock(mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

std::uint64_t Processor::next_id() {
  std::lock_guard lock(mutex_);
  return engine_();
}

boost::asio::awaitable<Decision> Processor::authorize(const telemetry::Context& parent,
                                                      std::int64_t payment_id,
                                                      std::int64_t amount_cents,
                                                      std::string_view card_digits) {
  Decision decision;
  const std::string masked = mask_card_number(card_digits);

  auto fraud = tracer_.start_span("payment.fraud_check", parent);
  fraud.set_attribute("payment.id", id_attribute(payment_id));
  fraud.set_attribute("payment.amount", cents_to_double(amount_cents));
  fraud.set_attribute("payment.card.masked", masked);
  const bool over_limit = amount_cents > kFraudLimitCents;
  fraud.set_attribute("fraud.risk", over_limit ? "high" : "low");
  fraud.set_attribute("fraud.passed", !over_limit);
  fraud.end();
  if (over_limit) {
    decision.reason = "fraud check failed: amount over the " + format_cents(kFraudLimitCents) + " risk limit";
    decision.error_type = "fraud_suspected";
    co_return decision;
  }

  auto auth = tracer_.start_span("payment.authorize", parent,
                                 telemetry::StartSpanOptions{telemetry::SpanKind::kClient, {}, {}, 0});
  auth.set_attribute("payment.id", id_attribute(payment_id));
  auth.set_attribute("payment.processor", "simulated");
  auth.set_attribute("payment.card.masked", masked);
  if (options_.latency.count() > 0) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, options_.latency);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  if (card_digits == kAlwaysDeclinedCard) {
    decision.reason = "card declined by the issuer";
    decision.error_type = "card_declined";
  } else if (card_digits == kInsufficientFundsCard ||
             (options_.decline_rate > 0 && next_unit() < options_.decline_rate)) {
    decision.reason = "insufficient funds";
    decision.error_type = "insufficient_funds";
  } else {
    char id[21];
    std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(next_id()));
    decision.approved = true;
    decision.transaction_id = std::string("txn_") + id;
  }
  auth.set_attribute("payment.authorized", decision.approved);
  if (!decision.approved) auth.set_attribute("payment.decline_reason", decision.reason);
  auth.end();
  co_return decision;
}

}  // namespace tdemo::services::payments
