// glibc's allocator, tuned for a server that allocates and frees many small blocks per request
// on several threads, and the trace store's request bodies of a few hundred KiB. By default
// glibc gives freed memory at the top of a heap back to the kernel once 128 KiB are free
// (sbrk, or madvise for a thread's heap), and serves every block of 128 KiB or more with its
// own mmap/munmap; either way the pages come back moments later through page faults and
// cross-core TLB flushes. On this workload that churn cost half the throughput of
// GET /demo/full-flow/1 (the trim threshold) and another 10-25% of traced GET /users/1 (the
// mmap threshold). Raising both keeps what the process has used: RSS stays at its peak
// instead of following every request.
#pragma once

#include <cstddef>

namespace tdemo::cli {

inline constexpr std::size_t kTrimThresholdBytes = 64u << 20;
inline constexpr std::size_t kMmapThresholdBytes = 4u << 20;

// Whether the user already chose a setting: GLIBC_TUNABLES naming `tunable` (e.g.
// "glibc.malloc.trim_threshold"), or the matching MALLOC_*_ variable's value set. Either
// text may be null.
bool allocator_setting_chosen_by_environment(const char* glibc_tunables, const char* tunable,
                                             const char* malloc_variable_value);

// Sets the trim threshold to kTrimThresholdBytes and the mmap threshold to kMmapThresholdBytes,
// each unless the environment chose it. Call once, early in main(). Returns how many settings
// it changed.
int tune_allocator();

}  // namespace tdemo::cli
