#include "loadgen/run_stats.h"

#include <gtest/gtest.h>

namespace tdemo::loadgen {
namespace {

TEST(RunStats, CountsResponsesErrorsStatusesAndFailures) {
  RunStats s({"GET /a", "POST /b"});
  s.record_response(0, 1'000'000, 200);
  s.record_response(0, 2'000'000, 404);
  s.record_response(1, 3'000'000, 201);
  s.record_failure(1, FailureCause::kTimeout);
  EXPECT_EQ(s.requests(), 4u);
  EXPECT_EQ(s.responses(), 3u);
  EXPECT_EQ(s.errors(), 2u);
  EXPECT_DOUBLE_EQ(s.error_rate(), 0.5);
  EXPECT_EQ(s.status_count(200), 1u);
  EXPECT_EQ(s.status_count(404), 1u);
  EXPECT_EQ(s.status_count(999), 0u);
  EXPECT_EQ(s.failure_count(FailureCause::kTimeout), 1u);
  ASSERT_EQ(s.endpoints().size(), 2u);
  EXPECT_EQ(s.endpoints()[0].requests, 2u);
  EXPECT_EQ(s.endpoints()[0].errors, 1u);
  EXPECT_EQ(s.endpoints()[1].requests, 2u);
  EXPECT_EQ(s.endpoints()[1].latency.count(), 1u);
  const auto statuses = s.statuses();
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_EQ(statuses[0].first, 200);
}

TEST(RunStats, MergeAddsEverything) {
  RunStats a({"x"}), b({"x"});
  a.record_response(0, 5'000, 200);
  b.record_response(0, 7'000, 500);
  b.record_failure(0, FailureCause::kConnect);
  a.merge(b);
  EXPECT_EQ(a.requests(), 3u);
  EXPECT_EQ(a.errors(), 2u);
  EXPECT_EQ(a.status_count(500), 1u);
  EXPECT_EQ(a.failure_count(FailureCause::kConnect), 1u);
  EXPECT_EQ(a.latency().max(), 7'000u);
  EXPECT_EQ(a.endpoints()[0].requests, 3u);
}

TEST(FailureCause, Names) {
  EXPECT_EQ(failure_cause_name(FailureCause::kTimeout), "timeout");
  EXPECT_EQ(failure_cause_name(FailureCause::kConnect), "connect");
  EXPECT_EQ(failure_cause_name(FailureCause::kProtocol), "protocol");
}

Timeline::Point point(std::uint64_t requests, std::uint64_t latency) {
  Timeline::Point p;
  p.requests = requests;
  for (std::uint64_t i = 0; i < requests; ++i) p.latency.record(latency);
  return p;
}

TEST(Timeline, FilesPartsIntoIntervals) {
  Timeline t(1'000'000'000, 10);
  t.add(0, point(2, 100));
  t.add(250'000'000, point(3, 200));
  t.add(2'500'000'000, point(4, 300));
  const auto points = t.points();
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].requests, 5u);
  EXPECT_EQ(points[1].requests, 0u);
  EXPECT_EQ(points[2].requests, 4u);
  EXPECT_EQ(t.latest().requests, 4u);
}

TEST(Timeline, CoarsensInsteadOfGrowingPastTheLimit) {
  Timeline t(1'000'000'000, 4);
  for (std::uint64_t s = 0; s < 16; ++s) t.add(s * 1'000'000'000, point(1, 10));
  const auto points = t.points();
  EXPECT_LE(points.size(), 4u);
  EXPECT_EQ(t.interval_ns(), 4'000'000'000u);
  std::uint64_t total = 0;
  for (const auto& p : points) total += p.requests;
  EXPECT_EQ(total, 16u);
}

TEST(TimelineRecorder, HandsOverEachQuarterSecond) {
  Timeline t(1'000'000'000, 100);
  TimelineRecorder r(t);
  r.record(10, 1'000, false, true);
  r.record(20, 2'000, true, true);
  EXPECT_TRUE(t.points().empty());  // still accumulating
  r.record(1'100'000'000, 3'000, false, false);
  ASSERT_EQ(t.points().size(), 1u);
  EXPECT_EQ(t.points()[0].errors, 1u);
  r.flush();
  ASSERT_EQ(t.points().size(), 2u);
  EXPECT_EQ(t.points()[1].requests, 1u);
  EXPECT_EQ(t.points()[1].latency.count(), 0u);  // a failure has no latency
}

}  // namespace
}  // namespace tdemo::loadgen
