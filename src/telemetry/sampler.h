// Samplers per the OpenTelemetry specification.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "telemetry/attributes.h"
#include "telemetry/context.h"
#include "telemetry/span_data.h"

namespace tdemo::telemetry {

enum class SamplingDecision { kDrop, kRecordOnly, kRecordAndSample };

struct SamplingResult {
  SamplingDecision decision = SamplingDecision::kDrop;
  Attributes attributes;  // added to the span when recorded
};

// Decides whether a new span is recorded and sampled. Implementations are immutable after
// construction and thread-safe.
class Sampler {
 public:
  Sampler() = default;
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;
  virtual ~Sampler() = default;

  // `parent` is the parent context (its span context may be invalid: a root span).
  virtual SamplingResult should_sample(const Context& parent, const TraceId& trace_id,
                                       std::string_view name, SpanKind kind,
                                       const Attributes& attributes) const = 0;
  virtual std::string description() const = 0;
};

std::unique_ptr<Sampler> make_always_on_sampler();
std::unique_ptr<Sampler> make_always_off_sampler();
// Samples when the trace id's lower 8 bytes, as a big-endian number, fall below ratio * 2^64
// (ratio clamped to [0, 1]); 0 never samples, 1 always does.
std::unique_ptr<Sampler> make_trace_id_ratio_sampler(double ratio);
// Follows a valid parent's sampled flag; uses `root` for spans without a parent.
std::unique_ptr<Sampler> make_parent_based_sampler(std::unique_ptr<Sampler> root);

// The five delegates of the specification's ParentBased sampler; null members take the
// specification's defaults (sampled parents: always_on, not sampled parents: always_off).
struct ParentBasedOptions {
  std::unique_ptr<Sampler> root;  // null: always_on
  std::unique_ptr<Sampler> remote_parent_sampled;
  std::unique_ptr<Sampler> remote_parent_not_sampled;
  std::unique_ptr<Sampler> local_parent_sampled;
  std::unique_ptr<Sampler> local_parent_not_sampled;
};
std::unique_ptr<Sampler> make_parent_based_sampler(ParentBasedOptions options);

// A sampler by its OTEL_TRACES_SAMPLER name (always_on, always_off, traceidratio,
// parentbased_always_on, parentbased_always_off, parentbased_traceidratio); `arg` is the ratio
// for the *traceidratio ones (default 1.0). Null for an unknown name.
std::unique_ptr<Sampler> make_sampler(std::string_view name, double arg = 1.0);

}  // namespace tdemo::telemetry
