#include "loadgen/traffic_options.h"

#include <gtest/gtest.h>

namespace tdemo::loadgen {
namespace {

TEST(TrafficOptions, DefaultsPerMode) {
  TrafficArgs a;
  auto activity = make_traffic_options(a);
  ASSERT_TRUE(activity) << activity.error();
  EXPECT_EQ(activity.value().mode, TrafficMode::kActivity);
  EXPECT_EQ(activity.value().duration, std::chrono::seconds(60));
  EXPECT_EQ(activity.value().rps, 20);
  EXPECT_EQ(activity.value().concurrency, 5u);
  EXPECT_EQ(activity.value().sample_rate, 1.0);

  a.mode = "stress";
  auto stress = make_traffic_options(a);
  ASSERT_TRUE(stress) << stress.error();
  EXPECT_EQ(stress.value().duration, std::chrono::seconds(10));
  EXPECT_EQ(stress.value().rps, 100);
  EXPECT_EQ(stress.value().concurrency, 64u);
  EXPECT_EQ(stress.value().sample_rate, 0.01);
  EXPECT_EQ(stress.value().mix.size(), 3u);

  a.mode = "demo";
  a.sample_rate = 0.1;
  a.ui = "http://localhost:16686/";
  auto demo = make_traffic_options(a);
  ASSERT_TRUE(demo) << demo.error();
  EXPECT_EQ(demo.value().sample_rate, 1.0);  // every scenario is traced
  EXPECT_EQ(demo.value().ui, "http://localhost:16686");
}

TEST(TrafficOptions, ExplicitValuesWin) {
  TrafficArgs a;
  a.mode = "stress";
  a.rps = 5000;
  a.duration_s = 3;
  a.concurrency = 16;
  a.sample_rate = 0;
  a.seed = 42;
  a.mix = "GET /health=1";
  auto o = make_traffic_options(a);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o.value().rps, 5000);
  EXPECT_EQ(o.value().duration, std::chrono::seconds(3));
  EXPECT_EQ(o.value().concurrency, 16u);
  EXPECT_EQ(o.value().sample_rate, 0.0);
  EXPECT_EQ(o.value().seed, 42u);
}

TEST(TrafficOptions, RejectsBadValues) {
  struct Case {
    const char* what;
    void (*change)(TrafficArgs&);
    const char* message_part;
  };
  const Case cases[] = {
      {"mode", [](TrafficArgs& a) { a.mode = "chaos"; }, "--mode"},
      {"target", [](TrafficArgs& a) { a.target = "localhost"; }, "--target"},
      {"ui", [](TrafficArgs& a) { a.ui = "localhost:16686"; }, "--ui"},
      {"duration", [](TrafficArgs& a) { a.duration_s = 0; }, "--duration"},
      {"timeout", [](TrafficArgs& a) { a.timeout_s = -1; }, "--timeout"},
      {"stress rps", [](TrafficArgs& a) { a.mode = "stress"; a.rps = 0; }, "--rps"},
      {"huge rps", [](TrafficArgs& a) { a.rps = 1e12; }, "--rps"},
      {"sample rate", [](TrafficArgs& a) { a.sample_rate = 1.5; }, "--sample-rate"},
      {"concurrency", [](TrafficArgs& a) { a.concurrency = kMaxUsers + 1; }, "--concurrency"},
      {"mix", [](TrafficArgs& a) { a.mix = "GET /x=0"; }, "--mix"},
  };
  for (const auto& c : cases) {
    TrafficArgs a;
    c.change(a);
    auto o = make_traffic_options(a);
    ASSERT_FALSE(o) << c.what;
    EXPECT_NE(o.error().find(c.message_part), std::string::npos) << c.what << ": " << o.error();
  }
}

}  // namespace
}  // namespace tdemo::loadgen
