#include "storage/redis/circuit_breaker.h"

#include <gtest/gtest.h>

namespace tdemo::storage {
namespace {

using std::chrono::milliseconds;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  CircuitBreaker breaker_{{milliseconds(100), milliseconds(400)}, [this] { return now_; }};
  std::chrono::steady_clock::time_point now_{};
};

TEST_F(CircuitBreakerTest, ClosedAllowsEveryCall) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(breaker_.allow());
    breaker_.record_success();
  }
  EXPECT_FALSE(breaker_.is_open());
  EXPECT_EQ(breaker_.retry_in(), milliseconds(0));
}

TEST_F(CircuitBreakerTest, FailureOpensUntilTheBackoffPassesThenOneProbeGoes) {
  ASSERT_TRUE(breaker_.allow());
  breaker_.record_failure();
  EXPECT_TRUE(breaker_.is_open());
  EXPECT_FALSE(breaker_.allow());
  EXPECT_EQ(breaker_.retry_in(), milliseconds(100));
  now_ += milliseconds(99);
  EXPECT_FALSE(breaker_.allow());
  now_ += milliseconds(1);
  EXPECT_TRUE(breaker_.allow());   // the probe
  EXPECT_FALSE(breaker_.allow());  // everyone else waits for its outcome
  breaker_.record_success();
  EXPECT_FALSE(breaker_.is_open());
  EXPECT_TRUE(breaker_.allow());
}

TEST_F(CircuitBreakerTest, FailedProbesDoubleTheBackoffUpToTheMaximum) {
  ASSERT_TRUE(breaker_.allow());
  breaker_.record_failure();
  for (int expected : {200, 400, 400}) {
    now_ += breaker_.retry_in();
    ASSERT_TRUE(breaker_.allow());
    breaker_.record_failure();
    EXPECT_EQ(breaker_.retry_in(), milliseconds(expected));
  }
  now_ += breaker_.retry_in();
  ASSERT_TRUE(breaker_.allow());
  breaker_.record_success();
  ASSERT_TRUE(breaker_.allow());
  breaker_.record_failure();
  EXPECT_EQ(breaker_.retry_in(), milliseconds(100)) << "success resets the backoff";
}

TEST_F(CircuitBreakerTest, LateFailuresOfCallsInFlightDoNotExtendTheBackoff) {
  ASSERT_TRUE(breaker_.allow());
  ASSERT_TRUE(breaker_.allow());
  breaker_.record_failure();
  breaker_.record_failure();  // the second call, in flight when the circuit opened
  EXPECT_EQ(breaker_.retry_in(), milliseconds(100));
}

}  // namespace
}  // namespace tdemo::storage
