#include "services/common/responses.h"

#include "http/errors.h"
#include "services/common/card.h"
#include "telemetry/span.h"

namespace tdemo::services {

http::Response storage_error_response(const storage::Error& error) {
  switch (error.code) {
    case storage::ErrorCode::kNotFound: return http::error_response(404, mask_card_numbers_in(error.message));
    case storage::ErrorCode::kConflict: return http::error_response(409, mask_card_numbers_in(error.message));
    case storage::ErrorCode::kInvalid: return http::error_response(400, mask_card_numbers_in(error.message));
    case storage::ErrorCode::kBusy: {
      auto response = http::error_response(503, "Database busy, retry later");
      response.headers.set("Retry-After", "1");
      return response;
    }
    case storage::ErrorCode::kInternal: break;
  }
  return http::internal_server_error();
}

http::Response not_found_response(std::string_view entity, std::int64_t id) {
  return http::error_response(404, mask_card_numbers_in(std::string(entity) + " " + std::to_string(id) + " not found"));
}

void mark_span_error(telemetry::Span& span, std::string_view error_type, std::string_view message) {
  span.set_attribute("error.type", std::string(error_type));
  span.record_exception(error_type, message);
  span.set_status(telemetry::StatusCode::kError, message);
}

}  // namespace tdemo::services
