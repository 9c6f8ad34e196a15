#include "telemetry/otlp/utf8.h"

#include <cstdint>
#include <map>
#include <variant>

namespace tdemo::telemetry::otlp {

namespace {

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

// Calls on_string(s) for every string of the batch an encoder writes (resources and scopes once
// per run of spans sharing them), until it returns false. Returns false when stopped.
template <class OnString>
bool for_each_string(const SpanBatch& batch, OnString&& on_string) {
  const auto attributes = [&](const Attributes& list) {
    for (const auto& kv : list) {
      if (!on_string(kv.key)) return false;
      if (const auto* s = std::get_if<std::string>(&kv.value)) {
        if (!on_string(*s)) return false;
      } else if (const auto* strings = std::get_if<std::vector<std::string>>(&kv.value)) {
        for (const auto& item : *strings) {
          if (!on_string(item)) return false;
        }
      }
    }
    return true;
  };
  const auto context = [&](const SpanContext& c) {
    if (!c.trace_state_ptr()) return true;
    for (const auto& [k, v] : c.trace_state_ptr()->entries()) {
      if (!on_string(k) || !on_string(v)) return false;
    }
    return true;
  };
  const Resource* last_resource = nullptr;
  const InstrumentationScope* last_scope = nullptr;
  for (const auto& span : batch) {
    if (!span) continue;
    if (!on_string(span->name) || !on_string(span->status_message) || !attributes(span->attributes) ||
        !context(span->context)) {
      return false;
    }
    for (const auto& e : span->events) {
      if (!on_string(e.name) || !attributes(e.attributes)) return false;
    }
    for (const auto& l : span->links) {
      if (!attributes(l.attributes) || !context(l.context)) return false;
    }
    if (span->resource && span->resource.get() != last_resource) {
      last_resource = span->resource.get();
      if (!attributes(last_resource->attributes) || !on_string(last_resource->schema_url)) return false;
    }
    if (span->scope && span->scope.get() != last_scope) {
      last_scope = span->scope.get();
      if (!on_string(last_scope->name) || !on_string(last_scope->version) || !on_string(last_scope->schema_url)) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

bool has_invalid_utf8(const SpanBatch& batch) noexcept {
  // Nearly always all ASCII: one pass without a check per string, then the full one if not.
  AsciiCheck check;
  for_each_string(batch, [&](std::string_view s) {
    check.add(s);
    return true;
  });
  if (check.ascii()) return false;
  return !for_each_string(batch, [](std::string_view s) { return is_valid_utf8(s); });
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
