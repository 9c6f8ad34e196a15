#include "storage/wal_checkpointer.h"

#include <sqlite3.h>

#include "telemetry/thread_name.h"

namespace tdemo::storage {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(const DatabaseOptions& options,
                                                                int pages) {
  auto db = Database::open(options);
  if (!db.ok()) return db.error();
  std::unique_ptr<WalCheckpointer> checkpointer(new WalCheckpointer(std::move(db).value(), pages));
  checkpointer->thread_ = std::thread([self = checkpointer.get()] { self->run(); });
  return checkpointer;
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void WalCheckpointer::attach(Database& db) { sqlite3_wal_hook(db.handle(), &WalCheckpointer::on_commit, this); }

void WalCheckpointer::hold_for_testing(bool held) {
  {
    std::lock_guard lock(mutex_);
    held_ = held;
  }
  wake_.notify_one();
}

std::uint64_t WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

// On the committing thread, after each commit: `frames` is the WAL's size in frames.
int WalCheckpointer::on_commit(void* self, sqlite3* db, const char*, int frames) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  if (frames < checkpointer->pages_) return SQLITE_OK;
  if (frames >= kSynchronousFactor * checkpointer->pages_) {
    // The WAL restarts from its start only when a writer begins while every frame is in the
    // database file; under a steady stream of commits a checkpoint on another thread may never
    // end at such a moment. Then the committing connection checkpoints as SQLite's own automatic
    // checkpoint would, right after its commit: the next write restarts the WAL.
    int log = 0, copied = 0;
    (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    return SQLITE_OK;
  }
  {
    std::lock_guard lock(checkpointer->mutex_);
    if (checkpointer->pending_) return SQLITE_OK;
    checkpointer->pending_ = true;
  }
  checkpointer->wake_.notify_one();
  return SQLITE_OK;
}

void WalCheckpointer::run() {
  telemetry::set_current_thread_name("sqlite-ckpt");
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return (pending_ && !held_) || stopping_; });
    if (stopping_) return;
    pending_ = false;
    lock.unlock();
    int log = 0, copied = 0;
    // A failure (a full disk) leaves the WAL as it was: the next commit past the mark asks again,
    // and the commits themselves report the disk's state.
    (void)sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    lock.lock();
    ++checkpoints_;
  }
}

}  // namespace tdemo::storage
