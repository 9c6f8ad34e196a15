#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <regex>
#include <tuple>
#include <thread>
#include <vector>

#include "storage/order_repository.h"
#include "storage/payment_repository.h"
#include "storage/sqlite.h"
#include "storage/test_tracing.h"
#include "storage/user_repository.h"

namespace tdemo::storage {
namespace {

using testing::RecordingTracer;
using testing::string_attribute;

TEST(UserRepositoryTest, SeedsDemoUsersAndFindsThem) {
  RecordingTracer tracing;
  auto repo = make_sqlite_user_repository({}, tracing.tracer());
  ASSERT_TRUE(repo.ok()) << repo.error().message;
  for (int id = 1; id <= kSeededUserCount; ++id) {
    auto user = repo.value()->find({}, id);
    ASSERT_TRUE(user.ok()) << id;
    EXPECT_EQ(user->id, id);
    EXPECT_FALSE(user->email.empty());
  }
  auto missing = repo.value()->find({}, 42);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "User 42 not found");
}

TEST(UserRepositoryTest, CreateRejectsDuplicateEmailCaseInsensitively) {
  RecordingTracer tracing;
  auto repo = make_sqlite_user_repository({}, tracing.tracer());
  ASSERT_TRUE(repo.ok());
  auto created = repo.value()->create({}, {"Zed", "zed@example.com"});
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_GT(created->id, kSeededUserCount);
  EXPECT_EQ(created->name, "Zed");
  EXPECT_FALSE(created->created_at.empty());
  auto again = repo.value()->create({}, {"Zed 2", "ZED@example.com"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST(UserRepositoryTest, EveryQueryHasADbSpanWithoutValues) {
  RecordingTracer tracing;
  auto repo = make_sqlite_user_repository({}, tracing.tracer());
  ASSERT_TRUE(repo.ok());
  ASSERT_TRUE(repo.value()->create({}, {"Secret Name", "secret@example.com"}).ok());
  ASSERT_TRUE(repo.value()->find({}, 1).ok());
  auto spans = tracing.spans->spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "INSERT users");
  EXPECT_EQ(spans[1].name, "SELECT users");
  for (const auto& span : spans) {
    EXPECT_EQ(span.kind, telemetry::SpanKind::kClient);
    EXPECT_EQ(string_attribute(span, "db.system.name"), "sqlite");
    EXPECT_EQ(string_attribute(span, "db.collection.name"), "users");
    EXPECT_EQ(string_attribute(span, "db.namespace"), ":memory:");
    const auto text = string_attribute(span, "db.query.text");
    EXPECT_NE(text.find('?'), std::string::npos) << text;
    EXPECT_EQ(text.find("secret"), std::string::npos) << text;
  }
  EXPECT_EQ(string_attribute(spans[0], "db.operation.name"), "INSERT");
}

TEST(UserRepositoryTest, SlowQueryKnobMarksTheSpan) {
  RecordingTracer tracing;
  SqliteRepositoryOptions options;
  options.slow_query = {std::chrono::milliseconds(1), 1.0};
  auto repo = make_sqlite_user_repository(options, tracing.tracer());
  ASSERT_TRUE(repo.ok());
  ASSERT_TRUE(repo.value()->find({}, 1).ok());
  auto spans = tracing.spans->spans();
  ASSERT_EQ(spans.size(), 1u);
  ASSERT_EQ(spans[0].events.size(), 1u);
  EXPECT_EQ(spans[0].events[0].name, "db.slow_query.injected");
}

TEST(OrderRepositoryTest, CreateFindAndMarkPaidOnce) {
  RecordingTracer tracing;
  auto repo = make_sqlite_order_repository({}, tracing.tracer());
  ASSERT_TRUE(repo.ok());
  auto order = repo.value()->create({}, {1, 9999, R"(["book"])"});
  ASSERT_TRUE(order.ok()) << order.error().message;
  EXPECT_EQ(order->status, "created");
  EXPECT_EQ(order->amount_cents, 9999);
  EXPECT_EQ(order->items_json, R"(["book"])");

  auto paid = repo.value()->mark_paid({}, order->id, 7);
  ASSERT_TRUE(paid.ok()) << paid.error().message;
  EXPECT_EQ(paid->status, "paid");
  EXPECT_EQ(paid->payment_id, 7);
  // The same payment again is fine (idempotent); another payment is a conflict.
  EXPECT_TRUE(repo.value()->mark_paid({}, order->id, 7).ok());
  auto other = repo.value()->mark_paid({}, order->id, 8);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  auto missing = repo.value()->mark_paid({}, 999, 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(repo.value()->find({}, order->id)->payment_id, 7);
}

TEST(OrderRepositoryTest, RejectsNonPositiveAmounts) {
  RecordingTracer tracing;
  auto repo = make_sqlite_order_repository({}, tracing.tracer());
  ASSERT_TRUE(repo.ok());
  EXPECT_FALSE(repo.value()->create({}, {1, 0, "[]"}).ok());
}

NewPayment payment_for(std::int64_t order, std::optional<std::string> key) {
  return NewPayment{order, 1050, "4242", std::move(key), std::nullopt};
}

// created_at as the schemas' default writes it: strftime('%Y-%m-%dT%H:%M:%fZ', 'now').
void expect_sqlite_timestamp(const std::string& text) {
  static const std::regex kFormat(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  EXPECT_TRUE(std::regex_match(text, kFormat)) << text;
}

// The inserts build the new row without reading it back (no RETURNING): what create returns
// is what a read finds, field by field, with the next rowid and a timestamp in the schema's
// format that the database's own clock agrees with.
TEST(RepositoriesTest, CreatedRowsAreWhatAReadFinds) {
  RecordingTracer tracing;
  auto database = Database::open(DatabaseOptions{});
  ASSERT_TRUE(database.ok());
  auto clock = database.value()->prepare("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
  ASSERT_TRUE(clock.ok());
  ASSERT_TRUE(clock.value()->step().value());
  const std::string before = clock.value()->column_text(0);

  auto users = make_sqlite_user_repository({}, tracing.tracer());
  ASSERT_TRUE(users.ok());
  auto user = users.value()->create({}, {"Grace Hopper", "Grace@Example.com"});
  ASSERT_TRUE(user.ok()) << user.error().message;
  EXPECT_EQ(user->id, kSeededUserCount + 1);
  auto found_user = users.value()->find({}, user->id);
  ASSERT_TRUE(found_user.ok());
  EXPECT_EQ(std::tie(found_user->id, found_user->name, found_user->email, found_user->created_at),
            std::tie(user->id, user->name, user->email, user->created_at));
  expect_sqlite_timestamp(user->created_at);
  EXPECT_GE(user->created_at, before);

  auto orders = make_sqlite_order_repository({}, tracing.tracer());
  ASSERT_TRUE(orders.ok());
  for (std::int64_t expected_id = 1; expected_id <= 2; ++expected_id) {
    auto order = orders.value()->create({}, {3, 1250, R"(["pen"])"});
    ASSERT_TRUE(order.ok()) << order.error().message;
    EXPECT_EQ(order->id, expected_id);
    auto found = orders.value()->find({}, order->id);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(std::tie(found->id, found->user_id, found->amount_cents, found->items_json, found->status,
                       found->payment_id, found->created_at),
              std::tie(order->id, order->user_id, order->amount_cents, order->items_json, order->status,
                       order->payment_id, order->created_at));
    expect_sqlite_timestamp(order->created_at);
  }

  auto payments = make_sqlite_payment_repository({}, tracing.tracer());
  ASSERT_TRUE(payments.ok());
  for (std::optional<std::string> key : {std::optional<std::string>("key-9"), std::optional<std::string>()}) {
    auto claim = payments.value()->begin({}, payment_for(key ? 9 : 10, key));
    ASSERT_TRUE(claim.ok()) << claim.error().message;
    const Payment& created = claim->payment;
    auto found = payments.value()->find({}, created.id);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(std::tie(found->id, found->order_id, found->amount_cents, found->card_last4, found->status,
                       found->idempotency_key, found->decline_reason, found->transaction_id, found->created_at),
              std::tie(created.id, created.order_id, created.amount_cents, created.card_last4, created.status,
                       created.idempotency_key, created.decline_reason, created.transaction_id,
                       created.created_at));
    expect_sqlite_timestamp(created.created_at);
  }
}

TEST(PaymentRepositoryTest, SameIdempotencyKeyReturnsTheSamePayment) {
  RecordingTracer tracing;
  auto repo = make_sqlite_payment_repository({}, tracing.tracer());
  ASSERT_TRUE(repo.ok());
  auto first = repo.value()->begin({}, payment_for(1, "key-1"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->payment.status, "pending");
  auto completed = repo.value()->complete({}, first->payment, "txn_1");
  ASSERT_TRUE(completed.ok());
  EXPECT_EQ(completed->status, "completed");

  auto retry = repo.value()->begin({}, payment_for(1, "key-1"));
  ASSERT_TRUE(retry.ok());
  EXPECT_FALSE(retry->created);
  EXPECT_EQ(retry->payment.id, first->payment.id);
  EXPECT_EQ(retry->payment.status, "completed");
  EXPECT_EQ(retry->payment.transaction_id, "txn_1");
  // Completing twice is refused: a payment is charged once.
  EXPECT_FALSE(repo.value()->complete({}, first->payment, "txn_2").ok());
}

TEST(PaymentRepositoryTest, KeyReusedForAnotherRequestIsInvalid) {
  RecordingTracer tracing;
  auto repo = make_sqlite_payment_repository({}, tracing.tracer());
  ASSERT_TRUE(repo.ok());
  ASSERT_TRUE(repo.value()->begin({}, payment_for(1, "k")).ok());
  auto other = repo.value()->begin({}, payment_for(2, "k"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kInvalid);
}

TEST(PaymentRepositoryTest, OneLivePaymentPerOrderButDeclinesMayBeRetried) {
  RecordingTracer tracing;
  auto repo = make_sqlite_payment_repository({}, tracing.tracer());
  ASSERT_TRUE(repo.ok());
  auto first = repo.value()->begin({}, payment_for(5, std::nullopt));
  ASSERT_TRUE(first.ok());
  auto second = repo.value()->begin({}, payment_for(5, std::nullopt));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(repo.value()->decline({}, first->payment, "insufficient funds").ok());
  auto retry = repo.value()->begin({}, payment_for(5, "new-key"));
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_TRUE(retry->created);
}

// A payments file from before claims were leased (no claimed_at column) gets the column on
// open, and its pending payments count as abandoned long ago.
// New files key rows by rowid without AUTOINCREMENT (sqlite.h): ids still count up one by one,
// and no insert writes a sqlite_sequence table.
TEST(RepositoriesTest, NewFilesNumberRowsWithoutASequenceTable) {
  const std::string dir = ::testing::TempDir();
  const auto path_of = [&](const char* name) { return dir + "rowid_" + name + ".db"; };
  const auto clean = [](const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  };
  RecordingTracer tracing;
  SqliteRepositoryOptions options;
  std::vector<std::int64_t> ids;
  {
    clean(path_of("orders"));
    options.pool.database.path = path_of("orders");
    auto orders = make_sqlite_order_repository(options, tracing.tracer());
    ASSERT_TRUE(orders.ok()) << orders.error().message;
    for (int i = 0; i < 3; ++i) ids.push_back(orders.value()->create({}, {1, 100, "[]"})->id);
  }
  {
    clean(path_of("payments"));
    options.pool.database.path = path_of("payments");
    auto payments = make_sqlite_payment_repository(options, tracing.tracer());
    ASSERT_TRUE(payments.ok()) << payments.error().message;
    for (int i = 0; i < 3; ++i) {
      ids.push_back(payments.value()->begin({}, payment_for(10 + i, std::nullopt))->payment.id);
    }
  }
  {
    clean(path_of("users"));
    options.pool.database.path = path_of("users");
    auto users = make_sqlite_user_repository(options, tracing.tracer());
    ASSERT_TRUE(users.ok()) << users.error().message;
    auto created = users.value()->create({}, {"Row Id", "rowid@example.com"});
    ASSERT_TRUE(created.ok()) << created.error().message;
    auto seeded = users.value()->find({}, created->id - 1);
    EXPECT_TRUE(seeded.ok());  // the next id after the seeded users
  }
  EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2, 3, 1, 2, 3}));
  for (const char* name : {"orders", "payments", "users"}) {
    DatabaseOptions open;
    open.path = path_of(name);
    auto db = Database::open(open);
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto sequence =
        db.value()->prepare("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'");
    ASSERT_TRUE(sequence.ok());
    ASSERT_TRUE(sequence.value()->step().value());
    EXPECT_EQ(sequence.value()->column_int(0), 0) << name;
    sequence.value()->reset();
    db.value().reset();
    clean(path_of(name));
  }
}

TEST(PaymentRepositoryTest, OldFileGetsClaimColumnAndItsPendingPaymentsCanBeResumed) {
  const std::string path = ::testing::TempDir() + "payments_old_schema.db";
  std::remove(path.c_str());
  {
    DatabaseOptions options;
    options.path = path;
    auto db = Database::open(options);
    ASSERT_TRUE(db.ok()) << db.error().message;
    ASSERT_TRUE(db.value()
                    ->exec(R"sql(
      CREATE TABLE payments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL,
        amount_cents INTEGER NOT NULL, card_last4 TEXT NOT NULL, status TEXT NOT NULL,
        idempotency_key TEXT UNIQUE, decline_reason TEXT NOT NULL DEFAULT '',
        transaction_id TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL DEFAULT '');
      INSERT INTO payments (order_id, amount_cents, card_last4, status, idempotency_key)
        VALUES (31, 1050, '4242', 'pending', 'old-key');)sql")
                    .ok());
  }
  RecordingTracer tracing;
  SqliteRepositoryOptions options;
  options.pool.database.path = path;
  auto repo = make_sqlite_payment_repository(options, tracing.tracer());
  ASSERT_TRUE(repo.ok()) << repo.error().message;
  auto payment = payment_for(31, "old-key");
  payment.resume_after = std::chrono::hours(24);
  auto resumed = repo.value()->begin({}, payment);
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_TRUE(resumed->resumed);
  EXPECT_TRUE(resumed->created);
  EXPECT_EQ(resumed->payment.status, "pending");
  auto again = repo.value()->begin({}, payment);  // claimed now: not resumed twice
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->created);
  repo.value().reset();
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
}

// Costs of each write that the schema and the file decide: new files have 1 KiB pages (every
// commit checksums and writes whole pages to the WAL), connections checkpoint every 10000 pages
// (not SQLite's 1000: each checkpoint syncs two files), and the payments CHECK on the status is
// ORs, not an IN list of three, which SQLite checks through a temporary index built per
// statement. The CHECK still refuses other statuses.
TEST(PaymentRepositoryTest, NewFilesWriteSmallPagesAndCheckStatusWithoutATemporaryIndex) {
  const std::string path = ::testing::TempDir() + "payments_costs.db";
  for (const auto& suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  RecordingTracer tracing;
  SqliteRepositoryOptions options;
  options.pool.database.path = path;
  auto repo = make_sqlite_payment_repository(options, tracing.tracer());
  ASSERT_TRUE(repo.ok()) << repo.error().message;
  {
    DatabaseOptions open;
    open.path = path;
    auto db = Database::open(open);
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto page_size = db.value()->prepare("PRAGMA page_size");
    ASSERT_TRUE(page_size.ok() && page_size.value()->step().value());
    EXPECT_EQ(page_size.value()->column_int(0), 1024);
    auto checkpoint = db.value()->prepare("PRAGMA wal_autocheckpoint");  // this connection's
    ASSERT_TRUE(checkpoint.ok() && checkpoint.value()->step().value());
    EXPECT_EQ(checkpoint.value()->column_int(0), 10000);
    for (const std::string sql :
         {"EXPLAIN INSERT INTO payments (order_id, amount_cents, card_last4, status) VALUES (1, 5, '4242', 'pending')",
          "EXPLAIN UPDATE payments SET status = 'completed' WHERE id = 1 AND status = 'pending'"}) {
      auto program = db.value()->prepare(sql);
      ASSERT_TRUE(program.ok()) << program.error().message;
      while (program.value()->step().value()) {
        EXPECT_NE(program.value()->column_text(1), "OpenEphemeral") << sql;
      }
    }
    EXPECT_FALSE(db.value()->exec("INSERT INTO payments (order_id, amount_cents, card_last4, status) "
                                  "VALUES (1, 5, '4242', 'refunded')").ok());
    EXPECT_TRUE(db.value()->exec("INSERT INTO payments (order_id, amount_cents, card_last4, status) "
                                 "VALUES (1, 5, '4242', 'declined')").ok());
  }
  repo.value().reset();
  for (const auto& suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

TEST(PaymentRepositoryTest, ConcurrentRetriesCreateOnePayment) {
  const std::string path = ::testing::TempDir() + "payments_concurrency.db";
  std::remove(path.c_str());
  RecordingTracer tracing;
  SqliteRepositoryOptions options;
  options.pool.database.path = path;
  options.pool.size = 4;
  auto repo = make_sqlite_payment_repository(options, tracing.tracer());
  ASSERT_TRUE(repo.ok());
  std::atomic<int> created{0}, replayed{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto claim = repo.value()->begin({}, payment_for(11, "same-key"));
      if (!claim.ok()) { ++errors; return; }
      (claim->created ? created : replayed)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(replayed.load(), 7);
  repo.value().reset();
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
}

}  // namespace
}  // namespace tdemo::storage
