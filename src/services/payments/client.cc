#include "services/payments/client.h"

namespace tdemo::services::payments {

boost::asio::awaitable<DownstreamResult> Client::create_payment(
    std::string json_body, std::optional<std::string> idempotency_key,
    const telemetry::Context& parent) {
  http::Headers headers;
  if (idempotency_key) headers.set("Idempotency-Key", *idempotency_key);
  std::string path = "/payments";
  std::string route = "/payments";
  return downstream_.call(http::Method::kPost, std::move(path), std::move(route), parent,
                          std::move(json_body), std::move(headers));
}

boost::asio::awaitable<DownstreamResult> Client::get_payment(std::int64_t payment_id,
                                                             const telemetry::Context& parent) {
  std::string path = "/payments/" + std::to_string(payment_id);
  std::string route = "/payments/{payment_id}";
  return downstream_.call(http::Method::kGet, std::move(path), std::move(route), parent);
}

boost::asio::awaitable<DownstreamResult> Client::health(const telemetry::Context& parent) {
  std::string path = "/health";
  std::string route = "/health";
  return downstream_.call(http::Method::kGet, std::move(path), std::move(route), parent);
}

}  // namespace tdemo::services::payments
