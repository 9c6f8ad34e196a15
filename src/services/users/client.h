// users::Client: what the users service offers, over HTTP, for the gateway and orders.
#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "services/common/downstream.h"

namespace tdemo::services::users {

// Thread-safe; `client` (inside `downstream`) must outlive it.
class Client {
 public:
  explicit Client(Downstream downstream) : downstream_(std::move(downstream)) {}

  boost::asio::awaitable<DownstreamResult> get_user(std::int64_t user_id,
                                                    const telemetry::Context& parent);
  // `json_body` (JSON text) is forwarded as is (the users service validates it).
  boost::asio::awaitable<DownstreamResult> create_user(std::string json_body,
                                                       const telemetry::Context& parent);
  boost::asio::awaitable<DownstreamResult> health(const telemetry::Context& parent);
  const Downstream& downstream() const noexcept { return downstream_; }

 private:
  Downstream downstream_;
};

}  // namespace tdemo::services::users
