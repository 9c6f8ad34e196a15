// payments::Client: what the payments service offers, over HTTP, for the gateway.
#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "services/common/downstream.h"

namespace tdemo::services::payments {

// Thread-safe; the http client inside `downstream` must outlive it.
class Client {
 public:
  explicit Client(Downstream downstream) : downstream_(std::move(downstream)) {}

  // `json_body` (JSON text) is forwarded as is; `idempotency_key` as the Idempotency-Key header.
  boost::asio::awaitable<DownstreamResult> create_payment(std::string json_body,
                                                          std::optional<std::string> idempotency_key,
                                                          const telemetry::Context& parent);
  boost::asio::awaitable<DownstreamResult> get_payment(std::int64_t payment_id,
                                                       const telemetry::Context& parent);
  boost::asio::awaitable<DownstreamResult> health(const telemetry::Context& parent);
  const Downstream& downstream() const noexcept { return downstream_; }

 private:
  Downstream downstream_;
};

}  // namespace tdemo::services::payments
