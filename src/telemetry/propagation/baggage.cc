// W3C Baggage: the `baggage` header.
#include "telemetry/propagation.h"
#include "telemetry/propagation/text_util.h"

namespace tdemo::telemetry {
namespace {

constexpr char kBaggage[] = "baggage";

// RFC 7230 token characters (baggage keys).
bool is_token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

// baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
bool is_baggage_octet(unsigned char c) noexcept {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

// One list member: key OWS "=" OWS value *( OWS ";" OWS property ). Nullopt when invalid.
std::optional<BaggageEntry> parse_member(std::string_view member) {
  const auto semicolon = member.find(';');
  const auto pair = member.substr(0, semicolon);
  const auto equals = pair.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  const auto key = text::trim_ows(pair.substr(0, equals));
  const auto raw_value = text::trim_ows(pair.substr(equals + 1));
  if (!is_token(key)) return std::nullopt;
  // value = *baggage-octet (W3C Baggage §3.2.1.1); anything else must come percent-encoded.
  for (const char c : raw_value) {
    if (!is_baggage_octet(static_cast<unsigned char>(c))) return std::nullopt;
  }
  BaggageEntry entry;
  entry.name = std::string(key);
  if (!text::percent_decode(raw_value, entry.value)) return std::nullopt;
  if (semicolon != std::string_view::npos) {
    auto rest = member.substr(semicolon + 1);
    while (true) {
      const auto next = rest.find(';');
      const auto property = text::trim_ows(rest.substr(0, next));
      if (!property.empty()) {
        if (!entry.properties.empty()) entry.properties += ';';
        entry.properties += property;
      }
      if (next == std::string_view::npos) break;
      rest.remove_prefix(next + 1);
    }
  }
  return entry;
}

std::string format_member(const BaggageEntry& entry) {
  std::string out = entry.name;
  out += '=';
  out += text::percent_encode(entry.value, is_baggage_octet);
  if (!entry.properties.empty()) {
    out += ';';
    out += entry.properties;
  }
  return out;
}

class BaggagePropagator final : public TextMapPropagator {
 public:
  Context extract(const TextMapCarrier& carrier, const Context& context) const override {
    const auto header = carrier.get(kBaggage);
    if (!header) return context;
    auto baggage = parse_baggage(*header);
    if (!baggage) return context;
    Context out = context;
    out.baggage = std::make_shared<const Baggage>(std::move(*baggage));
    return out;
  }

  void inject(const Context& context, TextMapCarrier& carrier) const override {
    if (!context.baggage || context.baggage->empty()) return;
    const std::string header = format_baggage(*context.baggage);
    if (!header.empty()) carrier.set(kBaggage, header);
  }

  std::vector<std::string> fields() const override { return {kBaggage}; }
};

}  // namespace

std::optional<Baggage> parse_baggage(std::string_view header) {
  Baggage baggage;
  std::size_t bytes = 0;
  while (baggage.size() < kMaxBaggageMembers) {
    const auto comma = header.find(',');
    const auto member = text::trim_ows(header.substr(0, comma));
    bytes += member.size() + (bytes > 0 ? 1 : 0);
    if (bytes > kMaxBaggageBytes) break;  // everything from here on is beyond the limit
    if (!member.empty() && member.size() <= kMaxBaggageMemberBytes) {
      if (auto entry = parse_member(member)) baggage.push_back(std::move(*entry));
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  if (baggage.empty()) return std::nullopt;
  return baggage;
}

std::string format_baggage(const Baggage& baggage) {
  std::string out;
  std::size_t members = 0;
  for (const auto& entry : baggage) {
    if (members == kMaxBaggageMembers) break;
    if (!is_token(entry.name)) continue;
    std::string member = format_member(entry);
    if (member.size() > kMaxBaggageMemberBytes) continue;
    if (out.size() + member.size() + (out.empty() ? 0 : 1) > kMaxBaggageBytes) break;
    if (!out.empty()) out += ',';
    out += member;
    ++members;
  }
  return out;
}

std::unique_ptr<TextMapPropagator> make_baggage_propagator() {
  return std::make_unique<BaggagePropagator>();
}

}  // namespace tdemo::telemetry
