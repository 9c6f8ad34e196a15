#include "services/common/downstream.h"
#include "services/common/json_text.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

namespace tdemo::services {
namespace {

DownstreamFailure transport_failure(const std::string& service, const http::ClientError& error) {
  DownstreamFailure failure;
  failure.service = service;
  failure.error_type = std::string(http::to_string(error.kind));
  switch (error.kind) {
    case http::ClientErrorKind::kConnectionRefused:
    case http::ClientErrorKind::kResolveFailed:
    case http::ClientErrorKind::kConnectFailed:
    case http::ClientErrorKind::kPoolExhausted:
      failure.status = 503;
      failure.detail = service + " service unavailable: " + failure.error_type;
      break;
    case http::ClientErrorKind::kTimeout:
      failure.status = 504;
      failure.detail = service + " service timed out";
      break;
    default:
      failure.status = 502;
      failure.detail = service + " service failed: " + failure.error_type;
      break;
  }
  return failure;
}

}  // namespace

http::Response failure_response(const DownstreamFailure& failure) {
  boost::json::object body{{"detail", failure.detail}, {"service", failure.service}};
  auto response = json_response(failure.status, body);
  if (failure.status == 503) response.headers.set("Retry-After", "1");
  return response;
}

namespace {
boost::json::value json_or_null(std::string_view text, boost::json::storage_ptr storage = {}) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec, storage);
  return ec ? boost::json::value(nullptr, std::move(storage)) : value;
}
}  // namespace

boost::json::value DownstreamReply::json(boost::json::storage_ptr storage) const {
  return json_or_null(text, std::move(storage));
}

std::string_view DownstreamReply::json_text() const {
  return is_json_text(text) ? std::string_view(text) : std::string_view("null");
}

http::Response reply_response(const DownstreamReply& reply) {
  return http::Response::json_text(reply.status, std::string(reply.json_text()));
}

boost::asio::awaitable<DownstreamResult> Downstream::call(http::Method method, std::string path,
                                                          std::string route,
                                                          const telemetry::Context& parent,
                                                          std::optional<std::string> json_body,
                                                          http::Headers headers) {
  if (options_.added_latency.count() > 0) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, options_.added_latency);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  http::OutgoingRequest request;
  request.method = method;
  request.url = options_.base_url + path;
  request.route = std::move(route);
  request.headers = std::move(headers);
  request.timeout = options_.timeout;
  if (json_body) {
    request.body = std::move(*json_body);
    request.content_type = "application/json";
  }
  http::ClientResult result = co_await client_.send(std::move(request), parent);
  if (!result.ok()) co_return transport_failure(options_.service, result.error());
  http::Response& response = result.value();
  if (response.status >= 500) {
    const boost::json::value body_json = json_or_null(response.body);
    DownstreamFailure failure;
    failure.service = options_.service;
    failure.status = response.status == 503 || response.status == 504 ? response.status : 502;
    failure.error_type = "http_" + std::to_string(response.status);
    failure.detail = options_.service + " service returned " + std::to_string(response.status);
    // A service that failed because of its own downstream names that one: pass it on.
    if (const auto* object = body_json.if_object()) {
      const auto* detail = object->if_contains("detail");
      const auto* service = object->if_contains("service");
      if (detail && detail->is_string() && service && service->is_string()) {
        failure.detail = std::string(detail->as_string());
        failure.service = std::string(service->as_string());
      }
    }
    co_return failure;
  }
  DownstreamReply reply{response.status, std::move(response.body)};
  co_return reply;
}

}  // namespace tdemo::services
