#include "services/common/validation.h"

#include <cmath>
#include <cstdlib>

#include <boost/json.hpp>

#include "services/common/card.h"

namespace tdemo::services {
namespace {

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

bool is_local_char(char c) {
  if (is_label_char(c)) return true;
  static constexpr std::string_view kSpecials = "!#$%&'*+/=?^_`{|}~.";
  return kSpecials.find(c) != std::string_view::npos || static_cast<unsigned char>(c) >= 0x80;
}

// `value` with anything shaped like a card number masked: inside strings and object keys
// (mask_card_numbers_in), and numbers of 12 or more digits (as "****").
boost::json::value mask_card_data(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return boost::json::value(mask_card_numbers_in(value.get_string()));
    case boost::json::kind::int64:
      return std::llabs(value.get_int64()) >= 100'000'000'000 ? "****" : value;
    case boost::json::kind::uint64: return value.get_uint64() >= 100'000'000'000 ? "****" : value;
    case boost::json::kind::double_: return std::fabs(value.get_double()) >= 1e11 ? "****" : value;
    case boost::json::kind::array: {
      boost::json::array out;
      for (const auto& item : value.get_array()) out.push_back(mask_card_data(item));
      return out;
    }
    case boost::json::kind::object: {
      boost::json::object out;
      for (const auto& [key, item] : value.get_object()) {
        out[mask_card_numbers_in(key)] = mask_card_data(item);
      }
      return out;
    }
    default: return value;
  }
}

}  // namespace

