#include "loadgen/schedule.h"

#include <gtest/gtest.h>

namespace tdemo::loadgen {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RampUp, LinearFromZero) {
  const Nanoseconds ramp = seconds(10);
  EXPECT_EQ(ramp_up_start(0, 5, ramp), Nanoseconds{0});
  EXPECT_EQ(ramp_up_start(1, 5, ramp), seconds(2));
  EXPECT_EQ(ramp_up_start(4, 5, ramp), seconds(8));
  for (std::uint64_t i = 1; i < 100; ++i) {
    EXPECT_GT(ramp_up_start(i, 100, ramp), ramp_up_start(i - 1, 100, ramp));
    EXPECT_LT(ramp_up_start(i, 100, ramp), ramp);
  }
}

TEST(RampUp, NoRampMeansAllAtOnce) {
  EXPECT_EQ(ramp_up_start(7, 10, Nanoseconds{0}), Nanoseconds{0});
  EXPECT_EQ(ramp_up_start(0, 1, seconds(3)), Nanoseconds{0});
}

TEST(RampUp, NoOverflowForLongRampsAndManyUsers) {
  const Nanoseconds ramp = std::chrono::hours(24 * 365);
  EXPECT_EQ(ramp_up_start(999'999, 1'000'000, ramp).count(), ramp.count() / 1'000'000 * 999'999);
}

TEST(ArrivalSchedule, EvenlySpacedSendTimes) {
  ArrivalSchedule s(1000);
  EXPECT_EQ(s.send_time(0), Nanoseconds{0});
  EXPECT_EQ(s.send_time(1), milliseconds(1));
  EXPECT_EQ(s.send_time(5000), seconds(5));
  ArrivalSchedule third(3);
  EXPECT_EQ(third.send_time(1).count(), 333'333'333);
  EXPECT_EQ(third.send_time(2).count(), 666'666'667);
}

TEST(ArrivalSchedule, CountWithinADuration) {
  EXPECT_EQ(ArrivalSchedule(5000).count_within(seconds(2)), 10'000u);
  EXPECT_EQ(ArrivalSchedule(3).count_within(seconds(1)), 3u);
  EXPECT_EQ(ArrivalSchedule(2.5).count_within(seconds(1)), 3u);  // at 0, 0.4, 0.8 s
  EXPECT_EQ(ArrivalSchedule(100).count_within(Nanoseconds{0}), 0u);
  EXPECT_EQ(ArrivalSchedule(100).count_within(Nanoseconds{1}), 1u);
}

}  // namespace
}  // namespace tdemo::loadgen
