#include <memory>

#include "storage/payment_repository.h"
#include "storage/traced_query.h"

namespace tdemo::storage {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS payments (
  id INTEGER PRIMARY KEY,  -- not AUTOINCREMENT: see sqlite.h
  order_id INTEGER NOT NULL,
  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
  card_last4 TEXT NOT NULL CHECK (length(card_last4) <= 4),
  -- ORs, not IN ('pending', 'completed', 'declined'): SQLite checks an IN list of three or more
  -- values through a temporary index built on every insert and update (without it a full flow,
  -- one insert and one update here, took 58k fewer instructions).
  status TEXT NOT NULL CHECK (status = 'pending' OR status = 'completed' OR status = 'declined'),
  idempotency_key TEXT UNIQUE,
  decline_reason TEXT NOT NULL DEFAULT '',
  transaction_id TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  claimed_at INTEGER  -- ms since the epoch: when the current owner claimed the pending payment
);
CREATE UNIQUE INDEX IF NOT EXISTS payments_one_live_per_order
  ON payments (order_id) WHERE status != 'declined';
)sql";

// Files made before claims were leased lack claimed_at; NULL counts as long expired.
const std::string kHasClaimedAt =
    "SELECT 1 FROM pragma_table_info('payments') WHERE name = 'claimed_at'";
constexpr const char* kAddClaimedAt = "ALTER TABLE payments ADD COLUMN claimed_at INTEGER";
// The database's clock in ms since the epoch.
const std::string kNowMs = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";

const std::string kColumns =
    "id, order_id, amount_cents, card_last4, status, idempotency_key, decline_reason, "
    "transaction_id, created_at";
const std::string kSelectById = "SELECT " + kColumns + " FROM payments WHERE id = ?";
const std::string kSelectByKey = "SELECT " + kColumns + " FROM payments WHERE idempotency_key = ?";
// No RETURNING (SQLite would buffer the row in a temporary table): the new row is the rowid,
// the values bound, the defaults and created_at, written in the schema default's format.
const std::string kInsert =
    "INSERT INTO payments (order_id, amount_cents, card_last4, status, idempotency_key, "
    "created_at, claimed_at) "
    "VALUES (?, ?, ?, 'pending', ?, ?, " +
    kNowMs + ")";
// Takes over a pending payment whose claim is at least ? ms old (its owner died mid-payment).
const std::string kResume =
    "UPDATE payments SET claimed_at = " + kNowMs + " WHERE id = ? AND status = 'pending' " +
    "AND COALESCE(claimed_at, 0) <= " + kNowMs + " - ? RETURNING " + kColumns;
// No RETURNING (SQLite would buffer the row in a temporary table): while a payment is pending
// only these two statements change it, so the updated row is the pending one the caller holds
// with the new status and text.
const std::string kComplete =
    "UPDATE payments SET status = 'completed', transaction_id = ? WHERE id = ? AND status = 'pending'";
const std::string kDecline =
    "UPDATE payments SET status = 'declined', decline_reason = ? WHERE id = ? AND status = 'pending'";

Payment read_payment(const Statement& s) {
  Payment p;
  p.id = s.column_int(0);
  p.order_id = s.column_int(1);
  p.amount_cents = s.column_int(2);
  p.card_last4 = s.column_text(3);
  p.status = s.column_text(4);
  if (!s.column_is_null(5)) p.idempotency_key = s.column_text(5);
  p.decline_reason = s.column_text(6);
  p.transaction_id = s.column_text(7);
  p.created_at = s.column_text(8);
  return p;
}

// Steps once and reads one payment; kNotFound (with `missing`) when there is no row.
Result<Payment> one_payment(Statement& s, const std::string& missing) {
  auto row = s.step();
  if (!row.ok()) return row.error();
  if (!row.value()) return Error{ErrorCode::kNotFound, missing};
  Payment p = read_payment(s);
  (void)s.step();  // let a RETURNING statement finish its write
  return p;
}

Status create_schema(Database& db) {
  if (auto s = db.exec(kSchema); !s.ok()) return s;
  auto has_column = db.prepare(kHasClaimedAt);
  if (!has_column.ok()) return has_column.error();
  Statement* statement = has_column.value();
  auto row = statement->step();
  statement->reset();
  if (!row.ok()) return row.error();
  return row.value() ? ok_status() : db.exec(kAddClaimedAt);
}

class SqlitePaymentRepository final : public PaymentRepository {
 public:
  SqlitePaymentRepository(std::unique_ptr<ConnectionPool> pool, QueryTracer tracer)
      : pool_(std::move(pool)), tracer_(std::move(tracer)) {}

