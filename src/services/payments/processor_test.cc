#include "services/payments/processor.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "storage/test_tracing.h"

namespace tdemo::services::payments {
namespace {

Decision run(Processor& processor, std::int64_t amount_cents, std::string card) {
  boost::asio::io_context io;
  Decision decision;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        decision = co_await processor.authorize({}, 1, amount_cents, card);
      },
      boost::asio::detached);
  io.run();
  return decision;
}

TEST(ProcessorTest, ApprovesByDefaultAndNeverRecordsTheCard) {
  storage::testing::RecordingTracer tracing;
  Processor processor(tracing.tracer(), ProcessorOptions{});
  auto decision = run(processor, 9999, "4242424242424242");
  EXPECT_TRUE(decision.approved);
  EXPECT_EQ(decision.transaction_id.rfind("txn_", 0), 0u);
  auto spans = tracing.spans->spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "payment.fraud_check");
  EXPECT_EQ(spans[1].name, "payment.authorize");
  for (const auto& span : spans) {
    EXPECT_EQ(storage::testing::string_attribute(span, "payment.card.masked"), "****4242");
    for (const auto& kv : span.attributes) {
      EXPECT_EQ(telemetry::to_display_string(kv.value).find("424242424242"), std::string::npos) << kv.key;
    }
  }
}

TEST(ProcessorTest, TestCardsAndFraudLimitDecline) {
  storage::testing::RecordingTracer tracing;
  Processor processor(tracing.tracer(), ProcessorOptions{});
  EXPECT_EQ(run(processor, 100, std::string(kAlwaysDeclinedCard)).error_type, "card_declined");
  EXPECT_EQ(run(processor, 100, std::string(kInsufficientFundsCard)).error_type, "insufficient_funds");
  auto fraud = run(processor, kFraudLimitCents + 1, "4242424242424242");
  EXPECT_FALSE(fraud.approved);
  EXPECT_EQ(fraud.error_type, "fraud_suspected");
  EXPECT_FALSE(fraud.reason.empty());
}

TEST(ProcessorTest, DeclineRateIsReproducibleWithASeed) {
  storage::testing::RecordingTracer tracing;
  ProcessorOptions options;
  options.decline_rate = 0.5;
  options.seed = 42;
  auto outcomes = [&] {
    Processor processor(tracing.tracer(), options);
    std::string out;
    for (int i = 0; i < 40; ++i) out += run(processor, 100, "4242424242424242").approved ? 'A' : 'D';
    return out;
  };
  const std::string first = outcomes();
  EXPECT_EQ(first, outcomes());
  EXPECT_NE(first.find('A'), std::string::npos);
  EXPECT_NE(first.find('D'), std::string::npos);
  options.decline_rate = 1.0;
  Processor always(tracing.tracer(), options);
  EXPECT_FALSE(run(always, 100, "4242424242424242").approved);
}

}  // namespace
}  // namespace tdemo::services::payments
