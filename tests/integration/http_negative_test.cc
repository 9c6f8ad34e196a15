// Bad input over raw TCP against the real `tracing-demo all` (the four services and the
// embedded trace store on free loopback ports): malformed request lines, 10,000 headers, a
// 1 MiB header, oversize and truncated bodies, wrong content types, invalid UTF-8, deep JSON
// nesting, non-JSON bodies and a slowloris client, at the gateway, the store's OTLP/HTTP port
// and its query API. Each case expects the exact status (4xx bodies are JSON with a message)
// or a connection closed by the server's per-connection read timeout (HTTP_READ_TIMEOUT_MS,
// 1 s here), and after each case the process still answers GET /health with 200.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "support/http_client.h"
#include "support/process.h"

namespace tdemo {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kReadTimeout = 1000ms;  // HTTP_READ_TIMEOUT_MS for the process under test

// A blocking loopback TCP connection with deadlines on every read (never hangs the test).
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool connected() const noexcept { return fd_ >= 0; }

  // Sends everything unless the peer stops reading or closes; false then (the server may
  // answer and close before it has read a huge request).
  bool send_all(std::string_view bytes) {
    while (!bytes.empty()) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 5000) <= 0) return false;
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads until the peer closes (true) or `timeout` passes (false); data goes to received().
  bool read_until_closed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    char buffer[16384];
    while (true) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return true;  // 0: orderly close; < 0: reset
      received_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  // True when the peer has closed (reads 0 or fails) within `timeout`, draining any data.
  bool closed_within(std::chrono::milliseconds timeout) { return read_until_closed(timeout); }

  const std::string& received() const noexcept { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

struct RawResponse {
  int status = 0;  // 0: no response
  std::string head;
  std::string body;
  std::optional<boost::json::value> json;
};

RawResponse parse_response(const std::string& bytes) {
  RawResponse r;
  if (bytes.rfind("HTTP/1.1 ", 0) != 0 || bytes.size() < 12) return r;
  r.status = std::stoi(bytes.substr(9, 3));
  const auto end = bytes.find("\r\n\r\n");
  if (end == std::string::npos) return r;
  r.head = bytes.substr(0, end);
  r.body = bytes.substr(end + 4);
  boost::system::error_code ec;
  auto value = boost::json::parse(r.body, ec);
  if (!ec) r.json = std::move(value);
  return r;
}

// Sends `bytes` on a new connection and reads the answer until the server closes.
RawResponse send_raw(std::uint16_t port, const std::string& bytes,
                     std::chrono::milliseconds timeout = 10s) {
  RawConnection connection(port);
  EXPECT_TRUE(connection.connected());
  connection.send_all(bytes);
  EXPECT_TRUE(connection.read_until_closed(timeout)) << "the server kept the connection open";
  return parse_response(connection.received());
}

std::string post_request(const std::string& path, const std::string& content_type,
                         const std::string& body) {
  return "POST " + path +
         " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string get_request(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
}

// {"detail": "<message>"} (FastAPI) or {"detail": [{"msg": ...}, ...]} (422).
::testing::AssertionResult has_detail(const RawResponse& r) {
  if (!r.json || !r.json->is_object())
    return ::testing::AssertionFailure() << "not JSON: " << r.body;
  const auto* detail = r.json->as_object().if_contains("detail");
  if (detail == nullptr) return ::testing::AssertionFailure() << "no detail: " << r.body;
  if (detail->is_string() && !detail->as_string().empty()) return ::testing::AssertionSuccess();
  if (detail->is_array() && !detail->as_array().empty() &&
      detail->as_array()[0].as_object().contains("msg")) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "detail without a message: " << r.body;
}

std::string detail_type(const RawResponse& r) {
  if (!r.json) return {};
  return boost::json::value_to<std::string>(r.json->at("detail").at(0).at("type"));
}

class HttpNegativeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = ::testing::TempDir() + "http_negative_" + std::to_string(::getpid());
    std::filesystem::remove_all(data_dir_);
    base_ = test::free_port_range(4);
    const auto ports = test::free_ports(3);
    ui_port_ = ports[0];
    otlp_port_ = ports[1];
    test::ProcessOptions options;
    options.args = {"all",
                    "--base-port",
                    std::to_string(base_),
                    "--data-dir",
                    data_dir_,
                    "--ui-port",
                    std::to_string(ui_port_),
                    "--otlp-http-port",
                    std::to_string(otlp_port_),
                    "--otlp-grpc-port",
                    std::to_string(ports[2]),
                    "--io-threads",
                    "2"};
    options.env = {{"HTTP_READ_TIMEOUT_MS", std::to_string(kReadTimeout.count())},
                   {"LOG_LEVEL", "warning"}};
    options.unset_env = {"OTEL_EXPORTER_OTLP_ENDPOINT",
                         "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                         "JAEGER_HOST",
                         "OTEL_SDK_DISABLED",
                         "OTEL_TRACES_EXPORTER",
                         "DATABASE_URL",
                         "REDIS_URL",
                         "HTTP_IDLE_TIMEOUT_MS",
                         "HTTP_WRITE_TIMEOUT_MS",
                         "HTTP_MAX_HEADER_BYTES"};
    process_ = new test::Process(TD_BINARY, options);
    ASSERT_TRUE(test::wait_for_http(gateway("/health"), 30s)) << process_->stderr_text();
  }
  static void TearDownTestSuite() {
    if (process_) {
      EXPECT_EQ(process_->terminate(20s), 0) << process_->stderr_text();
    }
    delete process_;
    process_ = nullptr;
    std::filesystem::remove_all(data_dir_);
  }

  // After every case: the process still serves the gateway, the store's query API and its
  // OTLP port.
  void TearDown() override {
    EXPECT_EQ(test::http_get(gateway("/health")).status, 200) << "the gateway was harmed";
    EXPECT_EQ(test::http_get(query("/api/services")).status, 200) << "the query API was harmed";
    EXPECT_EQ(test::http_post("http://127.0.0.1:" + std::to_string(otlp_port_) + "/v1/traces", "{}")
                  .status,
              200)
        << "the OTLP port was harmed";
    ASSERT_TRUE(process_->running()) << process_->stderr_text();
  }

  static std::string gateway(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(base_) + path;
  }
  static std::string query(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(ui_port_) + path;
  }

  // The request must be answered `status` with a JSON body carrying a message.
  static void expect_json_error(std::uint16_t port, const std::string& request, int status,
                                const std::string& what) {
    const auto r = send_raw(port, request);
    EXPECT_EQ(r.status, status) << what << ":\n" << r.head << "\n" << r.body;
    EXPECT_TRUE(has_detail(r)) << what;
  }

  // The server must close a connection that sends `prefix` and then nothing, after about the
  // read timeout, without answering.
  static void expect_timeout_close(std::uint16_t port, const std::string& prefix) {
    RawConnection connection(port);
    ASSERT_TRUE(connection.connected());
    const auto start = Clock::now();
    ASSERT_TRUE(connection.send_all(prefix));
    EXPECT_TRUE(connection.closed_within(kReadTimeout + 4s)) << "still open: the server hangs";
    const auto took = Clock::now() - start;
    EXPECT_GE(took, kReadTimeout - 100ms);
    EXPECT_EQ(connection.received(), "");
  }

  // A client trickling header bytes (one every 100 ms, for up to 10 s) is cut off by the read
  // timeout, long before it finishes.
  static void expect_slowloris_cut(std::uint16_t port) {
    RawConnection connection(port);
    ASSERT_TRUE(connection.connected());
    const auto start = Clock::now();
    std::string trickle = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    trickle += std::string(100, 'a');
    bool closed = false;
    for (char c : trickle) {
      if (!connection.send_all(std::string(1, c)) || connection.closed_within(100ms)) {
        closed = true;
        break;
      }
    }
    const auto took = Clock::now() - start;
    EXPECT_TRUE(closed) << "the slow client was never disconnected";
    EXPECT_LT(took, kReadTimeout + 3s);
    EXPECT_EQ(connection.received(), "");
  }

  static inline test::Process* process_ = nullptr;
  static inline std::string data_dir_;
  static inline std::uint16_t base_ = 0, ui_port_ = 0, otlp_port_ = 0;
};

