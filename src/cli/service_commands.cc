// Placeholder until this part lands; replaced by its owner.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace tdemo::cli {
void add_service_commands(CLI::App& app) { (void)app; }
}  // namespace tdemo::cli
