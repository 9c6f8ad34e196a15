// How generated requests get their trace context: every request carries a traceparent of its
// own; a sampled one also gets a CLIENT span (in the `traffic` service) ended with the result.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "loadgen/run_stats.h"

namespace tdemo::loadgen {

// The CLIENT span of one sampled request. Used by one flow of control.
class TracedRequest {
 public:
  virtual ~TracedRequest() = default;
  // Ends the span with the response status (or the transport failure, status 0).
  virtual void end(int status, FailureCause cause) = 0;
};

// Thread-safe.
class RequestTracer {
 public:
  RequestTracer() = default;
  RequestTracer(const RequestTracer&) = delete;
  RequestTracer& operator=(const RequestTracer&) = delete;
  virtual ~RequestTracer() = default;

  // Starts the trace of one request to `method` `url` (`route`: its template when known, e.g.
  // "/users/{user_id}"): writes its traceparent (exactly 55 characters) to `slot` and, when
  // `trace_id_hex` is not null, the trace id (32 characters) there. Returns the span to end
  // when the request is sampled, else null.
  virtual std::unique_ptr<TracedRequest> begin(std::string_view method, std::string_view url,
                                               std::string_view route, char* slot,
                                               char* trace_id_hex = nullptr) = 0;
};

// Random ids, never sampled, no spans: for load tests that only need distinct traces. Each
// thread draws from its own generator (no locks).
class UnsampledTraceparents final : public RequestTracer {
 public:
  std::unique_ptr<TracedRequest> begin(std::string_view method, std::string_view url,
                                       std::string_view route, char* slot,
                                       char* trace_id_hex) override;
};

// A uniform draw in [0, 1) from the calling thread's generator (seeded from the OS).
double random_unit() noexcept;

// Writes "00-<trace>-<span>-<flags>" from raw ids (16 and 8 bytes) to `slot` (55 chars).
void write_traceparent(const std::uint8_t* trace_id, const std::uint8_t* span_id, bool sampled,
                       char* slot) noexcept;

}  // namespace tdemo::loadgen
