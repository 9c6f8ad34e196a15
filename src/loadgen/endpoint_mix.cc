#include "loadgen/endpoint_mix.h"

#include <array>
#include <charconv>
#include <cstdint>

namespace tdemo::loadgen {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;  // no spaces, controls or raw non-ASCII
  }
  return true;
}

}  // namespace

std::string default_body_for(std::string_view method, std::string_view path) {
  if (method == "GET" || method == "DELETE") return {};
  if (path.starts_with("/users")) return R"({"name":"Load Tester","email":"load.tester@example.com"})";
  if (path.starts_with("/orders")) return R"({"user_id":1,"amount":19.99,"items":["load-test"]})";
  if (path.starts_with("/payments")) {
    return R"({"order_id":1,"amount":19.99,"card_number":"4111111111111111"})";
  }
  return "{}";
}

Result<EndpointSpec> parse_endpoint(std::string_view text) {
  text = trim(text);
  EndpointSpec spec;
  const auto space = text.find(' ');
  std::string_view path = text;
  if (space != std::string_view::npos) {
    const std::string_view method = text.substr(0, space);
    static constexpr std::array<std::string_view, 5> kMethods{"GET", "POST", "PUT", "PATCH",
                                                              "DELETE"};
    bool known = false;
    for (auto m : kMethods) known = known || m == method;
    if (!known) {
      return Error{"unknown method '" + std::string(method) +
                   "' (use GET, POST, PUT, PATCH or DELETE)"};
    }
    spec.method = std::string(method);
    path = trim(text.substr(space + 1));
  }
  if (!valid_path(path)) {
    return Error{"bad endpoint '" + std::string(text) +
                 "': expected PATH or 'METHOD PATH', with PATH starting with '/' and no spaces"};
  }
  spec.path = std::string(path);
  spec.body = default_body_for(spec.method, spec.path);
  return spec;
}

Result<std::vector<EndpointSpec>> parse_mix(std::string_view text) {
  std::vector<EndpointSpec> mix;
  std::uint64_t sum = 0;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    if (item.empty()) return Error{"empty entry in the mix (expected 'METHOD PATH=WEIGHT,...')"};
    std::string_view endpoint_text = item;
    std::uint32_t weight = 1;
    if (const auto eq = item.rfind('='); eq != std::string_view::npos) {
      const std::string_view w = trim(item.substr(eq + 1));
      const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), weight);
      if (ec != std::errc{} || end != w.data() + w.size() || weight < 1 || weight > kMaxWeight) {
        return Error{"bad weight '" + std::string(w) + "' in '" + std::string(item) +
                     "': expected an integer from 1 to " + std::to_string(kMaxWeight)};
      }
      endpoint_text = item.substr(0, eq);
    }
    auto endpoint = parse_endpoint(endpoint_text);
    if (!endpoint) return Error{endpoint.error()};
    endpoint.value().weight = weight;
    sum += weight;
    mix.push_back(std::move(endpoint).value());
    if (mix.size() > kMaxMixEntries) {
      return Error{"too many entries in the mix (at most " + std::to_string(kMaxMixEntries) + ")"};
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (sum > kMaxWeightSum) {
    return Error{"the weights add up to " + std::to_string(sum) + " (at most " +
                 std::to_string(kMaxWeightSum) + ")"};
  }
  return mix;
}

std::vector<std::uint32_t> weighted_sequence(const std::vector<EndpointSpec>& mix) {
  std::uint64_t total = 0;
  for (const auto& e : mix) total += e.weight;
  std::vector<std::int64_t> current(mix.size(), 0);
  std::vector<std::uint32_t> sequence;
  sequence.reserve(total);
  for (std::uint64_t step = 0; step < total; ++step) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < mix.size(); ++i) {
      current[i] += mix[i].weight;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= static_cast<std::int64_t>(total);
    sequence.push_back(static_cast<std::uint32_t>(best));
  }
  return sequence;
}

}  // namespace tdemo::loadgen
