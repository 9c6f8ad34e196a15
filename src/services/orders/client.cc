#include "services/orders/client.h"

#include "services/common/json_text.h"

namespace tdemo::services::orders {

boost::asio::awaitable<DownstreamResult> Client::get_order(std::int64_t order_id,
                                                           const telemetry::Context& parent) {
  std::string path = "/orders/" + std::to_string(order_id);
  std::string route = "/orders/{order_id}";
  return downstream_.call(http::Method::kGet, std::move(path), std::move(route), parent);
}

boost::asio::awaitable<DownstreamResult> Client::create_order(std::string json_body,
                                                              const telemetry::Context& parent) {
  std::string path = "/orders";
  std::string route = "/orders";
  return downstream_.call(http::Method::kPost, std::move(path), std::move(route), parent,
                          std::move(json_body));
}

boost::asio::awaitable<DownstreamResult> Client::mark_paid(std::int64_t order_id,
                                                           std::int64_t payment_id,
                                                           const telemetry::Context& parent) {
  std::string path = "/orders/" + std::to_string(order_id) + "/pay";
  std::string route = "/orders/{order_id}/pay";
  return downstream_.call(http::Method::kPost, std::move(path), std::move(route), parent,
                          JsonObjectWriter(32).field("payment_id", payment_id).take());
}

boost::asio::awaitable<DownstreamResult> Client::health(const telemetry::Context& parent) {
  std::string path = "/health";
  std::string route = "/health";
  return downstream_.call(http::Method::kGet, std::move(path), std::move(route), parent);
}

}  // namespace tdemo::services::orders
