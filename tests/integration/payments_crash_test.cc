// Issue 9 point 5, "nothing lost": the four services as separate processes over SQLite, clients
// paying orders through the gateway with an Idempotency-Key each and retrying with the same key
// and body until they get a final answer, while the payments and orders processes are killed
// (SIGKILL) at random moments and restarted on the same ports and data. Afterwards the SQLite
// files, opened read-only, must show no payment without its order, no order paid without its
// completed payment, at most one completed payment per order and per key, and every client's
// final answer in the database. And N concurrent retries of one payment charge once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/process.h"

namespace tdemo {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kApprovedCard = "4242424242424242";
constexpr const char* kDeclinedCard = "4000000000000002";  // the processor always declines it

enum Service { kGateway, kUsers, kOrders, kPayments };
constexpr const char* kRoles[] = {"gateway", "users", "orders", "payments"};

boost::json::object json_object(const std::string& text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  return !ec && value.is_object() ? value.as_object() : boost::json::object{};
}

std::int64_t int_field(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_int64() ? value->as_int64() : 0;
}

// One payment a client made, and the final answer it got.
struct ClientPayment {
  std::string key;
  std::int64_t order_id = 0;
  std::int64_t amount_cents = 0;
  bool declined_card = false;
  int final_status = 0;  // 0: never resolved
  std::int64_t payment_id = 0;
  std::string transaction_id;
  int attempts = 0;
  int in_progress = 0;  // 409 answers: the key was being processed (or its claim not expired)
};

struct OrderRow {
  std::string status;
  std::int64_t payment_id = 0;  // 0: NULL
  std::int64_t amount_cents = 0;
};

struct PaymentRow {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::int64_t amount_cents = 0;
  std::string status;
  std::string key;  // "" when NULL
  std::string transaction_id;
};

// Runs `sql` on a read-only connection to `path`, calling `row` for each result row.
template <typename RowFn>
void query_read_only(const std::string& path, const char* sql, RowFn row) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK) << path;
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) row(stmt);
  EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

