#include "metrics/registry.h"

#include <thread>

#include <gtest/gtest.h>

namespace tdemo::metrics {
namespace {

TEST(RegistryTest, CounterAndGaugeExposition) {
  Registry registry;
  auto& requests = registry.counter("requests_total", "Requests served.", {"method", "code"});
  requests.with({"GET", "200"}).inc();
  requests.with({"GET", "200"}).inc(2);
  requests.with({"POST", "500"}).inc();
  registry.gauge("temperature", "Current\\temp\nline").with({}).set(-1.5);
  EXPECT_EQ(registry.render(),
            "# HELP requests_total Requests served.\n"
            "# TYPE requests_total counter\n"
            "requests_total{method=\"GET\",code=\"200\"} 3\n"
            "requests_total{method=\"POST\",code=\"500\"} 1\n"
            "# HELP temperature Current\\\\temp\\nline\n"
            "# TYPE temperature gauge\n"
            "temperature -1.5\n");
}

TEST(RegistryTest, HistogramExposition) {
  Registry registry;
  auto& h = registry.histogram("latency_seconds", "Latency.", {"route"}, {0.1, 0.5, 1});
  auto& child = h.with({"/a"});
  child.observe(0.05);
  child.observe(0.1);   // le is inclusive
  child.observe(0.7);
  child.observe(3);
  EXPECT_EQ(registry.render(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.5\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"
            "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"/a\"} 3.85\n"
            "latency_seconds_count{route=\"/a\"} 4\n");
}

TEST(RegistryTest, HistogramCountsEveryObservationFromManyThreads) {
  // More threads than the histogram's stripes, and more buckets than one cache line holds.
  Registry registry;
  std::vector<double> bounds;
  for (int i = 1; i <= 20; ++i) bounds.push_back(i);
  auto& child = registry.histogram("h", "h", {}, bounds).with({});
  constexpr int kThreads = 12, kRounds = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&child] {
      for (int r = 0; r < kRounds; ++r) {
        for (int v = 1; v <= 21; ++v) child.observe(v);  // one in each bucket, 21 in +Inf
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto snapshot = child.snapshot();
  ASSERT_EQ(snapshot.cumulative.size(), 21u);
  for (std::size_t i = 0; i < snapshot.cumulative.size(); ++i) {
    EXPECT_EQ(snapshot.cumulative[i], (i + 1) * kThreads * kRounds) << "bucket " << i;
  }
  EXPECT_EQ(snapshot.count, 21u * kThreads * kRounds);
  EXPECT_EQ(snapshot.sum, 231.0 * kThreads * kRounds);  // whole numbers: exact
}

TEST(RegistryTest, UnlabelledHistogramHasOnlyLe) {
  Registry registry;
  registry.histogram("x", "h", {}, {1}).with({}).observe(2);
  EXPECT_EQ(registry.render(),
            "# HELP x h\n# TYPE x histogram\nx_bucket{le=\"1\"} 0\nx_bucket{le=\"+Inf\"} 1\n"
            "x_sum 2\nx_count 1\n");
}

TEST(RegistryTest, LabelValuesAreEscaped) {
  Registry registry;
  registry.counter("c", "h", {"path"}).with({"a\"b\\c\nd"}).inc();
  EXPECT_NE(registry.render().find("c{path=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos);
}

TEST(RegistryTest, CallbackMetrics) {
  Registry registry;
  double depth = 7;
  registry.add_callback_gauge("queue_depth", "Spans queued.", [&] { return depth; });
  registry.add_callback("spans_total", "Spans by outcome.", MetricType::kCounter, [] {
    return std::vector<Sample>{{{{"outcome", "exported"}}, 10}, {{{"outcome", "dropped"}}, 2}};
  });
  depth = 9;
  EXPECT_EQ(registry.render(),
            "# HELP queue_depth Spans queued.\n# TYPE queue_depth gauge\nqueue_depth 9\n"
            "# HELP spans_total Spans by outcome.\n# TYPE spans_total counter\n"
            "spans_total{outcome=\"exported\"} 10\nspans_total{outcome=\"dropped\"} 2\n");
}

TEST(RegistryTest, ReRegistrationReturnsSameFamilyOrThrows) {
  Registry registry;
  auto& a = registry.counter("c", "h", {"x"});
  auto& b = registry.counter("c", "h", {"x"});
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(registry.counter("c", "h", {"y"}), std::invalid_argument);
  EXPECT_THROW(registry.gauge("c", "h"), std::invalid_argument);
  EXPECT_THROW(registry.counter("bad-name", "h"), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok", "h", {"le"}), std::invalid_argument);
  EXPECT_THROW(a.with({"1", "2"}), std::invalid_argument);
}

TEST(RegistryTest, FormatValue) {
  EXPECT_EQ(format_value(1), "1");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_value(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(format_value(0.0 / 0.0), "NaN");
}

TEST(RegistryTest, ConcurrentUpdatesAreCounted) {
  Registry registry;
  auto& family = registry.histogram("d", "h", {"t"}, {1});
  auto& counter = registry.counter("n", "h", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        family.with({std::to_string(i % 3)}).observe(0.5);
        counter.with({"x"}).inc();
      }
      (void)t;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter.with({"x"}).value(), 4000);
  std::uint64_t total = 0;
  for (const auto& [labels, h] : family.children()) total += h->snapshot().count;
  EXPECT_EQ(total, 4000u);
}

}  // namespace
}  // namespace tdemo::metrics
