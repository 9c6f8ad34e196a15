// The payments service's data. The "never a second charge" rule lives here, in the database:
// a unique Idempotency-Key, at most one non-declined payment per order, and a transaction
// around "look the key up, else insert a pending payment", so concurrent retries charge once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "storage/repository_options.h"
#include "storage/result.h"
#include "telemetry/context.h"
#include "telemetry/tracer.h"

namespace tdemo::storage {

// Only the card's last four digits are ever stored.
struct Payment {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::int64_t amount_cents = 0;
  std::string card_last4;
  std::string status;  // "pending", "completed" or "declined"
  std::optional<std::string> idempotency_key;
  std::string decline_reason;  // set when declined
  std::string transaction_id;  // the processor's id, set when completed
  std::string created_at;
};

struct NewPayment {
  std::int64_t order_id = 0;
  std::int64_t amount_cents = 0;
  std::string card_last4;
  std::optional<std::string> idempotency_key;
  // A pending payment under the same key whose claim is at least this old was abandoned (the
  // process charging it died): begin() renews the claim and hands the payment to this caller.
  // nullopt: a pending payment is never taken over. Must exceed the longest time a live owner
  // needs between begin() and complete()/decline().
  std::optional<std::chrono::milliseconds> resume_after;
};

// What begin() found: a pending payment this caller must process (new, or resumed after its
// owner's claim expired), or an existing one for the same Idempotency-Key (replay its result;
// do not charge again).
struct PaymentClaim {
  Payment payment;
  bool created = false;  // this caller owns the pending payment
  bool resumed = false;  // ... taken over from an expired claim (created is true too)
};

// Implementations are thread-safe. Every call records DB spans as children of `parent`.
class PaymentRepository {
 public:
  PaymentRepository() = default;
  PaymentRepository(const PaymentRepository&) = delete;
  PaymentRepository& operator=(const PaymentRepository&) = delete;
  virtual ~PaymentRepository() = default;

  // A cheap round trip to the database (for /health); not traced.
  virtual Status ping() = 0;
  // The connection pool's figures (for /metrics and /health).
  virtual PoolStats pool_stats() const = 0;

  // In one transaction: when the key is known, returns that payment (created=false), or
  // kInvalid when it was used with a different order or amount, or resumes it when it is
  // pending with a claim older than payment.resume_after (created=resumed=true); else inserts
  // a pending payment (created=true). kConflict when the order already has a pending or
  // completed payment under another key. Claim ages are measured on the database's clock.
  virtual Result<PaymentClaim> begin(const telemetry::Context& parent, const NewPayment& payment) = 0;
  // pending -> completed (with the processor's transaction id) or declined (with a reason).
  // `pending` is the payment begin() handed this caller; the result is that payment with its
  // new status. kNotFound when it is no longer pending (another caller took it over).
  virtual Result<Payment> complete(const telemetry::Context& parent, const Payment& pending,
                                   const std::string& transaction_id) = 0;
  virtual Result<Payment> decline(const telemetry::Context& parent, const Payment& pending,
                                  const std::string& reason) = 0;
  virtual Result<Payment> find(const telemetry::Context& parent, std::int64_t id) = 0;
};

Result<std::unique_ptr<PaymentRepository>> make_sqlite_payment_repository(
    const SqliteRepositoryOptions& options, telemetry::Tracer tracer);

}  // namespace tdemo::storage
