#include "storage/sqlite_vfs.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <new>
#include <string>

#include <sqlite3.h>

namespace tdemo::storage {
namespace {

constexpr const char* kName = "tdemo-unix-excl";
constexpr const char* kBase = "unix-excl";
// The WAL file format (https://www.sqlite.org/fileformat2.html#walformat): a 32-byte header
// (the page size at bytes 8-11, big-endian; 1 means 65536), then frames of a 24-byte header
// (bytes 4-7: the database's size in pages after the commit for a commit frame, else 0) and a
// page.
constexpr sqlite3_int64 kWalHeaderSize = 32;
constexpr sqlite3_int64 kFrameHeaderSize = 24;
constexpr std::size_t kMaxKept = 256 * 1024;
constexpr std::size_t kKeptCapacity = 16 * 1024;  // a few commits' frames (a flow's are ~1-3 KiB)
// The unix VFS writes at most 128 KiB - 1 per call (os_unix.c's seekAndWriteFd masks the size
// with 0x1ffff; more comes back as a short write: SQLITE_FULL).
constexpr std::size_t kMaxWrite = 64 * 1024;

std::atomic<std::uint64_t> g_received{0};
std::atomic<std::uint64_t> g_written{0};

sqlite3_vfs* base_vfs() noexcept { return sqlite3_vfs_find(kBase); }

std::uint32_t big_endian_32(const unsigned char* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

sqlite3_int64 page_size_of(const unsigned char* wal_header) noexcept {
  const std::uint32_t size = big_endian_32(wal_header + 8);
  return size == 1 ? 65536 : size;
}

struct WalFile;

// A database file: the base VFS's file follows this struct in the memory SQLite gives xOpen.
struct DbFile {
  sqlite3_file base;   // pMethods: kDbMethods
  sqlite3_file* file;  // the base VFS's file
  WalFile* wal;        // its connection's WAL file while open
  bool writing;        // the connection holds the WAL's write lock
};

// A WAL file: the base VFS's file follows this struct in the memory SQLite gives xOpen.
struct WalFile {
  sqlite3_file base;         // pMethods: kWalMethods
  sqlite3_file* file;        // the base VFS's file
  DbFile* db;                // its database file (this VFS's), or nullptr
  std::string* kept;         // the writes not yet made, from kept_offset on
  sqlite3_int64 kept_offset;
  sqlite3_int64 commit_end;  // where the commit frame within `kept` ends, or -1
  sqlite3_int64 page_size;   // from the WAL header; 0 until known
  std::uint64_t received;    // writes gathered into `kept`, counted when it is written
};

constexpr std::size_t kWrapperSize = sizeof(DbFile) > sizeof(WalFile) ? sizeof(DbFile) : sizeof(WalFile);

WalFile* wal(sqlite3_file* f) noexcept { return reinterpret_cast<WalFile*>(f); }

int write_kept(WalFile* w) noexcept {
  if (w->kept->empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < w->kept->size() && rc == SQLITE_OK;) {
    const std::size_t part = std::min(kMaxWrite, w->kept->size() - done);
    rc = w->file->pMethods->xWrite(w->file, w->kept->data() + done, static_cast<int>(part),
                                   w->kept_offset + static_cast<sqlite3_int64>(done));
    done += part;
    g_written.fetch_add(1, std::memory_order_relaxed);
  }
  w->kept->clear();
  if (w->kept->capacity() > kKeptCapacity) {  // after a large transaction: back to the usual size
    std::string().swap(*w->kept);
    w->kept->reserve(kKeptCapacity);
  }
  w->commit_end = -1;
  g_received.fetch_add(w->received, std::memory_order_relaxed);
  w->received = 0;
  return rc;
}

// The page size from the file's WAL header (after writing what is kept); 0 if it has none.
sqlite3_int64 read_page_size(WalFile* w) noexcept {
  unsigned char header[kWalHeaderSize];
  if (write_kept(w) != SQLITE_OK) return 0;
  if (w->file->pMethods->xRead(w->file, header, sizeof header, 0) != SQLITE_OK) return 0;
  return page_size_of(header);
}

// Notes in commit_end a commit frame whose header is in [data, data + n) at `offset`. False when
// a frame header's commit field is not whole in the write (then it is made at once).
bool note_commit_frames(WalFile* w, const unsigned char* data, sqlite3_int64 n, sqlite3_int64 offset) {
  const sqlite3_int64 frame = kFrameHeaderSize + w->page_size;
  sqlite3_int64 start = offset <= kWalHeaderSize
                            ? kWalHeaderSize
                            : kWalHeaderSize + ((offset - kWalHeaderSize + frame - 1) / frame) * frame;
  if (const sqlite3_int64 before = start - frame; before >= kWalHeaderSize && before + 8 > offset) {
    return false;  // the frame before began in an earlier write and its commit field is here
  }
  for (; start < offset + n; start += frame) {
    if (start + 8 > offset + n) return false;
    if (big_endian_32(data + (start - offset) + 4) != 0) w->commit_end = start + frame;
  }
  return true;
}

int wal_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* w = wal(f);
  const auto* bytes = static_cast<const unsigned char*>(data);
  if (!w->kept->empty() && offset != w->kept_offset + static_cast<sqlite3_int64>(w->kept->size())) {
    if (const int rc = write_kept(w); rc != SQLITE_OK) return rc;
  }
  if (offset == 0 && amount >= kWalHeaderSize) {
    w->page_size = page_size_of(bytes);
  } else if (w->page_size == 0 && offset >= kWalHeaderSize) {
    w->page_size = read_page_size(w);
  }
  // Kept only while the connection holds the write lock (see sqlite_vfs.h), and only when the
  // commit frame can be told apart: otherwise written at once.
  const bool keep = w->db != nullptr && w->db->writing && w->page_size >= 512 &&
                    w->page_size <= 65536 &&
                    (offset + amount <= kWalHeaderSize || note_commit_frames(w, bytes, amount, offset));
  if (!keep) {
    if (const int rc = write_kept(w); rc != SQLITE_OK) return rc;
    g_received.fetch_add(1, std::memory_order_relaxed);
    g_written.fetch_add(1, std::memory_order_relaxed);
    return w->file->pMethods->xWrite(w->file, data, amount, offset);
  }
  if (w->kept->empty()) w->kept_offset = offset;
  w->kept->append(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(amount));
  ++w->received;
  // The commit frame is complete: written now, before SQLite publishes the commit, and its
  // error (a full disk) fails the commit.
  const sqlite3_int64 end = w->kept_offset + static_cast<sqlite3_int64>(w->kept->size());
  if ((w->commit_end >= 0 && end >= w->commit_end) || w->kept->size() >= kMaxKept) {
    return write_kept(w);
  }
  return SQLITE_OK;
}

int wal_close(sqlite3_file* f) {
  WalFile* w = wal(f);
  const int written = write_kept(w);
  if (w->db != nullptr) w->db->wal = nullptr;
  const int closed = w->file->pMethods->xClose(w->file);
  delete w->kept;
  w->kept = nullptr;
  return written != SQLITE_OK ? written : closed;
}

int wal_read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
  WalFile* w = wal(f);
  if (const int rc = write_kept(w); rc != SQLITE_OK) return rc;
  return w->file->pMethods->xRead(w->file, data, amount, offset);
}

int wal_truncate(sqlite3_file* f, sqlite3_int64 size) {
  WalFile* w = wal(f);
  if (const int rc = write_kept(w); rc != SQLITE_OK) return rc;
  return w->file->pMethods->xTruncate(w->file, size);
}

int wal_sync(sqlite3_file* f, int flags) {
  WalFile* w = wal(f);
  if (const int rc = write_kept(w); rc != SQLITE_OK) return rc;
  return w->file->pMethods->xSync(w->file, flags);
}

int wal_file_size(sqlite3_file* f, sqlite3_int64* size) {
  WalFile* w = wal(f);
  if (const int rc = write_kept(w); rc != SQLITE_OK) return rc;
  return w->file->pMethods->xFileSize(w->file, size);
}

int wal_lock(sqlite3_file* f, int level) { return wal(f)->file->pMethods->xLock(wal(f)->file, level); }
int wal_unlock(sqlite3_file* f, int level) {
  return wal(f)->file->pMethods->xUnlock(wal(f)->file, level);
}
int wal_check_reserved_lock(sqlite3_file* f, int* out) {
  return wal(f)->file->pMethods->xCheckReservedLock(wal(f)->file, out);
}
int wal_file_control(sqlite3_file* f, int op, void* arg) {
  WalFile* w = wal(f);
  if (const int rc = write_kept(w); rc != SQLITE_OK) return rc;
  return w->file->pMethods->xFileControl(w->file, op, arg);
}
int wal_sector_size(sqlite3_file* f) { return wal(f)->file->pMethods->xSectorSize(wal(f)->file); }
int wal_device_characteristics(sqlite3_file* f) {
  return wal(f)->file->pMethods->xDeviceCharacteristics(wal(f)->file);
}

// Version 1: SQLite uses the shared-memory and memory-map methods on database files only.
const sqlite3_io_methods kWalMethods = {
    1,           wal_close,       wal_read,
    wal_write,   wal_truncate,    wal_sync,
    wal_file_size, wal_lock,      wal_unlock,
    wal_check_reserved_lock, wal_file_control, wal_sector_size,
    wal_device_characteristics,
    nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};

DbFile* db(sqlite3_file* f) noexcept { return reinterpret_cast<DbFile*>(f); }
sqlite3_file* inner(sqlite3_file* f) noexcept { return db(f)->file; }

int db_close(sqlite3_file* f) {
  if (DbFile* d = db(f); d->wal != nullptr) d->wal->db = nullptr;  // SQLite closes the WAL first
  return inner(f)->pMethods->xClose(inner(f));
}
int db_read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
  return inner(f)->pMethods->xRead(inner(f), data, amount, offset);
}
int db_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  return inner(f)->pMethods->xWrite(inner(f), data, amount, offset);
}
int db_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return inner(f)->pMethods->xTruncate(inner(f), size);
}
int db_sync(sqlite3_file* f, int flags) { return inner(f)->pMethods->xSync(inner(f), flags); }
int db_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return inner(f)->pMethods->xFileSize(inner(f), size);
}
int db_lock(sqlite3_file* f, int level) { return inner(f)->pMethods->xLock(inner(f), level); }
int db_unlock(sqlite3_file* f, int level) { return inner(f)->pMethods->xUnlock(inner(f), level); }
int db_check_reserved_lock(sqlite3_file* f, int* out) {
  return inner(f)->pMethods->xCheckReservedLock(inner(f), out);
}
int db_file_control(sqlite3_file* f, int op, void* arg) {
  return inner(f)->pMethods->xFileControl(inner(f), op, arg);
}
int db_sector_size(sqlite3_file* f) { return inner(f)->pMethods->xSectorSize(inner(f)); }
int db_device_characteristics(sqlite3_file* f) {
  return inner(f)->pMethods->xDeviceCharacteristics(inner(f));
}
int db_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return inner(f)->pMethods->xShmMap(inner(f), region, size, extend, out);
}
// The WAL's write lock is lock 0 (WAL_WRITE_LOCK in SQLite's wal.c): taken exclusively for a
// write transaction (and a RESTART or TRUNCATE checkpoint), released at its end. What is still
// kept then (a rolled-back transaction's spilled frames: a commit's went at its commit frame) is
// written before the lock goes, as SQLite would have written it, so that no connection keeps
// writes of the WAL while another one writes it.
int db_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  DbFile* d = db(f);
  const bool write_lock = offset == 0 && (flags & SQLITE_SHM_EXCLUSIVE) != 0;
  if (write_lock && (flags & SQLITE_SHM_UNLOCK) != 0) {
    const int written = d->wal != nullptr ? write_kept(d->wal) : SQLITE_OK;
    d->writing = false;
    const int rc = inner(f)->pMethods->xShmLock(inner(f), offset, n, flags);
    return written != SQLITE_OK ? written : rc;
  }
  const int rc = inner(f)->pMethods->xShmLock(inner(f), offset, n, flags);
  if (write_lock && rc == SQLITE_OK) d->writing = true;
  return rc;
}
void db_shm_barrier(sqlite3_file* f) { inner(f)->pMethods->xShmBarrier(inner(f)); }
int db_shm_unmap(sqlite3_file* f, int delete_flag) {
  return inner(f)->pMethods->xShmUnmap(inner(f), delete_flag);
}
int db_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return inner(f)->pMethods->xFetch(inner(f), offset, amount, out);
}
int db_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return inner(f)->pMethods->xUnfetch(inner(f), offset, page);
}