// ------------------------------------------------------------------------------ gateway

TEST_F(HttpNegativeTest, MalformedRequestLinesAre400) {
  const char* lines[] = {
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "GET /health\r\n\r\n",            // HTTP/0.9 style: no version
      "GET  /health HTTP/1.1\r\n\r\n",  // two spaces
      "GET /health HTTP/1.1 extra\r\n\r\n",
      "GET /health HTTP/1.x\r\n\r\n",
      "GET /health HTTP/2.0\r\n\r\n",  // Beast speaks 1.0 and 1.1 only
      "GET /health HTTP/0.9\r\n\r\n",
      "GET /he alth HTTP/1.1\r\n\r\n",
      "G(T /health HTTP/1.1\r\n\r\n",  // not a token
      "GET /health HTTP/1.1\r\nNo colon here\r\n\r\n",
      "GET /health HTTP/1.1\r\nX: a\rb\r\n\r\n",  // bare CR in a value
      "POST /users HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
      "POST /users HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
      "POST /users HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST /users HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n",
  };
  for (const char* line : lines) {
    expect_json_error(base_, line, 400,
                      std::string("request ") + ::testing::PrintToString(std::string(line)));
  }
}

TEST_F(HttpNegativeTest, AbsoluteFormTargetIsServedByItsPath) {
  // RFC 9112 3.2.2: servers must accept "GET http://host/path"; other schemes match no route.
  const auto r =
      send_raw(base_, get_request("http://127.0.0.1:" + std::to_string(base_) + "/health"));
  EXPECT_EQ(r.status, 200) << r.head << "\n" << r.body;
  const auto other = send_raw(base_, get_request("ftp://127.0.0.1/health"));
  EXPECT_EQ(other.status, 404) << other.body;
  EXPECT_TRUE(has_detail(other));
}

