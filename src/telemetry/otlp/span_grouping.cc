#include "telemetry/otlp/span_grouping.h"

namespace tdemo::telemetry::otlp {

std::vector<ResourceGroup> group_by_resource_and_scope(const SpanBatch& batch) {
  std::vector<ResourceGroup> groups;
  // Remembers the last group used: batches are usually runs of one resource and one scope.
  ResourceGroup* last_resource = nullptr;
  ScopeGroup* last_scope = nullptr;
  for (const auto& span : batch) {
    if (!span) continue;
    const Resource* resource = span->resource.get();
    const InstrumentationScope* scope = span->scope.get();
    if (last_scope != nullptr && last_resource->resource == resource && last_scope->scope == scope) {
      last_scope->spans.push_back(span.get());
      continue;
    }
    ResourceGroup* rg = nullptr;
    for (auto& g : groups) {
      if (g.resource == resource) { rg = &g; break; }
    }
    if (rg == nullptr) rg = &groups.emplace_back(ResourceGroup{resource, {}});
    ScopeGroup* sg = nullptr;
    for (auto& s : rg->scopes) {
      if (s.scope == scope) { sg = &s; break; }
    }
    if (sg == nullptr) sg = &rg->scopes.emplace_back(ScopeGroup{scope, {}});
    sg->spans.push_back(span.get());
    last_resource = rg;
    last_scope = sg;
  }
  return groups;
}

std::string serialize_trace_state(const SpanContext& context) {
  std::string out;
  const auto& state = context.trace_state_ptr();
  if (!state) return out;
  for (const auto& [key, value] : state->entries()) {
    if (!out.empty()) out += ',';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

}  // namespace tdemo::telemetry::otlp
