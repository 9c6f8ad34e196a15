// Shared response helpers: storage failures as FastAPI-shaped errors, business-span errors.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/message.h"
#include "storage/result.h"

namespace tdemo::telemetry { class Span; }

namespace tdemo::services {

// kNotFound -> 404, kConflict -> 409, kInvalid -> 422-free 400, kBusy -> 503 (Retry-After),
// kInternal -> 500; {"detail": error.message} (internal errors say only "Internal Server Error").
// The message may quote an id from the request path: card numbers in it are masked.
http::Response storage_error_response(const storage::Error& error);

// 404 {"detail": "<entity> <id> not found"}, the id masked when it looks like a card number.
http::Response not_found_response(std::string_view entity, std::int64_t id);

// Marks `span` failed: status ERROR with `message`, error.type, and an exception event.
void mark_span_error(telemetry::Span& span, std::string_view error_type, std::string_view message);

}  // namespace tdemo::services
