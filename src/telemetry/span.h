// Span: the handle code uses to record one operation.
#pragma once

#include <concepts>
#include <cstdint>
#include <exception>
#include <memory>
#include <string_view>

#include "telemetry/attributes.h"
#include "telemetry/context.h"
#include "telemetry/span_data.h"

namespace tdemo::telemetry {

class SpanProcessor;
struct SpanLimits;

// A move-only handle to a span. A recording span owns its SpanData until end(), which hands
// it to the provider's processor; the destructor ends a span that was not ended. A
// non-recording span (not sampled, or from a no-op provider) still carries a valid context so
// it propagates, and every recording call on it is a cheap no-op.
//
// Thread safety: a Span is used by one flow of control at a time (one request, one coroutine
// chain); hand it over, don't share it. This keeps the hot path free of locks.
class Span {
 public:
  Span() noexcept = default;  // invalid context, not recording
  // cppcheck-suppress passedByValue ; a sink parameter, moved from
  explicit Span(SpanContext non_recording) noexcept : context_(std::move(non_recording)) {}
  // `processor` and `limits` must outlive the span (the TracerProvider owns them).
  Span(std::unique_ptr<SpanData> data, SpanProcessor* processor, const SpanLimits* limits) noexcept;
  Span(Span&& other) noexcept;
  Span& operator=(Span&& other) noexcept;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  ~Span() { end(); }

  const SpanContext& context() const noexcept { return context_; }
  bool is_recording() const noexcept { return data_ != nullptr; }

  // Setting an existing key replaces its value. Beyond the attribute count limit new keys are
  // dropped and counted; string values are truncated to the value length limit.
  void set_attribute(std::string_view key, AttributeValue value);
  // Typed forms, for the most frequent call on the span path: the value is written straight
  // into the span's list, with no AttributeValue built, moved and destroyed on the way.
  void set_attribute(std::string_view key, std::string_view value);
  void set_attribute(std::string_view key, const char* value) {
    set_attribute(key, std::string_view(value));
  }
  void set_attribute(std::string_view key, const std::string& value) {
    set_attribute(key, std::string_view(value));
  }
  void set_attribute(std::string_view key, bool value);
  void set_attribute(std::string_view key, std::int64_t value);
  void set_attribute(std::string_view key, double value);
  template <std::integral Integer>
    requires(!std::same_as<Integer, bool>)
  void set_attribute(std::string_view key, Integer value) {
    set_attribute(key, static_cast<std::int64_t>(value));
  }
  void set_attributes(Attributes attributes);
  // time_unix_nano 0 means now.
  void add_event(std::string_view name, Attributes attributes = {},
                 std::uint64_t time_unix_nano = 0);
  void add_link(SpanContext context, Attributes attributes = {});
  // ERROR and OK override UNSET; OK is final; a description is kept only with ERROR.
  void set_status(StatusCode code, std::string_view description = {});
  void update_name(std::string_view name);
  // Adds an `exception` event with exception.type, exception.message and
  // exception.stacktrace (when not empty). Does not change the status.
  void record_exception(std::string_view type, std::string_view message,
                        std::string_view stacktrace = {});
  // Same, from a caught exception: the demangled dynamic type, what(), and the stack of the
  // place that calls this.
  void record_exception(const std::exception& error);
  // Ends the span (end_time 0 means now); later calls do nothing. Inline for the spans that
  // do not record (untraced requests end a dozen): a test, no call.
  void end(std::uint64_t end_time_unix_nano = 0) noexcept {
    if (data_) end_recording(end_time_unix_nano);
  }

  // Read access for tests and instrumentation; null when not recording.
  const SpanData* data() const noexcept { return data_.get(); }

 private:
  SpanContext context_;
  std::unique_ptr<SpanData> data_;
  SpanProcessor* processor_ = nullptr;
  const SpanLimits* limits_ = nullptr;

  // The slot `key`'s value goes to (null when recording is off or the key is dropped, which is
  // counted).
  AttributeValue* attribute_slot(std::string_view key);
  // end() of a recording span: hands its data to the processor.
  void end_recording(std::uint64_t end_time_unix_nano) noexcept;
};

// The context to pass to children of `span`: `parent` with its span context replaced.
inline Context context_with(const Context& parent, const Span& span) {
  return parent.with_span(span.context());
}

// The current thread's stack as text, one frame a line, demangled where possible.
// `skip` frames at the top (this function's callers' helpers) are left out.
std::string current_stacktrace(int skip = 1);

}  // namespace tdemo::telemetry
