#include "services/common/card.h"
#include "services/users/service.h"

#include <boost/json.hpp>

#include "services/common/json_text.h"
#include "services/common/responses.h"

namespace tdemo::services::users {
namespace {

std::string cache_key(std::int64_t id) { return "user:" + std::to_string(id); }

std::optional<storage::User> from_cache_text(const std::string& text) {
  // Parsed into a buffer on the stack: a cached user is a few hundred bytes.
  unsigned char buffer[1024];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec, &arena);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& o = value.as_object();
  storage::User user;
  const auto* id = o.if_contains("id");
  const auto* name = o.if_contains("name");
  const auto* email = o.if_contains("email");
  const auto* created = o.if_contains("created_at");
  if (!id || !id->is_int64() || !name || !name->is_string() || !email || !email->is_string() ||
      !created || !created->is_string()) {
    return std::nullopt;
  }
  user.id = id->as_int64();
  user.name = name->as_string();
  user.email = email->as_string();
  user.created_at = created->as_string();
  return user;
}

// Consumes `prefix` from the front of `text`.
bool consume(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

bool consume_json_string(std::string_view& text) {
  const std::size_t n = json_string_length(text);
  text.remove_prefix(n);
  return n != 0;
}

}  // namespace

bool is_user_json(std::string_view text) {
  // The shape here, each string checked as it is passed (json_string_length: its escapes and
  // UTF-8), without a parse of the whole text.
  if (!consume(text, R"({"id":)")) return false;
  std::size_t digits = text.starts_with('-') ? 1 : 0;
  const std::size_t first = digits;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  // JSON's integer form (no leading zero), within int64 (at most 18 digits).
  if (digits == first || digits - first > 18 || (text[first] == '0' && digits - first > 1)) return false;
  text.remove_prefix(digits);
  return consume(text, R"(,"name":)") && consume_json_string(text) && consume(text, R"(,"email":)") &&
         consume_json_string(text) && consume(text, R"(,"created_at":)") && consume_json_string(text) &&
         text == "}";
}

std::string user_json(const storage::User& user) {
  return JsonObjectWriter()
      .field("id", user.id)
      .field("name", user.name)
      .field("email", user.email)
      .field("created_at", user.created_at)
      .take();
}

boost::asio::awaitable<storage::Result<std::string>> UserService::get_user_json(
    const telemetry::Context& parent, std::int64_t id) {
  auto span = tracer_.start_span("users.get", parent);
  span.set_attribute("user.id", id_attribute(id));
  const auto context = telemetry::context_with(parent, span);
  auto result = co_await run_blocking(blocking_, [&]() -> storage::Result<std::string> {
    if (auto cached = cache_.get(context, cache_key(id))) {
      if (is_user_json(*cached)) return std::move(*cached);
      if (auto user = from_cache_text(*cached)) return user_json(*user);
    }
    auto found = repository_.find(context, id);
    if (!found.ok()) return found.error();
    std::string json = user_json(found.value());
    cache_.set(context, cache_key(id), json);
    return json;
  });
  if (!result.ok()) {
    if (result.error().code == storage::ErrorCode::kNotFound) {
      span.add_event("user.not_found", {{"user.id", id_attribute(id)}});
    } else {
      mark_span_error(span, storage::to_string(result.error().code), result.error().message);
    }
  }
  span.end();
  co_return result;
}

boost::asio::awaitable<storage::Result<storage::User>> UserService::create_user(
    const telemetry::Context& parent, storage::NewUser user) {
  auto span = tracer_.start_span("users.create", parent);
  const auto context = telemetry::context_with(parent, span);
  auto result = co_await run_blocking(blocking_, [&] { return repository_.create(context, user); });
  if (result.ok()) {
    span.set_attribute("user.id", id_attribute(result.value().id));
    span.add_event("user.created");
  } else if (result.error().code == storage::ErrorCode::kConflict) {
    span.add_event("user.email_conflict");
  } else {
    mark_span_error(span, storage::to_string(result.error().code), result.error().message);
  }
  span.end();
  co_return result;
}

}  // namespace tdemo::services::users
