#include <gtest/gtest.h>

#include "storage/postgres/postgres_repositories.h"

namespace tdemo::storage {
namespace {

struct UrlCase {
  const char* url;
  bool ok;
  const char* host;
  std::int64_t port;
  const char* database;
  const char* user;
};

class PostgresUrlTest : public ::testing::TestWithParam<UrlCase> {};

TEST_P(PostgresUrlTest, ParsesWhereTheUrlPoints) {
  const UrlCase& c = GetParam();
  auto target = parse_postgres_url(c.url);
  ASSERT_EQ(target.ok(), c.ok) << c.url;
  if (!c.ok) {
    EXPECT_EQ(target.error().code, ErrorCode::kInvalid);
    EXPECT_FALSE(target.error().message.empty());
    EXPECT_EQ(target.error().message.find("s3cret"), std::string::npos) << "no password in errors";
    return;
  }
  EXPECT_EQ(target->host, c.host);
  EXPECT_EQ(target->port, c.port);
  EXPECT_EQ(target->database, c.database);
  EXPECT_EQ(target->user, c.user);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PostgresUrlTest,
    ::testing::Values(
        UrlCase{"postgresql://demo:s3cret@db.internal:6543/shop", true, "db.internal", 6543, "shop", "demo"},
        UrlCase{"postgres://demo@localhost/shop", true, "localhost", 5432, "shop", "demo"},
        UrlCase{"postgresql://demo:s3cret@127.0.0.1:5432/shop?sslmode=disable", true, "127.0.0.1", 5432, "shop", "demo"},
        UrlCase{"postgresql://demo@localhost", true, "localhost", 5432, "demo", "demo"},
        UrlCase{"mysql://demo:s3cret@localhost/shop", false, "", 0, "", ""},
        UrlCase{"host=localhost dbname=shop", false, "", 0, "", ""},
        UrlCase{"", false, "", 0, "", ""},
        UrlCase{"postgresql://demo:s3cret@localhost:99999/shop", false, "", 0, "", ""},
        UrlCase{"postgresql://demo:s3cret@localhost:abc/shop", false, "", 0, "", ""},
        UrlCase{"postgresql://demo:s3cret@localhost/shop?nosuchoption=1", false, "", 0, "", ""}));

TEST(PostgresRepositoryTest, UnreachableServerFailsFastAsBusy) {
  PostgresRepositoryOptions options;
  options.url = "postgresql://demo:demo@127.0.0.1:1/shop";  // nothing listens on port 1
  auto repo = make_postgres_user_repository(options, {});
  ASSERT_FALSE(repo.ok());
  EXPECT_EQ(repo.error().code, ErrorCode::kBusy);
  EXPECT_NE(repo.error().message.find("connect"), std::string::npos) << repo.error().message;
}

TEST(PostgresRepositoryTest, BadUrlIsInvalid) {
  PostgresRepositoryOptions options;
  options.url = "sqlite:///tmp/x.db";
  auto repo = make_postgres_order_repository(options, {});
  ASSERT_FALSE(repo.ok());
  EXPECT_EQ(repo.error().code, ErrorCode::kInvalid);
}

}  // namespace
}  // namespace tdemo::storage
