// Card numbers: normalised, checked and masked. A full card number never leaves the payments
// handler: storage, spans, logs, metrics and responses only ever see the masked form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "telemetry/attributes.h"

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

// The span attribute for an entity id taken from a request (user.id, order.id, ...): the id as an
// int, except that an id of 12 or more digits is recorded as its mask_card_number() string,
// like any such digit run a client sent (no real id gets that large; a card number sent in the
// id's place must not be exported as a number).
telemetry::AttributeValue id_attribute(std::int64_t id);

}  // namespace tdemo::services
