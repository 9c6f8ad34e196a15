#include "telemetry/tracer.h"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "telemetry/span_data_pool.h"
#include "telemetry/word_bytes.h"

namespace tdemo::telemetry {

// Counts ended spans and fans each span out to every configured processor (the last one gets
// the original, the others a copy). Thread-safe if the processors are.
class TracerProvider::MultiProcessor final : public SpanProcessor {
 public:
  MultiProcessor(std::vector<std::unique_ptr<SpanProcessor>> processors, TracerStats& stats)
      : processors_(std::move(processors)), stats_(stats) {}

  void on_start(SpanData& span, const Context& parent) noexcept override {
    for (auto& processor : processors_) processor->on_start(span, parent);
  }

  void on_end(std::unique_ptr<SpanData> span) noexcept override {
    stats_.spans_ended.add();
    const std::size_t count = processors_.size();
    for (std::size_t i = 0; i + 1 < count; ++i) {
      processors_[i]->on_end(std::make_unique<SpanData>(*span));
    }
    if (count > 0) {
      processors_[count - 1]->on_end(std::move(span));
    } else {
      recycle_span_data(std::move(span));
    }
  }

  bool force_flush(std::chrono::milliseconds timeout) noexcept override {
    bool ok = true;
    for (auto& processor : processors_) ok = processor->force_flush(timeout) && ok;
    return ok;
  }

  bool shutdown(std::chrono::milliseconds timeout) noexcept override {
    bool ok = true;
    for (auto& processor : processors_) ok = processor->shutdown(timeout) && ok;
    return ok;
  }

 private:
  std::vector<std::unique_ptr<SpanProcessor>> processors_;
  TracerStats& stats_;
};

namespace {

std::string host_name() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "unknown";
  return buffer;
}

// A random (version 4) UUID in its canonical text form.
std::string random_uuid() {
  const TraceId random = random_trace_id();
  auto bytes = random.bytes;
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);
  char text[37];
  std::snprintf(text, sizeof(text),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return text;
}

// The length and the first and last eight bytes of a key, mixed: equal keys have equal
// signatures, and different semantic-convention keys nearly never do.
std::uint64_t key_signature(std::string_view key) noexcept {
  const std::uint64_t head = load_word_prefix(key.data(), key.size());
  const std::uint64_t tail = key.size() > 8 ? load_word(key.data() + key.size() - 8) : 0;
  return head ^ (tail * 0x9E3779B97F4A7C15u) ^ key.size();
}

// Start attributes are few (larger lists take the general path). Each key's signature sets one
// of 64 bits (its top six bits, mixed); only a key whose bit an earlier key set is compared
// with the earlier ones (their signatures, then the keys when two signatures are equal): a
// server span's 13 keys take ~13 steps, not the 78 pairs of comparing every two.
bool keys_unique(const Attributes& attributes) {
  constexpr std::size_t kMaxChecked = 16;
  if (attributes.size() > kMaxChecked) return false;
  std::uint64_t signatures[kMaxChecked];
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    const std::uint64_t signature = key_signature(attributes[i].key);
    signatures[i] = signature;
    const std::uint64_t bit = std::uint64_t{1} << ((signature * 0x9E3779B97F4A7C15u) >> 58);
    if ((seen & bit) != 0) {
      for (std::size_t j = 0; j < i; ++j) {
        if (signatures[j] == signature && attributes[i].key == attributes[j].key) return false;
      }
    }
    seen |= bit;
  }
  return true;
}

}  // namespace

Resource default_resource() {
  Resource resource;
  resource.attributes = {
      {"service.name", std::string("unknown_service")},
      {"service.instance.id", random_uuid()},
      {"telemetry.sdk.name", std::string("tracing-demo")},
      {"telemetry.sdk.language", std::string("cpp")},
      {"telemetry.sdk.version", std::string(TD_VERSION)},
      {"host.name", host_name()},
      {"process.pid", static_cast<std::int64_t>(getpid())},
  };
  return resource;
}

Resource merge_resources(const Resource& base, const Resource& updating) {
  Resource merged = base;
  for (const auto& attribute : updating.attributes) {
    set_attribute(merged.attributes, attribute.key, AttributeValue(attribute.value), SIZE_MAX);
  }
  if (!updating.schema_url.empty()) merged.schema_url = updating.schema_url;
  return merged;
}

bool Tracer::may_record() const noexcept {
  return provider_ != nullptr && !provider_->shut_down_.load(std::memory_order_acquire);
}