std::string text_column(sqlite3_stmt* stmt, int index) {
  const auto* text = sqlite3_column_text(stmt, index);
  return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

class PaymentsCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = ::testing::TempDir() + "payments_crash_" + std::to_string(::getpid());
    std::filesystem::remove_all(data_dir_);
    std::filesystem::create_directories(data_dir_);
    const auto ports = test::free_ports(4);
    for (int i = 0; i < 4; ++i) {
      ports_[i] = ports[i];
      urls_[i] = "http://127.0.0.1:" + std::to_string(ports[i]);
    }
    for (int i = 3; i >= 0; --i) start(static_cast<Service>(i));
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(wait_up(static_cast<Service>(i))) << kRoles[i];
  }

  void TearDown() override {
    for (auto& process : processes_) {
      if (process && process->running()) process->terminate(seconds(20));
    }
    if (!HasFailure()) std::filesystem::remove_all(data_dir_);
  }

  void start(Service service) {
    test::ProcessOptions options;
    // A 10% random decline rate and 50 ms of processor time: kills land inside the pending
    // window (claimed, not yet charged) often, and some payments are declined at random. A
    // claim abandoned by a killed payments process expires after 2 s (+ 50 ms).
    // clang-format off
    options.args = {kRoles[service], "--port", std::to_string(ports_[service]), "--data-dir", data_dir_,
                    "--payment-decline-rate", "0.1", "--processor-latency-ms", "50",
                    "--payment-claim-timeout-ms", "2000", "--downstream-timeout-ms", "3000",
                    "--io-threads", "1", "--db-pool-size", "2"};
    // clang-format on
    options.env = {{"USERS_URL", urls_[kUsers]},
                   {"ORDERS_URL", urls_[kOrders]},
                   {"PAYMENTS_URL", urls_[kPayments]},
                   {"OTEL_TRACES_EXPORTER", "none"},
                   {"LOG_LEVEL", "warning"}};
    options.unset_env = {"OTEL_SERVICE_NAME", "SERVICE_NAME", "DATABASE_URL", "REDIS_URL"};
    processes_[service] = std::make_unique<test::Process>(TD_BINARY, options);
  }

  bool wait_up(Service service) {
    return test::wait_for_http(urls_[service] + "/openapi.json", seconds(30));
  }

  // SIGKILL, a short pause, and a restart on the same port and data directory.
  void crash_and_restart(Service service, milliseconds pause) {
    processes_[service]->kill();
    std::this_thread::sleep_for(pause);
    start(service);
    ASSERT_TRUE(wait_up(service)) << kRoles[service] << " did not come back:\n"
                                  << processes_[service]->stderr_text();
  }

  // POST /orders through the gateway, retried until it is created (a crashed attempt may leave
  // an order nobody pays: that is allowed). 0 when it never succeeds before `deadline`.
  std::int64_t create_order(std::int64_t amount_cents, Clock::time_point deadline) {
    const std::string body = R"({"user_id": 1, "amount": )" + std::to_string(amount_cents / 100) +
                             "." + (amount_cents % 100 < 10 ? "0" : "") +
                             std::to_string(amount_cents % 100) + "}";
    while (Clock::now() < deadline) {
      const auto response = test::http_post(urls_[kGateway] + "/orders", body, {}, seconds(10));
      if (response.status == 201) return int_field(json_object(response.body), "id");
      std::this_thread::sleep_for(milliseconds(50));
    }
    return 0;
  }

  // POST /payments with the same key and body until a final answer: 200/201 (paid, or paid
  // earlier under this key), 402 (declined), or another 4xx except 409 (409 says the same key
  // is still being processed: retry later). Transport errors and 5xx are retried.
  void pay(ClientPayment& payment, Clock::time_point deadline) {
    const std::string amount = std::to_string(payment.amount_cents / 100) + "." +
                               (payment.amount_cents % 100 < 10 ? "0" : "") +
                               std::to_string(payment.amount_cents % 100);
    const std::string body = R"({"order_id": )" + std::to_string(payment.order_id) +
                             R"(, "amount": )" + amount + R"(, "card_number": ")" +
                             (payment.declined_card ? kDeclinedCard : kApprovedCard) + R"("})";
    while (Clock::now() < deadline) {
      ++payment.attempts;
      const auto response = test::http_post(urls_[kGateway] + "/payments", body,
                                            {{"Idempotency-Key", payment.key}}, seconds(10));
      const int status = response.status;
      if (status == 200 || status == 201 || status == 402 ||
          (status >= 400 && status < 500 && status != 409)) {
        payment.final_status = status;
        auto json = json_object(response.body);
        if (status == 402 && json.contains("payment") && json["payment"].is_object()) {
          json = json["payment"].as_object();
        }
        payment.payment_id = int_field(json, "id");
        if (const auto* txn = json.if_contains("transaction_id"); txn && txn->is_string()) {
          payment.transaction_id = std::string(txn->as_string());
        }
        return;
      }
      payment.in_progress += status == 409;
      std::this_thread::sleep_for(milliseconds(status == 409 ? 100 : 50));
    }
  }

  std::map<std::int64_t, OrderRow> read_orders() {
    std::map<std::int64_t, OrderRow> orders;
    query_read_only(
        data_dir_ + "/orders.db", "SELECT id, status, payment_id, amount_cents FROM orders",
        [&](sqlite3_stmt* s) {
          orders[sqlite3_column_int64(s, 0)] =
              OrderRow{text_column(s, 1), sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3)};
        });
    return orders;
  }

  std::vector<PaymentRow> read_payments() {
    std::vector<PaymentRow> payments;
    query_read_only(
        data_dir_ + "/payments.db",
        "SELECT id, order_id, amount_cents, status, idempotency_key, transaction_id FROM payments",
        [&](sqlite3_stmt* s) {
          payments.push_back(PaymentRow{sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                                        sqlite3_column_int64(s, 2), text_column(s, 3),
                                        text_column(s, 4), text_column(s, 5)});
        });
    return payments;
  }

  // The invariants of the two databases, and each client's final answer found in them.
  void check_databases(const std::vector<ClientPayment>& clients) {
    const auto orders = read_orders();
    const auto payments = read_payments();
    std::map<std::int64_t, const PaymentRow*> by_id;
    std::map<std::int64_t, int> completed_per_order;
    std::map<std::string, int> rows_per_key;
    for (const auto& p : payments) {
      by_id[p.id] = &p;
      // No payment without its order, and for the order's amount.
      const auto order = orders.find(p.order_id);
      EXPECT_NE(order, orders.end()) << "payment " << p.id << " for a missing order " << p.order_id;
      if (order != orders.end()) {
        EXPECT_EQ(p.amount_cents, order->second.amount_cents) << "payment " << p.id;
      }
      if (p.status == "completed") ++completed_per_order[p.order_id];
      if (!p.key.empty()) ++rows_per_key[p.key];
      // Every completed payment has reached its order (the client retried until it had).
      if (p.status == "completed" && order != orders.end()) {
        EXPECT_EQ(order->second.status, "paid")
            << "payment " << p.id << " completed, order " << p.order_id << " not paid";
        EXPECT_EQ(order->second.payment_id, p.id) << "order " << p.order_id;
      }
    }
    // No double charge: per order and per key.
    for (const auto& [order_id, count] : completed_per_order) {
      EXPECT_EQ(count, 1) << "order " << order_id << " charged " << count << " times";
    }
    for (const auto& [key, count] : rows_per_key) EXPECT_EQ(count, 1) << "key " << key;
    // No order paid without its completed payment.
    for (const auto& [id, order] : orders) {
      if (order.status != "paid") continue;
      const auto payment = by_id.find(order.payment_id);
      ASSERT_NE(payment, by_id.end())
          << "order " << id << " paid by a missing payment " << order.payment_id;
      EXPECT_EQ(payment->second->status, "completed") << "order " << id;
      EXPECT_EQ(payment->second->order_id, id) << "order " << id;
    }
    // Each client's answer is what the database holds.
    for (const auto& client : clients) {
      SCOPED_TRACE("client key " + client.key);
      ASSERT_NE(client.final_status, 0)
          << "no final answer after " << client.attempts << " attempts";
      const auto payment = by_id.find(client.payment_id);
      if (client.final_status == 200 || client.final_status == 201) {
        ASSERT_NE(payment, by_id.end()) << "answered paid with payment " << client.payment_id;
        EXPECT_EQ(payment->second->status, "completed");
        EXPECT_EQ(payment->second->key, client.key);
        EXPECT_EQ(payment->second->transaction_id, client.transaction_id);
        EXPECT_EQ(orders.at(client.order_id).status, "paid");
        EXPECT_EQ(orders.at(client.order_id).payment_id, client.payment_id);
      } else if (client.final_status == 402) {
        ASSERT_NE(payment, by_id.end()) << "answered declined with payment " << client.payment_id;
        EXPECT_EQ(payment->second->status, "declined");
        EXPECT_EQ(payment->second->key, client.key);
        EXPECT_EQ(orders.at(client.order_id).status, "created");
      } else {
        ADD_FAILURE() << "unexpected final answer " << client.final_status;
      }
      if (client.declined_card) {
        EXPECT_EQ(client.final_status, 402);
      }
    }
  }

  std::string data_dir_;
  std::uint16_t ports_[4] = {};
  std::string urls_[4];
  std::unique_ptr<test::Process> processes_[4];
};

