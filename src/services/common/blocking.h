// Where blocking calls run. SQLite calls are short, but the slow-query knob and the bounded
// connection pool can make them wait; they must not stall an io_context thread that serves
// other requests. So repository calls run on a separate thread pool, sized like the DB pool,
// and the handler's coroutine resumes on its own executor when the call is done.
#pragma once

#include <cstddef>
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
  explicit BlockingPool(std::size_t threads) : pool_(threads == 0 ? 1 : threads) {}
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;
  ~BlockingPool() {
    pool_.stop();
    pool_.join();
  }
  boost::asio::thread_pool::executor_type executor() noexcept { return pool_.get_executor(); }

 private:
  boost::asio::thread_pool pool_;
};

// Runs `work()` on `pool` and returns its result to the calling coroutine (which resumes on
// its own executor). `work` must not throw on expected failures (return them as values).
template <class Work>
boost::asio::awaitable<std::invoke_result_t<Work&>> run_blocking(BlockingPool& pool, Work work) {
  using Value = std::invoke_result_t<Work&>;
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
