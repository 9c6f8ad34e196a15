#include "support/servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tdemo::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// The account a server runs as: ourselves, or (as root) an unprivileged user.
struct Account {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Account server_account() {
  Account account;
  if (geteuid() != 0) return account;
  for (const char* name : {"postgres", "nobody"}) {
    if (const passwd* pw = getpwnam(name)) {
      account.switch_user = true;
      account.uid = pw->pw_uid;
      account.gid = pw->pw_gid;
      return account;
    }
  }
  throw std::runtime_error("running as root, but neither user 'postgres' nor 'nobody' exists");
}

void give_to(const Account& account, const std::string& path) {
  if (account.switch_user && chown(path.c_str(), account.uid, account.gid) != 0) {
    throw std::runtime_error("chown " + path + " failed");
  }
}

// Where servers keep their files: $TD_TEST_SCRATCH, else /dev/shm (RAM: copying a cluster
// there takes a tenth of the time it takes on a busy disk), else $TMPDIR or /tmp.
std::string scratch_root() {
  if (const char* dir = std::getenv("TD_TEST_SCRATCH"); dir && *dir) return dir;
  if (access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

std::string make_temp_dir(const std::string& prefix) {
  std::string pattern = scratch_root() + "/" + prefix + ".XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp " + pattern + " failed");
  return buffer.data();
}

std::uint16_t free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!ok) throw std::runtime_error("could not find a free port");
  return ntohs(address.sin_port);
}

// Starts argv[0] with stdout/stderr appended to `log_path`, as `account`; the child gets
// `death_signal` when this process dies.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path,
            const Account& account, int death_signal) {
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    if (account.switch_user) {
      if (setgroups(0, nullptr) != 0 || setgid(account.gid) != 0 || setuid(account.uid) != 0) {
        _exit(126);
      }
    }
    // After setuid: a credential change clears the parent-death signal.
    prctl(PR_SET_PDEATHSIG, death_signal);
    if (getppid() != parent) _exit(125);
    execv(args[0], args.data());
    _exit(127);
  }
  close(log_fd);
  return pid;
}

// Waits for `pid` up to `timeout`: its wait status, or nullopt when still running.
std::optional<int> wait_exit(pid_t pid, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) return status;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

// Sends `first`, then escalates to SIGKILL; always reaps.
void stop_child(pid_t pid, int first, milliseconds grace) {
  if (pid <= 0) return;
  ::kill(pid, first);
  if (wait_exit(pid, grace)) return;
  ::kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void run_or_throw(const std::vector<std::string>& argv, const std::string& log_path,
                  const Account& account) {
  const pid_t pid = spawn(argv, log_path, account, SIGKILL);
  auto status = wait_exit(pid, std::chrono::seconds(60));
  if (!status) {
    stop_child(pid, SIGKILL, milliseconds(0));
    throw std::runtime_error(argv[0] + " timed out:\n" + read_file(log_path));
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    throw std::runtime_error(argv[0] + " failed:\n" + read_file(log_path));
  }
}

bool executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

std::string conninfo(std::uint16_t port, const PostgresServerOptions& options,
                     const std::string& database) {
  return "host=127.0.0.1 port=" + std::to_string(port) + " user=" + options.user +
         " password=" + options.password + " dbname=" + database + " connect_timeout=2";
}

// Starts `postgres` on <dir>/data (socket and log in <dir>) and waits until it accepts
// connections. Keeps `port` when set (a restart), else picks a free one, retrying when the
// port was taken meanwhile. Returns the postmaster's pid; throws with the log on failure.
pid_t launch_postgres(const std::string& bin_dir, const std::string& dir,
                      const PostgresServerOptions& options, std::uint16_t& port) {
  const Account account = server_account();
  const std::string log_path = dir + "/postgres.log";
  const bool keep_port = port != 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!keep_port) port = free_loopback_port();
    pid_t pid = spawn({bin_dir + "/postgres", "-D", dir + "/data", "-p", std::to_string(port),
                       "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                       "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                       "-c", "shared_buffers=16MB", "-c", "max_connections=60"},
                      log_path, account, SIGQUIT);
    const std::string info = conninfo(port, options, "postgres");
    const auto deadline = Clock::now() + options.start_timeout;
    while (Clock::now() < deadline) {
      if (PQping(info.c_str()) == PQPING_OK) return pid;
      if (wait_exit(pid, milliseconds(0))) {  // exited (reaped): maybe the port was taken
        pid = -1;
        break;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    stop_child(pid, SIGQUIT, std::chrono::seconds(5));
    if (keep_port) std::this_thread::sleep_for(milliseconds(200));
  }
  throw std::runtime_error("PostgreSQL did not start:\n" + read_file(log_path));
}

void create_database_on(std::uint16_t port, const PostgresServerOptions& options,
                        const std::string& name) {
  const std::string info = conninfo(port, options, "postgres");
  std::unique_ptr<PGconn, decltype(&PQfinish)> connection(PQconnectdb(info.c_str()), &PQfinish);
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    throw std::runtime_error(std::string("connect: ") + PQerrorMessage(connection.get()));
  }
  char* quoted = PQescapeIdentifier(connection.get(), name.c_str(), name.size());
  const std::string sql = std::string("CREATE DATABASE ") + quoted;
  PQfreemem(quoted);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection.get(), sql.c_str()),
                                                       &PQclear);
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    throw std::runtime_error(sql + ": " + PQerrorMessage(connection.get()));
  }
}

