// Card numbers: normalised, checked and masked. A full card number never leaves the payments
// handler: storage, spans, logs, metrics and responses only ever see the masked form.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tdemo::services {

// Digits only, when `text` is 12..19 digits with optional spaces or dashes; else nullopt.
std::optional<std::string> normalize_card_number(std::string_view text);
// The Luhn checksum over a digits-only string.
bool luhn_valid(std::string_view digits) noexcept;
// "****4242": the last four digits; "****" for inputs with fewer than 12 digits.
std::string mask_card_number(std::string_view text);
// The last four digits ("" when there are fewer than four digits).
std::string last_four_digits(std::string_view text);
// `text` with every run of 12 or more digits (single spaces or dashes between digits count as
// part of the run) replaced by its mask_card_number() form: "pay 4242 4242 4242 4242 now" ->
// "pay ****4242 now". For echoing text a client sent, which may hold a card number anywhere.
std::string mask_card_numbers_in(std::string_view text);

}  // namespace tdemo::services
