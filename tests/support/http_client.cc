#include "support/http_client.h"

#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace tdemo::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

bool iequal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

struct Url {
  std::string host, port, target;
};

std::optional<Url> split_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return std::nullopt;
  std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Url u;
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  u.host = authority.substr(0, colon);
  u.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  return u;
}

}  // namespace

std::optional<std::string> HttpResponse::header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (iequal(k, name)) return v;
  }
  return std::nullopt;
}

HttpResponse http_request(const std::string& method, const std::string& url,
                          const std::string& body, const HeaderList& headers,
                          std::chrono::milliseconds timeout) {
  HttpResponse out;
  auto parsed = split_url(url);
  if (!parsed) {
    out.error = "bad url: " + url;
    return out;
  }
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> request;
  request.method_string(method);
  request.target(parsed->target);
  request.version(11);
  request.set(bhttp::field::host, parsed->host + ":" + parsed->port);
  request.set(bhttp::field::connection, "close");
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    request.insert(k, v);
    has_type = has_type || iequal(k, "content-type");
  }
  (void)has_type;
  request.body() = body;
  request.prepare_payload();
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64u << 20);
  parser.header_limit(1u << 20);
  if (method == "HEAD") parser.skip(true);

  tcp::resolver resolver(io);
  stream.expires_after(timeout);  // bounds the whole exchange
  resolver.async_resolve(parsed->host, parsed->port, [&](auto ec, auto endpoints) {
    if (ec) { out.error = "resolve: " + ec.message(); return; }
    stream.async_connect(endpoints, [&](auto cec, auto) {
      if (cec) { out.error = "connect: " + cec.message(); return; }
      bhttp::async_write(stream, request, [&](auto wec, std::size_t) {
        if (wec) { out.error = "write: " + wec.message(); return; }
        bhttp::async_read(stream, buffer, parser, [&](auto rec, std::size_t) {
          if (rec) { out.error = "read: " + rec.message(); return; }
          auto& m = parser.get();
          out.status = static_cast<int>(m.result_int());
          for (const auto& f : m) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
          out.body = std::move(m.body());
        });
      });
    });
  });
  // The resolver has no timeout of its own: run with a hard limit, then cancel everything.
  io.run_for(timeout + std::chrono::milliseconds(500));
  if (!io.stopped()) {
    resolver.cancel();
    stream.close();
    io.run_for(std::chrono::seconds(1));
    if (out.error.empty() && out.status == 0) out.error = "timeout";
  }
  return out;
}

HttpResponse http_get(const std::string& url, const HeaderList& headers,
                      std::chrono::milliseconds timeout) {
  return http_request("GET", url, {}, headers, timeout);
}

HttpResponse http_post(const std::string& url, const std::string& body, const HeaderList& headers,
                       std::chrono::milliseconds timeout) {
  HeaderList all = headers;
  bool has_type = false;
  for (const auto& [k, v] : headers) has_type = has_type || iequal(k, "content-type");
  if (!has_type) all.emplace_back("Content-Type", "application/json");
  return http_request("POST", url, body, all, timeout);
}

bool wait_for_http(const std::string& url, std::chrono::milliseconds timeout, bool accept_5xx) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = http_get(url, {}, std::chrono::milliseconds(1000));
    if (r.ok() && (accept_5xx || r.status < 500)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string raw_exchange(const std::string& host, unsigned short port, const std::string& bytes,
                         std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::socket socket(io);
  std::string received;
  std::array<char, 4096> chunk;
  boost::system::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address(host, ec), port), ec);
  if (ec) return {};
  std::function<void()> read_more = [&] {
    socket.async_read_some(asio::buffer(chunk), [&](auto rec, std::size_t n) {
      received.append(chunk.data(), n);
      if (!rec) read_more();
    });
  };
  asio::async_write(socket, asio::buffer(bytes), [&](auto wec, std::size_t) {
    if (!wec) read_more();
    else read_more();  // the server may have answered and closed before reading everything
  });
  io.run_for(timeout);
  if (!io.stopped()) {
    socket.close(ec);
    io.run_for(std::chrono::milliseconds(500));
  }
  return received;
}

}  // namespace tdemo::test
