// The users service's data: the repository interface and its SQLite implementation.
// PostgreSQL (issue 7) adds another implementation of the same interface.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/repository_options.h"
#include "storage/result.h"
#include "telemetry/context.h"

namespace tdemo::storage {

struct User {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::string created_at;  // ISO 8601, UTC
};

struct NewUser {
  std::string name;
  std::string email;
};

// Implementations are thread-safe. Every call records DB spans as children of `parent`.
class UserRepository {
 public:
  UserRepository() = default;
  UserRepository(const UserRepository&) = delete;
  UserRepository& operator=(const UserRepository&) = delete;
  virtual ~UserRepository() = default;

  // A cheap round trip to the database (for /health); not traced.
  virtual Status ping() = 0;
  // The connection pool's figures (for /metrics and /health).
  virtual PoolStats pool_stats() const = 0;

  // kNotFound when there is no user with this id.
  virtual Result<User> find(const telemetry::Context& parent, std::int64_t id) = 0;
  // kConflict when the email (case-insensitive) is taken.
  virtual Result<User> create(const telemetry::Context& parent, const NewUser& user) = 0;
};

// The demo users seeded on start (ids 1..5), so /users/1 works on a fresh database.
inline constexpr int kSeededUserCount = 5;

// Opens (creating schema and seed data) the users database; DB spans go to `tracer`.
Result<std::unique_ptr<UserRepository>> make_sqlite_user_repository(
    const SqliteRepositoryOptions& options, telemetry::Tracer tracer);

}  // namespace tdemo::storage