const sqlite3_io_methods kDbMethods = {
    3,           db_close,        db_read,
    db_write,    db_truncate,     db_sync,
    db_file_size, db_lock,        db_unlock,
    db_check_reserved_lock, db_file_control, db_sector_size,
    db_device_characteristics,
    db_shm_map,  db_shm_lock,     db_shm_barrier,
    db_shm_unmap, db_fetch,       db_unfetch};

// Opens the base VFS's file behind this VFS's struct of `wrapper` bytes.
int open_inner(sqlite3_vfs* base, sqlite3_filename name, sqlite3_file* f, int flags,
               int* out_flags, sqlite3_file** file) {
  f->pMethods = nullptr;
  *file = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kWrapperSize);
  (*file)->pMethods = nullptr;
  const int rc = base->xOpen(base, name, *file, flags, out_flags);
  if (rc != SQLITE_OK && (*file)->pMethods != nullptr) (*file)->pMethods->xClose(*file);
  return rc;
}

int vfs_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  sqlite3_vfs* base = static_cast<sqlite3_vfs*>(vfs->pAppData);
  if ((flags & SQLITE_OPEN_MAIN_DB) != 0) {
    DbFile* d = db(f);
    if (const int rc = open_inner(base, name, f, flags, out_flags, &d->file); rc != SQLITE_OK) {
      return rc;
    }
    // A base file without shared memory methods (not expected of unix-excl): the wrapper
    // forwards version 3 methods, so it steps aside.
    if (d->file->pMethods->iVersion < 3) {
      d->file->pMethods->xClose(d->file);
      return base->xOpen(base, name, f, flags, out_flags);
    }
    d->wal = nullptr;
    d->writing = false;
    d->base.pMethods = &kDbMethods;
    return SQLITE_OK;
  }
  if ((flags & SQLITE_OPEN_WAL) == 0) return base->xOpen(base, name, f, flags, out_flags);
  WalFile* w = wal(f);
  if (const int rc = open_inner(base, name, f, flags, out_flags, &w->file); rc != SQLITE_OK) {
    return rc;
  }
  sqlite3_file* database = sqlite3_database_file_object(name);
  w->db = database != nullptr && database->pMethods == &kDbMethods ? db(database) : nullptr;
  if (w->db != nullptr) w->db->wal = w;
  w->kept = new (std::nothrow) std::string();
  if (w->kept == nullptr) {
    w->file->pMethods->xClose(w->file);
    return SQLITE_NOMEM;
  }
  w->kept->reserve(kKeptCapacity);
  w->kept_offset = 0;
  w->commit_end = -1;
  w->page_size = 0;
  w->received = 0;
  w->base.pMethods = &kWalMethods;
  return SQLITE_OK;
}