TEST_F(PaymentsCrashTest, KilledOrdersAndPaymentsLoseNothingAndChargeOnce) {
  constexpr int kClients = 4;
  // TD_CRASH_CHAOS_S makes it a soak (scripts/soak.sh with SOAK_CHAOS=1).
  const char* chaos_env = std::getenv("TD_CRASH_CHAOS_S");
  const auto chaos_time =
      seconds(chaos_env != nullptr && std::atoi(chaos_env) > 0 ? std::atoi(chaos_env) : 10);
  std::atomic<bool> chaos_over{false};
  std::mutex mutex;
  std::vector<ClientPayment> done;
  const auto run_id = std::to_string(::getpid());

  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      std::vector<ClientPayment> mine;
      for (int i = 0; !chaos_over.load(); ++i) {
        // After the chaos, every started payment gets 20 s (all services up) to resolve.
        const auto deadline = Clock::now() + chaos_time + seconds(20);
        ClientPayment payment;
        payment.key = "crash-" + run_id + "-" + std::to_string(c) + "-" + std::to_string(i);
        payment.amount_cents = 1000 + 100 * c + i;
        payment.declined_card = i % 5 == 4;
        payment.order_id = create_order(payment.amount_cents, deadline);
        if (payment.order_id == 0) break;
        pay(payment, deadline);
        mine.push_back(payment);
      }
      std::lock_guard lock(mutex);
      done.insert(done.end(), mine.begin(), mine.end());
    });
  }

  // The chaos every 0.5..1.5 s (at random moments): payments, payments, orders, ... killed,
  // restarted after 0.1..0.4 s.
  std::mt19937 random(std::random_device{}());
  int kills[4] = {};
  const auto chaos_end = Clock::now() + chaos_time;
  while (Clock::now() < chaos_end && !HasFatalFailure()) {
    std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution(500, 1500)(random)));
    const Service victim = (kills[kOrders] + kills[kPayments]) % 3 == 2 ? kOrders : kPayments;
    crash_and_restart(victim, milliseconds(std::uniform_int_distribution(100, 400)(random)));
    ++kills[victim];
  }
  chaos_over = true;
  for (auto& thread : clients) thread.join();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_GE(kills[kPayments], 2);
  EXPECT_GE(kills[kOrders], 1);
  EXPECT_GE(done.size(), 8u) << "too little traffic to prove anything";

  std::size_t paid = 0, declined = 0, retried = 0, waited = 0;
  for (const auto& p : done) {
    paid += p.final_status == 200 || p.final_status == 201;
    declined += p.final_status == 402;
    retried += p.attempts > 1;
    waited += p.in_progress > 0;
  }
  std::cout << "[ figures  ] " << done.size() << " payments (" << paid << " paid, " << declined
            << " declined, " << retried << " retried, " << waited
            << " waited on a claim); kills: payments " << kills[kPayments] << ", orders "
            << kills[kOrders] << "\n";

  for (auto& process : processes_) ASSERT_EQ(process->terminate(seconds(20)), 0);
  check_databases(done);
}

