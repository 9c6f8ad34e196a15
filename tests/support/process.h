// Process-level test helpers: free ports, child processes with captured output.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tdemo::test {

// A TCP port on 127.0.0.1 that was free a moment ago (bound, then closed), chosen at random
// below the kernel's ephemeral range (see process.cc).
std::uint16_t free_port();
// `count` distinct consecutive-or-not free ports.
std::vector<std::uint16_t> free_ports(std::size_t count);
// A base port N such that N..N+count-1 were all free a moment ago (for --base-port).
std::uint16_t free_port_range(std::size_t count);

struct ProcessOptions {
  std::vector<std::string> args;             // argv[1..]
  std::map<std::string, std::string> env;    // added to (or overriding) the parent's environment
  std::vector<std::string> unset_env;        // removed from the inherited environment
  std::string working_directory;             // "" -> inherit
  std::string output_prefix;                 // stdout/stderr files: <prefix>.stdout/.stderr;
                                             // "" -> a fresh file under $TMPDIR or /tmp
};

// A child process whose stdout and stderr go to files. The destructor kills (SIGKILL) and
// reaps a child still running. Not thread-safe.
class Process {
 public:
  // Starts `binary`; throws std::runtime_error when it cannot be started.
  Process(const std::string& binary, ProcessOptions options = {});
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  pid_t pid() const noexcept { return pid_; }
  bool running();
  // Sends `signal` (no-op once exited).
  void signal(int signal);
  // SIGTERM, then waits up to `timeout`, then SIGKILL. Returns the exit status as wait_for().
  std::optional<int> terminate(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void kill();  // SIGKILL and reap
  // Waits for exit up to `timeout`: the exit code, or 128+signal when killed by a signal;
  // nullopt on timeout.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);

  const std::string& stdout_path() const noexcept { return stdout_path_; }
  const std::string& stderr_path() const noexcept { return stderr_path_; }
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::string stdout_path_, stderr_path_;
};

// Reads a whole file ("" when missing).
std::string read_text_file(const std::string& path);

}  // namespace tdemo::test