// initdb and CREATE DATABASE are the slow part of a start (~2 s); their result is kept once
// per machine (keyed by binaries, credentials and database) and copied for each server.
// The rename makes it appear whole.
std::string cached_cluster_template(const std::string& bin_dir, const PostgresServerOptions& options,
                                    const Account& account) {
  const std::size_t key =
      std::hash<std::string>{}("v2\n" + bin_dir + '\n' + options.user + '\n' + options.password + '\n' +
                               options.database);
  const std::string path = scratch_root() + "/tdemo-pg-template-" +
                           std::to_string(account.uid) + "-" + std::to_string(key);
  if (fs::exists(path + "/PG_VERSION")) return path;

  const std::string work = make_temp_dir("tdemo-pg-initdb");
  give_to(account, work);
  const std::string password_file = work + "/password";
  std::ofstream(password_file) << options.password << "\n";
  give_to(account, password_file);
  const std::string data = work + "/data";
  run_or_throw({bin_dir + "/initdb", "-D", data, "-U", options.user, "--pwfile=" + password_file,
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                "--locale=C", "--no-sync", "--wal-segsize=1"},
               work + "/initdb.log", account);
  std::uint16_t port = 0;
  const pid_t pid = launch_postgres(bin_dir, work, options, port);
  try {
    create_database_on(port, options, options.database);
  } catch (...) {
    stop_child(pid, SIGQUIT, std::chrono::seconds(5));
    throw;
  }
  stop_child(pid, SIGINT, std::chrono::seconds(20));  // a clean shutdown: a consistent copy
  std::error_code ignored;
  fs::rename(data, path, ignored);  // loses to a concurrent creator: fine, theirs is whole
  fs::remove_all(work, ignored);
  if (!fs::exists(path + "/PG_VERSION")) throw std::runtime_error("cluster template missing");
  return path;
}

}  // namespace

std::optional<std::string> find_postgres_bin_dir() {
  auto has_binaries = [](const std::string& dir) {
    return executable(dir + "/initdb") && executable(dir + "/postgres");
  };
  if (const char* dir = std::getenv("TD_POSTGRES_BIN"); dir && *dir) {
    if (has_binaries(dir)) return std::string(dir);
    return std::nullopt;
  }
  std::optional<std::string> best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    const int version = std::atoi(name.c_str());
    const std::string dir = entry.path().string() + "/bin";
    if (version > best_version && has_binaries(dir)) {
      best = dir;
      best_version = version;
    }
  }
  return best;
}

