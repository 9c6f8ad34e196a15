// The orders domain: create (the user must exist: asked of the users service), get, and mark
// paid (created -> paid, called by payments).
#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "services/common/blocking.h"
#include "services/common/outcome.h"
#include "services/users/client.h"
#include "storage/order_repository.h"
#include "telemetry/tracer.h"

namespace tdemo::services::orders {

// {"id","user_id","amount","items","status","payment_id","created_at"}; amount as a number.
std::string order_json(const storage::Order& order);

// Thread-safe. The references must outlive the service.
class OrderService {
 public:
  OrderService(storage::OrderRepository& repository, users::Client& users,
               telemetry::Tracer tracer, BlockingPool& blocking)
      : repository_(repository), users_(users), tracer_(std::move(tracer)), blocking_(blocking) {}

  // An `orders.create` span (user.id, order.amount, then order.id); 404 when the user does not
  // exist, 502/503/504 naming users when it cannot be asked.
  boost::asio::awaitable<Outcome<storage::Order>> create_order(const telemetry::Context& parent,
                                                               storage::NewOrder order);
  boost::asio::awaitable<Outcome<storage::Order>> get_order(const telemetry::Context& parent,
                                                            std::int64_t id);
  // An `orders.mark_paid` span; 409 when paid by another payment.
  boost::asio::awaitable<Outcome<storage::Order>> mark_paid(const telemetry::Context& parent,
                                                            std::int64_t id, std::int64_t payment_id);

 private:
  storage::OrderRepository& repository_;
  users::Client& users_;
  telemetry::Tracer tracer_;
  BlockingPool& blocking_;
};

}  // namespace tdemo::services::orders
