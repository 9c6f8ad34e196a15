#include "services/common/card.h"

#include <cstdint>

#include "telemetry/word_bytes.h"

namespace tdemo::services {

std::optional<std::string> normalize_card_number(std::string_view text) {
  std::string digits;
  digits.reserve(text.size());
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c != ' ' && c != '-') {
      return std::nullopt;
    }
  }
  if (digits.size() < 12 || digits.size() > 19) return std::nullopt;
  return digits;
}

bool luhn_valid(std::string_view digits) noexcept {
  int sum = 0;
  bool double_it = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it < '0' || *it > '9') return false;
    int d = *it - '0';
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return !digits.empty() && sum % 10 == 0;
}

std::string last_four_digits(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  if (digits.size() < 4) return {};
  return digits.substr(digits.size() - 4);
}

std::string mask_card_number(std::string_view text) {
  std::size_t digit_count = 0;
  for (char c : text) digit_count += (c >= '0' && c <= '9') ? 1 : 0;
  // Showing four digits of a short (invalid) input would show most of it.
  if (digit_count < 12) return "****";
  return "****" + last_four_digits(text);
}

telemetry::AttributeValue id_attribute(std::int64_t id) {
  constexpr std::int64_t kSmallestTwelveDigits = 100'000'000'000;
  if (id < kSmallestTwelveDigits && id > -kSmallestTwelveDigits) return id;
  return mask_card_number(std::to_string(id));
}

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Whether `text` holds a run of at least 12 digits, each separated from the next by at most one
// space or dash (the runs mask_card_numbers_in masks).
bool has_card_length_run(std::string_view text) noexcept {
  std::size_t digits = 0;  // in the run so far
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_digit(c)) {
      if (++digits >= 12) return true;
    } else if (!((c == ' ' || c == '-') && i + 1 < text.size() && is_digit(text[i + 1]))) {
      digits = 0;
    }
  }
  return false;
}

// How many bytes of `text` are ASCII digits, eight at a time: a byte XOR '0' is below 10 only
// for a digit, and below 10 is tested per byte by adding 0x80 - 10 to its low seven bits (no
// carry into the next byte) and keeping its own high bit. The bytes' 0/1 are summed by one
// multiplication.
std::size_t count_digits(std::string_view text) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHighs = 0x8080808080808080ull;
  std::size_t count = 0;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    const std::uint64_t t = telemetry::load_word(text.data() + i) ^ (kOnes * '0');
    const std::uint64_t not_digit = (((t & ~kHighs) + kOnes * (0x80 - 10)) | t) & kHighs;
    count += static_cast<std::size_t>((((not_digit ^ kHighs) >> 7) * kOnes) >> 56);
  }
  for (; i < text.size(); ++i) count += is_digit(text[i]) ? 1 : 0;
  return count;
}

}  // namespace

std::string mask_card_numbers_in(std::string_view text) {
  // No run long enough: the usual text (a path such as /users/1, a URL whose address and port
  // hold a dozen digits, an error message) is copied as it is, without a step per run; text
  // of fewer than 12 digits in all (most) without a step per byte.
  if (count_digits(text) < 12 || !has_card_length_run(text)) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t next = i;
    while (next < text.size() && !is_digit(text[next])) ++next;
    out.append(text.substr(i, next - i));
    i = next;
    if (i == text.size()) break;
    // The run: digits, each separated from the next by at most one space or dash.
    std::size_t end = i, digits = 0;
    while (end < text.size()) {
      if (is_digit(text[end])) {
        ++end;
        ++digits;
      } else if ((text[end] == ' ' || text[end] == '-') && end + 1 < text.size() &&
                 is_digit(text[end + 1])) {
        ++end;
      } else {
        break;
      }
    }
    const std::string_view run = text.substr(i, end - i);
    if (digits >= 12) {
      out += mask_card_number(run);
    } else {
      out += run;
    }
    i = end;
  }
  return out;
}

}  // namespace tdemo::services
