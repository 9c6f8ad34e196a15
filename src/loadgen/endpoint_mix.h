// What the load tester sends: one endpoint or a weighted mix ("GET /users/1=3,POST /orders=1").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/result.h"

namespace tdemo::loadgen {

struct EndpointSpec {
  std::string method = "GET";
  std::string path = "/";  // origin-form target, may carry a query
  std::uint32_t weight = 1;
  std::string body;  // sent with Content-Type: application/json when not empty

  // "GET /users/1": the key of the per-endpoint table.
  std::string name() const { return method + " " + path; }
};

inline constexpr std::uint32_t kMaxWeight = 10'000;
inline constexpr std::uint32_t kMaxWeightSum = 100'000;
inline constexpr std::size_t kMaxMixEntries = 64;

// One endpoint: "PATH" (GET) or "METHOD PATH". POST/PUT/PATCH to a known gateway route get a
// valid JSON body (default_body_for). Methods: GET POST PUT PATCH DELETE.
Result<EndpointSpec> parse_endpoint(std::string_view text);

// A comma-separated list of "ENDPOINT=WEIGHT" (weight 1 when "=WEIGHT" is left out); weights
// are integers in [1, kMaxWeight], at most kMaxMixEntries entries.
Result<std::vector<EndpointSpec>> parse_mix(std::string_view text);

// A JSON body the gateway accepts for `method path` ({} for an unknown route).
std::string default_body_for(std::string_view method, std::string_view path);

// The order in which a virtual user walks the mix: a smooth weighted round-robin over the
// entries, of length sum(weights) (so every window of that length has each entry exactly
// `weight` times, and heavy entries are spread out, not bunched).
std::vector<std::uint32_t> weighted_sequence(const std::vector<EndpointSpec>& mix);

}  // namespace tdemo::loadgen
