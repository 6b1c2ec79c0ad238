// Internal to the CLI: each subcommand registers itself on the app and, when
// parsed, runs one use case of app::Installation and leaves its exit code in
// Context. The CLI only parses flags, formats answers and maps errors to exit
// codes; everything else is the application layer's.
#ifndef VIGIL_SRC_CLI_COMMANDS_H_
#define VIGIL_SRC_CLI_COMMANDS_H_

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "vigil/app/installation.h"
#include "vigil/cli/cli.h"

namespace vigil::cli {

// Colour and progress only on a terminal, and colour only without NO_COLOR.
struct Terminal {
  bool tty = isatty(STDERR_FILENO) == 1;
  bool color = tty && std::getenv("NO_COLOR") == nullptr;
  std::string Paint(std::string_view s, const char* code) const {
    if (!color) return std::string(s);
    return std::string("\033[") + code + "m" + std::string(s) + "\033[0m";
  }
};

struct Context {
  Terminal term;
  int exit_code = kExitOk;
};

// Prints "vigil <command>: <message>" to stderr and returns kExitFailure.
int Fail(const Context& ctx, std::string_view command, std::string_view message);

// The options of every command that opens an installation.
struct InstallationArgs {
  std::string db = "vigil.db";
  std::string home;
  std::string keys;
  std::string passphrase_file;
  std::string data_dir;
};
// --db, --home, --keys, --passphrase-file (and --data-dir with `data_dir`).
void AddInstallationOptions(CLI::App* cmd, InstallationArgs& a, bool data_dir = false);
// Opens the installation for `command` (its notices go to stderr as
// "vigil <command>: ...").
Result<std::unique_ptr<app::Installation>> OpenInstallation(const InstallationArgs& a,
                                                            std::string_view command, bool create);

void AddScanCommand(CLI::App& app, Context& ctx);
void AddReportCommand(CLI::App& app, Context& ctx);
void AddHashCommand(CLI::App& app, Context& ctx);
void AddListsCommand(CLI::App& app, Context& ctx);
void AddMatchCommand(CLI::App& app, Context& ctx);
void AddEvidenceCommands(CLI::App& app, Context& ctx);
void AddRegistryCommands(CLI::App& app, Context& ctx);
void AddFacesCommand(CLI::App& app, Context& ctx);
void AddServeCommands(CLI::App& app, Context& ctx);
void AddQueueCommands(CLI::App& app, Context& ctx);  // worker, queue status

}  // namespace vigil::cli

#endif  // VIGIL_SRC_CLI_COMMANDS_H_
