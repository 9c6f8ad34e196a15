// Shared response helpers: storage failures as FastAPI-shaped errors, business-span errors.
#pragma once

#include <string_view>

#include "http/message.h"
#include "storage/result.h"

namespace tdemo::telemetry { class Span; }

namespace tdemo::services {

// kNotFound -> 404, kConflict -> 409, kInvalid -> 422-free 400, kBusy -> 503 (Retry-After),
// kInternal -> 500; {"detail": error.message} (internal errors say only "Internal Server Error").
http::Response storage_error_response(const storage::Error& error);

// Marks `span` failed: status ERROR with `message`, error.type, and an exception event.
void mark_span_error(telemetry::Span& span, std::string_view error_type, std::string_view message);

}  // namespace tdemo::services
