#include "support/span_capture.h"

#include <set>
#include <stdexcept>
#include <thread>

#include "telemetry/otlp/decoder.h"

namespace tdemo::test {

SpanCapture::SpanCapture(std::uint16_t port) : pool_(1) {
  router_.post("/v1/traces", [this](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    const bool json = ctx.request.has_json_content_type();
    auto decoded = telemetry::otlp::decode_export_request(
        ctx.request.body, json ? telemetry::otlp::Format::kJson : telemetry::otlp::Format::kProtobuf);
    {
      std::lock_guard lock(mutex_);
      for (auto& span : decoded.spans) spans_.push_back(*span);
      bodies_.push_back(ctx.request.body);
    }
    co_return http::Response::json_text(200, "{}");
  });
  http::ServerOptions options;
  options.port = port;
  options.access_log = false;
  server_ = std::make_unique<http::Server>(pool_, router_, http::TransportTracing{}, nullptr, options);
  if (auto error = server_->start()) throw std::runtime_error(*error);
  pool_.start();
}

SpanCapture::~SpanCapture() {
  server_->stop();
  pool_.stop();
}

std::vector<telemetry::SpanData> SpanCapture::all() const {
  std::lock_guard lock(mutex_);
  return spans_;
}

std::vector<std::string> SpanCapture::bodies() const {
  std::lock_guard lock(mutex_);
  return bodies_;
}

std::vector<telemetry::SpanData> SpanCapture::trace(const std::string& trace_id_hex) const {
  std::lock_guard lock(mutex_);
  std::vector<telemetry::SpanData> out;
  for (const auto& span : spans_) {
    if (span.context.trace_id().hex() == trace_id_hex) out.push_back(span);
  }
  return out;
}

std::vector<telemetry::SpanData> SpanCapture::wait_for_trace(const std::string& trace_id_hex,
                                                             std::size_t count) const {
  for (int i = 0; i < 200; ++i) {
    auto spans = trace(trace_id_hex);
    if (spans.size() >= count) return spans;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return trace(trace_id_hex);
}

namespace {

// Spans whose parent is not in `spans`: the root of a whole trace, and nothing else.
std::size_t open_parents(const std::vector<telemetry::SpanData>& spans) {
  std::set<std::string> ids;
  for (const auto& span : spans) ids.insert(span.context.span_id().hex());
  std::size_t open = 0;
  for (const auto& span : spans) {
    if (!span.parent_span_id.valid() || !ids.count(span.parent_span_id.hex())) ++open;
  }
  return open;
}

}  // namespace

std::vector<telemetry::SpanData> SpanCapture::wait_for_complete_trace(const std::string& trace_id_hex,
                                                                      std::size_t min_count,
                                                                      std::chrono::milliseconds settle) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto spans = trace(trace_id_hex);
  while (std::chrono::steady_clock::now() < deadline) {
    if (spans.size() >= min_count && open_parents(spans) == 1) {
      std::this_thread::sleep_for(settle);
      auto again = trace(trace_id_hex);
      if (again.size() == spans.size()) return again;
      spans = std::move(again);
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    spans = trace(trace_id_hex);
  }
  return spans;
}

std::string string_attribute(const telemetry::SpanData& span, std::string_view key) {
  const auto* value = telemetry::find_attribute<std::string>(span.attributes, key);
  return value != nullptr ? *value : std::string();
}

std::optional<bool> bool_attribute(const telemetry::SpanData& span, std::string_view key) {
  const auto* value = telemetry::find_attribute<bool>(span.attributes, key);
  return value != nullptr ? std::optional<bool>(*value) : std::nullopt;
}

}  // namespace tdemo::test
