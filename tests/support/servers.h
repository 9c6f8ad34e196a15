// Private database servers for tests: a PostgreSQL cluster (initdb + postgres from Debian's
// /usr/lib/postgresql/<version>/bin) and a redis-server, each on a free loopback port with its
// own temporary directory. Every server is stopped and its directory removed by the
// destructor (RAII: also when a test fails). Not thread-safe: one test thread drives each.
//
// Running as root: PostgreSQL refuses to run as root, so the server runs as the `postgres`
// user (or `nobody` when that does not exist); the data directory is chowned to it.
// If the test process dies, the servers die with it (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tdemo::test {

// The directory with initdb and postgres: $TD_POSTGRES_BIN, else the newest
// /usr/lib/postgresql/<version>/bin that has both; nullopt when none (tests GTEST_SKIP).
std::optional<std::string> find_postgres_bin_dir();
// The redis-server binary: $TD_REDIS_SERVER, else redis-server on PATH; nullopt when none.
std::optional<std::string> find_redis_server();

struct PostgresServerOptions {
  std::string user = "tdemo";      // the superuser initdb creates
  std::string password = "tdemo";  // required over TCP (scram-sha-256)
  std::string database = "tdemo";  // created on start
  std::chrono::milliseconds start_timeout{30000};
};

// A PostgreSQL server. The constructor throws std::runtime_error (with the server's log)
// when it cannot start.
class PostgresServer {
 public:
  explicit PostgresServer(PostgresServerOptions options = {});
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  ~PostgresServer();  // stops the server, removes the data directory

  std::uint16_t port() const noexcept { return port_; }
  // postgresql://user:password@127.0.0.1:port/<database>
  std::string url(const std::string& database) const;
  std::string url() const { return url(options_.database); }
  // Creates a fresh database (for test isolation); throws on failure.
  void create_database(const std::string& name);
  // Stops the server (fast shutdown: clients are disconnected) and starts it again on the
  // same port with the same data.
  void restart();
  std::string log_text() const;

 private:
  void start_process();
  void stop_process();

  PostgresServerOptions options_;
  std::string bin_dir_;
  std::string root_dir_;  // temporary: data/ and the log file
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// A redis-server without persistence (--save '' --appendonly no). The constructor throws
// std::runtime_error when it cannot start.
class RedisServer {
 public:
  RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  ~RedisServer();  // stops the server, removes its directory

  std::uint16_t port() const noexcept { return port_; }
  std::string url() const;  // redis://127.0.0.1:port/0
  bool running() const noexcept { return pid_ > 0; }
  // Kills the server (SIGKILL, like a crash); connections to it break.
  void kill();
  // Starts it again on the same port (empty: there is no persistence).
  void start();
  std::string log_text() const;

 private:
  std::string root_dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace tdemo::test
