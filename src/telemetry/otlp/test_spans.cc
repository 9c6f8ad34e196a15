#include "telemetry/otlp/test_spans.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tdemo::telemetry::otlp::testing {
namespace {

// Doubles compare equal when both are NaN.
bool same_double(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void expect_same_attributes(const Attributes& expected, const Attributes& actual, const std::string& where) {
  ASSERT_EQ(expected.size(), actual.size()) << where;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(expected[i].key, actual[i].key) << where;
    ASSERT_EQ(expected[i].value.index(), actual[i].value.index()) << where << " key " << expected[i].key;
    if (const auto* d = std::get_if<double>(&expected[i].value)) {
      EXPECT_TRUE(same_double(*d, std::get<double>(actual[i].value))) << where << " key " << expected[i].key;
    } else if (const auto* ds = std::get_if<std::vector<double>>(&expected[i].value)) {
      const auto& as = std::get<std::vector<double>>(actual[i].value);
      ASSERT_EQ(ds->size(), as.size());
      for (std::size_t k = 0; k < ds->size(); ++k) EXPECT_TRUE(same_double((*ds)[k], as[k]));
    } else {
      EXPECT_EQ(expected[i].value, actual[i].value) << where << " key " << expected[i].key;
    }
  }
}

void expect_same_context(const SpanContext& e, const SpanContext& a, const std::string& where) {
  EXPECT_EQ(e.trace_id(), a.trace_id()) << where;
  EXPECT_EQ(e.span_id(), a.span_id()) << where;
  EXPECT_EQ(e.flags(), a.flags()) << where;
  const auto entries = [](const SpanContext& c) {
    return c.trace_state_ptr() ? c.trace_state_ptr()->entries() : std::vector<TraceState::Entry>{};
  };
  EXPECT_EQ(entries(e), entries(a)) << where;
}

}  // namespace

void expect_same_span(const SpanData& e, const SpanData& a) {
  const std::string where = "span '" + e.name + "'";
  expect_same_context(e.context, a.context, where);
  EXPECT_EQ(e.parent_span_id, a.parent_span_id) << where;
  EXPECT_EQ(e.parent_is_remote, a.parent_is_remote) << where;
  EXPECT_EQ(e.name, a.name);
  EXPECT_EQ(e.kind, a.kind) << where;
  EXPECT_EQ(e.start_time_unix_nano, a.start_time_unix_nano) << where;
  EXPECT_EQ(e.end_time_unix_nano, a.end_time_unix_nano) << where;
  expect_same_attributes(e.attributes, a.attributes, where);
  EXPECT_EQ(e.dropped_attributes_count, a.dropped_attributes_count) << where;
  ASSERT_EQ(e.events.size(), a.events.size()) << where;
  for (std::size_t i = 0; i < e.events.size(); ++i) {
    EXPECT_EQ(e.events[i].name, a.events[i].name) << where;
    EXPECT_EQ(e.events[i].time_unix_nano, a.events[i].time_unix_nano) << where;
    expect_same_attributes(e.events[i].attributes, a.events[i].attributes, where + " event");
    EXPECT_EQ(e.events[i].dropped_attributes_count, a.events[i].dropped_attributes_count) << where;
  }
  EXPECT_EQ(e.dropped_events_count, a.dropped_events_count) << where;
  ASSERT_EQ(e.links.size(), a.links.size()) << where;
  for (std::size_t i = 0; i < e.links.size(); ++i) {
    expect_same_context(e.links[i].context, a.links[i].context, where + " link");
    EXPECT_EQ(e.links[i].context.remote(), a.links[i].context.remote()) << where;
    expect_same_attributes(e.links[i].attributes, a.links[i].attributes, where + " link");
    EXPECT_EQ(e.links[i].dropped_attributes_count, a.links[i].dropped_attributes_count) << where;
  }
  EXPECT_EQ(e.dropped_links_count, a.dropped_links_count) << where;
  EXPECT_EQ(e.status_code, a.status_code) << where;
  EXPECT_EQ(e.status_message, a.status_message) << where;
  ASSERT_TRUE(a.resource && a.scope) << where;
  expect_same_attributes(e.resource->attributes, a.resource->attributes, where + " resource");
  EXPECT_EQ(e.resource->schema_url, a.resource->schema_url) << where;
  EXPECT_EQ(e.scope->name, a.scope->name) << where;
  EXPECT_EQ(e.scope->version, a.scope->version) << where;
  EXPECT_EQ(e.scope->schema_url, a.scope->schema_url) << where;
}

void expect_same_batch(const SpanBatch& expected, const SpanBatch& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  // Encoders group by resource and scope, so match spans by id rather than by position.
  for (const auto& e : expected) {
    const SpanData* match = nullptr;
    for (const auto& a : actual) {
      if (a->context.span_id() == e->context.span_id()) match = a.get();
    }
    ASSERT_NE(match, nullptr) << "span '" << e->name << "' missing";
    expect_same_span(*e, *match);
  }
}

}  // namespace tdemo::telemetry::otlp::testing
