#include "storage/connection_pool.h"

namespace tdemo::storage {

ConnectionPool::Lease::~Lease() {
  if (db_) pool_->release(std::move(db_));
}

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::create(
    PoolOptions options, const std::function<Status(Database&)>& init) {
  const bool memory = options.database.path == ":memory:";
  if (memory || options.size == 0) options.size = 1;  // each :memory: connection is its own DB
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(std::move(options)));
  auto first = Database::open(pool->options_.database);
  if (!first.ok()) return first.error();
  if (init) {
    if (auto s = init(*first.value()); !s.ok()) return s.error();
  }
  if (pool->options_.database.wal_file() && pool->options_.checkpoint_pages > 0) {
    auto checkpointer = WalCheckpointer::start(pool->options_.database, pool->options_.checkpoint_pages);
    if (!checkpointer.ok()) return checkpointer.error();
    pool->checkpointer_ = std::move(checkpointer).value();
    pool->checkpointer_->attach(*first.value());
  }
  pool->name_ = first.value()->name();
  pool->idle_.push_back(std::move(first).value());
  pool->opened_ = 1;
  return pool;
}

Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  bool waited = false;
  for (;;) {
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      ++in_use_;
      return Lease(this, std::move(db), std::chrono::steady_clock::now() - start);
    }
    if (opened_ < options_.size) {
      ++opened_;
      ++in_use_;
      lock.unlock();
      auto db = Database::open(options_.database);
      if (!db.ok()) {
        lock.lock();
        --opened_;
        --in_use_;
        return db.error();
      }
      if (checkpointer_) checkpointer_->attach(*db.value());
      return Lease(this, std::move(db).value(), std::chrono::steady_clock::now() - start);
    }
    if (!waited) {
      waited = true;
      ++waits_;
    }
    if (available_.wait_until(lock, start + options_.acquire_timeout) == std::cv_status::timeout &&
        idle_.empty()) {
      ++timeouts_;
      return Error{ErrorCode::kBusy, "no database connection free within " +
                                         std::to_string(options_.acquire_timeout.count()) + " ms"};
    }
  }
}

void ConnectionPool::release(std::unique_ptr<Database> db) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(db));
    --in_use_;
  }
  available_.notify_one();
}

std::uint64_t ConnectionPool::checkpoints() const {
  return checkpointer_ ? checkpointer_->checkpoints() : 0;
}

PoolStats ConnectionPool::stats() const {
  std::lock_guard lock(mutex_);
  return PoolStats{options_.size, in_use_, waits_, timeouts_};
}

}  // namespace tdemo::storage
