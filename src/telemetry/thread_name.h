// Names the process's own threads, so that `top -H`, `ps -L`, `perf report --sort comm` and
// debuggers tell them apart: "td-io-0" (an I/O thread), "span-export" (a batch span processor's
// worker), "log-flush", "store-retention", "load-0" (a load-test thread).
#pragma once

#include <string>
#include <string_view>

namespace tdemo::telemetry {

// Names the calling thread. Linux keeps at most 15 bytes: a longer name is cut there.
void set_current_thread_name(std::string_view name) noexcept;

// The calling thread's name ("" when it cannot be read).
std::string current_thread_name();

}  // namespace tdemo::telemetry
