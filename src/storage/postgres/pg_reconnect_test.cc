// The pool against a server that restarts, and its bound.
#include <gtest/gtest.h>

#include <thread>

#include "storage/postgres/pg_pool.h"
#include "storage/postgres/postgres_repositories.h"
#include "storage/test_tracing.h"
#include "support/servers.h"

namespace tdemo::storage {
namespace {

class PostgresServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::find_postgres_bin_dir()) {
      GTEST_SKIP() << "PostgreSQL server binaries not found (install Debian's postgresql or "
                      "set TD_POSTGRES_BIN): PostgreSQL cases skipped";
    }
    server_ = std::make_unique<test::PostgresServer>();
  }
  std::unique_ptr<test::PostgresServer> server_;
};

TEST_F(PostgresServerTest, RepositoryReconnectsAfterTheServerRestarts) {
  PostgresRepositoryOptions options;
  options.url = server_->url();
  options.pool_size = 2;
  testing::RecordingTracer tracing;
  auto repo = make_postgres_user_repository(options, tracing.tracer());
  ASSERT_TRUE(repo.ok()) << repo.error().message;
  ASSERT_TRUE(repo.value()->find({}, 1).ok());

  server_->restart();  // every pooled connection is now broken

  auto user = repo.value()->find({}, 1);
  ASSERT_TRUE(user.ok()) << user.error().message;
  EXPECT_EQ(user->id, 1);
  auto created = repo.value()->create({}, {"After restart", "restart@example.com"});
  ASSERT_TRUE(created.ok()) << created.error().message;
  bool reconnect_event = false;
  for (const auto& span : tracing.spans->spans()) {
    for (const auto& event : span.events) reconnect_event |= event.name == "db.client.reconnect";
  }
  EXPECT_TRUE(reconnect_event);
}

TEST_F(PostgresServerTest, TransactionsReconnectBeforeTheyBegin) {
  PostgresRepositoryOptions options;
  options.url = server_->url();
  options.pool_size = 1;
  auto orders = make_postgres_order_repository(options, {});
  ASSERT_TRUE(orders.ok()) << orders.error().message;
  auto order = orders.value()->create({}, {1, 100, "[]"});
  ASSERT_TRUE(order.ok());
  server_->restart();
  auto paid = orders.value()->mark_paid({}, order->id, 1);
  ASSERT_TRUE(paid.ok()) << paid.error().message;
  EXPECT_EQ(paid->status, "paid");
}

TEST_F(PostgresServerTest, PoolIsBoundedAndTimesOut) {
  pg::PoolOptions options;
  options.connect.url = server_->url();
  options.size = 2;
  options.acquire_timeout = std::chrono::milliseconds(50);
  auto pool = pg::Pool::create(options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  auto a = pool.value()->acquire();
  auto b = pool.value()->acquire();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  auto c = pool.value()->acquire();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kBusy);
  auto stats = pool.value()->stats();
  EXPECT_EQ(stats.open, 2u);
  EXPECT_EQ(stats.in_use, 2u);
  EXPECT_EQ(stats.timeouts, 1u);
}

TEST_F(PostgresServerTest, ConnectionLeftInATransactionIsNotReused) {
  pg::PoolOptions options;
  options.connect.url = server_->url();
  options.size = 1;
  auto pool = pg::Pool::create(options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  {
    auto lease = pool.value()->acquire();
    ASSERT_TRUE(lease.ok());
    ASSERT_TRUE(lease->connection().exec("BEGIN").ok());
  }
  EXPECT_EQ(pool.value()->stats().discarded, 1u);
  auto lease = pool.value()->acquire();
  ASSERT_TRUE(lease.ok()) << lease.error().message;
  EXPECT_FALSE(lease->connection().in_transaction());
  auto rows = lease->connection().execute("SELECT $1::int + 1", {std::string("41")});
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(rows->int64(0, 0), 42);
}

TEST_F(PostgresServerTest, SqlStatesMapToErrorCodes) {
  pg::ConnectOptions options;
  options.url = server_->url();
  auto connection = pg::Connection::open(options);
  ASSERT_TRUE(connection.ok()) << connection.error().message;
  auto& c = *connection.value();
  ASSERT_TRUE(c.exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(c.execute("INSERT INTO t VALUES ($1)", {std::string("a")}).ok());
  auto duplicate = c.execute("INSERT INTO t VALUES ($1)", {std::string("a")});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
  auto bad_number = c.execute("SELECT $1::int", {std::string("not a number")});
  ASSERT_FALSE(bad_number.ok());
  EXPECT_EQ(bad_number.error().code, ErrorCode::kInvalid);
  auto syntax = c.execute("SELEC 1", {});
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().code, ErrorCode::kInternal);
  auto null_param = c.execute("SELECT $1::text IS NULL", {std::nullopt});
  ASSERT_TRUE(null_param.ok());
  EXPECT_EQ(null_param->text(0, 0), "t");
}

}  // namespace
}  // namespace tdemo::storage