Span Tracer::start_span(std::string_view name, const Context& parent,
                        StartSpanOptions options) const {
  if (provider_ == nullptr || provider_->shut_down_.load(std::memory_order_relaxed)) {
    return Span(parent.span);
  }
  TracerProvider& provider = *provider_;
  const SpanContext& parent_span = parent.span;
  const bool has_parent = parent_span.valid();
  const TraceId trace_id = has_parent ? parent_span.trace_id() : random_trace_id();
  const SpanId span_id = random_span_id();

  SamplingResult sampling =
      provider.sampler_->should_sample(parent, trace_id, name, options.kind, options.attributes);
  // The trace state travels with the trace whether or not this span records.
  std::shared_ptr<const TraceState> state = has_parent ? parent_span.trace_state_ptr() : nullptr;
  if (sampling.decision == SamplingDecision::kDrop) {
    provider.stats_.spans_not_sampled.add();
    return Span(SpanContext(trace_id, span_id, 0, false, std::move(state)));
  }
  const std::uint8_t flags =
      sampling.decision == SamplingDecision::kRecordAndSample ? kTraceFlagSampled : 0;

  auto data = acquire_span_data(provider.resource_, scope_);
  data->context = SpanContext(trace_id, span_id, flags, false, std::move(state));
  if (has_parent) {
    data->parent_span_id = parent_span.span_id();
    data->parent_is_remote = parent_span.remote();
  }
  data->name.assign(name);  // within the recycled span's buffer when it fits
  data->kind = options.kind;
  data->start_time_unix_nano =
      options.start_time_unix_nano != 0 ? options.start_time_unix_nano : now_unix_nano();

  const SpanLimits& limits = provider.limits_;
  Attributes& attributes = data->attributes;
  if (options.attributes.size() <= limits.attribute_count && limits.attribute_value_length == 0 &&
      sampling.attributes.empty() && keys_unique(options.attributes)) {
    // Fast path: nothing to truncate, drop or replace. The span's list is empty (new, or reset
    // by the pool). The caller's list (from take_attribute_list) becomes the span's, no entry
    // moved, and the span's recycled one goes to this thread's spares for the next
    // take_attribute_list; a caller's list without the room is moved into the recycled one if
    // that has it; else the list grows once, before the span's later attributes.
    const std::size_t wanted = span_attribute_capacity(options.attributes.size(), limits.attribute_count);
    if (options.attributes.capacity() >= wanted || attributes.capacity() < wanted) {
      attributes.swap(options.attributes);
      if (attributes.capacity() < wanted) attributes.reserve(wanted);
    } else {
      for (auto& attribute : options.attributes) attributes.push_back(std::move(attribute));
    }
    give_back_attribute_list(std::move(options.attributes));
  } else {
    attributes.reserve(
        span_attribute_capacity(options.attributes.size() + sampling.attributes.size(), limits.attribute_count));
    for (auto* source : {&options.attributes, &sampling.attributes}) {
      for (auto& attribute : *source) {
        truncate_value(attribute.value, limits.attribute_value_length);
        if (!set_attribute(attributes, attribute.key, std::move(attribute.value),
                           limits.attribute_count)) {
          ++data->dropped_attributes_count;
        }
      }
    }
  }
  for (auto& link : options.links) {
    if (data->links.size() >= limits.link_count) {
      ++data->dropped_links_count;
      continue;
    }
    Link limited;
    limited.context = std::move(link.context);
    limited.dropped_attributes_count = link.dropped_attributes_count;
    for (auto& attribute : link.attributes) {
      truncate_value(attribute.value, limits.attribute_value_length);
      if (!set_attribute(limited.attributes, attribute.key, std::move(attribute.value),
                         limits.attributes_per_link)) {
        ++limited.dropped_attributes_count;
      }
    }
    data->links.push_back(std::move(limited));
  }

  provider.stats_.spans_started.add();
  provider.processor_->on_start(*data, parent);
  return Span(std::move(data), provider.processor_.get(), &provider.limits_);
}

// cppcheck-suppress passedByValue ; a sink parameter (move-only members), moved from
TracerProvider::TracerProvider(TracerProviderOptions options)
    : resource_(options.resource ? std::move(options.resource)
                                 : std::make_shared<const Resource>(default_resource())),
      sampler_(options.sampler ? std::move(options.sampler)
                               : make_parent_based_sampler(make_always_on_sampler())),
      processor_(std::make_unique<MultiProcessor>(std::move(options.processors), stats_)),
      limits_(options.limits) {}

TracerProvider::~TracerProvider() { shutdown(); }

Tracer TracerProvider::tracer(std::string_view scope_name, std::string_view scope_version) {
  auto scope = std::make_shared<InstrumentationScope>();
  scope->name = std::string(scope_name);
  scope->version = std::string(scope_version);
  return Tracer(this, std::move(scope));
}

bool TracerProvider::force_flush(std::chrono::milliseconds timeout) noexcept {
  if (shut_down_.load()) return false;
  return processor_->force_flush(timeout);
}

bool TracerProvider::shutdown(std::chrono::milliseconds timeout) noexcept {
  if (shut_down_.exchange(true)) return true;  // idempotent: the first call did the work
  return processor_->shutdown(timeout);
}

}  // namespace tdemo::telemetry
