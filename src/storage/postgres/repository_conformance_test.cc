// One repository test suite, run against every backend: SQLite (a temporary file) and a
// PostgreSQL server this test starts (skipped, with a message, only when the PostgreSQL server
// binaries are missing). Each test gets a fresh, empty database.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "storage/postgres/pg_connection.h"
#include "storage/postgres/postgres_repositories.h"
#include "storage/test_tracing.h"
#include "support/servers.h"

namespace tdemo::storage {
namespace {

using testing::RecordingTracer;
using testing::string_attribute;

enum class Backend { kSqlite, kPostgres };

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// One PostgreSQL server per test process, started on first use, stopped at exit.
test::PostgresServer& shared_postgres() {
  static test::PostgresServer server;
  return server;
}

class RepositoryConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const std::string unique = std::to_string(getpid()) + "_" + std::to_string(counter++);
    if (GetParam() == Backend::kPostgres) {
      if (!test::find_postgres_bin_dir()) {
        GTEST_SKIP() << "PostgreSQL server binaries not found (install Debian's postgresql or "
                        "set TD_POSTGRES_BIN): PostgreSQL cases skipped";
      }
      // A fresh database per test: the tables go (CREATE DATABASE would take ~1 s).
      url_ = shared_postgres().url();
      pg::ConnectOptions options;
      options.url = url_;
      auto connection = pg::Connection::open(options);
      ASSERT_TRUE(connection.ok()) << connection.error().message;
      auto dropped = connection.value()->exec("DROP TABLE IF EXISTS users, orders, payments");
      ASSERT_TRUE(dropped.ok()) << dropped.error().message;
    } else {
      directory_ = std::filesystem::temp_directory_path() / ("tdemo-conformance-" + unique);
      std::filesystem::create_directories(directory_);
    }
  }

  void TearDown() override {
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
  }

  SqliteRepositoryOptions sqlite_options(const std::string& file) const {
    SqliteRepositoryOptions options;
    options.pool.database.path = (directory_ / file).string();
    options.pool.size = 4;
    return options;
  }
  PostgresRepositoryOptions postgres_options() const {
    PostgresRepositoryOptions options;
    options.url = url_;
    options.pool_size = 4;
    return options;
  }

  std::unique_ptr<UserRepository> users(telemetry::Tracer tracer = {}) {
    auto repo = GetParam() == Backend::kSqlite
                    ? make_sqlite_user_repository(sqlite_options("users.db"), tracer)
                    : make_postgres_user_repository(postgres_options(), tracer);
    EXPECT_TRUE(repo.ok()) << repo.error().message;
    return repo.ok() ? std::move(repo).value() : nullptr;
  }
  std::unique_ptr<OrderRepository> orders(telemetry::Tracer tracer = {}) {
    auto repo = GetParam() == Backend::kSqlite
                    ? make_sqlite_order_repository(sqlite_options("orders.db"), tracer)
                    : make_postgres_order_repository(postgres_options(), tracer);
    EXPECT_TRUE(repo.ok()) << repo.error().message;
    return repo.ok() ? std::move(repo).value() : nullptr;
  }
  std::unique_ptr<PaymentRepository> payments(telemetry::Tracer tracer = {}) {
    auto repo = GetParam() == Backend::kSqlite
                    ? make_sqlite_payment_repository(sqlite_options("payments.db"), tracer)
                    : make_postgres_payment_repository(postgres_options(), tracer);
    EXPECT_TRUE(repo.ok()) << repo.error().message;
    return repo.ok() ? std::move(repo).value() : nullptr;
  }

  std::filesystem::path directory_;
  std::string url_;
};

TEST_P(RepositoryConformanceTest, SeededUsersAreFoundAndMissingOnesAreNotFound) {
  auto repo = users();
  ASSERT_TRUE(repo);
  for (int id = 1; id <= kSeededUserCount; ++id) {
    auto user = repo->find({}, id);
    ASSERT_TRUE(user.ok()) << user.error().message;
    EXPECT_EQ(user->id, id);
    EXPECT_FALSE(user->name.empty());
    EXPECT_NE(user->email.find('@'), std::string::npos);
  }
  EXPECT_EQ(repo->find({}, 1)->email, "alice@example.com");
  auto missing = repo->find({}, 42);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "User 42 not found");
}

