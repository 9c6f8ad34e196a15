// Fuzzes the request-body parsers of POST /users, POST /orders, POST /orders/{id}/pay and
// POST /payments (JSON parsing and pydantic-style validation) with the input as the body.
// Each parser must either answer 415/422 with a FastAPI-shaped JSON error, or produce a value
// that meets its contract; a valid value rebuilt as a JSON body must parse to the same value
// (so money survives cents -> JSON number -> cents), and a payment error never shows the card.
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/message.h"
#include "services/common/card.h"
#include "services/common/json_text.h"
#include "services/common/validation.h"
#include "services/orders/handlers.h"
#include "services/payments/handlers.h"
#include "services/users/handlers.h"

using namespace tdemo;

namespace {

http::Request json_request(std::string body) {
  http::Request request;
  request.set_target("POST", "/");
  request.headers.add("Content-Type", "application/json");
  request.body = std::move(body);
  return request;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// JSON as a client reads it. The services accept bodies nested up to 64 deep and a 422 echoes
// the body inside {"detail":[{"input": ...}]}, three levels more: Boost.JSON's default limit
// (32) would reject what any client parses (the first finding of this target was that).
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec) {
  boost::json::parse_options options;
  options.max_depth = 256;
  return boost::json::parse(text, ec, {}, options);
}

boost::json::value parse_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = parse_json(text, ec);
  if (ec) std::abort();
  return value;
}

// A rejection: 422 with a non-empty detail list of {type, loc, msg, input}, or 415 with a
// detail text. Aborts otherwise.
void check_error(const http::Response& response) {
  boost::system::error_code ec;
  const boost::json::value body = parse_json(response.body, ec);
  if (ec || !body.is_object() || response.content_type != "application/json") std::abort();
  const auto* detail = body.as_object().if_contains("detail");
  if (detail == nullptr) std::abort();
  if (response.status == 415) {
    if (!detail->is_string()) std::abort();
    return;
  }
  if (response.status != 422 || !detail->is_array() || detail->as_array().empty()) std::abort();
  for (const auto& item : detail->as_array()) {
    const auto* issue = item.if_object();
    if (issue == nullptr || !issue->contains("type") || !issue->contains("msg") ||
        !issue->contains("input") || !issue->contains("loc") || !issue->at("loc").is_array() ||
        issue->at("loc").as_array().empty()) {
      std::abort();
    }
  }
}

void check_money(std::int64_t cents) {
  if (cents <= 0 || cents > services::orders::kMaxAmountCents) std::abort();
}

// A money value as the services write it in responses (a JSON number, shortest form).
boost::json::value money_json(std::int64_t cents) {
  return boost::json::parse(services::to_json_text(services::cents_to_double(cents)));
}

// Equal JSON, doubles within a few ULP: Boost.JSON 1.81 parses long number literals without
// correct rounding (1.1126660008334241e31 reads back 2 ULP off), so stored items may differ
// from the sent ones in the last bits; nothing else may change.
bool same_json(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() || b.is_double()) {
    if (!a.is_number() || !b.is_number()) return false;
    const double x = a.to_number<double>();
    const double y = b.to_number<double>();
    return x == y || std::fabs(x - y) <= 1e-14 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!same_json(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& [key, value] : x) {
      const auto* other = y.if_contains(key);
      if (other == nullptr || !same_json(value, *other)) return false;
    }
    return true;
  }
  return a == b;
}

void fuzz_users(const std::string& body) {
  auto user = services::users::parse_user_create(json_request(body));
  if (!user.ok()) return check_error(user.error());
  const auto& u = user.value();
  const std::size_t name_length = code_points(u.name);
  if (name_length < 1 || name_length > 100 || u.email.size() > 254 ||
      services::email_problem(u.email)) {
    std::abort();
  }
  boost::json::object again{{"name", u.name}, {"email", u.email}};
  auto second = services::users::parse_user_create(json_request(boost::json::serialize(again)));
  if (!second.ok() || second.value().name != u.name || second.value().email != u.email) {
    std::abort();
  }
}

void fuzz_orders(const std::string& body) {
  auto order = services::orders::parse_order_create(json_request(body));
  if (!order.ok()) return check_error(order.error());
  const auto& o = order.value();
  if (o.user_id <= 0) std::abort();
  check_money(o.amount_cents);
  const boost::json::value items = parse_json(o.items_json);
  if (!items.is_array() || items.as_array().size() > services::orders::kMaxItems) std::abort();
  boost::json::object again{
      {"user_id", o.user_id}, {"amount", money_json(o.amount_cents)}, {"items", items}};
  auto second = services::orders::parse_order_create(json_request(services::to_json_text(again)));
  if (!second.ok() || second.value().user_id != o.user_id ||
      second.value().amount_cents != o.amount_cents ||
      !same_json(parse_json(second.value().items_json), items)) {
    std::abort();
  }
}

void fuzz_mark_paid(const std::string& body) {
  auto paid = services::orders::parse_mark_paid(json_request(body));
  if (!paid.ok()) return check_error(paid.error());
  if (paid.value() <= 0) std::abort();
}

void fuzz_payments(const std::string& body) {
  auto payment = services::payments::parse_payment_create(json_request(body));
  if (!payment.ok()) {
    check_error(payment.error());
    // No leak: the card number may appear in the error only where the body has it outside
    // the card_number field (e.g. echoed as an invalid amount).
    boost::system::error_code ec;
    const boost::json::value parsed = parse_json(body, ec);
    const auto* object = ec ? nullptr : parsed.if_object();
    const auto* card = object ? object->if_contains("card_number") : nullptr;
    if (card != nullptr && card->is_string()) {
      const std::string redacted =
          boost::json::serialize(services::payments::redact_payment_body(parsed));
      const std::string raw(card->as_string());
      for (const std::string& secret :
           {raw, services::normalize_card_number(raw).value_or(std::string())}) {
        // A secret has 12+ digits (a masked form such as "****4242" is none).
        if (std::count_if(secret.begin(), secret.end(),
                          [](char c) { return c >= '0' && c <= '9'; }) < 12) {
          continue;
        }
        if (payment.error().body.find(secret) != std::string::npos &&
            redacted.find(secret) == std::string::npos) {
          std::abort();
        }
      }
    }
    return;
  }
  const auto& p = payment.value();
  if (p.order_id <= 0 || !services::luhn_valid(p.card_digits) || p.card_digits.size() < 12 ||
      p.card_digits.size() > 19 || p.idempotency_key) {
    std::abort();
  }
  check_money(p.amount_cents);
  boost::json::object again{{"order_id", p.order_id},
                            {"amount", money_json(p.amount_cents)},
                            {"card_number", p.card_digits}};
  auto second =
      services::payments::parse_payment_create(json_request(services::to_json_text(again)));
  if (!second.ok() || second.value().order_id != p.order_id ||
      second.value().amount_cents != p.amount_cents ||
      second.value().card_digits != p.card_digits) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  fuzz_users(body);
  fuzz_orders(body);
  fuzz_mark_paid(body);
  fuzz_payments(body);
  return 0;
}
