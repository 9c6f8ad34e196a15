#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace tdemo::test {

namespace {

// Binds 127.0.0.1:port (0: any); returns the bound port, 0 on failure.
std::uint16_t try_bind(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  std::uint16_t bound = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) bound = ntohs(addr.sin_port);
  }
  ::close(fd);
  return bound;
}

std::string temp_prefix() {
  static std::atomic<int> counter{0};
  const char* dir = std::getenv("TMPDIR");
  std::string base = dir != nullptr && *dir != '\0' ? dir : "/tmp";
  return base + "/td-proc-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

}  // namespace

// Test servers listen below the kernel's ephemeral range (ip_local_port_range, 32768-60999 by
// default): a port the kernel handed out by bind(0) could be taken, between the check and the
// server's own bind, by any client socket of a test running in parallel (ctest -j), which
// picks its source port from that range. A random port here is only ever taken by another
// test choosing the same number, which the check and the randomness make rare.
constexpr std::uint16_t kTestPortMin = 20000;
constexpr std::uint16_t kTestPortMax = 32000;

namespace {

// Ports this process has handed out: none is handed out twice, though nothing listens on it
// yet (a test that takes three ports and then a range, and starts its servers only after,
// would otherwise find one of the three inside the range: demo_script_test failed so, with
// "Address already in use", under ctest -j2).
std::mutex handed_out_mutex;
std::set<std::uint16_t> handed_out;

// Hands out `port` (and the `count` - 1 after it) when none was handed out before and each
// binds now.
bool hand_out(std::uint16_t port, std::size_t count = 1) {
  if (port == 0 || port + count > 65536) return false;
  std::lock_guard lock(handed_out_mutex);
  for (std::size_t i = 0; i < count; ++i) {
    const auto p = static_cast<std::uint16_t>(port + i);
    if (handed_out.count(p) != 0 || try_bind(p) == 0) return false;
  }
  for (std::size_t i = 0; i < count; ++i) handed_out.insert(static_cast<std::uint16_t>(port + i));
  return true;
}

}  // namespace

std::uint16_t free_port() {
  static std::atomic<std::uint64_t> state{static_cast<std::uint64_t>(::getpid()) * 0x9E3779B97F4A7C15ull ^
                                          static_cast<std::uint64_t>(
                                              std::chrono::steady_clock::now().time_since_epoch().count())};
  for (int attempt = 0; attempt < 200; ++attempt) {
    // splitmix64 step: a different sequence in every test process.
    std::uint64_t z = state.fetch_add(0x9E3779B97F4A7C15ull) + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    const auto candidate = static_cast<std::uint16_t>(kTestPortMin + z % (kTestPortMax - kTestPortMin));
    if (hand_out(candidate)) return candidate;
  }
  for (int attempt = 0; attempt < 100; ++attempt) {  // a crowded range: let the kernel choose
    if (auto port = try_bind(0); hand_out(port)) return port;
  }
  throw std::runtime_error("no free port");
}

std::vector<std::uint16_t> free_ports(std::size_t count) {
  std::set<std::uint16_t> ports;
  while (ports.size() < count) ports.insert(free_port());
  return {ports.begin(), ports.end()};
}

std::uint16_t free_port_range(std::size_t count) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    const std::uint16_t base = free_port();  // handed out: the rest must be free too
    if (count <= 1 || hand_out(static_cast<std::uint16_t>(base + 1), count - 1)) return base;
  }
  throw std::runtime_error("no free port range");
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Process::Process(const std::string& binary, ProcessOptions options) {
  const std::string prefix = options.output_prefix.empty() ? temp_prefix() : options.output_prefix;
  stdout_path_ = prefix + ".stdout";
  stderr_path_ = prefix + ".stderr";

  std::vector<std::string> args{binary};
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool drop = options.env.count(name) > 0;
    for (const auto& u : options.unset_env) drop = drop || u == name;
    if (!drop) env_strings.push_back(std::move(entry));
  }
  for (const auto& [k, v] : options.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!options.working_directory.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.working_directory.c_str());
  }
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // The child starts with default signal dispositions and an empty mask (gtest may block some).
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  const int rc = ::posix_spawn(&pid_, binary.c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + binary + ": " + std::strerror(rc));
  }
}

Process::~Process() {
  if (pid_ > 0 && !exit_status_) kill();
}

bool Process::running() {
  if (pid_ <= 0 || exit_status_) return false;
  return !wait_for(std::chrono::milliseconds(0)).has_value();
}

void Process::signal(int signal_number) {
  if (pid_ > 0 && !exit_status_) ::kill(pid_, signal_number);
}

std::optional<int> Process::wait_for(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      if (WIFEXITED(status)) exit_status_ = WEXITSTATUS(status);
      else if (WIFSIGNALED(status)) exit_status_ = 128 + WTERMSIG(status);
      else exit_status_ = -1;
      return exit_status_;
    }
    if (r < 0 && errno != EINTR) {
      exit_status_ = -1;
      return exit_status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::optional<int> Process::terminate(std::chrono::milliseconds timeout) {
  signal(SIGTERM);
  auto status = wait_for(timeout);
  if (!status) {
    kill();
    return std::nullopt;
  }
  return status;
}

void Process::kill() {
  signal(SIGKILL);
  wait_for(std::chrono::seconds(10));
}

std::string Process::stdout_text() const { return read_text_file(stdout_path_); }
std::string Process::stderr_text() const { return read_text_file(stderr_path_); }

}  // namespace tdemo::test