std::optional<std::string> email_problem(std::string_view email) {
  const auto at = email.rfind('@');
  if (at == std::string_view::npos) return "An email address must have an @-sign.";
  const auto local = email.substr(0, at);
  const auto domain = email.substr(at + 1);
  if (local.empty()) return "There must be something before the @-sign.";
  if (domain.empty()) return "There must be something after the @-sign.";
  if (local.size() > 64) return "The email address is too long before the @-sign.";
  for (char c : local) {
    if (!is_local_char(c)) return "The email address contains invalid characters before the @-sign.";
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return "The local part of the email address cannot start or end with a period or have two periods in a row.";
  }
  if (domain.find('.') == std::string_view::npos) {
    return "The part after the @-sign is not valid. It should have a period.";
  }
  std::size_t start = 0;
  while (start <= domain.size()) {
    auto end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const auto label = domain.substr(start, end - start);
    if (label.empty()) return "An email address cannot have two periods in a row.";
    for (char c : label) {
      if (!is_label_char(c)) return "The part after the @-sign contains invalid characters.";
    }
    if (label.front() == '-' || label.back() == '-') {
      return "The part after the @-sign contains invalid characters.";
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_cents(const boost::json::value& value) {
  if (value.is_int64() || value.is_uint64()) {
    const double v = value.is_int64() ? static_cast<double>(value.as_int64())
                                      : static_cast<double>(value.as_uint64());
    if (std::fabs(v) > 9.0e15) return std::nullopt;
    return static_cast<std::int64_t>(v) * 100;
  }
  if (value.is_double()) {
    const double v = value.as_double();
    if (!std::isfinite(v) || std::fabs(v) > 9.0e13) return std::nullopt;
    const double scaled = v * 100.0;
    const double rounded = std::round(scaled);
    if (std::fabs(scaled - rounded) > 1e-6 * std::max(1.0, std::fabs(scaled))) return std::nullopt;
    return static_cast<std::int64_t>(rounded);
  }
  if (value.is_string()) {
    const std::string_view s = value.as_string();
    std::size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
    std::int64_t whole = 0;
    std::size_t digits = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
      if (whole > 90'000'000'000'000) return std::nullopt;
      whole = whole * 10 + (s[i] - '0');
    }
    std::int64_t fraction = 0;
    std::size_t places = 0;
    if (i < s.size() && s[i] == '.') {
      for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++places) {
        if (places >= 2) {
          if (s[i] != '0') return std::nullopt;  // a third significant decimal
          continue;
        }
        fraction = fraction * 10 + (s[i] - '0');
      }
    }
    if (i != s.size() || (digits == 0 && places == 0)) return std::nullopt;
    if (places == 1) fraction *= 10;
    const std::int64_t cents = whole * 100 + fraction;
    return negative ? -cents : cents;
  }
  return std::nullopt;
}

std::string format_cents(std::int64_t cents) {
  const bool negative = cents < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(cents)
                                           : static_cast<std::uint64_t>(cents);
  std::string fraction = std::to_string(magnitude % 100);
  if (fraction.size() < 2) fraction.insert(0, "0");
  return (negative ? "-" : "") + std::to_string(magnitude / 100) + "." + fraction;
}

double cents_to_double(std::int64_t cents) noexcept { return static_cast<double>(cents) / 100.0; }

BodyValidator::BodyValidator(const boost::json::value& body,
                             std::optional<boost::json::value> shown_body)
    : body_(body), shown_body_(std::move(shown_body)) {
  object_ = body.if_object();
  if (object_ == nullptr) {
    http::ValidationIssue issue;
    issue.loc = {std::string("body")};
    issue.type = "model_attributes_type";
    issue.msg = "Input should be a valid dictionary or object to extract fields from";
    issue.input = mask_card_data(body_shown());
    issues_.push_back(std::move(issue));
  }
}

void BodyValidator::issue(std::string_view name, std::string type, std::string msg,
                          boost::json::value input, std::optional<boost::json::object> ctx) {
  http::ValidationIssue issue;
  issue.loc = {std::string("body"), std::string(name)};
  issue.type = std::move(type);
  issue.msg = std::move(msg);
  issue.input = mask_card_data(input);
  issue.ctx = std::move(ctx);
  issues_.push_back(std::move(issue));
}

const boost::json::value* BodyValidator::field(std::string_view name, bool required) {
  if (object_ == nullptr) return nullptr;
  const auto* value = object_->if_contains(name);
  if (value == nullptr && required) {
    issue(name, "missing", "Field required", body_shown());
  }
  return value;
}

std::optional<std::string> BodyValidator::string_field(std::string_view name,
                                                       std::size_t min_length,
                                                       std::size_t max_length, bool required) {
  const auto* value = field(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    issue(name, "string_type", "Input should be a valid string", *value);
    return std::nullopt;
  }
  std::string text(value->as_string());
  const std::size_t length = utf8_length(text);
  if (length < min_length) {
    issue(name, "string_too_short",
          "String should have at least " + std::to_string(min_length) +
              (min_length == 1 ? " character" : " characters"),
          *value, boost::json::object{{"min_length", min_length}});
    return std::nullopt;
  }
  if (length > max_length) {
    issue(name, "string_too_long",
          "String should have at most " + std::to_string(max_length) +
              (max_length == 1 ? " character" : " characters"),
          *value, boost::json::object{{"max_length", max_length}});
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> BodyValidator::email_field(std::string_view name) {
  auto text = string_field(name, 0, 254);
  if (!text) return std::nullopt;
  if (auto problem = email_problem(*text)) {
    issue(name, "value_error", "value is not a valid email address: " + *problem,
          boost::json::value(*text), boost::json::object{{"reason", *problem}});
    return std::nullopt;
  }
  return text;
}

std::optional<std::int64_t> BodyValidator::int_field(std::string_view name,
                                                     std::optional<std::int64_t> gt) {
  const auto* value = field(name, true);
  if (value == nullptr) return std::nullopt;
  std::optional<std::int64_t> parsed;
  if (value->is_int64()) {
    parsed = value->as_int64();
  } else if (value->is_uint64()) {
    if (value->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      parsed = static_cast<std::int64_t>(value->as_uint64());
    }
  } else if (value->is_double()) {
    const double d = value->as_double();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) {
      parsed = static_cast<std::int64_t>(d);
    } else {
      issue(name, "int_from_float", "Input should be a valid integer, got a number with a fractional part",
            *value);
      return std::nullopt;
    }
  } else if (value->is_string()) {
    if (auto n = http::parse_int64(value->as_string())) {
      parsed = n;
    } else {
      issue(name, "int_parsing", "Input should be a valid integer, unable to parse string as an integer",
            *value);
      return std::nullopt;
    }
  }
  if (!parsed) {
    issue(name, "int_type", "Input should be a valid integer", *value);
    return std::nullopt;
  }
  if (gt && *parsed <= *gt) {
    issue(name, "greater_than", "Input should be greater than " + std::to_string(*gt), *value,
          boost::json::object{{"gt", *gt}});
    return std::nullopt;
  }
  return parsed;
}

std::optional<std::int64_t> BodyValidator::money_field(std::string_view name, std::int64_t max_cents) {
  const auto* value = field(name, true);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number() && !value->is_string()) {
    issue(name, "float_type", "Input should be a valid number", *value);
    return std::nullopt;
  }
  auto cents = parse_cents(*value);
  if (!cents) {
    bool numeric = value->is_number();
    if (value->is_string()) {
      const std::string text(value->as_string());
      char* end = nullptr;
      const double parsed = std::strtod(text.c_str(), &end);
      numeric = !text.empty() && end == text.c_str() + text.size() && std::isfinite(parsed);
    }
    if (!numeric) {
      issue(name, "float_parsing", "Input should be a valid number, unable to parse string as a number",
            *value);
    } else {
      issue(name, "decimal_max_places", "Decimal input should have no more than 2 decimal places",
            *value, boost::json::object{{"decimal_places", 2}});
    }
    return std::nullopt;
  }
  if (*cents <= 0) {
    issue(name, "greater_than", "Input should be greater than 0", *value,
          boost::json::object{{"gt", 0}});
    return std::nullopt;
  }
  if (*cents > max_cents) {
    issue(name, "less_than_equal", "Input should be less than or equal to " + format_cents(max_cents),
          *value, boost::json::object{{"le", cents_to_double(max_cents)}});
    return std::nullopt;
  }
  return cents;
}

std::optional<boost::json::array> BodyValidator::optional_list_field(std::string_view name,
                                                                     std::size_t max_items) {
  const auto* value = field(name, false);
  if (value == nullptr || value->is_null()) return boost::json::array{};
  if (!value->is_array()) {
    issue(name, "list_type", "Input should be a valid list", *value);
    return std::nullopt;
  }
  if (value->as_array().size() > max_items) {
    issue(name, "too_long",
          "List should have at most " + std::to_string(max_items) + " items after validation, not " +
              std::to_string(value->as_array().size()),
          boost::json::value(nullptr),
          boost::json::object{{"field_type", "List"}, {"max_length", max_items},
                              {"actual_length", value->as_array().size()}});
    return std::nullopt;
  }
  return value->as_array();
}

std::optional<std::string> BodyValidator::card_number_field(std::string_view name) {
  const auto* value = field(name, true);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    // Numbers are refused too, and never echoed.
    issue(name, "string_type", "Input should be a valid string", boost::json::value("****"));
    return std::nullopt;
  }
  const std::string_view text = value->as_string();
  const std::string masked = mask_card_number(text);
  auto digits = normalize_card_number(text);
  if (!digits) {
    issue(name, "value_error", "Value error, card number must be 12 to 19 digits",
          boost::json::value(masked), boost::json::object{{"error", "invalid card number"}});
    return std::nullopt;
  }
  if (!luhn_valid(*digits)) {
    issue(name, "value_error", "Value error, card number failed the Luhn check",
          boost::json::value(masked), boost::json::object{{"error", "invalid card number"}});
    return std::nullopt;
  }
  return digits;
}

}  // namespace tdemo::services
