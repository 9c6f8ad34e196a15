#include "services/common/card.h"
#include "services/orders/service.h"

#include <boost/json.hpp>

#include "http/errors.h"
#include "services/common/json_text.h"
#include "services/common/responses.h"
#include "services/common/validation.h"
#include "telemetry/span.h"

namespace tdemo::services::orders {

std::string order_json(const storage::Order& order) {
  JsonObjectWriter json;
  json.field("id", order.id)
      .field("user_id", order.user_id)
      .field("amount", cents_to_double(order.amount_cents));
  // The items as stored (Boost.JSON's text), written again the way answers write numbers; an
  // empty list if the row holds anything else. Parsed on the stack: a few hundred bytes at most.
  unsigned char buffer[2048];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  const auto items = boost::json::parse(order.items_json, ec, &arena);
  json.json_field("items", ec ? std::string("[]") : to_json_text(items));
  json.field("status", order.status).field("created_at", order.created_at);
  if (order.payment_id != 0) {
    json.field("payment_id", order.payment_id);
  } else {
    json.null_field("payment_id");
  }
  return json.take();
}

boost::asio::awaitable<Outcome<storage::Order>> OrderService::create_order(
    const telemetry::Context& parent, storage::NewOrder order) {
  auto span = tracer_.start_span("orders.create", parent);
  span.set_attribute("user.id", id_attribute(order.user_id));
  span.set_attribute("order.amount", cents_to_double(order.amount_cents));
  const auto context = telemetry::context_with(parent, span);

  auto user = co_await users_.get_user(order.user_id, context);
  if (!user.ok()) {
    mark_span_error(span, user.error().error_type, user.error().detail);
    co_return failure_response(user.error());
  }
  if (user.value().status == 404) {
    span.add_event("order.user_not_found", {{"user.id", id_attribute(order.user_id)}});
    co_return not_found_response("User", order.user_id);
  }
  if (user.value().status != 200) {
    const std::string detail = "users service answered " + std::to_string(user.value().status);
    mark_span_error(span, "unexpected_status", detail);
    const DownstreamFailure failure{502, "users", detail, "unexpected_status"};
    co_return failure_response(failure);
  }
  span.add_event("order.user_verified");

  auto created = co_await run_blocking(blocking_, [&] { return repository_.create(context, order); });
  if (!created.ok()) {
    mark_span_error(span, storage::to_string(created.error().code), created.error().message);
    co_return storage_error_response(created.error());
  }
  span.set_attribute("order.id", id_attribute(created.value().id));
  span.set_attribute("order.status", created.value().status);
  span.add_event("order.created");
  co_return std::move(created).value();
}

boost::asio::awaitable<Outcome<storage::Order>> OrderService::get_order(
    const telemetry::Context& parent, std::int64_t id) {
  auto span = tracer_.start_span("orders.get", parent);
  span.set_attribute("order.id", id_attribute(id));
  const auto context = telemetry::context_with(parent, span);
  auto found = co_await run_blocking(blocking_, [&] { return repository_.find(context, id); });
  if (!found.ok()) {
    if (found.error().code != storage::ErrorCode::kNotFound) {
      mark_span_error(span, storage::to_string(found.error().code), found.error().message);
    }
    co_return storage_error_response(found.error());
  }
  span.set_attribute("order.status", found.value().status);
  co_return std::move(found).value();
}

boost::asio::awaitable<Outcome<storage::Order>> OrderService::mark_paid(
    const telemetry::Context& parent, std::int64_t id, std::int64_t payment_id) {
  auto span = tracer_.start_span("orders.mark_paid", parent);
  span.set_attribute("order.id", id_attribute(id));
  span.set_attribute("payment.id", id_attribute(payment_id));
  const auto context = telemetry::context_with(parent, span);
  auto paid = co_await run_blocking(blocking_, [&] { return repository_.mark_paid(context, id, payment_id); });
  if (!paid.ok()) {
    if (paid.error().code != storage::ErrorCode::kNotFound &&
        paid.error().code != storage::ErrorCode::kConflict) {
      mark_span_error(span, storage::to_string(paid.error().code), paid.error().message);
    }
    co_return storage_error_response(paid.error());
  }
  span.set_attribute("order.status", paid.value().status);
  span.add_event("order.paid");
  co_return std::move(paid).value();
}

}  // namespace tdemo::services::orders
