// glibc's allocator, tuned for a server that allocates and frees many small blocks per request
// on several threads. By default glibc gives freed memory at the top of a heap back to the
// kernel once 128 KiB are free (sbrk, or madvise/munmap for a thread's heap) and takes it back
// with page faults moments later; on this workload that churn (page faults and cross-core TLB
// flushes) cost half the throughput of GET /demo/full-flow/1. A higher trim threshold keeps
// what the process has used, so RSS stays at its peak instead of following every request.
#pragma once

#include <cstddef>

namespace tdemo::cli {

inline constexpr std::size_t kTrimThresholdBytes = 64u << 20;

// Whether the user already chose: GLIBC_TUNABLES naming glibc.malloc.trim_threshold, or
// MALLOC_TRIM_THRESHOLD_ set (either may be null).
bool allocator_trim_chosen_by_environment(const char* glibc_tunables, const char* malloc_trim_threshold);

// Sets the trim threshold to kTrimThresholdBytes unless the environment chose one. Call once,
// early in main(). Returns whether it changed the setting.
bool tune_allocator();

}  // namespace tdemo::cli
