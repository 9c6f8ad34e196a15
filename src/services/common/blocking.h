// Where blocking calls run. Repository calls go to a separate thread pool, sized like the DB
// pool, so that a slow query (the slow-query knob), a full connection pool (the pool-size knob)
// or a network database (PostgreSQL) never stalls an io_context thread that serves other
// requests; the handler's coroutine resumes on its own executor when the call is done.
// With SQLite and neither knob, a call takes microseconds (WAL, synchronous=NORMAL: no fsync
// on commit) and a connection is always free (one per I/O thread): the hand-off to another
// thread and back would cost more than the call, so an inline pool runs it on the caller's
// thread instead.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tdemo::services {

// A fixed set of threads for blocking work. Thread-safe. Joins on destruction (after the
// servers using it have stopped).
class BlockingPool {
 public:
  enum class Mode { kThreads, kInline };
  // kInline: run_blocking() calls the work on the calling thread (no threads are started).
  explicit BlockingPool(std::size_t threads, Mode mode = Mode::kThreads)
      : pool_(mode == Mode::kInline ? nullptr
                                    : std::make_unique<boost::asio::thread_pool>(threads == 0 ? 1 : threads)) {}
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;
  ~BlockingPool() {
    if (pool_) {
      pool_->stop();
      pool_->join();
    }
  }
  // Only for a pool that does not run inline.
  boost::asio::thread_pool::executor_type executor() noexcept { return pool_->get_executor(); }
  bool runs_inline() const noexcept { return pool_ == nullptr; }

 private:
  std::unique_ptr<boost::asio::thread_pool> pool_;  // null: inline
};

// Runs `work()` on `pool` (or inline, see BlockingPool::Mode) and returns its result to the
// calling coroutine (which resumes on its own executor). `work` must not throw on expected
// failures (return them as values).
template <class Work>
boost::asio::awaitable<std::invoke_result_t<Work&>> run_blocking(BlockingPool& pool, Work work) {
  using Value = std::invoke_result_t<Work&>;
  if (pool.runs_inline()) co_return work();
  std::optional<Value> result;
  co_await boost::asio::co_spawn(
      pool.executor(),
      [&]() -> boost::asio::awaitable<void> {
        result.emplace(work());
        co_return;
      },
      boost::asio::use_awaitable);
  co_return std::move(*result);
}

}  // namespace tdemo::services
