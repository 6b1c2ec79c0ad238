#include "vigil/cli/cli.h"

#include <CLI/CLI.hpp>
#include <string>

#include "src/cli/commands.h"
#include "vigil/core/version.h"

namespace vigil::cli {

int Fail(const Context& ctx, std::string_view command, std::string_view message) {
  const std::string who = command.empty() ? "vigil" : "vigil " + std::string(command);
  std::cerr << ctx.term.Paint(who, "31") << ": " << message << '\n';
  return kExitFailure;
}

void AddInstallationOptions(CLI::App* cmd, InstallationArgs& a, bool data_dir) {
  cmd->add_option("--db", a.db,
                  "Database: a path, sqlite://PATH or postgresql://USER@HOST:PORT/DB (the keys, "
                  "vault and custody log sit beside an SQLite file; a server's in --home)")
      ->capture_default_str();
  cmd->add_option("--home", a.home,
                  "Folder of the key file, vault and custody log (default: the SQLite file's "
                  "folder; needed with a database server)")
      ->envname("VIGIL_HOME");
  cmd->add_option("--keys", a.keys, "Key file (default: vigil.keys beside the database)");
  cmd->add_option("--passphrase-file", a.passphrase_file,
                  "File whose first line is the key passphrase (default: $VIGIL_PASSPHRASE)");
  if (data_dir) {
    cmd->add_option("--data-dir", a.data_dir,
                    "Folder with lexicons/ and models/ (default $VIGIL_DATA_DIR, else the "
                    "installed or source tree's data/)");
  }
}

Result<std::unique_ptr<app::Installation>> OpenInstallation(const InstallationArgs& a,
                                                            std::string_view command, bool create) {
  app::InstallationOptions o;
  o.db = a.db;
  o.home = a.home;
  o.keys = a.keys;
  o.data_dir = a.data_dir;
  o.passphrase = app::PassphraseFromFileOrEnv(a.passphrase_file);
  o.create = create;
  o.notice = [who = "vigil " + std::string(command)](std::string_view text) {
    std::cerr << who << ": " << text << '\n';
  };
  return app::Installation::Open(std::move(o));
}

int Main(int argc, char** argv) {
  Context ctx;
  CLI::App app{
      "vigil: find postings that offer people for sale in channel exports, match their photos "
      "against known ones, keep evidence.\nExit codes: 0 ok, 1 failure, 2 usage error, 3 "
      "completed with input errors.",
      "vigil"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("vigil ") + std::string(kVersion));
  AddScanCommand(app, ctx);
  AddReportCommand(app, ctx);
  AddHashCommand(app, ctx);
  AddListsCommand(app, ctx);
  AddMatchCommand(app, ctx);
  AddEvidenceCommands(app, ctx);
  AddRegistryCommands(app, ctx);
  AddFacesCommand(app, ctx);
  AddServeCommands(app, ctx);
  AddQueueCommands(app, ctx);
  try {
    app.parse(argc, argv);  // runs the chosen command's callback
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  } catch (const std::exception& e) {
    // vigil's own code returns errors as values; this is a library or the
    // standard library failing (out of memory, a file system error).
    return Fail(ctx, "", std::string("unexpected error: ") + e.what());
  }
  return ctx.exit_code;
}

}  // namespace vigil::cli