TEST_F(HttpNegativeTest, TenThousandHeadersAre431) {
  std::string request = "GET /health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 10000; ++i) request += "X-H" + std::to_string(i) + ": v\r\n";
  expect_json_error(base_, request + "\r\n", 431, "10,000 headers");
}

TEST_F(HttpNegativeTest, OneMebibyteHeaderIs431) {
  expect_json_error(
      base_, "GET /health HTTP/1.1\r\nHost: x\r\nX-Huge: " + std::string(1 << 20, 'h') + "\r\n\r\n",
      431, "1 MiB header");
  expect_json_error(base_, "GET /" + std::string(100000, 'u') + " HTTP/1.1\r\n\r\n", 431,
                    "100 kB target");
}

TEST_F(HttpNegativeTest, OversizeBodyIs413) {
  // Announced: refused from the headers alone, before any body byte.
  expect_json_error(base_,
                    "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: 1048577\r\n\r\n",
                    413, "Content-Length over 1 MiB");
  // Chunked: refused once the chunks pass the limit.
  std::string chunked =
      "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 18; ++i) chunked += "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
  expect_json_error(base_, chunked + "0\r\n\r\n", 413, "chunked body over 1 MiB");
}

TEST_F(HttpNegativeTest, TruncatedBodyIsClosedByTheReadTimeout) {
  expect_timeout_close(base_,
                       "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 100\r\n\r\n{\"name\": \"Ada\"");
}

TEST_F(HttpNegativeTest, SlowlorisIsDisconnected) { expect_slowloris_cut(base_); }

TEST_F(HttpNegativeTest, WrongContentTypeIs415) {
  const std::string body = R"({"name": "Ada", "email": "ada@example.com"})";
  for (const char* path : {"/users", "/orders", "/payments"}) {
    for (const char* type :
         {"text/plain", "application/x-www-form-urlencoded", "application/jsonx"}) {
      const auto r = send_raw(base_, post_request(path, type, body));
      EXPECT_EQ(r.status, 415) << path << " " << type << ": " << r.body;
      EXPECT_EQ(r.body, R"({"detail":"Unsupported Media Type"})");
    }
  }
  // A JSON media type with parameters, or +json, is accepted.
  const auto ok = send_raw(base_, post_request("/orders", "application/json; charset=utf-8", "{}"));
  EXPECT_EQ(ok.status, 422) << ok.body;  // validated, not refused
  EXPECT_EQ(detail_type(ok), "missing");
}

