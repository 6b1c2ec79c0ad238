#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "src/cli/commands.h"
#include "vigil/report/html_report.h"

namespace vigil::cli {
namespace {

int RunReportCommand(const InstallationArgs& inst_args, const std::string& out_path,
                     const std::string& title, const Context& ctx) {
  auto inst = OpenInstallation(inst_args, "report", /*create=*/false);
  if (!inst.ok()) {
    return Fail(ctx, "report",
                inst.status().code() == StatusCode::kNotFound
                    ? "no database at " + inst_args.db + " (run vigil scan first)"
                    : inst.status().ToString());
  }
  report::ReportOptions options;
  options.title = title;
  auto matches = (*inst)->db().registry().FaceMatches("");
  if (!matches.ok()) return Fail(ctx, "report", matches.status().ToString());
  options.registry_matches = std::move(matches).value();
  // Through a temporary file and a rename: a failed run never leaves half a report.
  const Status s = app::WriteFileAtomically(out_path, [&](std::ostream& out) {
    return report::WriteHtmlReport((*inst)->store(), options, out);
  });
  if (!s.ok()) return Fail(ctx, "report", s.ToString());
  std::cerr << ctx.term.Paint("report", "32") << ": " << out_path << '\n';
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App& app, Context& ctx) {
  struct Args {
    InstallationArgs inst;
    std::string out = "report.html", title = "vigil report";
  };
  auto args = std::make_shared<Args>();
  auto* report = app.add_subcommand("report", "Write a self-contained HTML report of a database");
  report->add_option("--db", args->inst.db, "Database written by vigil scan")
      ->capture_default_str();
  report->add_option("-o,--out", args->out, "HTML file to write")->capture_default_str();
  report->add_option("--title", args->title, "Report title")->capture_default_str();
  report->callback(
      [args, &ctx] { ctx.exit_code = RunReportCommand(args->inst, args->out, args->title, ctx); });
}

}  // namespace vigil::cli
