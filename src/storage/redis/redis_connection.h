// One hiredis connection with connect and command timeouts, AUTH and SELECT on connect.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/result.h"

struct redisContext;

namespace tdemo::storage::redis {

// Where redis://[[user]:password@]host[:port][/db] points.
struct Target {
  std::string host = "localhost";
  std::int64_t port = 6379;
  std::int64_t database = 0;
  std::string user;
  std::string password;
};

struct ConnectOptions {
  Target target;
  std::chrono::milliseconds connect_timeout{50};
  std::chrono::milliseconds command_timeout{50};
};

// A command's reply: a bulk string, nil, or a status/integer.
struct Reply {
  std::optional<std::string> value;  // nullopt for nil
  std::int64_t integer = 0;
};

// Not thread-safe: one user at a time (RedisCache pools them). After any error the connection
// is unusable (hiredis' rule) and must be dropped.
class Connection {
 public:
  // kBusy when the server cannot be reached in time or refuses AUTH/SELECT.
  static Result<std::unique_ptr<Connection>> open(const ConnectOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Sends one command (arguments are binary-safe) and waits at most the command timeout.
  Result<Reply> command(const std::vector<std::string_view>& arguments);

 private:
  explicit Connection(redisContext* context) noexcept : context_(context) {}
  redisContext* context_;
};

}  // namespace tdemo::storage::redis
