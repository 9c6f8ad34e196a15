#include "telemetry/decimal.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace tdemo::telemetry {
namespace {

// Every digit count, both sides of each power of ten, both signs and the limits read as
// std::to_string writes them, appended after what the string held.
TEST(DecimalTest, EveryLengthBothSignsAndTheLimits) {
  std::vector<std::int64_t> values{0, std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::max()};
  for (std::int64_t power = 1;; power *= 10) {
    for (const std::int64_t v : {power - 1, power, power + 1, 7 * power + 3}) {
      values.push_back(v);
      values.push_back(-v);
    }
    if (power == 1'000'000'000'000'000'000) break;  // the last power of ten an int64 holds
  }
  for (const std::int64_t v : values) {
    std::string out = "x";
    append_decimal(out, v);
    EXPECT_EQ(out, "x" + std::to_string(v));
    if (v >= 0) {
      std::string unsigned_out = "y";
      append_decimal(unsigned_out, static_cast<std::uint64_t>(v));
      EXPECT_EQ(unsigned_out, "y" + std::to_string(v));
    }
  }
  for (const std::uint64_t v : {std::uint64_t{9'223'372'036'854'775'808u}, std::uint64_t{10'000'000'000'000'000'000u},
                                std::numeric_limits<std::uint64_t>::max()}) {
    std::string out;
    append_decimal(out, v);
    EXPECT_EQ(out, std::to_string(v));
  }
}

}  // namespace
}  // namespace tdemo::telemetry