std::optional<std::string> find_redis_server() {
  if (const char* path = std::getenv("TD_REDIS_SERVER"); path && *path) {
    return executable(path) ? std::optional<std::string>(path) : std::nullopt;
  }
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
    const std::string path = std::string(dir) + "/redis-server";
    if (executable(path)) return path;
  }
  return std::nullopt;
}

// ---- PostgresServer ----

PostgresServer::PostgresServer(PostgresServerOptions options) : options_(std::move(options)) {
  auto bin_dir = find_postgres_bin_dir();
  if (!bin_dir) throw std::runtime_error("PostgreSQL server binaries not found");
  bin_dir_ = *bin_dir;
  const Account account = server_account();
  root_dir_ = make_temp_dir("tdemo-pg");
  try {
    give_to(account, root_dir_);
    const std::string template_dir = cached_cluster_template(bin_dir_, options_, account);
    run_or_throw({"/bin/cp", "-a", template_dir, root_dir_ + "/data"}, root_dir_ + "/copy.log",
                 Account{});
    start_process();
  } catch (...) {
    stop_process();
    std::error_code ignored;
    fs::remove_all(root_dir_, ignored);
    throw;
  }
}

PostgresServer::~PostgresServer() {
  stop_process();
  std::error_code ignored;
  fs::remove_all(root_dir_, ignored);
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://" + options_.user + ":" + options_.password + "@127.0.0.1:" +
         std::to_string(port_) + "/" + database;
}

std::string PostgresServer::log_text() const { return read_file(root_dir_ + "/postgres.log"); }

void PostgresServer::start_process() {
  pid_ = launch_postgres(bin_dir_, root_dir_, options_, port_);
}

void PostgresServer::stop_process() {
  // SIGINT is PostgreSQL's fast shutdown: disconnect clients, checkpoint, exit.
  stop_child(pid_, SIGINT, std::chrono::seconds(10));
  pid_ = -1;
}

void PostgresServer::restart() {
  stop_process();
  start_process();
}

void PostgresServer::create_database(const std::string& name) {
  create_database_on(port_, options_, name);
}

// ---- RedisServer ----

RedisServer::RedisServer() {
  root_dir_ = make_temp_dir("tdemo-redis");
  try {
    start();
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(root_dir_, ignored);
    throw;
  }
}

RedisServer::~RedisServer() {
  stop_child(pid_, SIGTERM, std::chrono::seconds(5));
  std::error_code ignored;
  fs::remove_all(root_dir_, ignored);
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

std::string RedisServer::log_text() const { return read_file(root_dir_ + "/redis.log"); }

void RedisServer::kill() {
  stop_child(pid_, SIGKILL, milliseconds(0));
  pid_ = -1;
}

void RedisServer::start() {
  if (pid_ > 0) return;
  auto binary = find_redis_server();
  if (!binary) throw std::runtime_error("redis-server not found");
  const bool keep_port = port_ != 0;  // a restart comes back where clients expect it
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!keep_port) port_ = free_loopback_port();
    pid_ = spawn({*binary, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no", "--dir", root_dir_, "--daemonize", "no"},
                 root_dir_ + "/redis.log", Account{}, SIGKILL);
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      timeval timeout{0, 200000};
      std::unique_ptr<redisContext, decltype(&redisFree)> context(
          redisConnectWithTimeout("127.0.0.1", port_, timeout), &redisFree);
      if (context && !context->err) {
        auto* reply = static_cast<redisReply*>(redisCommand(context.get(), "PING"));
        const bool pong = reply && reply->type == REDIS_REPLY_STATUS &&
                          std::string(reply->str, reply->len) == "PONG";
        if (reply) freeReplyObject(reply);
        if (pong) return;
      }
      if (wait_exit(pid_, milliseconds(0))) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    stop_child(pid_, SIGKILL, milliseconds(0));
    pid_ = -1;
    if (keep_port) std::this_thread::sleep_for(milliseconds(200));
  }
  throw std::runtime_error("redis-server did not start:\n" + log_text());
}

}  // namespace tdemo::test