  Result<PaymentClaim> begin(const telemetry::Context& parent, const NewPayment& payment) override {
    auto lease = pool_->acquire();
    if (!lease.ok()) return lease.error();
    Database& db = lease->db();
    // BEGIN IMMEDIATE takes the write lock first: two retries with one key serialise here.
    Transaction tx(db);
    if (!tx.begin_status().ok()) return tx.begin_status().error();
    if (payment.idempotency_key) {
      auto existing = traced_query(tracer_, parent, db, "SELECT", "payments", kSelectByKey,
                                   lease->waited(), [&](Statement& s) {
                                     s.bind(1, *payment.idempotency_key);
                                     return one_payment(s, "no payment for this key");
                                   });
      if (existing.ok()) {
        if (existing->order_id != payment.order_id || existing->amount_cents != payment.amount_cents) {
          return Error{ErrorCode::kInvalid,
                       "Idempotency-Key was already used for a different payment request"};
        }
        if (existing->status == "pending" && payment.resume_after) {
          auto resumed = traced_query(
              tracer_, parent, db, "UPDATE", "payments", kResume, {}, [&](Statement& s) {
                s.bind(1, existing->id);
                s.bind(2, static_cast<std::int64_t>(payment.resume_after->count()));
                return one_payment(s, "the claim is still live");
              });
          if (resumed.ok()) {
            if (auto s = tx.commit(); !s.ok()) return s.error();
            return PaymentClaim{std::move(resumed).value(), true, true};
          }
          if (resumed.error().code != ErrorCode::kNotFound) return resumed.error();
        }
        return PaymentClaim{std::move(existing).value(), false};
      }
      if (existing.error().code != ErrorCode::kNotFound) return existing.error();
    }
    auto inserted = traced_query(tracer_, parent, db, "INSERT", "payments", kInsert, {},
                                 [&](Statement& s) -> Result<Payment> {
                                   Payment created{.order_id = payment.order_id,
                                                   .amount_cents = payment.amount_cents,
                                                   .card_last4 = payment.card_last4,
                                                   .status = "pending",
                                                   .idempotency_key = payment.idempotency_key,
                                                   .decline_reason = {},
                                                   .transaction_id = {},
                                                   .created_at = sqlite_timestamp_now()};
                                   s.bind(1, created.order_id);
                                   s.bind(2, created.amount_cents);
                                   s.bind(3, created.card_last4);
                                   if (created.idempotency_key) {
                                     s.bind(4, *created.idempotency_key);
                                   } else {
                                     s.bind_null(4);
                                   }
                                   s.bind(5, created.created_at);
                                   if (auto r = s.run(); !r.ok()) return r.error();
                                   created.id = db.last_insert_rowid();
                                   return created;
                                 });
    if (!inserted.ok()) {
      if (inserted.error().code == ErrorCode::kConflict) {
        return Error{ErrorCode::kConflict,
                     "Order " + std::to_string(payment.order_id) + " already has a payment"};
      }
      return inserted.error();
    }
    if (auto s = tx.commit(); !s.ok()) return s.error();
    return PaymentClaim{std::move(inserted).value(), true};
  }

  Result<Payment> complete(const telemetry::Context& parent, const Payment& pending,
                           const std::string& transaction_id) override {
    Payment completed = pending;
    completed.status = "completed";
    completed.transaction_id = transaction_id;
    return finish(parent, kComplete, std::move(completed), transaction_id);
  }

  Result<Payment> decline(const telemetry::Context& parent, const Payment& pending,
                          const std::string& reason) override {
    Payment declined = pending;
    declined.status = "declined";
    declined.decline_reason = reason;
    return finish(parent, kDecline, std::move(declined), reason);
  }

  Result<Payment> find(const telemetry::Context& parent, std::int64_t id) override {
    auto lease = pool_->acquire();
    if (!lease.ok()) return lease.error();
    return traced_query(tracer_, parent, lease->db(), "SELECT", "payments", kSelectById,
                        lease->waited(), [&](Statement& s) {
                          s.bind(1, id);
                          return one_payment(s, "Payment " + std::to_string(id) + " not found");
                        });
  }

  Status ping() override {
    auto lease = pool_->acquire();
    if (!lease.ok()) return lease.error();
    return lease->db().exec("SELECT 1");
  }
  PoolStats pool_stats() const override { return pool_->stats(); }

 private:
  // Runs `sql` (binding `text` and the id) on the pending payment; `updated` is the payment as
  // the update leaves it.
  Result<Payment> finish(const telemetry::Context& parent, const std::string& sql, Payment updated,
                         const std::string& text) {
    auto lease = pool_->acquire();
    if (!lease.ok()) return lease.error();
    Database& db = lease->db();
    return traced_query(tracer_, parent, db, "UPDATE", "payments", sql, lease->waited(),
                        [&](Statement& s) -> Result<Payment> {
                          s.bind(1, text);
                          s.bind(2, updated.id);
                          if (auto r = s.run(); !r.ok()) return r.error();
                          if (db.changes() == 0) {
                            return Error{ErrorCode::kNotFound,
                                         "Payment " + std::to_string(updated.id) + " is not pending"};
                          }
                          return std::move(updated);
                        });
  }


  std::unique_ptr<ConnectionPool> pool_;
  QueryTracer tracer_;
};

}  // namespace

Result<std::unique_ptr<PaymentRepository>> make_sqlite_payment_repository(
    const SqliteRepositoryOptions& options, telemetry::Tracer tracer) {
  auto pool = ConnectionPool::create(options.pool, create_schema);
  if (!pool.ok()) return pool.error();
  QueryTracer query_tracer(std::move(tracer), "sqlite", pool.value()->name(), options.slow_query);
  return std::unique_ptr<PaymentRepository>(
      std::make_unique<SqlitePaymentRepository>(std::move(pool).value(), std::move(query_tracer)));
}

}  // namespace tdemo::storage
