// Each part of the binary adds its subcommands here; main() only wires them up.
#pragma once

namespace CLI { class App; }

namespace tdemo::cli {

// all, gateway, users, orders, payments, health  (src/cli/service_commands.cc)
void add_service_commands(CLI::App& app);
// traces [show|search]                           (src/cli/trace_store_commands.cc)
void add_trace_store_commands(CLI::App& app);
// traffic, load-test                             (src/cli/load_commands.cc)
void add_load_commands(CLI::App& app);
// logs --trace ID [--file PATH...]                 (src/cli/log_commands.cc)
void add_log_commands(CLI::App& app);

}  // namespace tdemo::cli
