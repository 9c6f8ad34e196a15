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

}  // namespace tdemo::telemetry
