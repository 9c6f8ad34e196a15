// orders::Client: what the orders service offers, over HTTP, for the gateway and payments.
#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "services/common/downstream.h"

namespace tdemo::services::orders {

// Thread-safe; the http client inside `downstream` must outlive it.
class Client {
 public:
  explicit Client(Downstream downstream) : downstream_(std::move(downstream)) {}

  boost::asio::awaitable<DownstreamResult> get_order(std::int64_t order_id,
                                                     const telemetry::Context& parent);
  // `json_body` (JSON text) is forwarded as is (the orders service validates it).
  boost::asio::awaitable<DownstreamResult> create_order(std::string json_body,
                                                        const telemetry::Context& parent);
  boost::asio::awaitable<DownstreamResult> mark_paid(std::int64_t order_id, std::int64_t payment_id,
                                                     const telemetry::Context& parent);
  boost::asio::awaitable<DownstreamResult> health(const telemetry::Context& parent);
  const Downstream& downstream() const noexcept { return downstream_; }

 private:
  Downstream downstream_;
};

}  // namespace tdemo::services::orders
