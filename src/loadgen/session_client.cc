#include "loadgen/session_client.h"

#include "loadgen/http_wire.h"

namespace tdemo::loadgen {
namespace asio = boost::asio;
using asio::ip::tcp;

Result<std::vector<tcp::endpoint>> resolve_target(const Target& target) {
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto results = resolver.resolve(target.host, std::to_string(target.port), ec);
  if (ec || results.empty()) return Error{"cannot resolve " + target.host + ": " + ec.message()};
  std::vector<tcp::endpoint> out;
  for (const auto& r : results) out.push_back(r.endpoint());
  return out;
}

SessionClient::SessionClient(asio::io_context& io, const std::vector<tcp::endpoint>& endpoints,
                             const Target& target, RequestTracer& tracer, std::chrono::nanoseconds timeout)
    : target_(&target),
      tracer_(&tracer),
      timeout_(timeout),
      connection_(io, endpoints, ResponseLimits{}, /*keep_body=*/true) {}

asio::awaitable<Reply> SessionClient::send(std::string_view method, std::string_view path, std::string_view body,
                                           std::string_view route,
                                           const std::vector<std::pair<std::string, std::string>>& headers) {
  auto request = RequestBytes::build(method, path, target_->host_header, body, true, headers);
  Reply reply;
  reply.trace_id.assign(32, '0');
  auto span = tracer_->begin(method, target_->url + std::string(path), route, request.traceparent_slot(),
                             reply.trace_id.data());
  const auto start = HttpConnection::Clock::now();
  const auto outcome = co_await connection_.exchange(request.bytes(), start + timeout_);
  reply.latency_ns = static_cast<std::uint64_t>((HttpConnection::Clock::now() - start).count());
  reply.status = outcome.status;
  reply.cause = outcome.cause;
  if (outcome.cause == FailureCause::kNone) reply.body = connection_.response().body();
  if (span) span->end(outcome.status, outcome.cause);
  co_return reply;
}

}  // namespace tdemo::loadgen
