#include "telemetry/sampler.h"

#include <gtest/gtest.h>

namespace tdemo::telemetry {
namespace {

// A trace id whose lower 8 bytes are `lower` (big-endian).
TraceId trace_id_with_lower(std::uint64_t lower) {
  TraceId id;
  id.bytes[0] = 0xab;
  for (int i = 15; i >= 8; --i) {
    id.bytes[i] = static_cast<std::uint8_t>(lower & 0xff);
    lower >>= 8;
  }
  return id;
}

bool sampled(const Sampler& sampler, const TraceId& id, const Context& parent = {}) {
  return sampler.should_sample(parent, id, "s", SpanKind::kInternal, {}).decision ==
         SamplingDecision::kRecordAndSample;
}

TEST(SamplerTest, AlwaysOnOff) {
  EXPECT_TRUE(sampled(*make_always_on_sampler(), random_trace_id()));
  EXPECT_FALSE(sampled(*make_always_off_sampler(), random_trace_id()));
  EXPECT_EQ(make_always_on_sampler()->description(), "AlwaysOnSampler");
}

TEST(SamplerTest, TraceIdRatioBoundaries) {
  constexpr std::uint64_t kHalf = 0x8000000000000000ULL;
  struct Case {
    double ratio;
    std::uint64_t lower;
    bool expected;
  };
  const Case cases[] = {
      {0.0, 0, false},  // 0 never samples, not even the smallest id
      {0.0, 1, false},
      {-1.0, 0, false},         // clamped to 0
      {1.0, UINT64_MAX, true},  // 1 always samples, even the largest id
      {2.0, UINT64_MAX, true},  // clamped to 1
      {0.5, kHalf - 1, true},   // just below the threshold
      {0.5, kHalf, false},      // exactly at the threshold: not sampled
      {0.5, 0, true},
      {0.25, 0x4000000000000000ULL - 1, true},
      {0.25, 0x4000000000000000ULL, false},
      {0.9999999999999999, UINT64_MAX - 4096, true},
  };
  for (const auto& c : cases) {
    const auto sampler = make_trace_id_ratio_sampler(c.ratio);
    EXPECT_EQ(sampled(*sampler, trace_id_with_lower(c.lower)), c.expected)
        << c.ratio << " " << c.lower;
  }
}

TEST(SamplerTest, TraceIdRatioIgnoresUpperBytes) {
  const auto sampler = make_trace_id_ratio_sampler(0.5);
  TraceId id = trace_id_with_lower(1);
  for (int i = 0; i < 8; ++i) id.bytes[i] = 0xff;
  EXPECT_TRUE(sampled(*sampler, id));
}

TEST(SamplerTest, TraceIdRatioRoughlyProportional) {
  const auto sampler = make_trace_id_ratio_sampler(0.25);
  int count = 0;
  for (int i = 0; i < 20000; ++i) count += sampled(*sampler, random_trace_id()) ? 1 : 0;
  EXPECT_GT(count, 4000);
  EXPECT_LT(count, 6000);
  EXPECT_EQ(sampler->description(), "TraceIdRatioBased{0.250000}");
}

TEST(SamplerTest, ParentBasedFiveDelegates) {
  const auto make_parent = [](bool remote, bool is_sampled) {
    return Context{SpanContext(random_trace_id(), random_span_id(),
                               is_sampled ? kTraceFlagSampled : 0, remote),
                   nullptr};
  };
  struct Case {
    const char* what;
    Context parent;
    bool expected_default;  // root = always_off, other delegates default
    bool expected_custom;   // every delegate inverted
  };
  const Case cases[] = {
      {"root", Context{}, false, true},
      {"remote sampled", make_parent(true, true), true, false},
      {"remote not sampled", make_parent(true, false), false, true},
      {"local sampled", make_parent(false, true), true, false},
      {"local not sampled", make_parent(false, false), false, true},
  };
  const auto by_default = make_parent_based_sampler(make_always_off_sampler());
  ParentBasedOptions options;
  options.root = make_always_on_sampler();
  options.remote_parent_sampled = make_always_off_sampler();
  options.remote_parent_not_sampled = make_always_on_sampler();
  options.local_parent_sampled = make_always_off_sampler();
  options.local_parent_not_sampled = make_always_on_sampler();
  const auto custom = make_parent_based_sampler(std::move(options));
  for (const auto& c : cases) {
    EXPECT_EQ(sampled(*by_default, random_trace_id(), c.parent), c.expected_default) << c.what;
    EXPECT_EQ(sampled(*custom, random_trace_id(), c.parent), c.expected_custom) << c.what;
  }
  EXPECT_EQ(by_default->description(),
            "ParentBased{root=AlwaysOffSampler,remoteParentSampled=AlwaysOnSampler,"
            "remoteParentNotSampled=AlwaysOffSampler,localParentSampled=AlwaysOnSampler,"
            "localParentNotSampled=AlwaysOffSampler}");
}

TEST(SamplerTest, ByName) {
  struct Case {
    const char* name;
    const char* description_prefix;
  };
  const Case cases[] = {
      {"always_on", "AlwaysOnSampler"},
      {"always_off", "AlwaysOffSampler"},
      {"traceidratio", "TraceIdRatioBased{0.1"},
      {"parentbased_always_on", "ParentBased{root=AlwaysOnSampler"},
      {"parentbased_always_off", "ParentBased{root=AlwaysOffSampler"},
      {"parentbased_traceidratio", "ParentBased{root=TraceIdRatioBased{0.1"},
  };
  for (const auto& c : cases) {
    const auto sampler = make_sampler(c.name, 0.1);
    ASSERT_TRUE(sampler) << c.name;
    EXPECT_EQ(sampler->description().rfind(c.description_prefix, 0), 0u) << c.name;
  }
  EXPECT_EQ(make_sampler("jaeger_remote"), nullptr);
}

}  // namespace
}  // namespace tdemo::telemetry
