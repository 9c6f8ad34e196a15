#include "http/message_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace tdemo::http {
namespace {

namespace bhttp = boost::beast::http;

// A response as a client sees it: Beast's parser over the bytes on the wire.
struct Parsed {
  unsigned status = 0;
  std::string reason;
  unsigned version = 0;
  bool keep_alive = false;
  std::vector<std::pair<std::string, std::string>> fields;  // sorted
  std::string body;
  friend bool operator==(const Parsed&, const Parsed&) = default;
};

Parsed parse(const std::string& wire, bool head) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.skip(head);
  parser.eager(true);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(wire), ec);
  if (ec == bhttp::error::need_more) ec = {};
  EXPECT_FALSE(ec) << ec.message() << "\n" << wire;
  if (!parser.is_done()) parser.put_eof(ec);
  EXPECT_TRUE(parser.is_done()) << wire;
  const auto& m = parser.get();
  Parsed p{m.result_int(), std::string(m.reason()), m.version(), m.keep_alive(), {}, m.body()};
  for (const auto& field : m) p.fields.emplace_back(std::string(field.name_string()), std::string(field.value()));
  std::sort(p.fields.begin(), p.fields.end());
  return p;
}

// The bytes the server sent before it serialized heads itself: a Beast message, as to_message
// built it, through Beast's serializer (the reference).
std::string beast_wire(const Response& response, int version, bool keep_alive, bool head_only) {
  bhttp::response<bhttp::string_body> message;
  message.version(version);
  message.result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers) message.insert(name, value);
  if (!response.content_type.empty()) message.set(bhttp::field::content_type, response.content_type);
  message.keep_alive(keep_alive);
  const bool no_body = response.status == 204 || response.status == 304 || response.status < 200;
  if (head_only || no_body) {
    if (!no_body) message.content_length(response.body.size());
  } else {
    message.body() = response.body;
    message.prepare_payload();
  }
  std::ostringstream out;
  out << message;
  return out.str();
}

std::string our_wire(const Response& response, int version, bool keep_alive, bool head_only) {
  std::string wire = serialize_response_head(response, version, keep_alive);
  if (response_has_body(response, head_only)) wire += response.body;
  return wire;
}