sqlite3_vfs* base_of(sqlite3_vfs* vfs) noexcept { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

int vfs_delete(sqlite3_vfs* v, const char* name, int sync_dir) {
  return base_of(v)->xDelete(base_of(v), name, sync_dir);
}
int vfs_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return base_of(v)->xAccess(base_of(v), name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return base_of(v)->xFullPathname(base_of(v), name, n, out);
}
void* vfs_dl_open(sqlite3_vfs* v, const char* name) { return base_of(v)->xDlOpen(base_of(v), name); }
void vfs_dl_error(sqlite3_vfs* v, int n, char* out) { base_of(v)->xDlError(base_of(v), n, out); }
void (*vfs_dl_sym(sqlite3_vfs* v, void* handle, const char* symbol))(void) {
  return base_of(v)->xDlSym(base_of(v), handle, symbol);
}
void vfs_dl_close(sqlite3_vfs* v, void* handle) { base_of(v)->xDlClose(base_of(v), handle); }
int vfs_randomness(sqlite3_vfs* v, int n, char* out) {
  return base_of(v)->xRandomness(base_of(v), n, out);
}
int vfs_sleep(sqlite3_vfs* v, int micros) { return base_of(v)->xSleep(base_of(v), micros); }
int vfs_current_time(sqlite3_vfs* v, double* out) { return base_of(v)->xCurrentTime(base_of(v), out); }
int vfs_get_last_error(sqlite3_vfs* v, int n, char* out) {
  return base_of(v)->xGetLastError(base_of(v), n, out);
}
int vfs_current_time_int64(sqlite3_vfs* v, sqlite3_int64* out) {
  return base_of(v)->xCurrentTimeInt64(base_of(v), out);
}

sqlite3_vfs* register_vfs() {
  sqlite3_vfs* base = base_vfs();
  if (base == nullptr) return nullptr;
  static sqlite3_vfs vfs{};
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(kWrapperSize) + base->szOsFile;
  vfs.mxPathname = base->mxPathname;
  vfs.zName = kName;
  vfs.pAppData = base;
  vfs.xOpen = vfs_open;
  vfs.xDelete = vfs_delete;
  vfs.xAccess = vfs_access;
  vfs.xFullPathname = vfs_full_pathname;
  vfs.xDlOpen = vfs_dl_open;
  vfs.xDlError = vfs_dl_error;
  vfs.xDlSym = vfs_dl_sym;
  vfs.xDlClose = vfs_dl_close;
  vfs.xRandomness = vfs_randomness;
  vfs.xSleep = vfs_sleep;
  vfs.xCurrentTime = vfs_current_time;
  vfs.xGetLastError = vfs_get_last_error;
  vfs.xCurrentTimeInt64 = vfs_current_time_int64;
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
  return &vfs;
}

}  // namespace

const char* sqlite_vfs_name() {
  static sqlite3_vfs* const vfs = register_vfs();
  return vfs != nullptr ? vfs->zName : nullptr;
}

WalWriteCounts wal_write_counts() {
  return {g_received.load(std::memory_order_relaxed), g_written.load(std::memory_order_relaxed)};
}

}  // namespace tdemo::storage
