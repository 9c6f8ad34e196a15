// Running the node scripts of tests/interop from a test: the script's stdout line by line, its
// exit status on close. The test target defines TD_INTEROP_DIR (where the scripts and their
// node_modules are) and TD_NODE_EXECUTABLE.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace tdemo::interop {

// Skips the test when npm has not installed `package` (e.g. "jaeger-client") in tests/interop.
#define TD_SKIP_WITHOUT_NODE_PACKAGE(package)                                                 \
  if (!std::filesystem::exists(std::string(TD_INTEROP_DIR) + "/node_modules/" + (package))) { \
    GTEST_SKIP() << "tests/interop/node_modules is missing: run scripts/setup.sh (npm ci)";   \
  }

// A node script with its stdout readable line by line; the exit status checked on close.
class NodeProcess {
 public:
  explicit NodeProcess(const std::string& args) {
    const std::string command =
        std::string("cd '") + TD_INTEROP_DIR + "' && '" + TD_NODE_EXECUTABLE + "' " + args;
    pipe_ = popen(command.c_str(), "r");
  }
  ~NodeProcess() { close(); }
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;
  bool started() const { return pipe_ != nullptr; }

  // The next line without its newline; "" at end of output.
  std::string read_line() {
    std::string line;
    char buf[4096];
    while (pipe_ != nullptr && std::fgets(buf, sizeof buf, pipe_) != nullptr) {
      line += buf;
      if (!line.empty() && line.back() == '\n') {
        line.pop_back();
        break;
      }
    }
    return line;
  }

  // The exit status (0 is success).
  int close() {
    if (pipe_ == nullptr) return status_;
    status_ = pclose(pipe_);
    pipe_ = nullptr;
    return status_;
  }

 private:
  FILE* pipe_ = nullptr;
  int status_ = -1;
};

}  // namespace tdemo::interop
