#include "loadgen/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace tdemo::loadgen {
namespace {

// The exact nearest-rank percentile of `values`.
std::uint64_t exact_percentile(std::vector<std::uint64_t> values, double p) {
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  rank = std::clamp<std::size_t>(rank, 1, values.size());
  return values[rank - 1];
}

void expect_within_one_percent(std::uint64_t got, std::uint64_t want, double p) {
  const double tolerance = std::max(1.0, static_cast<double>(want) * 0.01);
  EXPECT_NEAR(static_cast<double>(got), static_cast<double>(want), tolerance) << "p" << p;
}

TEST(LatencyHistogram, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_TRUE(h.buckets().empty());
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 50u);
  EXPECT_EQ(h.percentile(99), 99u);
  EXPECT_EQ(h.percentile(100), 100u);
  EXPECT_EQ(h.percentile(0), 1u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogram, BucketsAreContiguousAndNarrow) {
  for (std::size_t i = 0; i + 1 < LatencyHistogram::bucket_index(LatencyHistogram::kMaxValue); ++i) {
    const auto lower = LatencyHistogram::bucket_lower(i);
    const auto width = LatencyHistogram::bucket_width(i);
    ASSERT_EQ(lower + width, LatencyHistogram::bucket_lower(i + 1)) << i;
    ASSERT_EQ(LatencyHistogram::bucket_index(lower), i);
    ASSERT_EQ(LatencyHistogram::bucket_index(lower + width - 1), i);
    if (lower >= 256) {
      ASSERT_LE(static_cast<double>(width) / static_cast<double>(lower), 1.0 / 128);
    }
  }
}

struct Distribution {
  const char* name;
  std::vector<std::uint64_t> (*make)();
};

std::vector<std::uint64_t> uniform_values() {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<std::uint64_t> d(1'000, 50'000'000);
  std::vector<std::uint64_t> v(20000);
  for (auto& x : v) x = d(rng);
  return v;
}
std::vector<std::uint64_t> lognormal_values() {
  std::mt19937_64 rng(2);
  std::lognormal_distribution<double> d(13.0, 1.5);  // ~0.5 ms median, long tail
  std::vector<std::uint64_t> v(20000);
  for (auto& x : v) x = static_cast<std::uint64_t>(d(rng)) + 1;
  return v;
}
std::vector<std::uint64_t> bimodal_values() {
  std::vector<std::uint64_t> v;
  for (int i = 0; i < 9900; ++i) v.push_back(200'000 + static_cast<std::uint64_t>(i) * 7);
  for (int i = 0; i < 100; ++i) v.push_back(2'000'000'000 + static_cast<std::uint64_t>(i) * 1000);
  return v;
}

class HistogramPercentiles : public ::testing::TestWithParam<Distribution> {};

TEST_P(HistogramPercentiles, WithinOnePercentOfExact) {
  const auto values = GetParam().make();
  LatencyHistogram h;
  for (auto v : values) h.record(v);
  ASSERT_EQ(h.count(), values.size());
  for (double p : {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
    expect_within_one_percent(h.percentile(p), exact_percentile(values, p), p);
  }
  EXPECT_EQ(h.min(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
}

INSTANTIATE_TEST_SUITE_P(Distributions, HistogramPercentiles,
                         ::testing::Values(Distribution{"uniform", uniform_values},
                                           Distribution{"lognormal", lognormal_values},
                                           Distribution{"bimodal", bimodal_values}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  const auto values = lognormal_values();
  LatencyHistogram all, a, b;
  for (std::size_t i = 0; i < values.size(); ++i) {
    all.record(values[i]);
    (i % 3 == 0 ? a : b).record(values[i]);
  }
  LatencyHistogram merged;
  merged.merge(a);
  merged.merge(b);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_DOUBLE_EQ(merged.mean(), all.mean());
  for (double p : {50.0, 90.0, 99.0, 99.9}) EXPECT_EQ(merged.percentile(p), all.percentile(p));
  for (double p : {50.0, 99.0}) expect_within_one_percent(merged.percentile(p), exact_percentile(values, p), p);
}

TEST(LatencyHistogram, MergeIntoEmptyAndFromEmpty) {
  LatencyHistogram a, empty;
  a.record(5'000);
  a.merge(empty);
  EXPECT_EQ(a.count(), 1u);
  empty.merge(a);
  EXPECT_EQ(empty.min(), 5'000u);
  EXPECT_EQ(empty.max(), 5'000u);
}

TEST(LatencyHistogram, ClampsHugeValuesAndCountsThem) {
  LatencyHistogram h;
  h.record(LatencyHistogram::kMaxValue + 12345);
  h.record(10);
  EXPECT_EQ(h.clamped(), 1u);
  EXPECT_EQ(h.max(), LatencyHistogram::kMaxValue);
  EXPECT_EQ(h.count(), 2u);
}

TEST(LatencyHistogram, RecordManyAndReset) {
  LatencyHistogram h;
  h.record(1'000'000, 99);
  h.record(9'000'000, 1);
  EXPECT_EQ(h.count(), 100u);
  expect_within_one_percent(h.percentile(99), 1'000'000, 99);
  expect_within_one_percent(h.percentile(99.5), 9'000'000, 99.5);
  const auto buckets = h.buckets();
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[0].count, 99u);
  EXPECT_LE(buckets[0].lower, 1'000'000u);
  EXPECT_GT(buckets[0].upper, 1'000'000u);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
}

}  // namespace
}  // namespace tdemo::loadgen
