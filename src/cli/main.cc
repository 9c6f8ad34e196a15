// tracing-demo: one binary, one subcommand per role (like Jaeger's HotROD).
#include <CLI/CLI.hpp>

#include "cli/allocator_tuning.h"
#include "cli/commands.h"
#include "storage/sqlite.h"

int main(int argc, char** argv) {
#ifndef TD_JEMALLOC
  tdemo::cli::tune_allocator();  // glibc's malloc: before any thread starts
#endif
  tdemo::storage::configure_sqlite_process();  // before the trace store's storage or a service opens SQLite
  CLI::App app{"tracing-demo: distributed tracing demo services, trace store and load tools"};
  app.set_version_flag("--version", TD_VERSION);
  app.require_subcommand(1);
  tdemo::cli::add_service_commands(app);
  tdemo::cli::add_trace_store_commands(app);
  tdemo::cli::add_load_commands(app);
  tdemo::cli::add_log_commands(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