TEST_P(RepositoryConformanceTest, CreateUserAssignsNewIdsAndRejectsTakenEmails) {
  auto repo = users();
  ASSERT_TRUE(repo);
  auto created = repo->create({}, {"Zed", "zed@example.com"});
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_GT(created->id, kSeededUserCount);
  EXPECT_EQ(created->name, "Zed");
  // ISO 8601 UTC with milliseconds, e.g. 2026-01-31T12:00:00.123Z.
  ASSERT_EQ(created->created_at.size(), 24u) << created->created_at;
  EXPECT_EQ(created->created_at[10], 'T');
  EXPECT_EQ(created->created_at.back(), 'Z');
  EXPECT_EQ(repo->find({}, created->id)->email, "zed@example.com");

  auto again = repo->create({}, {"Zed 2", "ZED@example.com"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().message, "Email already registered");
  auto seeded = repo->create({}, {"Alice again", "Alice@Example.com"});
  ASSERT_FALSE(seeded.ok());
  EXPECT_EQ(seeded.error().code, ErrorCode::kConflict);
}

TEST_P(RepositoryConformanceTest, ReopeningKeepsDataAndSeedsOnce) {
  std::int64_t first_id = 0;
  {
    auto repo = users();
    ASSERT_TRUE(repo);
    auto created = repo->create({}, {"Persisted", "persisted@example.com"});
    ASSERT_TRUE(created.ok()) << created.error().message;
    first_id = created->id;
  }
  auto repo = users();  // a restart of the service
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->find({}, first_id)->name, "Persisted");
  auto next = repo->create({}, {"Next", "next@example.com"});
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_GT(next->id, first_id);
  EXPECT_FALSE(repo->find({}, next->id + 1).ok());
}

TEST_P(RepositoryConformanceTest, ConcurrentStartsCreateTheSchemaAndSeedOnce) {
  constexpr int kStarts = 4;
  std::vector<std::unique_ptr<UserRepository>> repos(kStarts);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStarts; ++i) {
    threads.emplace_back([&, i] { repos[i] = users(); });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& repo : repos) ASSERT_TRUE(repo);
  // Seeded once: the first new user gets the id right after the seeds.
  auto created = repos[0]->create({}, {"After seed", "after@example.com"});
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->id, kSeededUserCount + 1);
}

TEST_P(RepositoryConformanceTest, OrdersAreCreatedFoundAndPaidOnce) {
  auto repo = orders();
  ASSERT_TRUE(repo);
  auto order = repo->create({}, {1, 9999, R"(["book"])"});
  ASSERT_TRUE(order.ok()) << order.error().message;
  EXPECT_EQ(order->user_id, 1);
  EXPECT_EQ(order->status, "created");
  EXPECT_EQ(order->amount_cents, 9999);
  EXPECT_EQ(order->items_json, R"(["book"])");
  EXPECT_EQ(order->payment_id, 0);
  EXPECT_EQ(repo->find({}, order->id)->amount_cents, 9999);

  auto paid = repo->mark_paid({}, order->id, 7);
  ASSERT_TRUE(paid.ok()) << paid.error().message;
  EXPECT_EQ(paid->status, "paid");
  EXPECT_EQ(paid->payment_id, 7);
  EXPECT_TRUE(repo->mark_paid({}, order->id, 7).ok());  // idempotent for the same payment
  auto other = repo->mark_paid({}, order->id, 8);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  auto missing = repo->mark_paid({}, 999, 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(repo->find({}, 999).error().message, "Order 999 not found");
  EXPECT_EQ(repo->find({}, order->id)->payment_id, 7);
}

TEST_P(RepositoryConformanceTest, OrdersRejectNonPositiveAmounts) {
  auto repo = orders();
  ASSERT_TRUE(repo);
  auto zero = repo->create({}, {1, 0, "[]"});
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, ErrorCode::kConflict);  // a CHECK constraint refused it
}

