#include "services/users/client.h"

namespace tdemo::services::users {

boost::asio::awaitable<DownstreamResult> Client::get_user(std::int64_t user_id,
                                                          const telemetry::Context& parent) {
  std::string path = "/users/" + std::to_string(user_id);
  std::string route = "/users/{user_id}";
  return downstream_.call(http::Method::kGet, std::move(path), std::move(route), parent);
}

boost::asio::awaitable<DownstreamResult> Client::create_user(std::string json_body,
                                                             const telemetry::Context& parent) {
  std::string path = "/users";
  std::string route = "/users";
  return downstream_.call(http::Method::kPost, std::move(path), std::move(route), parent,
                          std::move(json_body));
}

boost::asio::awaitable<DownstreamResult> Client::health(const telemetry::Context& parent) {
  std::string path = "/health";
  std::string route = "/health";
  return downstream_.call(http::Method::kGet, std::move(path), std::move(route), parent);
}

}  // namespace tdemo::services::users
