#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "src/cli/commands.h"
#include "vigil/report/html_report.h"
#include "vigil/store/registry_store.h"

namespace vigil::cli {
namespace {

int RunReportCommand(const std::string& db, const std::string& out_path, const std::string& title,
                     const Terminal& term) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    std::cerr << "vigil report: no database at " << db << " (run vigil scan first)\n";
    return kExitFailure;
  }
  auto store = store::Store::OpenSqlite(db);
  if (!store.ok()) {
    std::cerr << "vigil report: " << store.status().ToString() << '\n';
    return kExitFailure;
  }
  // Write beside the target and rename, so a failed run never leaves half a report.
  const std::string tmp = out_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      std::cerr << "vigil report: cannot write " << tmp << '\n';
      return kExitFailure;
    }
    report::ReportOptions options;
    options.title = title;
    auto registry = store::RegistryStore::OpenSqlite(db);
    if (!registry.ok()) {
      std::cerr << "vigil report: " << registry.status().ToString() << '\n';
      return kExitFailure;
    }
    auto matches = (*registry)->FaceMatches("");
    if (!matches.ok()) {
      std::cerr << "vigil report: " << matches.status().ToString() << '\n';
      return kExitFailure;
    }
    options.registry_matches = std::move(matches).value();
    const Status s = report::WriteHtmlReport(**store, options, out);
    out.close();
    if (!s.ok() || !out) {
      std::filesystem::remove(tmp, ec);
      std::cerr << "vigil report: " << (s.ok() ? "write failed" : s.ToString()) << '\n';
      return kExitFailure;
    }
  }
  std::filesystem::rename(tmp, out_path, ec);
  if (ec) {
    std::cerr << "vigil report: cannot write " << out_path << ": " << ec.message() << '\n';
    return kExitFailure;
  }
  std::cerr << term.Paint("report", "32") << ": " << out_path << '\n';
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App& app, Context& ctx) {
  struct Args {
    std::string db = "vigil.db", out = "report.html", title = "vigil report";
  };
  auto args = std::make_shared<Args>();
  auto* report = app.add_subcommand("report", "Write a self-contained HTML report of a database");
  report->add_option("--db", args->db, "SQLite database written by vigil scan")
      ->capture_default_str();
  report->add_option("-o,--out", args->out, "HTML file to write")->capture_default_str();
  report->add_option("--title", args->title, "Report title")->capture_default_str();
  report->callback([args, &ctx] {
    ctx.exit_code = RunReportCommand(args->db, args->out, args->title, ctx.term);
  });
}

}  // namespace vigil::cli
