// Internal to the CLI: each subcommand registers itself on the app and, when
// parsed, runs and leaves its exit code in Context.
#ifndef VIGIL_SRC_CLI_COMMANDS_H_
#define VIGIL_SRC_CLI_COMMANDS_H_

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "vigil/cli/cli.h"
#include "vigil/evidence/custody.h"
#include "vigil/evidence/keys.h"
#include "vigil/registry/registry.h"
#include "vigil/store/store.h"

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

// Data files (lexicons, models) are found through --data-dir, then
// $VIGIL_DATA_DIR, then the folder this build was configured from.
std::filesystem::path DefaultDataDir();

// Opens the database; a missing file is an error unless `create`.
Result<std::unique_ptr<store::Store>> OpenStore(const std::string& db, bool create);

void AddScanCommand(CLI::App& app, Context& ctx);
void AddReportCommand(CLI::App& app, Context& ctx);
void AddHashCommand(CLI::App& app, Context& ctx);
void AddListsCommand(CLI::App& app, Context& ctx);
void AddMatchCommand(CLI::App& app, Context& ctx);
void AddEvidenceCommands(CLI::App& app, Context& ctx);
void AddRegistryCommands(CLI::App& app, Context& ctx);
void AddFacesCommand(CLI::App& app, Context& ctx);

// Evidence files live beside the database: vigil.keys (unless --keys),
// vault/, custody.log.
struct EvidencePaths {
  std::string keys, vault, custody;
};
EvidencePaths EvidencePathsFor(const std::string& db, const std::string& keys);
// The passphrase from the first line of `file`, else $VIGIL_PASSPHRASE.
Result<std::string> ReadPassphrase(const std::string& file);
// Who is acting, for the custody log: $VIGIL_OPERATOR, else $USER.
std::string OperatorName();

// A registry session over unlocked keys, auditing to the custody log (both
// must outlive the session).
registry::Session RegistrySessionFor(const evidence::Keys& keys, evidence::CustodyLog& log);

}  // namespace vigil::cli

#endif  // VIGIL_SRC_CLI_COMMANDS_H_
