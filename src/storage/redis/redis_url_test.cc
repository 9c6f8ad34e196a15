#include <gtest/gtest.h>

#include "storage/redis/redis_cache.h"

namespace tdemo::storage {
namespace {

struct UrlCase {
  const char* url;
  bool ok;
  const char* host = "";
  std::int64_t port = 0;
  std::int64_t database = 0;
  const char* user = "";
  const char* password = "";
};

class RedisUrlTest : public ::testing::TestWithParam<UrlCase> {};

TEST_P(RedisUrlTest, ParsesWhereTheUrlPoints) {
  const UrlCase& c = GetParam();
  auto target = parse_redis_url(c.url);
  ASSERT_EQ(target.ok(), c.ok) << c.url;
  if (!c.ok) {
    EXPECT_EQ(target.error().code, ErrorCode::kInvalid);
    EXPECT_NE(target.error().message.find("REDIS_URL"), std::string::npos);
    EXPECT_EQ(target.error().message.find("s3cret"), std::string::npos) << "no password in errors";
    return;
  }
  EXPECT_EQ(target->host, c.host);
  EXPECT_EQ(target->port, c.port);
  EXPECT_EQ(target->database, c.database);
  EXPECT_EQ(target->user, c.user);
  EXPECT_EQ(target->password, c.password);
}

INSTANTIATE_TEST_SUITE_P(
    Table, RedisUrlTest,
    ::testing::Values(
        UrlCase{"redis://localhost:6379/0", true, "localhost", 6379, 0},
        UrlCase{"redis://cache.internal", true, "cache.internal", 6379, 0},
        UrlCase{"redis://127.0.0.1:7000/3", true, "127.0.0.1", 7000, 3},
        UrlCase{"redis://:s3cret@redis:6380/1", true, "redis", 6380, 1, "", "s3cret"},
        UrlCase{"redis://app:p%40ss@redis/2", true, "redis", 6379, 2, "app", "p@ss"},
        UrlCase{"redis://[::1]:6390/0", true, "::1", 6390, 0},
        UrlCase{"redis://", true, "localhost", 6379, 0},
        UrlCase{"rediss://:s3cret@redis:6380/0", false},
        UrlCase{"http://localhost:6379", false},
        UrlCase{"localhost:6379", false},
        UrlCase{"redis://localhost:port/0", false},
        UrlCase{"redis://localhost:70000/0", false},
        UrlCase{"redis://localhost:6379/db", false},
        UrlCase{"redis://[::1:6379/0", false}));

}  // namespace
}  // namespace tdemo::storage
