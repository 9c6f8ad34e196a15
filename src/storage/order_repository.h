// The orders service's data: the repository interface and its SQLite implementation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/repository_options.h"
#include "storage/result.h"
#include "telemetry/context.h"
#include "telemetry/tracer.h"

namespace tdemo::storage {

// Amounts are integer cents everywhere in storage (no floating-point money).
struct Order {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t amount_cents = 0;
  std::string items_json = "[]";  // the request's `items`, as a JSON array text
  std::string status;             // "created" or "paid"
  std::int64_t payment_id = 0;    // 0 until paid
  std::string created_at;
};

struct NewOrder {
  std::int64_t user_id = 0;
  std::int64_t amount_cents = 0;
  std::string items_json = "[]";
};

// Implementations are thread-safe. Every call records DB spans as children of `parent`.
class OrderRepository {
 public:
  OrderRepository() = default;
  OrderRepository(const OrderRepository&) = delete;
  OrderRepository& operator=(const OrderRepository&) = delete;
  virtual ~OrderRepository() = default;

  // A cheap round trip to the database (for /health); not traced.
  virtual Status ping() = 0;
  // The connection pool's figures (for /metrics and /health).
  virtual PoolStats pool_stats() const = 0;

  virtual Result<Order> find(const telemetry::Context& parent, std::int64_t id) = 0;
  virtual Result<Order> create(const telemetry::Context& parent, const NewOrder& order) = 0;
  // created -> paid, in one transaction. Idempotent for the same payment id; kConflict when
  // the order is already paid by another payment; kNotFound when it does not exist.
  virtual Result<Order> mark_paid(const telemetry::Context& parent, std::int64_t id,
                                  std::int64_t payment_id) = 0;
};

Result<std::unique_ptr<OrderRepository>> make_sqlite_order_repository(
    const SqliteRepositoryOptions& options, telemetry::Tracer tracer);

}  // namespace tdemo::storage
