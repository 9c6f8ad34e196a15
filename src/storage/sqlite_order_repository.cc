#include <memory>

#include "storage/order_repository.h"
#include "storage/traced_query.h"

namespace tdemo::storage {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS orders (
  id INTEGER PRIMARY KEY,  -- not AUTOINCREMENT: see sqlite.h
  user_id INTEGER NOT NULL,
  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
  items TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'paid')),
  payment_id INTEGER,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK ((status = 'paid') = (payment_id IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS orders_by_user ON orders (user_id);
)sql";

const std::string kColumns = "id, user_id, amount_cents, items, status, payment_id, created_at";
const std::string kSelectById = "SELECT " + kColumns + " FROM orders WHERE id = ?";
// No RETURNING: SQLite buffers a RETURNING statement's rows in a temporary table (~20% of the
// insert's instructions). Every column of the new row is known here: the id is the rowid,
// created_at is written in the schema default's format.
const std::string kInsert = "INSERT INTO orders (user_id, amount_cents, items, created_at) VALUES (?, ?, ?, ?)";
const std::string kMarkPaid =
    "UPDATE orders SET status = 'paid', payment_id = ? WHERE id = ? AND status = 'created'";

Order read_order(const Statement& s) {
  Order o;
  o.id = s.column_int(0);
  o.user_id = s.column_int(1);
  o.amount_cents = s.column_int(2);
  o.items_json = s.column_text(3);
  o.status = s.column_text(4);
  o.payment_id = s.column_is_null(5) ? 0 : s.column_int(5);
  o.created_at = s.column_text(6);
  return o;
}

Error not_found(std::int64_t id) {
  return Error{ErrorCode::kNotFound, "Order " + std::to_string(id) + " not found"};
}

class SqliteOrderRepository final : public OrderRepository {
 public:
  SqliteOrderRepository(std::unique_ptr<ConnectionPool> pool, QueryTracer tracer)
      : pool_(std::move(pool)), tracer_(std::move(tracer)) {}

  Result<Order> find(const telemetry::Context& parent, std::int64_t id) override {
    auto lease = pool_->acquire();
    if (!lease.ok()) return lease.error();
    return select(parent, lease->db(), id, lease->waited());
  }

  Result<Order> create(const telemetry::Context& parent, const NewOrder& order) override {
    auto lease = pool_->acquire();
    if (!lease.ok()) return lease.error();
    return traced_query(tracer_, parent, lease->db(), "INSERT", "orders", kInsert, lease->waited(),
                        [&](Statement& s) -> Result<Order> {
                          Order created{.user_id = order.user_id,
                                        .amount_cents = order.amount_cents,
                                        .items_json = order.items_json,
                                        .status = "created",
                                        .created_at = sqlite_timestamp_now()};
                          s.bind(1, created.user_id);
                          s.bind(2, created.amount_cents);
                          s.bind(3, created.items_json);
                          s.bind(4, created.created_at);
                          if (auto r = s.run(); !r.ok()) return r.error();
                          created.id = lease->db().last_insert_rowid();
                          return created;
                        });
  }

  Result<Order> mark_paid(const telemetry::Context& parent, std::int64_t id,
                          std::int64_t payment_id) override {
    auto lease = pool_->acquire();
    if (!lease.ok()) return lease.error();
    Database& db = lease->db();
    Transaction tx(db);
    if (!tx.begin_status().ok()) return tx.begin_status().error();
    auto updated = traced_query(tracer_, parent, db, "UPDATE", "orders", kMarkPaid, lease->waited(),
                                [&](Statement& s) -> Result<int> {
                                  s.bind(1, payment_id);
                                  s.bind(2, id);
                                  if (auto r = s.run(); !r.ok()) return r.error();
                                  return db.changes();
                                });
    if (!updated.ok()) return updated.error();
    auto order = select(parent, db, id, {});
    if (!order.ok()) return order.error();
    if (updated.value() == 0 && order->payment_id != payment_id) {
      return Error{ErrorCode::kConflict, "Order " + std::to_string(id) + " is already paid"};
    }
    if (auto s = tx.commit(); !s.ok()) return s.error();
    return order;
  }

  Status ping() override {
    auto lease = pool_->acquire();
    if (!lease.ok()) return lease.error();
    return lease->db().exec("SELECT 1");
  }
  PoolStats pool_stats() const override { return pool_->stats(); }

 private:
  Result<Order> select(const telemetry::Context& parent, Database& db, std::int64_t id,
                       std::chrono::nanoseconds waited) {
    return traced_query(tracer_, parent, db, "SELECT", "orders", kSelectById, waited,
                        [&](Statement& s) -> Result<Order> {
                          s.bind(1, id);
                          auto row = s.step();
                          if (!row.ok()) return row.error();
                          if (!row.value()) return not_found(id);
                          return read_order(s);
                        });
  }

  std::unique_ptr<ConnectionPool> pool_;
  QueryTracer tracer_;
};

}  // namespace

Result<std::unique_ptr<OrderRepository>> make_sqlite_order_repository(
    const SqliteRepositoryOptions& options, telemetry::Tracer tracer) {
  auto pool = ConnectionPool::create(options.pool, [](Database& db) { return db.exec(kSchema); });
  if (!pool.ok()) return pool.error();
  QueryTracer query_tracer(std::move(tracer), "sqlite", pool.value()->name(), options.slow_query);
  return std::unique_ptr<OrderRepository>(
      std::make_unique<SqliteOrderRepository>(std::move(pool).value(), std::move(query_tracer)));
}

}  // namespace tdemo::storage
