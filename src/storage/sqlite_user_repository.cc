#include <memory>

#include "storage/traced_query.h"
#include "storage/user_repository.h"

namespace tdemo::storage {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,  -- not AUTOINCREMENT: see sqlite.h
  name TEXT NOT NULL,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
INSERT OR IGNORE INTO users (id, name, email) VALUES
  (1, 'Alice Johnson', 'alice@example.com'),
  (2, 'Bob Smith', 'bob@example.com'),
  (3, 'Carol White', 'carol@example.com'),
  (4, 'David Brown', 'david@example.com'),
  (5, 'Eve Davis', 'eve@example.com');
)sql";

const std::string kSelectById = "SELECT id, name, email, created_at FROM users WHERE id = ?";
// No RETURNING (SQLite would buffer the row in a temporary table): the new row is the rowid,
// the values bound and created_at, written in the schema default's format.
const std::string kInsert = "INSERT INTO users (name, email, created_at) VALUES (?, ?, ?)";

User read_user(const Statement& s) {
  return User{s.column_int(0), s.column_text(1), s.column_text(2), s.column_text(3)};
}

class SqliteUserRepository final : public UserRepository {
 public:
  SqliteUserRepository(std::unique_ptr<ConnectionPool> pool, QueryTracer tracer)
      : pool_(std::move(pool)), tracer_(std::move(tracer)) {}

  Result<User> find(const telemetry::Context& parent, std::int64_t id) override {
    auto lease = pool_->acquire();
    if (!lease.ok()) return lease.error();
    return traced_query(tracer_, parent, lease->db(), "SELECT", "users", kSelectById,
                        lease->waited(), [&](Statement& s) -> Result<User> {
                          s.bind(1, id);
                          auto row = s.step();
                          if (!row.ok()) return row.error();
                          if (!row.value()) {
                            return Error{ErrorCode::kNotFound, "User " + std::to_string(id) + " not found"};
                          }
                          return read_user(s);
                        });
  }

  Result<User> create(const telemetry::Context& parent, const NewUser& user) override {
    auto lease = pool_->acquire();
    if (!lease.ok()) return lease.error();
    return traced_query(tracer_, parent, lease->db(), "INSERT", "users", kInsert,
                        lease->waited(), [&](Statement& s) -> Result<User> {
                          User created{0, user.name, user.email, sqlite_timestamp_now()};
                          s.bind(1, created.name);
                          s.bind(2, created.email);
                          s.bind(3, created.created_at);
                          if (auto r = s.run(); !r.ok()) {
                            if (r.error().code == ErrorCode::kConflict) {
                              return Error{ErrorCode::kConflict, "Email already registered"};
                            }
                            return r.error();
                          }
                          created.id = lease->db().last_insert_rowid();
                          return created;
                        });
  }

  Status ping() override {
    auto lease = pool_->acquire();
    if (!lease.ok()) return lease.error();
    return lease->db().exec("SELECT 1");
  }
  PoolStats pool_stats() const override { return pool_->stats(); }

 private:
  std::unique_ptr<ConnectionPool> pool_;
  QueryTracer tracer_;
};

}  // namespace

Result<std::unique_ptr<UserRepository>> make_sqlite_user_repository(
    const SqliteRepositoryOptions& options, telemetry::Tracer tracer) {
  auto pool = ConnectionPool::create(options.pool, [](Database& db) { return db.exec(kSchema); });
  if (!pool.ok()) return pool.error();
  QueryTracer query_tracer(std::move(tracer), "sqlite", pool.value()->name(), options.slow_query);
  return std::unique_ptr<UserRepository>(
      std::make_unique<SqliteUserRepository>(std::move(pool).value(), std::move(query_tracer)));
}

}  // namespace tdemo::storage
