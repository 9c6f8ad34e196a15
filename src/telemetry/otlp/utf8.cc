#include "telemetry/otlp/utf8.h"

#include <cstring>
#include <map>
#include <variant>

namespace tdemo::telemetry::otlp {

namespace {

bool valid(const AttributeValue& value) noexcept {
  if (const auto* s = std::get_if<std::string>(&value)) return is_valid_utf8(*s);
  if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
    for (const auto& s : *list) {
      if (!is_valid_utf8(s)) return false;
    }
  }
  return true;
}

bool valid(const Attributes& attributes) noexcept {
  for (const auto& kv : attributes) {
    if (!is_valid_utf8(kv.key) || !valid(kv.value)) return false;
  }
  return true;
}

bool valid(const SpanContext& context) noexcept {
  if (!context.trace_state_ptr()) return true;
  for (const auto& [k, v] : context.trace_state_ptr()->entries()) {
    if (!is_valid_utf8(k) || !is_valid_utf8(v)) return false;
  }
  return true;
}

void repair(std::string& s) {
  if (!is_valid_utf8(s)) s = to_valid_utf8(s);
}

void repair(Attributes& attributes) {
  for (auto& kv : attributes) {
    repair(kv.key);
    if (auto* s = std::get_if<std::string>(&kv.value)) repair(*s);
    if (auto* list = std::get_if<std::vector<std::string>>(&kv.value)) {
      for (auto& s : *list) repair(s);
    }
  }
}

SpanContext repaired(const SpanContext& c) {
  if (valid(c)) return c;
  auto entries = c.trace_state_ptr()->entries();
  for (auto& [k, v] : entries) {
    repair(k);
    repair(v);
  }
  return SpanContext(c.trace_id(), c.span_id(), c.flags(), c.remote(), std::make_shared<const TraceState>(std::move(entries)));
}

}  // namespace

bool has_invalid_utf8(const SpanBatch& batch) noexcept {
  const Resource* last_resource = nullptr;
  const InstrumentationScope* last_scope = nullptr;
  for (const auto& span : batch) {
    if (!span) continue;
    if (!is_valid_utf8(span->name) || !is_valid_utf8(span->status_message) || !valid(span->attributes) ||
        !valid(span->context)) {
      return true;
    }
    for (const auto& e : span->events) {
      if (!is_valid_utf8(e.name) || !valid(e.attributes)) return true;
    }
    for (const auto& l : span->links) {
      if (!valid(l.attributes) || !valid(l.context)) return true;
    }
    if (span->resource && span->resource.get() != last_resource) {
      last_resource = span->resource.get();
      if (!valid(last_resource->attributes) || !is_valid_utf8(last_resource->schema_url)) return true;
    }
    if (span->scope && span->scope.get() != last_scope) {
      last_scope = span->scope.get();
      if (!is_valid_utf8(last_scope->name) || !is_valid_utf8(last_scope->version) ||
          !is_valid_utf8(last_scope->schema_url)) {
        return true;
      }
    }
  }
  return false;
}

SpanBatch with_valid_utf8(const SpanBatch& batch) {
  std::map<const Resource*, std::shared_ptr<const Resource>> resources;
  std::map<const InstrumentationScope*, std::shared_ptr<const InstrumentationScope>> scopes;
  SpanBatch out;
  out.reserve(batch.size());
  for (const auto& span : batch) {
    if (!span) continue;
    auto copy = std::make_unique<SpanData>(*span);
    repair(copy->name);
    repair(copy->status_message);
    repair(copy->attributes);
    copy->context = repaired(copy->context);
    for (auto& e : copy->events) {
      repair(e.name);
      repair(e.attributes);
    }
    for (auto& l : copy->links) {
      repair(l.attributes);
      l.context = repaired(l.context);
    }
    if (span->resource) {
      auto& r = resources[span->resource.get()];
      if (!r) {
        auto fixed = std::make_shared<Resource>(*span->resource);
        repair(fixed->attributes);
        repair(fixed->schema_url);
        r = std::move(fixed);
      }
      copy->resource = r;
    }
    if (span->scope) {
      auto& s = scopes[span->scope.get()];
      if (!s) {
        auto fixed = std::make_shared<InstrumentationScope>(*span->scope);
        repair(fixed->name);
        repair(fixed->version);
        repair(fixed->schema_url);
        s = std::move(fixed);
      }
      copy->scope = s;
    }
    out.push_back(std::move(copy));
  }
  return out;
}

}  // namespace tdemo::telemetry::otlp
