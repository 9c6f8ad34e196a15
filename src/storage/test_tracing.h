// Test helper: a tracer provider that records every span in memory.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "telemetry/in_memory_exporter.h"
#include "telemetry/simple_span_processor.h"
#include "telemetry/tracer.h"

namespace tdemo::storage::testing {

struct RecordingTracer {
  RecordingTracer() {
    auto exporter = std::make_unique<telemetry::InMemorySpanExporter>();
    spans = exporter.get();
    telemetry::TracerProviderOptions options;
    options.processors.push_back(
        std::make_unique<telemetry::SimpleSpanProcessor>(std::move(exporter)));
    provider = std::make_unique<telemetry::TracerProvider>(std::move(options));
  }
  telemetry::Tracer tracer() { return provider->tracer("test"); }

  std::unique_ptr<telemetry::TracerProvider> provider;
  telemetry::InMemorySpanExporter* spans = nullptr;  // owned by provider
};

// The value of a string attribute ("" when absent or not a string).
inline std::string string_attribute(const telemetry::SpanData& span, const std::string& key) {
  const auto* value = telemetry::find_attribute<std::string>(span.attributes, key);
  return value != nullptr ? *value : std::string();
}

}  // namespace tdemo::storage::testing