TEST_F(HttpNegativeTest, InvalidUtf8InAJsonStringIs422) {
  for (const char* path : {"/users", "/orders", "/payments"}) {
    const auto r =
        send_raw(base_, post_request(path, "application/json",
                                     "{\"name\": \"\xff\xfe\xc3\x28\", \"email\": \"a@b.co\"}"));
    EXPECT_EQ(r.status, 422) << path << ": " << r.body;
    EXPECT_TRUE(has_detail(r));
    EXPECT_EQ(detail_type(r), "json_invalid") << r.body;
  }
}

TEST_F(HttpNegativeTest, IdempotencyKeyThatIsNotUtf8Is422) {
  // The key is stored and answered in JSON: bytes HTTP allows but UTF-8 does not are refused.
  const std::string body = R"({"order_id": 1, "amount": 1.0, "card_number": "4242424242424242"})";
  const auto r = send_raw(base_,
                          "POST /payments HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                          "Content-Type: application/json\r\nIdempotency-Key: key-\xff\xfe\r\n"
                          "Content-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(detail_type(r), "string_unicode") << r.body;
  EXPECT_EQ(r.body.find("4242424242424242"), std::string::npos) << r.body;
}

TEST_F(HttpNegativeTest, DeepJsonNestingIs422NotACrash) {
  for (const std::string& body :
       {std::string(100000, '['), std::string(100000, '[') + std::string(100000, ']'),
        "{\"a\":" + std::string(50000, '{')}) {
    const auto r = send_raw(base_, post_request("/orders", "application/json", body));
    EXPECT_EQ(r.status, 422) << r.body.substr(0, 200);
    EXPECT_EQ(detail_type(r), "json_invalid") << r.body.substr(0, 200);
  }
}

TEST_F(HttpNegativeTest, NonJsonBodiesAre422) {
  for (const char* body : {"hello", "name=Ada&email=a@b.co", "{\"name\": \"Ada\",}",
                           "{\"a\":1}{\"b\":2}", "NaN", "\"just a string\"", "[1,2,3]", ""}) {
    const auto r = send_raw(base_, post_request("/users", "application/json", body));
    EXPECT_EQ(r.status, 422) << ::testing::PrintToString(std::string(body)) << ": " << r.body;
    EXPECT_TRUE(has_detail(r)) << body;
  }
}

TEST_F(HttpNegativeTest, BadPathParametersAre422AndUnknownPaths404) {
  for (const char* target : {"/users/abc", "/users/99999999999999999999", "/users/%00",
                             "/orders/1.5", "/users/%ff%fe", "/users/%C0%AF"}) {
    const auto r = send_raw(base_, get_request(target));
    EXPECT_EQ(r.status, 422) << target << ": " << r.body;
    EXPECT_EQ(detail_type(r), "int_parsing") << target << ": " << r.body;  // valid JSON too
  }
  for (const char* target :
       {"/nope", "/users/1/extra", "/%2e%2e/%2e%2e/etc/passwd", "/users%2F1"}) {
    const auto r = send_raw(base_, get_request(target));
    EXPECT_EQ(r.status, 404) << target << ": " << r.body;
    EXPECT_TRUE(has_detail(r));
  }
  const auto r405 =
      send_raw(base_, "DELETE /users/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r405.status, 405);
  EXPECT_TRUE(has_detail(r405));
}

// ------------------------------------------------------------------ trace store: OTLP/HTTP

TEST_F(HttpNegativeTest, OtlpRejectsWrongContentTypeAndMalformedBodies) {
  // OTLP/HTTP errors are a google.rpc.Status in the request's encoding: JSON {code, message}
  // for JSON (and for an unknown content type), protobuf for protobuf.
  const auto status_message = [](const RawResponse& r) -> std::string {
    if (!r.json || !r.json->is_object() || !r.json->as_object().contains("message")) return {};
    return boost::json::value_to<std::string>(r.json->at("message"));
  };
  const auto wrong_type = send_raw(otlp_port_, post_request("/v1/traces", "text/plain", "{}"));
  EXPECT_EQ(wrong_type.status, 415) << wrong_type.body;
  EXPECT_NE(status_message(wrong_type), "") << wrong_type.body;
  // The message quotes the type: bytes that are not UTF-8 must not break the JSON.
  const auto odd_type = send_raw(otlp_port_, post_request("/v1/traces", "text/\xff\xfe", "{}"));
  EXPECT_EQ(odd_type.status, 415) << odd_type.body;
  EXPECT_NE(status_message(odd_type), "") << odd_type.body;

  const std::string json_bodies[] = {"not json", "{\"resourceSpans\": [\"\xff\xfe\"]}",
                                     std::string(100000, '['), "{\"resourceSpans\": 5}"};
  for (const auto& body : json_bodies) {
    const auto r = send_raw(otlp_port_, post_request("/v1/traces", "application/json", body));
    EXPECT_EQ(r.status, 400) << body.substr(0, 50) << ": " << r.body;
    EXPECT_NE(status_message(r), "") << r.body;
  }
  const auto protobuf = send_raw(
      otlp_port_, post_request("/v1/traces", "application/x-protobuf", "\xff\xff\xff\xff garbage"));
  EXPECT_EQ(protobuf.status, 400) << protobuf.body;
  EXPECT_NE(protobuf.head.find("application/x-protobuf"), std::string::npos) << protobuf.head;

  const auto gzip = send_raw(otlp_port_,
                             "POST /v1/traces HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                             "Content-Type: application/json\r\nContent-Encoding: gzip\r\n"
                             "Content-Length: 8\r\n\r\nnot gzip");
  EXPECT_EQ(gzip.status, 400) << gzip.body;
  EXPECT_NE(status_message(gzip), "") << gzip.body;

  const auto method = send_raw(otlp_port_, get_request("/v1/traces"));
  EXPECT_EQ(method.status, 405) << method.body;
  EXPECT_TRUE(has_detail(method));
}

TEST_F(HttpNegativeTest, NonFiniteDoublesIngestedStayValidJsonInTheQueryApi) {
  // OTLP/JSON writes infinities as strings; the query APIs must not answer bare Infinity/NaN.
  const std::string trace_id = "5b8efff798038103d269b633813fc60c";
  const std::string span =
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",)"
      R"("value":{"stringValue":"negative-test"}}]},"scopeSpans":[{"spans":[{)"
      R"("traceId":")" +
      trace_id +
      R"(","spanId":"eee19b7ec3c1b174","name":"inf",)"
      R"("startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000",)"
      R"("attributes":[{"key":"up","value":{"doubleValue":"Infinity"}},)"
      R"({"key":"nan","value":{"doubleValue":"NaN"}}]}]}]}]})";
  const auto ingest = send_raw(otlp_port_, post_request("/v1/traces", "application/json", span));
  ASSERT_EQ(ingest.status, 200) << ingest.body;
  for (const std::string& target : {"/api/traces/" + trace_id, "/api/v3/traces/" + trace_id}) {
    test::HttpResponse r;
    for (int i = 0; i < 50 && r.status != 200; ++i) {  // ingest is asynchronous to queries
      r = test::http_get(query(target));
      if (r.status != 200) std::this_thread::sleep_for(50ms);
    }
    ASSERT_EQ(r.status, 200) << target << ": " << r.body;
    boost::system::error_code ec;
    boost::json::parse(r.body, ec);
    EXPECT_FALSE(ec) << target << " answered invalid JSON: " << r.body;
    EXPECT_NE(r.body.find("\"Infinity\""), std::string::npos) << r.body;
  }
  // In a service request body a number beyond double's range is refused, never echoed back.
  const auto order = send_raw(
      base_, post_request("/orders", "application/json", R"({"user_id": 1, "amount": 1e999})"));
  EXPECT_EQ(order.status, 422) << order.body;
  EXPECT_EQ(detail_type(order), "json_invalid") << order.body;
}

