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

std::filesystem::path DefaultDataDir() {
  if (const char* env = std::getenv("VIGIL_DATA_DIR"); env && *env) return env;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "vigil";
    if (std::filesystem::exists(installed / "lexicons", ec)) return installed;
  }
  return VIGIL_BUILD_DATA_DIR;
}

Result<std::unique_ptr<store::Store>> OpenStore(const std::string& db, bool create) {
  std::error_code ec;
  if (!create && !std::filesystem::exists(db, ec)) {
    return Status::NotFound("no database at " + db + " (run vigil scan or vigil lists import)");
  }
  return store::Store::OpenSqlite(db);
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
