// A scripted HTTP/1.1 server on 127.0.0.1 (free port) for exporter tests: it records every
// request and answers each with the next scripted action.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tdemo::telemetry::otlp::testing {

struct RecordedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

struct ScriptedAction {
  enum Kind { kRespond, kDrop, kHang } kind = kRespond;
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close_after = false;  // close the connection after answering, without saying so

  static ScriptedAction respond(unsigned status, std::vector<std::pair<std::string, std::string>> headers = {},
                                std::string body = {}) {
    return {kRespond, status, std::move(headers), std::move(body), false};
  }
  // Answers (advertising keep-alive), then closes: a server dropping an idle connection.
  static ScriptedAction respond_then_close(unsigned status) { return {kRespond, status, {}, {}, true}; }
  static ScriptedAction drop() { return {kDrop, 0, {}, {}, false}; }  // close without answering
  static ScriptedAction hang() { return {kHang, 0, {}, {}, false}; }  // never answer
};

// Runs on its own thread until destroyed. After the script runs out it answers 200 (empty).
// Thread-safe accessors.
class TestHttpServer {
 public:
  explicit TestHttpServer(std::vector<ScriptedAction> script = {});
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  unsigned short port() const;
  std::string url(const std::string& path = "/v1/traces") const;
  std::vector<RecordedRequest> requests() const;
  std::size_t connections() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace tdemo::telemetry::otlp::testing
