// Test fixtures for the OTLP tests: span batches covering every field, and a field-by-field
// comparison of SpanData.
#pragma once

#include "telemetry/span_processor.h"

namespace tdemo::telemetry::otlp::testing {

// Two resources, three scopes, five spans: every attribute type (and arrays of each, an empty
// array), events, links with trace state, every status, kinds, remote parents, dropped counts,
// trace state, unicode and characters JSON must escape, NaN/Inf and extreme integers.
SpanBatch full_batch();

// `count` realistic server spans (8 attributes, 1 event), one resource and scope: the batch
// the benchmarks encode.
SpanBatch realistic_batch(std::size_t count);

// gtest EXPECTs that `actual` equals `expected` field by field (resource and scope by value).
void expect_same_span(const SpanData& expected, const SpanData& actual);
void expect_same_batch(const SpanBatch& expected, const SpanBatch& actual);

}  // namespace tdemo::telemetry::otlp::testing
