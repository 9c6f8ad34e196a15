// Jaeger's UI data model (jaeger model/json) built from stored traces, mapped from OTLP the way
// Jaeger's own OTLP translator maps it, plus the query service's response envelopes.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "tracestore/trace_store.h"

namespace tdemo::tracestore {

// One trace in Jaeger's JSON model: {traceID, spans, processes, warnings}.
//  - span tags: attributes (arrays as a string tag with json.Marshal's text, see go_json.h),
//    then otel.scope.name/version, span.kind (lowercase), otel.status_code ("OK"/"ERROR"),
//    error=true, otel.status_description, w3c.tracestate;
//  - events -> logs {timestamp, fields: [event=name unless an attribute is "event", attributes]};
//  - parent -> CHILD_OF reference first, links -> FOLLOWS_FROM references (CHILD_OF when the
//    link's opentracing.ref_type is child_of; a link to the parent retypes the parent's);
//  - resource -> process {serviceName, tags (resource attributes except service.name)}.
boost::json::object jaeger_trace_json(const Trace& trace);

// Jaeger's structuredResponse: {data, total, limit, offset, errors}.
std::string jaeger_envelope(boost::json::value data, std::size_t total);
// Error form: {data: null, total: 0, limit: 0, offset: 0, errors: [{code, msg}]}.
std::string jaeger_error(int code, std::string_view message);

// OTLP JSON (ExportTraceServiceRequest / TracesData shape): {"resourceSpans": [...]}, ids in
// hex, 64-bit integers as strings, enums as integers — as Jaeger's api_v3 HTTP gateway answers.
boost::json::object otlp_traces_json(const std::vector<Trace>& traces);
// api_v3's error shape: {"error": {"httpCode", "message", ...}}.
std::string v3_error(int code, std::string_view message);

}  // namespace tdemo::tracestore