TEST_F(PaymentsCrashTest, ConcurrentRetriesOfOnePaymentChargeOnce) {
  constexpr int kParallel = 8;
  std::vector<ClientPayment> all;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const auto deadline = Clock::now() + seconds(20);
    std::vector<ClientPayment> tries(kParallel);
    const std::int64_t amount = 2000 + round;
    const std::int64_t order_id = create_order(amount, deadline);
    ASSERT_NE(order_id, 0);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kParallel; ++t) {
      tries[t].key = "same-" + std::to_string(::getpid()) + "-" + std::to_string(round);
      tries[t].order_id = order_id;
      tries[t].amount_cents = amount;
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kParallel) std::this_thread::yield();
        pay(tries[t], deadline);
      });
    }
    for (auto& thread : threads) thread.join();
    int in_progress = 0;
    for (const auto& t : tries) in_progress += t.in_progress;
    std::cout << "[ figures  ] round " << round << ": " << in_progress
              << " answers 409 (in progress)\n";
    // One payment, one outcome (paid, or declined at random), whichever request got there first.
    const bool paid = tries[0].final_status == 200 || tries[0].final_status == 201;
    for (const auto& t : tries) {
      EXPECT_TRUE(paid ? t.final_status == 200 || t.final_status == 201 : t.final_status == 402)
          << t.final_status << " vs " << tries[0].final_status;
      EXPECT_NE(t.payment_id, 0);
      EXPECT_EQ(t.payment_id, tries[0].payment_id);
      EXPECT_EQ(t.transaction_id, tries[0].transaction_id);
    }
    if (paid) {
      EXPECT_FALSE(tries[0].transaction_id.empty());
    }
    all.push_back(tries[0]);
  }
  for (auto& process : processes_) ASSERT_EQ(process->terminate(seconds(20)), 0);
  const auto payments = read_payments();
  EXPECT_EQ(payments.size(), 3u) << "one payment row per key";
  check_databases(all);
}

}  // namespace
}  // namespace tdemo
