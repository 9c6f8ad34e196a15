#include "storage/cache.h"

namespace tdemo::storage {
namespace {

telemetry::Span start_span(const telemetry::Tracer& tracer, const telemetry::Context& parent,
                           std::string_view operation, const Cache& cache, std::string_view key) {
  telemetry::StartSpanOptions options;
  options.kind = cache.remote() ? telemetry::SpanKind::kClient : telemetry::SpanKind::kInternal;
  // Keys and values in reused buffers (append_text_attribute), the name in this thread's.
  options.attributes = telemetry::take_attribute_list(3);
  telemetry::append_text_attribute(options.attributes, "db.system.name", cache.system_name());
  telemetry::append_text_attribute(options.attributes, "db.operation.name", operation);
  telemetry::append_text_attribute(options.attributes, "cache.key", key);
  thread_local std::string name;
  name.assign("cache.").append(operation);
  auto span = tracer.start_span(name, parent, std::move(options));
  for (auto& attribute : cache.span_attributes(operation)) {
    span.set_attribute(attribute.key, std::move(attribute.value));
  }
  return span;
}

// Ends `span`, with status ERROR and error.type when the cache call failed.
void finish(telemetry::Span& span, const Status& status) {
  if (!status.ok()) {
    span.set_attribute("error.type", std::string(to_string(status.error().code)));
    span.set_status(telemetry::StatusCode::kError, status.error().message);
  }
  span.end();
}

}  // namespace

telemetry::Span TracedCache::start(const telemetry::Context& parent, const char* operation,
                                   std::string_view key) const {
  // No span can record (no provider, OTEL_SDK_DISABLED): the parent's context goes on, and the
  // name, the attributes and the redacted key are not built.
  if (!tracer_.may_record()) return tracer_.start_span({}, parent, {});
  if (redact_key_ != nullptr) return start_span(tracer_, parent, operation, cache_, redact_key_(key));
  return start_span(tracer_, parent, operation, cache_, key);
}

std::optional<std::string> TracedCache::get(const telemetry::Context& parent, std::string_view key) {
  auto span = start(parent, "get", key);
  auto value = cache_.lookup(key);
  if (!value.ok()) {
    span.set_attribute("cache.hit", false);
    finish(span, value.error());
    return std::nullopt;  // the caller goes to the database
  }
  span.set_attribute("cache.hit", value->has_value());
  span.end();
  return std::move(value).value();
}

void TracedCache::set(const telemetry::Context& parent, std::string_view key, std::string value,
                      std::chrono::milliseconds ttl) {
  auto span = start(parent, "set", key);
  finish(span, cache_.store(key, std::move(value), ttl));
}

void TracedCache::erase(const telemetry::Context& parent, std::string_view key) {
  auto span = start(parent, "delete", key);
  finish(span, cache_.remove(key));
}

}  // namespace tdemo::storage
