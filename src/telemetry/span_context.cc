#include "telemetry/span_context.h"

#include <algorithm>

namespace tdemo::telemetry {
namespace {

constexpr std::size_t kMaxSimpleKeyLength = 256;
constexpr std::size_t kMaxTenantLength = 241;
constexpr std::size_t kMaxSystemLength = 14;
constexpr std::size_t kMaxValueLength = 256;

bool is_lcalpha(char c) noexcept { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_key_char(char c) noexcept {
  return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}
bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }
// nblk-chr = %x21-2B / %x2D-3C / %x3E-7E (printable ASCII except ',' and '=').
bool is_nblk_char(char c) noexcept { return c >= 0x21 && c <= 0x7E && c != ',' && c != '='; }

bool all_key_chars(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(), is_key_char);
}

std::string_view trim_ows(std::string_view text) noexcept {
  while (!text.empty() && is_ows(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ows(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

// key = simple-key / multi-tenant-key
// simple-key = lcalpha 0*255( lcalpha / DIGIT / "_" / "-"/ "*" / "/" )
// multi-tenant-key = tenant-id "@" system-id
// tenant-id = ( lcalpha / DIGIT ) 0*240( lcalpha / DIGIT / "_" / "-"/ "*" / "/" )
// system-id = lcalpha 0*13( lcalpha / DIGIT / "_" / "-"/ "*" / "/" )
bool TraceState::valid_key(std::string_view key) noexcept {
  const auto at = key.find('@');
  if (at == std::string_view::npos) {
    return !key.empty() && key.size() <= kMaxSimpleKeyLength && is_lcalpha(key.front()) &&
           all_key_chars(key);
  }
  const auto tenant = key.substr(0, at);
  const auto system = key.substr(at + 1);
  return !tenant.empty() && tenant.size() <= kMaxTenantLength &&
         (is_lcalpha(tenant.front()) || is_digit(tenant.front())) && all_key_chars(tenant) &&
         !system.empty() && system.size() <= kMaxSystemLength && is_lcalpha(system.front()) &&
         all_key_chars(system);
}

// value = 0*255(chr) nblk-chr, chr = %x20 / nblk-chr
bool TraceState::valid_value(std::string_view value) noexcept {
  if (value.empty() || value.size() > kMaxValueLength) return false;
  if (!is_nblk_char(value.back())) return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c == ' ' || is_nblk_char(c); });
}

std::optional<TraceState> TraceState::parse(std::string_view header) {
  std::vector<Entry> entries;
  while (true) {
    const auto comma = header.find(',');
    const auto member = trim_ows(header.substr(0, comma));
    if (!member.empty()) {
      const auto equals = member.find('=');
      if (equals == std::string_view::npos) return std::nullopt;
      const auto key = member.substr(0, equals);
      const auto value = member.substr(equals + 1);
      if (!valid_key(key) || !valid_value(value)) return std::nullopt;
      for (const auto& entry : entries) {
        if (entry.first == key) return std::nullopt;  // duplicate keys invalidate the header
      }
      if (entries.size() == kMaxMembers) return std::nullopt;
      entries.emplace_back(std::string(key), std::string(value));
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return TraceState(std::move(entries));
}

std::string TraceState::serialize() const {
  std::string out;
  for (const auto& [key, value] : entries_) {
    if (!out.empty()) out += ',';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

std::optional<std::string_view> TraceState::get(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<TraceState> TraceState::with(std::string_view key, std::string_view value) const {
  if (!valid_key(key) || !valid_value(value)) return std::nullopt;
  std::vector<Entry> entries;
  entries.reserve(std::min(entries_.size() + 1, kMaxMembers));
  entries.emplace_back(std::string(key), std::string(value));
  for (const auto& entry : entries_) {
    if (entry.first == key) continue;
    // Adding a member to a full list drops the right-most one (W3C mutation rules).
    if (entries.size() == kMaxMembers) break;
    entries.push_back(entry);
  }
  return TraceState(std::move(entries));
}

const TraceState& SpanContext::trace_state() const noexcept {
  static const TraceState kEmpty;
  return state_ ? *state_ : kEmpty;
}

}  // namespace tdemo::telemetry
