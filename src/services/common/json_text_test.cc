#include "services/common/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tdemo::services {
namespace {

TEST(JsonTextTest, NumbersReadLikePython) {
  const struct { const char* in; const char* out; } cases[] = {
      {R"({"amount":99.99})", R"({"amount":99.99})"},
      {R"([0.1, 5.0, -2, 1e300])", R"([0.1,5.0,-2,1e+300])"},
      {R"({"a":"x\"y","b":[true,null,{}]})", R"({"a":"x\"y","b":[true,null,{}]})"},
  };
  for (const auto& c : cases) EXPECT_EQ(to_json_text(boost::json::parse(c.in)), c.out) << c.in;
}

TEST(JsonTextTest, RoundTrips) {
  auto value = boost::json::parse(R"({"n":[1.5,2,"\u00e9"],"o":{"k":12345678901234}})");
  EXPECT_EQ(boost::json::parse(to_json_text(value)), value);
}

}  // namespace
}  // namespace tdemo::services