TEST_F(HttpNegativeTest, OtlpLimitsAndTimeouts) {
  expect_json_error(otlp_port_,
                    "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: 16777217\r\n\r\n",
                    413, "OTLP body over 16 MiB");
  std::string headers = "POST /v1/traces HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 10000; ++i) headers += "X-H" + std::to_string(i) + ": v\r\n";
  expect_json_error(otlp_port_, headers + "\r\n", 431, "OTLP 10,000 headers");
  expect_json_error(otlp_port_,
                    "POST /v1/traces HTTP/1.1\r\nX: " + std::string(1 << 20, 'h') + "\r\n\r\n", 431,
                    "OTLP 1 MiB header");
  expect_json_error(otlp_port_, "BROKEN\r\n\r\n", 400, "OTLP malformed request line");
  expect_timeout_close(otlp_port_,
                       "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 1000\r\n\r\n{\"resourceSpans\":");
  expect_slowloris_cut(otlp_port_);
}

// ------------------------------------------------------------------ trace store: query API

TEST_F(HttpNegativeTest, QueryApiRejectsBadParametersWithJaegerErrors) {
  // Jaeger's error shape: {"data": null, "errors": [{"code": 400, "msg": "..."}], ...}.
  const std::string targets[] = {
      "/api/traces?service=gateway&limit=abc",
      "/api/traces?service=gateway&limit=99999999999999999999",
      "/api/traces",  // service is required
      "/api/traces?service=gateway&lookback=soon",
      "/api/traces?service=gateway&minDuration=%ff%fe",
      "/api/traces?service=gateway&start=-x",
      "/api/traces?service=gateway&tags=%7B",
      "/api/traces?service=gateway&tags=%5B1%5D",
      "/api/traces?traceID=zz",
      "/api/traces/xyz",
      "/api/traces/" + std::string(5000, 'a'),
      "/api/dependencies?endTs=abc",
      "/api/dependencies?lookback=-1",
  };
  for (const std::string& target : targets) {
    const auto r = send_raw(ui_port_, get_request(target));
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    ASSERT_TRUE(r.json && r.json->is_object()) << target << ": " << r.body;
    const auto* errors = r.json->as_object().if_contains("errors");
    ASSERT_TRUE(errors && errors->is_array() && !errors->as_array().empty())
        << target << ": " << r.body;
    EXPECT_EQ(errors->as_array()[0].at("code").to_number<int>(), 400);
    EXPECT_FALSE(errors->as_array()[0].at("msg").as_string().empty());
  }
  const auto missing =
      send_raw(ui_port_, get_request("/api/traces/0123456789abcdef0123456789abcdef"));
  EXPECT_EQ(missing.status, 404) << missing.body;
  for (const char* target : {"/static/..%2F..%2F..%2Fetc%2Fpasswd", "/static/%00", "/nope"}) {
    const auto r = send_raw(ui_port_, get_request(target));
    EXPECT_EQ(r.status, 404) << target << ": " << r.body;
    EXPECT_TRUE(has_detail(r)) << target;
  }
  const auto method = send_raw(ui_port_, post_request("/api/traces", "application/json", "{}"));
  EXPECT_EQ(method.status, 405) << method.body;
}

TEST_F(HttpNegativeTest, QueryApiLimitsAndTimeouts) {
  std::string headers = "GET /api/services HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 10000; ++i) headers += "X-H" + std::to_string(i) + ": v\r\n";
  expect_json_error(ui_port_, headers + "\r\n", 431, "query 10,000 headers");
  expect_json_error(ui_port_,
                    "GET /api/services HTTP/1.1\r\nX: " + std::string(1 << 20, 'h') + "\r\n\r\n",
                    431, "query 1 MiB header");
  expect_json_error(ui_port_, "GET /api/services HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413,
                    "query oversize body");
  expect_json_error(ui_port_, "GET /api/services\r\n\r\n", 400, "query HTTP/0.9 request line");
  expect_slowloris_cut(ui_port_);
}

}  // namespace
}  // namespace tdemo
