#include "storage/redis/redis_cache.h"

#include <charconv>

namespace tdemo::storage {
namespace {

// Percent-decoding for the user and password parts of a URL.
std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int value = 0;
      auto [end, error] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      if (error == std::errc() && end == text.data() + i + 3) {
        out.push_back(static_cast<char>(value));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

bool parse_number(std::string_view text, std::int64_t& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

constexpr std::string_view kPoolBusy = "no Redis connection free";

Error invalid(const std::string& reason) {
  return Error{ErrorCode::kInvalid,
               "invalid REDIS_URL (" + reason + "); expected redis://[:password@]host[:port][/db]"};
}

}  // namespace

Result<redis::Target> parse_redis_url(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.starts_with("rediss://")) return invalid("TLS (rediss://) is not supported");
  if (!url.starts_with(kScheme)) return invalid("the scheme must be redis://");
  std::string_view rest = url.substr(kScheme.size());
  if (auto query = rest.find('?'); query != std::string_view::npos) rest = rest.substr(0, query);
  redis::Target target;
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = rest.size() > authority.size() ? rest.substr(authority.size() + 1) : "";
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      target.user = percent_decode(userinfo.substr(0, colon));
      target.password = percent_decode(userinfo.substr(colon + 1));
    } else {
      target.password = percent_decode(userinfo);  // redis://secret@host: a password alone
    }
  }
  std::string_view host = authority;
  if (authority.starts_with('[')) {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return invalid("unclosed '[' in the host");
    host = authority.substr(1, close - 1);
    authority = authority.substr(close + 1);
    if (!authority.empty() && authority.front() != ':') return invalid("bad host");
    if (!authority.empty() && !parse_number(authority.substr(1), target.port)) {
      return invalid("bad port");
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    if (!parse_number(authority.substr(colon + 1), target.port)) return invalid("bad port");
  }
  if (target.port <= 0 || target.port > 65535) return invalid("port out of range");
  if (!host.empty()) target.host = std::string(host);
  if (!path.empty() && !parse_number(path, target.database)) return invalid("bad database index");
  if (target.database < 0) return invalid("bad database index");
  return target;
}

Result<std::unique_ptr<RedisCache>> RedisCache::create(RedisCacheOptions options) {
  auto target = parse_redis_url(options.url);
  if (!target.ok()) return target.error();
  redis::ConnectOptions connect;
  connect.target = std::move(target).value();
  connect.connect_timeout = options.connect_timeout;
  connect.command_timeout = options.command_timeout;
  if (options.pool_size == 0) options.pool_size = 1;
  std::unique_ptr<RedisCache> cache(new RedisCache(std::move(options), std::move(connect)));
  // Warm one connection; when Redis is down, the breaker opens and the service starts anyway.
  if (auto connection = cache->acquire(); connection.ok()) {
    cache->breaker_.record_success();
    cache->release(std::move(connection).value());
  } else {
    cache->breaker_.record_failure();
  }
  return cache;
}

RedisCache::RedisCache(RedisCacheOptions options, redis::ConnectOptions connect)
    : options_(std::move(options)), connect_(std::move(connect)), breaker_(options_.breaker) {}

std::string RedisCache::key(std::string_view key) const {
  std::string full;
  full.reserve(options_.key_prefix.size() + key.size());
  full.append(options_.key_prefix).append(key);
  return full;
}

Result<std::unique_ptr<redis::Connection>> RedisCache::acquire() {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + options_.command_timeout;
  for (;;) {
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    if (opened_ < options_.pool_size) {
      ++opened_;
      lock.unlock();
      ++connects_;
      auto connection = redis::Connection::open(connect_);
      if (!connection.ok()) {
        lock.lock();
        --opened_;
        available_.notify_one();
      }
      return connection;
    }
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        opened_ >= options_.pool_size) {
      return Error{ErrorCode::kBusy, std::string(kPoolBusy) + " within " +
                                         std::to_string(options_.command_timeout.count()) + " ms"};
    }
  }
}

void RedisCache::release(std::unique_ptr<redis::Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

void RedisCache::drop_idle_and(std::unique_ptr<redis::Connection> broken) {
  // When one connection broke, the idle ones most likely did too (Redis restarted): drop them
  // all, so the next probe opens a fresh connection instead of finding another dead one.
  std::vector<std::unique_ptr<redis::Connection>> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(idle_);
    opened_ -= dropped.size() + 1;  // + the broken one
  }
  available_.notify_all();
  broken.reset();
}

Result<redis::Reply> RedisCache::run(const std::vector<std::string_view>& arguments) {
  if (!breaker_.allow()) {
    ++short_circuited_;
    return Error{ErrorCode::kBusy, "Redis unavailable (circuit open; next try in " +
                                       std::to_string(breaker_.retry_in().count()) + " ms)"};
  }
  auto connection = acquire();
  if (!connection.ok()) {
    ++errors_;
    if (connection.error().message.starts_with(kPoolBusy)) {
      breaker_.record_success();  // the pool was merely busy: Redis itself is fine
    } else {
      breaker_.record_failure();
    }
    return connection.error();
  }
  auto reply = connection.value()->command(arguments);
  if (!reply.ok() && reply.error().code == ErrorCode::kBusy) {
    // An I/O error or timeout: the connection is unusable; drop it and open the circuit.
    ++errors_;
    drop_idle_and(std::move(connection).value());
    breaker_.record_failure();
    return reply.error();
  }
  release(std::move(connection).value());
  breaker_.record_success();  // Redis answered (an error reply is still an answer)
  if (!reply.ok()) ++errors_;
  return reply;
}

Result<std::optional<std::string>> RedisCache::lookup(std::string_view k) {
  const std::string full = key(k);
  auto reply = run({"GET", full});
  if (!reply.ok()) return reply.error();
  ++(reply->value ? hits_ : misses_);
  return std::move(reply->value);
}

Status RedisCache::store(std::string_view k, std::string value, std::chrono::milliseconds ttl) {
  const std::string full = key(k);
  const std::string ttl_ms =
      std::to_string(ttl.count() > 0 ? ttl.count() : options_.default_ttl.count());
  auto reply = run({"SET", full, value, "PX", ttl_ms});
  if (!reply.ok()) return reply.error();
  return ok_status();
}

Status RedisCache::remove(std::string_view k) {
  const std::string full = key(k);
  auto reply = run({"DEL", full});
  if (!reply.ok()) return reply.error();
  return ok_status();
}

std::optional<std::string> RedisCache::get(std::string_view key) {
  auto value = lookup(key);
  return value.ok() ? std::move(value).value() : std::nullopt;
}

void RedisCache::set(std::string_view key, std::string value, std::chrono::milliseconds ttl) {
  (void)store(key, std::move(value), ttl);
}

void RedisCache::erase(std::string_view key) { (void)remove(key); }

telemetry::Attributes RedisCache::span_attributes(std::string_view operation) const {
  const char* command = operation == "get" ? "GET" : operation == "set" ? "SET" : "DEL";
  return {{"db.operation.name", telemetry::attribute(command)},
          {"db.namespace", telemetry::attribute(std::to_string(connect_.target.database))},
          {"server.address", telemetry::attribute(connect_.target.host)},
          {"server.port", telemetry::attribute(connect_.target.port)}};
}

RedisCacheStats RedisCache::stats() const {
  return RedisCacheStats{hits_.load(), misses_.load(), errors_.load(), short_circuited_.load(),
                         connects_.load()};
}

}  // namespace tdemo::storage
