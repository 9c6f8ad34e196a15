#include "storage/postgres/pg_pool.h"

namespace tdemo::storage::pg {

Pool::Lease::~Lease() {
  if (connection_) pool_->release(std::move(connection_));
}

Result<std::unique_ptr<Pool>> Pool::create(PoolOptions options,
                                          const std::function<Status(Connection&)>& init) {
  if (options.size == 0) options.size = 1;
  std::unique_ptr<Pool> pool(new Pool(std::move(options)));
  auto first = Connection::open(pool->options_.connect);
  if (!first.ok()) return first.error();
  if (init) {
    if (auto status = init(*first.value()); !status.ok()) return status.error();
  }
  pool->idle_.push_back(std::move(first).value());
  pool->opened_ = 1;
  return pool;
}

Result<Pool::Lease> Pool::acquire() {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  bool waited = false;
  for (;;) {
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      ++in_use_;
      return Lease(this, std::move(connection), std::chrono::steady_clock::now() - start);
    }
    if (opened_ < options_.size) {
      ++opened_;
      ++in_use_;
      lock.unlock();  // connecting takes a round trip or a timeout: not under the lock
      auto connection = Connection::open(options_.connect);
      if (!connection.ok()) {
        lock.lock();
        --opened_;
        --in_use_;
        available_.notify_one();
        return connection.error();
      }
      return Lease(this, std::move(connection).value(), std::chrono::steady_clock::now() - start);
    }
    if (!waited) {
      waited = true;
      ++waits_;
    }
    if (available_.wait_until(lock, start + options_.acquire_timeout) == std::cv_status::timeout &&
        idle_.empty() && opened_ >= options_.size) {
      ++timeouts_;
      return Error{ErrorCode::kBusy, "no PostgreSQL connection free within " +
                                         std::to_string(options_.acquire_timeout.count()) + " ms"};
    }
  }
}

void Pool::release(std::unique_ptr<Connection> connection) {
  // A broken connection, or one left inside a transaction, is not reused.
  const bool reusable = !connection->broken() && !connection->in_transaction();
  if (!reusable) connection.reset();  // closes it outside the lock
  {
    std::lock_guard lock(mutex_);
    --in_use_;
    if (reusable) {
      idle_.push_back(std::move(connection));
    } else {
      --opened_;
      ++discarded_;
    }
  }
  available_.notify_one();
}

PoolStats Pool::stats() const {
  std::lock_guard lock(mutex_);
  return PoolStats{options_.size, opened_, in_use_, waits_, timeouts_, discarded_};
}

}  // namespace tdemo::storage::pg
