#include "storage/cache.h"

namespace tdemo::storage {
namespace {

telemetry::Span start(const telemetry::Tracer& tracer, const telemetry::Context& parent,
                      const char* operation, const Cache& cache, std::string_view key) {
  telemetry::StartSpanOptions options;
  options.kind = telemetry::SpanKind::kClient;
  options.attributes = {{"db.system.name", telemetry::attribute(cache.system_name())},
                        {"db.operation.name", telemetry::attribute(operation)},
                        {"cache.key", telemetry::attribute(key)}};
  return tracer.start_span(std::string("cache.") + operation, parent, std::move(options));
}

}  // namespace

std::optional<std::string> TracedCache::get(const telemetry::Context& parent, std::string_view key) {
  auto span = start(tracer_, parent, "get", cache_, key);
  auto value = cache_.get(key);
  span.set_attribute("cache.hit", value.has_value());
  span.end();
  return value;
}

void TracedCache::set(const telemetry::Context& parent, std::string_view key, std::string value,
                      std::chrono::milliseconds ttl) {
  auto span = start(tracer_, parent, "set", cache_, key);
  cache_.set(key, std::move(value), ttl);
  span.end();
}

void TracedCache::erase(const telemetry::Context& parent, std::string_view key) {
  auto span = start(tracer_, parent, "delete", cache_, key);
  cache_.erase(key);
  span.end();
}

}  // namespace tdemo::storage
