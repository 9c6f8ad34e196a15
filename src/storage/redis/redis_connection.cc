#include "storage/redis/redis_connection.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

namespace tdemo::storage::redis {
namespace {

timeval to_timeval(std::chrono::milliseconds duration) {
  const auto ms = std::max<std::int64_t>(1, duration.count());
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

// hiredis writes with write(2), so a peer that went away raises SIGPIPE, whose default action
// kills the process. Block it in this thread for one command, and discard one raised meanwhile
// (libpq does the same around its sends).
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigpipe_, &previous_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec no_wait{0, 0};
        sigtimedwait(&sigpipe_, nullptr, &no_wait);
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }

 private:
  sigset_t sigpipe_;
  sigset_t previous_;
  bool was_pending_ = false;
};

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

}  // namespace

Result<std::unique_ptr<Connection>> Connection::open(const ConnectOptions& options) {
  const Target& target = options.target;
  redisContext* raw = redisConnectWithTimeout(target.host.c_str(), static_cast<int>(target.port),
                                              to_timeval(options.connect_timeout));
  std::unique_ptr<Connection> connection(new Connection(raw));
  if (!raw) return Error{ErrorCode::kInternal, "Redis: out of memory"};
  const std::string where = target.host + ":" + std::to_string(target.port);
  if (raw->err) {
    return Error{ErrorCode::kBusy, "Redis connect to " + where + " failed: " + raw->errstr};
  }
  if (redisSetTimeout(raw, to_timeval(options.command_timeout)) != REDIS_OK) {
    return Error{ErrorCode::kInternal, "Redis: cannot set the command timeout"};
  }
  if (!target.password.empty()) {
    auto auth = target.user.empty()
                    ? connection->command({"AUTH", target.password})
                    : connection->command({"AUTH", target.user, target.password});
    if (!auth.ok()) return Error{ErrorCode::kBusy, "Redis AUTH failed: " + auth.error().message};
  }
  if (target.database != 0) {
    const std::string database = std::to_string(target.database);
    auto select = connection->command({"SELECT", database});
    if (!select.ok()) return Error{ErrorCode::kBusy, "Redis SELECT failed: " + select.error().message};
  }
  return connection;
}

Connection::~Connection() {
  if (context_) redisFree(context_);
}

Result<Reply> Connection::command(const std::vector<std::string_view>& arguments) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(arguments.size());
  lengths.reserve(arguments.size());
  for (auto argument : arguments) {
    argv.push_back(argument.data());
    lengths.push_back(argument.size());
  }
  const SigpipeGuard no_sigpipe;
  std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (!reply) {
    // I/O error, timeout or protocol error: the context is now unusable.
    return Error{ErrorCode::kBusy, std::string("Redis ") + std::string(arguments.front()) +
                                       " failed: " + (context_->errstr[0] ? context_->errstr : "no reply")};
  }
  Reply result;
  switch (reply->type) {
    case REDIS_REPLY_STRING:
      result.value = std::string(reply->str, reply->len);
      break;
    case REDIS_REPLY_STATUS:
      result.value = std::string(reply->str, reply->len);
      break;
    case REDIS_REPLY_INTEGER:
      result.integer = reply->integer;
      break;
    case REDIS_REPLY_NIL:
      break;
    case REDIS_REPLY_ERROR:
      return Error{ErrorCode::kInternal, std::string(reply->str, reply->len)};
    default:
      return Error{ErrorCode::kInternal, "unexpected Redis reply type"};
  }
  return result;
}

}  // namespace tdemo::storage::redis
