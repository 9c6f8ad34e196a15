// Which pool thread holds the client end of a loopback connection made by this process, so the
// server end can be served on the same thread. In `tracing-demo all` the gateway calls users,
// orders and payments over loopback TCP: when both ends live on one thread, a call is a write
// and a read on the same epoll, with no wake-up of the other thread and its context switches.
//
//   // client, on a pool thread, after binding its local port and before connect(): noted
//   // first, or the server's accept could look before the note is there
//   http::loopback_affinity::note(local_port, IoPool::current_index());
//   // server, after accept() from a loopback address:
//   if (auto thread = http::loopback_affinity::thread_of(remote_port)) ...;
//
// A hint only: ports are reused, and a stale or foreign entry just places a connection on some
// other valid thread. Lock-free (one byte per port); safe from any thread.
#pragma once

#include <cstdint>
#include <optional>

namespace tdemo::http::loopback_affinity {

// Records that the connection from local port `port` belongs to pool thread `thread` (0..126;
// other values, such as -1 outside a pool, record nothing).
void note(std::uint16_t port, int thread) noexcept;
// Forgets `port` if it still names `thread` (a connection closing).
void forget(std::uint16_t port, int thread) noexcept;
// The thread recorded for `port`, if any.
std::optional<int> thread_of(std::uint16_t port) noexcept;

}  // namespace tdemo::http::loopback_affinity