TEST_P(RepositoryConformanceTest, ConcurrentMarkPaidLetsOnePaymentWin) {
  auto repo = orders();
  ASSERT_TRUE(repo);
  auto order = repo->create({}, {2, 500, "[]"});
  ASSERT_TRUE(order.ok());
  std::atomic<int> wins{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int payment = 1; payment <= 4; ++payment) {
    threads.emplace_back([&, payment] {
      auto result = repo->mark_paid({}, order->id, payment);
      if (result.ok()) ++wins;
      else if (result.error().code == ErrorCode::kConflict) ++conflicts;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), 3);
}

NewPayment payment_for(std::int64_t order, std::optional<std::string> key,
                       std::int64_t amount = 1050) {
  return NewPayment{order, amount, "4242", std::move(key), std::nullopt};
}

// complete() and decline() return the payment as the update left it (SQLite builds it from the
// pending one, without reading the row back): it must be what a read finds, field by field.
void expect_stored(PaymentRepository& repo, const Payment& returned) {
  auto found = repo.find({}, returned.id);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(std::tie(found->id, found->order_id, found->amount_cents, found->card_last4, found->status,
                     found->idempotency_key, found->decline_reason, found->transaction_id, found->created_at),
            std::tie(returned.id, returned.order_id, returned.amount_cents, returned.card_last4, returned.status,
                     returned.idempotency_key, returned.decline_reason, returned.transaction_id,
                     returned.created_at));
}

TEST_P(RepositoryConformanceTest, SameIdempotencyKeyReplaysThePayment) {
  auto repo = payments();
  ASSERT_TRUE(repo);
  auto first = repo->begin({}, payment_for(1, "key-1"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->payment.status, "pending");
  EXPECT_EQ(first->payment.card_last4, "4242");
  EXPECT_EQ(first->payment.idempotency_key, "key-1");
  auto completed = repo->complete({}, first->payment, "txn_1");
  ASSERT_TRUE(completed.ok()) << completed.error().message;
  EXPECT_EQ(completed->status, "completed");
  EXPECT_EQ(completed->transaction_id, "txn_1");
  expect_stored(*repo, completed.value());

  auto retry = repo->begin({}, payment_for(1, "key-1"));
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_FALSE(retry->created);
  EXPECT_EQ(retry->payment.id, first->payment.id);
  EXPECT_EQ(retry->payment.status, "completed");
  EXPECT_EQ(retry->payment.transaction_id, "txn_1");
  auto twice = repo->complete({}, first->payment, "txn_2");  // charged once
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(repo->find({}, first->payment.id)->transaction_id, "txn_1");
}

// A process that dies between begin() and complete() leaves a pending payment: once its claim
// is older than resume_after, a retry with the key takes it over (one payment, one charge);
// a live claim, or a retry that does not ask for resumption, only replays "pending".
TEST_P(RepositoryConformanceTest, AbandonedPendingPaymentIsResumedOnceItsClaimExpires) {
  auto repo = payments();
  ASSERT_TRUE(repo);
  const auto with_timeout = [](std::optional<std::chrono::milliseconds> timeout) {
    auto payment = payment_for(21, "crashed");
    payment.resume_after = timeout;
    return payment;
  };
  auto first = repo->begin({}, with_timeout(std::chrono::hours(1)));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(first->resumed);
  for (auto timeout : {std::optional<std::chrono::milliseconds>(std::chrono::hours(1)),
                       std::optional<std::chrono::milliseconds>()}) {
    auto live = repo->begin({}, with_timeout(timeout));
    ASSERT_TRUE(live.ok()) << live.error().message;
    EXPECT_FALSE(live->created);
    EXPECT_FALSE(live->resumed);
    EXPECT_EQ(live->payment.status, "pending");
  }

  // The first owner "died": its claim is older than a zero timeout.
  auto resumed = repo->begin({}, with_timeout(std::chrono::milliseconds(0)));
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_TRUE(resumed->created);
  EXPECT_TRUE(resumed->resumed);
  EXPECT_EQ(resumed->payment.id, first->payment.id);
  // The claim was renewed: a retry right after does not take it over again.
  auto after = repo->begin({}, with_timeout(std::chrono::hours(1)));
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_FALSE(after->created);

  // The new owner charges; the old one, had it lived, could not record a second outcome.
  ASSERT_TRUE(repo->complete({}, resumed->payment, "txn_resumed").ok());
  auto late = repo->decline({}, first->payment, "late");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kNotFound);
  // A finished payment is never resumed.
  auto replay = repo->begin({}, with_timeout(std::chrono::milliseconds(0)));
  ASSERT_TRUE(replay.ok()) << replay.error().message;
  EXPECT_FALSE(replay->created);
  EXPECT_FALSE(replay->resumed);
  EXPECT_EQ(replay->payment.status, "completed");
  EXPECT_EQ(replay->payment.transaction_id, "txn_resumed");
}

TEST_P(RepositoryConformanceTest, KeyReusedForAnotherRequestIsInvalid) {
  auto repo = payments();
  ASSERT_TRUE(repo);
  ASSERT_TRUE(repo->begin({}, payment_for(1, "k")).ok());
  auto other_order = repo->begin({}, payment_for(2, "k"));
  ASSERT_FALSE(other_order.ok());
  EXPECT_EQ(other_order.error().code, ErrorCode::kInvalid);
  auto other_amount = repo->begin({}, payment_for(1, "k", 99));
  ASSERT_FALSE(other_amount.ok());
  EXPECT_EQ(other_amount.error().code, ErrorCode::kInvalid);
}

TEST_P(RepositoryConformanceTest, OneLivePaymentPerOrderButRetryAfterDecline) {
  auto repo = payments();
  ASSERT_TRUE(repo);
  auto first = repo->begin({}, payment_for(3, "a"));
  ASSERT_TRUE(first.ok());
  auto second = repo->begin({}, payment_for(3, "b"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_EQ(second.error().message, "Order 3 already has a payment");
  auto no_key = repo->begin({}, payment_for(3, std::nullopt));
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.error().code, ErrorCode::kConflict);

  auto declined = repo->decline({}, first->payment, "insufficient funds");
  ASSERT_TRUE(declined.ok()) << declined.error().message;
  EXPECT_EQ(declined->status, "declined");
  EXPECT_EQ(declined->decline_reason, "insufficient funds");
  expect_stored(*repo, declined.value());
  auto retry = repo->begin({}, payment_for(3, std::nullopt));
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_TRUE(retry->created);
  EXPECT_FALSE(retry->payment.idempotency_key.has_value());
  EXPECT_EQ(repo->find({}, 12345).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformanceTest, ConcurrentRetriesWithOneKeyChargeOnce) {
  auto repo = payments();
  ASSERT_TRUE(repo);
  constexpr int kRetries = 6;
  std::atomic<int> created{0};
  std::vector<std::int64_t> ids(kRetries, -1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRetries; ++i) {
    threads.emplace_back([&, i] {
      auto claim = repo->begin({}, payment_for(4, "same-key"));
      if (!claim.ok()) return;
      if (claim->created) ++created;
      ids[i] = claim->payment.id;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), 1u) << "every retry sees one payment";
  EXPECT_NE(ids[0], -1);
}

TEST_P(RepositoryConformanceTest, EveryQueryIsADbSpanWithoutValues) {
  RecordingTracer tracing;
  auto repo = users(tracing.tracer());
  ASSERT_TRUE(repo);
  ASSERT_TRUE(repo->create({}, {"Secret Name", "secret@example.com"}).ok());
  ASSERT_TRUE(repo->find({}, 1).ok());
  auto spans = tracing.spans->spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "INSERT users");
  EXPECT_EQ(spans[1].name, "SELECT users");
  const bool postgres = GetParam() == Backend::kPostgres;
  for (const auto& span : spans) {
    EXPECT_EQ(span.kind, telemetry::SpanKind::kClient);
    EXPECT_EQ(string_attribute(span, "db.system.name"), postgres ? "postgresql" : "sqlite");
    EXPECT_EQ(string_attribute(span, "db.collection.name"), "users");
    const auto text = string_attribute(span, "db.query.text");
    EXPECT_NE(text.find(postgres ? "$1" : "?"), std::string::npos) << text;
    EXPECT_EQ(text.find("secret"), std::string::npos) << text;
    EXPECT_EQ(text.find("Secret"), std::string::npos) << text;
    if (postgres) {
      EXPECT_EQ(string_attribute(span, "db.namespace"), parse_postgres_url(url_)->database);
      EXPECT_EQ(string_attribute(span, "server.address"), "127.0.0.1");
      bool has_port = false;
      for (const auto& kv : span.attributes) {
        if (kv.key == "server.port") {
          has_port = std::get<std::int64_t>(kv.value) == shared_postgres().port();
        }
      }
      EXPECT_TRUE(has_port);
    }
  }
  EXPECT_EQ(string_attribute(spans[0], "db.operation.name"), "INSERT");
  EXPECT_EQ(string_attribute(spans[1], "db.operation.name"), "SELECT");
}

TEST_P(RepositoryConformanceTest, PingAndPoolStatsForHealthAndMetrics) {
  auto user_repo = users();
  auto order_repo = orders();
  auto payment_repo = payments();
  ASSERT_TRUE(user_repo && order_repo && payment_repo);
  EXPECT_TRUE(user_repo->ping().ok());
  EXPECT_TRUE(order_repo->ping().ok());
  EXPECT_TRUE(payment_repo->ping().ok());
  ASSERT_TRUE(user_repo->find({}, 1).ok());
  const PoolStats stats = user_repo->pool_stats();
  EXPECT_EQ(stats.size, 4u);
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_EQ(stats.timeouts, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryConformanceTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), backend_name);

}  // namespace
}  // namespace tdemo::storage
