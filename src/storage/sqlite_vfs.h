// The VFS the services' SQLite files are opened with: SQLite's "unix-excl" with the write-ahead
// log's writes gathered into one write per commit.
//
// "unix-excl": the first connection takes a POSIX lock on the database file for the whole
// process, and the WAL index lives in this process's memory (no -shm file). The connections of a
// pool still share the file through SQLite's in-process lock table, but the locks a read or
// write transaction takes no longer become fcntl() calls on the -shm file (~26 system calls of a
// full flow). The price: another process cannot open the file while this one has it open.
//
// The gathered writes: SQLite writes each WAL frame as two pwrite()s, its 24-byte header and its
// page, so a commit of four pages made eight, each a trip through the file system's write path.
// This VFS keeps a WAL file's writes while they follow on from each other and writes them as one
// when the frame that commits the transaction is complete: before SQLite publishes the commit to
// other connections and before the commit returns, so a committed transaction is in the file
// (in the OS, as with every synchronous=NORMAL commit) exactly when it was before. Writes are
// kept only while the connection holds the WAL's write lock, and what is kept is written before
// it lets go (a rolled-back transaction's frames too, as SQLite writes them), so no other
// connection ever writes the WAL while one keeps writes of it. Any other use of the file (a
// read, a sync, its size, a truncation, a write elsewhere, closing it) writes what is kept
// first; a transaction too large to keep (> 256 KiB of frames) is written in parts, as SQLite
// writes a spilled cache's frames before the commit, and every write is at most 64 KiB.
#pragma once

#include <cstdint>

namespace tdemo::storage {

// Registers the VFS (once; thread-safe) and returns its name, or nullptr when SQLite has no
// "unix-excl" VFS to build it on.
const char* sqlite_vfs_name();

// Process-wide counts since start, for tests: the writes SQLite made to WAL files through the
// VFS, and the writes the VFS made to the files.
struct WalWriteCounts {
  std::uint64_t received = 0;
  std::uint64_t written = 0;
};
WalWriteCounts wal_write_counts();

}  // namespace tdemo::storage