TEST(MessageWriterTest, ClientsSeeWhatBeastsSerializerSent) {
  Response json = Response::json_text(200, R"({"id":1,"name":"Ada"})");
  json.headers.add("traceresponse", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  json.headers.add("X-Two", "a");
  json.headers.add("X-Two", "b");
  Response created = Response::json_text(201, "{}");
  created.headers.add("Location", "/orders/7");
  Response unavailable = Response::json_text(503, R"({"detail":"busy"})");
  unavailable.headers.add("Retry-After", "2");
  const std::vector<Response> responses = {json,
                                           created,
                                           unavailable,
                                           Response::empty(204),
                                           Response::empty(304),
                                           Response::text(404, ""),
                                           Response::text(418, "teapot"),
                                           Response::html(200, "<p>x</p>")};
  for (const auto& response : responses) {
    for (int version : {10, 11}) {
      for (bool keep_alive : {true, false}) {
        for (bool head : {false, true}) {
          SCOPED_TRACE(testing::Message() << response.status << " HTTP/" << version << " keep_alive=" << keep_alive
                                          << " head=" << head);
          EXPECT_EQ(parse(our_wire(response, version, keep_alive, head), head),
                    parse(beast_wire(response, version, keep_alive, head), head));
        }
      }
    }
  }
}

TEST(MessageWriterTest, ExactBytesOfACommonResponse) {
  Response response = Response::json_text(200, "{}");
  response.headers.add("traceresponse", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(serialize_response_head(response, 11, true),
            "HTTP/1.1 200 OK\r\n"
            "traceresponse: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 2\r\n\r\n");
  EXPECT_EQ(serialize_response_head(Response::empty(204), 10, false), "HTTP/1.0 204 No Content\r\n\r\n");
  EXPECT_EQ(serialize_response_head(Response::empty(799), 11, false),
            "HTTP/1.1 799 \r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

TEST(MessageWriterTest, HeadersThatCouldSplitOrReframeTheResponseAreDropped) {
  Response response = Response::text(200, "ok");
  response.headers.add("X-Echo", "a\r\nSet-Cookie: stolen=1");
  response.headers.add("X-Bad\nName", "v");
  response.headers.add("Content-Length", "999");
  response.headers.add("Transfer-Encoding", "chunked");
  response.headers.add("connection", "upgrade");
  response.headers.add("X-Fine", "yes");
  const std::string head = serialize_response_head(response, 11, true);
  EXPECT_EQ(head.find("Set-Cookie"), std::string::npos) << head;
  EXPECT_EQ(head.find("X-Bad"), std::string::npos) << head;
  EXPECT_EQ(head.find("999"), std::string::npos) << head;
  EXPECT_EQ(head.find("chunked"), std::string::npos) << head;
  EXPECT_EQ(head.find("upgrade"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Fine: yes\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Length: 2\r\n"), std::string::npos) << head;
  EXPECT_EQ(parse(head + "ok", false).body, "ok");
}

// The check reads eight bytes at a time: a CR, LF or NUL at every place of values of every
// length up to 40 drops the header; every other byte value, at every place, keeps it.
TEST(MessageWriterTest, UnsafeBytesAreFoundAtEveryPlace) {
  for (std::size_t length = 1; length <= 40; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (const char bad : {'\r', '\n', '\0'}) {
        std::string value(length, 'v');
        value[at] = bad;
        Response response = Response::text(200, "");
        response.headers.add("X-Value", value);
        EXPECT_EQ(serialize_response_head(response, 11, true).find("X-Value"), std::string::npos)
            << "length " << length << ", byte " << int(bad) << " at " << at;
      }
    }
  }
  std::string every;  // bytes 1-255 but CR and LF, each at many places across the words
  for (int round = 0; round < 3; ++round) {
    for (int byte = 1; byte < 256; ++byte) {
      if (byte != '\r' && byte != '\n') every += static_cast<char>(byte);
    }
    every += 'x';  // shifts the next round by one place against the eight-byte steps
  }
  for (std::size_t start = 0; start < 9; ++start) {
    Response response = Response::text(200, "");
    response.headers.add("X-Value", every.substr(start));
    EXPECT_NE(serialize_response_head(response, 11, true).find("X-Value: " + every.substr(start) + "\r\n"),
              std::string::npos) << start;
  }
}

// HTTP/1.1's lines for 100-599 come from a table built once, the others are written each time:
// every code of both versions reads "HTTP/1.x CODE REASON", the reason ours, else Beast's, else empty.
TEST(MessageWriterTest, StatusLinesOfEveryCodeAndBothVersions) {
  for (int status = 100; status <= 999; ++status) {
    std::string reason(reason_phrase(status));
    if (reason.empty()) {
      const auto known = bhttp::int_to_status(static_cast<unsigned>(status));
      if (known != bhttp::status::unknown) reason = std::string(bhttp::obsolete_reason(known));
    }
    for (int version : {10, 11}) {
      const std::string head = serialize_response_head(Response::empty(status), version, true);
      const std::string expected =
          (version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ") + std::to_string(status) + " " + reason + "\r\n";
      EXPECT_EQ(head.substr(0, expected.size()), expected);
    }
  }
}

TEST(MessageWriterTest, BodyOnlyWhenTheStatusAndMethodAllowIt) {
  EXPECT_TRUE(response_has_body(Response::text(200, "x"), false));
  EXPECT_FALSE(response_has_body(Response::text(200, "x"), true));
  EXPECT_FALSE(response_has_body(Response::empty(204), false));
  EXPECT_FALSE(response_has_body(Response::empty(304), false));
  EXPECT_FALSE(response_has_body(Response::empty(101), false));
}

// What the client sent before it serialized heads itself: the Beast request it built, through
// Beast's serializer (the reference), byte for byte.
std::string beast_request_wire(std::string_view method, std::string_view target, std::string_view host,
                               std::string_view user_agent, const Headers& headers,
                               std::string_view content_type, const std::string& body) {
  bhttp::request<bhttp::string_body> message;
  message.method_string(method);
  message.target(target);
  message.version(11);
  message.set(bhttp::field::host, host);
  message.set(bhttp::field::user_agent, user_agent);
  for (const auto& [name, value] : headers) message.set(name, value);
  if (!content_type.empty()) message.set(bhttp::field::content_type, content_type);
  message.body() = body;
  message.keep_alive(true);
  message.prepare_payload();
  std::ostringstream out;
  out << message;
  return out.str();
}

TEST(MessageWriterTest, RequestsAreTheBytesBeastsSerializerSent) {
  Headers traced;
  traced.add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  traced.add("tracestate", "vendor=1");
  Headers replaced;  // a name set again, in another case, replaces the earlier value
  replaced.add("X-One", "1");
  replaced.add("X-Two", "2");
  replaced.add("x-one", "again");
  replaced.add("user-agent", "custom/1.0");
  replaced.add("Content-Type", "text/plain");
  Headers idempotent;
  idempotent.add("Idempotency-Key", "k-1");
  struct Case {
    const char* method;
    const char* target;
    const Headers* headers;
    const char* content_type;
    std::string body;
  };
  const Headers none;
  const std::vector<Case> cases = {
      {"GET", "/users/1", &traced, "", ""},
      {"GET", "/orders?user_id=1&limit=5", &none, "", ""},
      {"POST", "/orders", &traced, "application/json", R"({"user_id":1,"amount":9.99,"items":[]})"},
      {"POST", "/v1/traces", &idempotent, "application/x-protobuf", std::string("\x0a\x00\x12", 3)},
      {"POST", "/empty", &none, "", ""},
      {"PUT", "/empty", &none, "", ""},
      {"OPTIONS", "/", &none, "", ""},
      {"DELETE", "/users/1", &replaced, "application/json", ""},
      {"PATCH", "/users/1", &replaced, "", "{}"},
      {"HEAD", "/health", &none, "", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << c.method << " " << c.target);
    const std::string ours =
        serialize_request_head(c.method, c.target, "127.0.0.1:8001", "tracing-demo/0.1.0", *c.headers,
                               c.content_type, c.body.size()) + c.body;
    EXPECT_EQ(ours, beast_request_wire(c.method, c.target, "127.0.0.1:8001", "tracing-demo/0.1.0", *c.headers,
                                       c.content_type, c.body));
  }
}

TEST(MessageWriterTest, RequestHeadersThatCouldSplitOrReframeTheRequestAreDropped) {
  Headers headers;
  headers.add("X-Echo", "a\r\nX-Injected: 1");
  headers.add("X-Bad\rName", "v");
  headers.add("Content-Length", "999");
  headers.add("Transfer-Encoding", "chunked");
  headers.add("Connection", "close");
  headers.add("X-Zero", std::string("a\0b", 3));
  headers.add("X-Fine", "yes");
  const std::string head = serialize_request_head("POST", "/orders", "localhost:8002", "", headers, "", 2);
  EXPECT_EQ(head,
            "POST /orders HTTP/1.1\r\n"
            "Host: localhost:8002\r\n"
            "X-Fine: yes\r\n"
            "Content-Length: 2\r\n\r\n");
}

}  // namespace
}  // namespace tdemo::http
