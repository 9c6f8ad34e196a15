// The simulated card processor: a fraud check and an authorization, each its own span. It sees
// the card digits (in memory only) and never records them: spans get the masked form.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "telemetry/tracer.h"

namespace tdemo::services::payments {

// Test cards with fixed outcomes (as card networks' sandboxes have).
inline constexpr std::string_view kAlwaysDeclinedCard = "4000000000000002";
inline constexpr std::string_view kInsufficientFundsCard = "4000000000009995";
// Amounts above this (in cents) fail the fraud check: 5,000.00.
inline constexpr std::int64_t kFraudLimitCents = 500'000;

struct ProcessorOptions {
  double decline_rate = 0.0;               // share of other payments declined at random
  std::uint64_t seed = 0;                  // 0: random
  std::chrono::milliseconds latency{0};    // simulated network time of the authorization
};

struct Decision {
  bool approved = false;
  std::string reason;          // why it was declined ("" when approved)
  std::string error_type;      // "card_declined", "insufficient_funds", "fraud_suspected"
  std::string transaction_id;  // when approved: "txn_<16 hex>"
};

// Thread-safe (the random engine is behind a mutex).
class Processor {
 public:
  Processor(telemetry::Tracer tracer, ProcessorOptions options);

  // `card_digits` is the normalised card number (never recorded).
  boost::asio::awaitable<Decision> authorize(const telemetry::Context& parent, std::int64_t payment_id,
                                             std::int64_t amount_cents, std::string_view card_digits);

 private:
  double next_unit();
  std::uint64_t next_id();

  telemetry::Tracer tracer_;
  ProcessorOptions options_;
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

}  // namespace tdemo::services::payments
