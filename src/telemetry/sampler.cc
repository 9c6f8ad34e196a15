#include "telemetry/sampler.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace tdemo::telemetry {
namespace {

class ConstantSampler final : public Sampler {
 public:
  explicit ConstantSampler(bool on) : on_(on) {}
  SamplingResult should_sample(const Context&, const TraceId&, std::string_view, SpanKind,
                               const Attributes&) const override {
    return {on_ ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop, {}};
  }
  std::string description() const override { return on_ ? "AlwaysOnSampler" : "AlwaysOffSampler"; }

 private:
  bool on_;
};

// Compares the lower 8 bytes of the trace id (big-endian) with ratio * 2^64, as the
// specification's TraceIdRatioBased sampler (and the OpenTelemetry Java/Go SDKs) do.
class TraceIdRatioSampler final : public Sampler {
 public:
  explicit TraceIdRatioSampler(double ratio) {
    ratio_ = std::isnan(ratio) ? 0.0 : std::clamp(ratio, 0.0, 1.0);
    always_ = ratio_ >= 1.0;
    // 2^64 as a double is exact; a ratio just below 1 may still round up to 2^64.
    constexpr double kTwoTo64 = 18446744073709551616.0;
    const double scaled = ratio_ * kTwoTo64;
    threshold_ = scaled >= kTwoTo64 ? UINT64_MAX : static_cast<std::uint64_t>(scaled);
  }

  SamplingResult should_sample(const Context&, const TraceId& trace_id, std::string_view, SpanKind,
                               const Attributes&) const override {
    if (always_) return {SamplingDecision::kRecordAndSample, {}};
    std::uint64_t lower = 0;
    for (int i = 8; i < 16; ++i) lower = (lower << 8) | trace_id.bytes[i];
    return {lower < threshold_ ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop, {}};
  }

  std::string description() const override {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "TraceIdRatioBased{%f}", ratio_);
    return buffer;
  }

 private:
  double ratio_ = 0;
  bool always_ = false;
  std::uint64_t threshold_ = 0;
};

class ParentBasedSampler final : public Sampler {
 public:
  explicit ParentBasedSampler(ParentBasedOptions options)
      : root_(take_or(options.root, true)),
        remote_sampled_(take_or(options.remote_parent_sampled, true)),
        remote_not_sampled_(take_or(options.remote_parent_not_sampled, false)),
        local_sampled_(take_or(options.local_parent_sampled, true)),
        local_not_sampled_(take_or(options.local_parent_not_sampled, false)) {}

  SamplingResult should_sample(const Context& parent, const TraceId& trace_id,
                               std::string_view name, SpanKind kind,
                               const Attributes& attributes) const override {
    const SpanContext& span = parent.span;
    const Sampler* delegate = root_.get();
    if (span.valid()) {
      if (span.remote()) {
        delegate = span.sampled() ? remote_sampled_.get() : remote_not_sampled_.get();
      } else {
        delegate = span.sampled() ? local_sampled_.get() : local_not_sampled_.get();
      }
    }
    return delegate->should_sample(parent, trace_id, name, kind, attributes);
  }

  std::string description() const override {
    return "ParentBased{root=" + root_->description() +
           ",remoteParentSampled=" + remote_sampled_->description() +
           ",remoteParentNotSampled=" + remote_not_sampled_->description() +
           ",localParentSampled=" + local_sampled_->description() +
           ",localParentNotSampled=" + local_not_sampled_->description() + "}";
  }

 private:
  static std::unique_ptr<Sampler> take_or(std::unique_ptr<Sampler>& given, bool on) {
    if (given) return std::move(given);
    return std::make_unique<ConstantSampler>(on);
  }
  std::unique_ptr<Sampler> root_, remote_sampled_, remote_not_sampled_, local_sampled_,
      local_not_sampled_;
};

}  // namespace

std::unique_ptr<Sampler> make_always_on_sampler() {
  return std::make_unique<ConstantSampler>(true);
}
std::unique_ptr<Sampler> make_always_off_sampler() {
  return std::make_unique<ConstantSampler>(false);
}
std::unique_ptr<Sampler> make_trace_id_ratio_sampler(double ratio) {
  return std::make_unique<TraceIdRatioSampler>(ratio);
}
std::unique_ptr<Sampler> make_parent_based_sampler(std::unique_ptr<Sampler> root) {
  ParentBasedOptions options;
  options.root = std::move(root);
  return std::make_unique<ParentBasedSampler>(std::move(options));
}
std::unique_ptr<Sampler> make_parent_based_sampler(ParentBasedOptions options) {
  return std::make_unique<ParentBasedSampler>(std::move(options));
}

std::unique_ptr<Sampler> make_sampler(std::string_view name, double arg) {
  if (name == "always_on") return make_always_on_sampler();
  if (name == "always_off") return make_always_off_sampler();
  if (name == "traceidratio") return make_trace_id_ratio_sampler(arg);
  if (name == "parentbased_always_on") return make_parent_based_sampler(make_always_on_sampler());
  if (name == "parentbased_always_off") return make_parent_based_sampler(make_always_off_sampler());
  if (name == "parentbased_traceidratio") {
    return make_parent_based_sampler(make_trace_id_ratio_sampler(arg));
  }
  return nullptr;
}

}  // namespace tdemo::telemetry
