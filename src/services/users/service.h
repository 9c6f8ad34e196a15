// The users domain: look users up (cache-aside in front of the repository) and create them.
#pragma once

#include <cstdint>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "services/common/blocking.h"
#include "services/common/card.h"
#include "storage/cache.h"
#include "storage/user_repository.h"
#include "telemetry/tracer.h"

namespace tdemo::services::users {

// The JSON form of a user: {"id","name","email","created_at"}.
std::string user_json(const storage::User& user);

// Whether `text` is a user in user_json's form: those four members in that order, no space,
// the id an integer, the others strings that any JSON parser accepts (json_string_length). What the service cached itself
// always is; a cache hit then answers with the text as it is, without parsing and writing it
// again. Anything else read from the cache (another writer's form) is parsed.
bool is_user_json(std::string_view text);

// Thread-safe. `repository`, `cache` and `blocking` must outlive the service.
class UserService {
 public:
  UserService(storage::UserRepository& repository, storage::Cache& cache, telemetry::Tracer tracer,
              BlockingPool& blocking)
      : repository_(repository), cache_(cache, tracer, mask_card_numbers_in), tracer_(std::move(tracer)),
        blocking_(blocking) {}

  // The user as JSON (user_json's form). A `users.get` span (user.id, cache.hit); the cache
  // first, then the database (and the result cached). kNotFound: "User 42 not found".
  boost::asio::awaitable<storage::Result<std::string>> get_user_json(const telemetry::Context& parent,
                                                                     std::int64_t id);
  // A `users.create` span; kConflict when the email is taken. Input already validated.
  boost::asio::awaitable<storage::Result<storage::User>> create_user(
      const telemetry::Context& parent, storage::NewUser user);

 private:
  storage::UserRepository& repository_;
  storage::TracedCache cache_;
  telemetry::Tracer tracer_;
  BlockingPool& blocking_;
};

}  // namespace tdemo::services::users
