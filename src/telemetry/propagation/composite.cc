// The composite propagator and propagators by name.
#include "telemetry/propagation.h"

namespace tdemo::telemetry {
namespace {

// Runs each part in order; later parts see (and may override) what earlier ones extracted.
class CompositePropagator final : public TextMapPropagator {
 public:
  explicit CompositePropagator(std::vector<std::unique_ptr<TextMapPropagator>> parts)
      : parts_(std::move(parts)) {}

  Context extract(const TextMapCarrier& carrier, const Context& context) const override {
    Context out = context;
    for (const auto& part : parts_) out = part->extract(carrier, out);
    return out;
  }

  void inject(const Context& context, TextMapCarrier& carrier) const override {
    for (const auto& part : parts_) part->inject(context, carrier);
  }

  std::vector<std::string> fields() const override {
    std::vector<std::string> out;
    for (const auto& part : parts_) {
      for (auto& field : part->fields()) out.push_back(std::move(field));
    }
    return out;
  }

 private:
  std::vector<std::unique_ptr<TextMapPropagator>> parts_;
};

}  // namespace

std::unique_ptr<TextMapPropagator> make_composite_propagator(
    std::vector<std::unique_ptr<TextMapPropagator>> parts) {
  return std::make_unique<CompositePropagator>(std::move(parts));
}

std::unique_ptr<TextMapPropagator> make_propagator(std::string_view name) {
  if (name == "tracecontext") return make_trace_context_propagator();
  if (name == "baggage") return make_baggage_propagator();
  if (name == "jaeger") return make_jaeger_propagator();
  return nullptr;
}

}  // namespace tdemo::telemetry
