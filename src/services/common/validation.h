// Request-body validation with pydantic v2's wording, producing FastAPI's 422 `detail` items
// ({type, loc, msg, input, ctx}). A validator reads fields of one JSON object and collects
// every problem (not just the first), like pydantic.
//
//   BodyValidator v(body);
//   auto name = v.string_field("name", 1, 100);
//   auto email = v.email_field("email");
//   if (!v.ok()) co_return http::validation_error(v.issues());
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "http/errors.h"

namespace tdemo::services {

// The reason an email address is invalid (email-validator's wording), or nullopt when valid.
std::optional<std::string> email_problem(std::string_view email);

// Money as integer cents from a JSON number or numeric string: nullopt when it has more than two
// decimal places or is not a finite number. 99.99 -> 9999.
std::optional<std::int64_t> parse_cents(const boost::json::value& value);
// "99.99" style rendering, and the JSON number (double) for responses.
std::string format_cents(std::int64_t cents);
double cents_to_double(std::int64_t cents) noexcept;

// Not thread-safe; one per request. `body` must outlive the validator. Every issue's input
// has card-number-shaped data masked (runs of 12+ digits in strings and keys, numbers of 12+
// digits), wherever the client put it: an error body never echoes a card number.
class BodyValidator {
 public:
  // `shown_body` is what "input" shows for problems about the whole body or a missing field
  // (pass a redacted copy when the body holds secrets); defaults to `body`.
  explicit BodyValidator(const boost::json::value& body,
                         std::optional<boost::json::value> shown_body = std::nullopt);

  // A string with min..max characters (Unicode code points). Required unless `required` false.
  std::optional<std::string> string_field(std::string_view name, std::size_t min_length,
                                          std::size_t max_length, bool required = true);
  // A valid email address (also max 254 characters).
  std::optional<std::string> email_field(std::string_view name);
  // An integer (JSON integer, a float without fraction, or a numeric string) > gt.
  std::optional<std::int64_t> int_field(std::string_view name, std::optional<std::int64_t> gt);
  // Money: a number > 0, <= max_cents, with at most two decimal places; returned in cents.
  std::optional<std::int64_t> money_field(std::string_view name, std::int64_t max_cents);
  // An optional list (absent or null -> empty array).
  std::optional<boost::json::array> optional_list_field(std::string_view name,
                                                        std::size_t max_items);
  // A card number: 12-19 digits (spaces and dashes allowed) passing the Luhn check; the
  // value never appears in an issue (its input shows only the masked form).
  std::optional<std::string> card_number_field(std::string_view name);

  bool ok() const noexcept { return issues_.empty(); }
  bool is_object() const noexcept { return object_ != nullptr; }
  const std::vector<http::ValidationIssue>& issues() const noexcept { return issues_; }
  void add_issue(http::ValidationIssue issue) { issues_.push_back(std::move(issue)); }

 private:
  // The field's value, or null after recording "missing" (when required).
  const boost::json::value* field(std::string_view name, bool required);
  void issue(std::string_view name, std::string type, std::string msg, boost::json::value input,
             std::optional<boost::json::object> ctx = std::nullopt);

  // What "input" shows for the whole body (copied only into an issue).
  const boost::json::value& body_shown() const noexcept { return shown_body_ ? *shown_body_ : body_; }

  const boost::json::value& body_;
  std::optional<boost::json::value> shown_body_;  // empty: `body_`
  const boost::json::object* object_ = nullptr;
  std::vector<http::ValidationIssue> issues_;
};

}  // namespace tdemo::services
