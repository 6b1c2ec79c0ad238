// vigil hash, vigil lists, vigil match: perceptual hashes and hash lists.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "src/cli/commands.h"
#include "vigil/core/file.h"
#include "vigil/core/json_writer.h"
#include "vigil/core/time.h"
#include "vigil/match/hash_list.h"
#include "vigil/match/matcher.h"
#include "vigil/media/inspect.h"
#include "vigil/media/pdq.h"
#include "vigil/media/video.h"
#include "vigil/scan/media_matching.h"
#include "vigil/scan/record_json.h"

namespace vigil::cli {
namespace {

namespace fs = std::filesystem;

// --- vigil hash ------------------------------------------------------------

struct HashArgs {
  std::vector<std::string> files;
  bool dihedral = false;
  bool full = false;
  bool jsonl = false;
};

int RunHash(const HashArgs& a, const Context& ctx) {
  const Limits limits;
  int errors = 0;
  auto error = [&](const std::string& file, const std::string& why) {
    std::cerr << ctx.term.Paint("error", "31") << ": " << file << ": " << why << '\n';
    ++errors;
  };
  for (const std::string& file : a.files) {
    auto bytes = ReadFile(file, limits.max_media_bytes);
    if (!bytes.ok()) {
      error(file, bytes.status().ToString());
      continue;
    }
    const std::string type = media::SniffType(AsBytes(*bytes));
    if (media::IsVideoType(type)) {
      media::VideoOptions options;
      options.limits = limits;
      auto video = media::HashVideoBytes(AsBytes(*bytes), options);
      if (!video.ok()) {
        error(file, video.status().ToString());
        continue;
      }
      for (const auto& f : video->frames) {
        if (a.jsonl) {
          JsonWriter w;
          w.BeginObject().Key("file").String(file).Key("type").String(type);
          w.Key("t").Double(f.timestamp_seconds).Key("pdq").String(f.hash.ToHex());
          w.Key("quality").Int(f.quality).EndObject();
          std::cout << w.str() << '\n';
        } else {
          char t[32];
          std::snprintf(t, sizeof t, "%.3f", f.timestamp_seconds);
          std::cout << f.hash.ToHex() << ',' << f.quality << ',' << file << "#t=" << t << '\n';
        }
      }
      continue;
    }
    std::vector<Hash256> hashes;
    int quality = 0;
    if (a.dihedral) {
      auto d = media::PdqDihedralFromImageBytes(AsBytes(*bytes), limits, !a.full);
      if (!d.ok()) {
        error(file, d.status().ToString());
        continue;
      }
      hashes.assign(d->hashes.begin(), d->hashes.end());
      quality = d->quality;
    } else {
      auto h = media::PdqFromImageBytes(AsBytes(*bytes), limits, !a.full);
      if (!h.ok()) {
        error(file, h.status().ToString());
        continue;
      }
      hashes.push_back(h->hash);
      quality = h->quality;
    }
    if (a.jsonl) {
      JsonWriter w;
      w.BeginObject().Key("file").String(file).Key("type").String(type);
      w.Key("pdq").String(hashes[0].ToHex()).Key("quality").Int(quality);
      if (a.dihedral) {
        w.Key("dihedral").BeginArray();
        for (const auto& h : hashes) w.String(h.ToHex());
        w.EndArray();
      }
      w.EndObject();
      std::cout << w.str() << '\n';
    } else {
      for (const auto& h : hashes) std::cout << h.ToHex() << ',';
      std::cout << quality << ',' << file << '\n';
    }
  }
  return errors ? kExitInputErrors : kExitOk;
}

// --- vigil lists -------------------------------------------------------------

std::vector<std::string> SplitLabels(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

struct ListsArgs {
  InstallationArgs inst;
  std::string file, name, format, labels, out;
  int threshold = media::kPdqMatchDistance;
  bool replace = false;
  bool json = false;
  match::ImportLimits import_limits;
};

int RunListsImport(const ListsArgs& a, const Context& ctx) {
  app::ListImport request;
  if (!a.format.empty()) {
    request.format = match::ListFormatFromName(a.format);
    if (!request.format) {
      std::cerr << "vigil lists import: unknown --format " << a.format << '\n';
      return kExitUsage;
    }
  }
  request.file = a.file;
  request.name = a.name;
  request.labels = SplitLabels(a.labels);
  request.pdq_threshold = a.threshold;
  request.replace = a.replace;
  request.limits = a.import_limits;
  auto inst = OpenInstallation(a.inst, "lists import", /*create=*/true);
  if (!inst.ok()) return Fail(ctx, "lists import", inst.status().ToString());
  auto imported = (*inst)->ImportList(std::move(request));
  if (!imported.ok()) return Fail(ctx, "lists import", imported.status().ToString());
  const match::ImportResult& report = imported->report;
  for (const auto& e : report.errors) {
    std::cerr << ctx.term.Paint("error", "31") << ": " << e.ToString() << '\n';
  }
  if (report.error_count > report.errors.size()) {
    std::cerr << "... and " << report.error_count - report.errors.size() << " more errors\n";
  }
  std::cerr << "imported " << imported->entries << " entries into list " << imported->name << " ("
            << match::ListFormatName(imported->format) << ", " << report.error_count << " errors, "
            << report.unsupported << " unsupported signals skipped)\n";
  return report.error_count ? kExitInputErrors : kExitOk;
}

int RunListsExport(const ListsArgs& a, const Context& ctx) {
  const auto format = match::ListFormatFromName(a.format.empty() ? "vigil-csv" : a.format);
  if (!format) {
    std::cerr << "vigil lists export: unknown --format " << a.format << '\n';
    return kExitUsage;
  }
  if (a.name.empty()) {
    std::cerr << "vigil lists export: a list name is required\n";
    return kExitUsage;
  }
  auto inst = OpenInstallation(a.inst, "lists export", /*create=*/false);
  if (!inst.ok()) return Fail(ctx, "lists export", inst.status().ToString());
  auto text = (*inst)->ExportList(a.name, *format);
  if (!text.ok()) return Fail(ctx, "lists export", text.status().ToString());
  if (a.out.empty() || a.out == "-") {
    std::cout << *text;
    return kExitOk;
  }
  const Status s = app::WriteFileAtomically(a.out, *text);
  if (!s.ok()) return Fail(ctx, "lists export", s.ToString());
  return kExitOk;
}

int RunListsLs(const ListsArgs& a, const Context& ctx) {
  auto inst = OpenInstallation(a.inst, "lists ls", /*create=*/false);
  if (!inst.ok()) return Fail(ctx, "lists ls", inst.status().ToString());
  auto lists = (*inst)->store().ListHashLists();
  if (!lists.ok()) return Fail(ctx, "lists ls", lists.status().ToString());
  for (const auto& l : *lists) {
    std::string labels;
    for (const auto& x : l.list.labels) labels += (labels.empty() ? "" : ",") + x;
    if (a.json) {
      JsonWriter w;
      w.BeginObject().Key("name").String(l.list.name).Key("source").String(l.list.source);
      w.Key("labels").BeginArray();
      for (const auto& x : l.list.labels) w.String(x);
      w.EndArray().Key("pdq_threshold").Int(l.list.pdq_threshold);
      w.Key("entries").Int(l.entries).Key("created").String(FormatIso8601(l.created));
      w.EndObject();
      std::cout << w.str() << '\n';
    } else {
      std::cout << l.list.name << "\t" << l.entries << " entries\tthreshold "
                << l.list.pdq_threshold << "\t" << l.list.source << "\t" << labels << '\n';
    }
  }
  return kExitOk;
}

int RunListsRm(const ListsArgs& a, const Context& ctx) {
  auto inst = OpenInstallation(a.inst, "lists rm", /*create=*/false);
  if (!inst.ok()) return Fail(ctx, "lists rm", inst.status().ToString());
  const Status s = (*inst)->store().DeleteHashList(a.name);
  if (!s.ok()) return Fail(ctx, "lists rm", s.ToString());
  return kExitOk;
}

// --- vigil match -------------------------------------------------------------

struct MatchArgs {
  std::vector<std::string> queries;
  std::vector<std::string> lists;
  InstallationArgs inst;
  int radius = media::kPdqMatchDistance;
  bool jsonl = false;
};

void PrintMatches(const std::string& query, const std::vector<store::MediaMatch>& matches,
                  bool jsonl) {
  if (jsonl) {
    JsonWriter w;
    w.BeginObject().Key("query").String(query).Key("matches").BeginArray();
    for (const auto& m : matches) scan::WriteMatchJson(m, w);
    w.EndArray().EndObject();
    std::cout << w.str() << '\n';
    return;
  }
  if (matches.empty()) std::cout << query << ": no match\n";
  for (const auto& m : matches) {
    std::cout << query << ": " << store::MatchKindName(m.kind) << " "
              << (m.list.empty() ? std::string() : m.list + " ") << m.signal_type << " " << m.target
              << " distance " << m.distance << (m.labels.empty() ? "" : " [" + m.labels + "]")
              << '\n';
  }
}

int RunMatch(const MatchArgs& a, const Context& ctx) {
  auto inst = OpenInstallation(a.inst, "match", /*create=*/false);
  if (!inst.ok()) return Fail(ctx, "match", inst.status().ToString());
  app::MatchRequest request;
  request.lists = a.lists;
  request.radius = a.radius;
  auto answers = (*inst)->Match(a.queries, request);
  if (!answers.ok()) return Fail(ctx, "match", answers.status().ToString());
  int errors = 0;
  for (const app::MatchAnswer& answer : *answers) {
    if (!answer.error.empty()) {
      std::cerr << ctx.term.Paint("error", "31") << ": " << answer.query << ": " << answer.error
                << '\n';
      ++errors;
      if (answer.matches.empty()) continue;
    }
    if (!answer.note.empty()) std::cerr << "note: " << answer.query << ": " << answer.note << '\n';
    PrintMatches(answer.query, answer.matches, a.jsonl);
  }
  return errors ? kExitInputErrors : kExitOk;
}

}  // namespace

void AddHashCommand(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<HashArgs>();
  auto* cmd = app.add_subcommand(
      "hash",
      "Print the PDQ hash of images (pdq_hex,quality,path) and of video frames at 1 fps "
      "(pdq_hex,quality,path#t=SECONDS)");
  cmd->add_option("files", args->files, "Image or video files")->required();
  cmd->add_flag("--dihedral", args->dihedral,
                "Print the 8 rotated/mirrored hashes before the quality");
  cmd->add_flag("--full", args->full,
                "Decode JPEGs at full resolution (the reference's method; slower)");
  cmd->add_flag("--jsonl", args->jsonl, "One JSON object per hash");
  cmd->callback([args, &ctx] { ctx.exit_code = RunHash(*args, ctx); });
}

void AddListsCommand(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ListsArgs>();
  auto* lists = app.add_subcommand("lists", "Hash lists of known media: import, export, list");
  lists->require_subcommand(1);
  lists->fallthrough();  // --db may follow the subcommand
  lists->add_option("--db", args->inst.db, "Database (a path, sqlite://PATH or postgresql://...)")
      ->capture_default_str();

  auto* imp = lists->add_subcommand(
      "import", "Import a hash list (ThreatExchange/HMA CSV, plain, VICS JSON, vigil CSV)");
  imp->add_option("file", args->file, "List file")->required();
  imp->add_option("--name", args->name, "List name (default: the file name)");
  imp->add_option("--format", args->format, "te-csv, plain, vics or vigil-csv (default: guessed)");
  imp->add_option("--threshold", args->threshold, "PDQ match radius for this list")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  imp->add_option("--labels", args->labels, "Comma-separated labels for the list");
  imp->add_flag("--replace", args->replace, "Drop the list's old entries first");
  imp->add_option("--max-file-bytes", args->import_limits.max_file_bytes, "Largest list file")
      ->capture_default_str();
  imp->add_option("--max-line-bytes", args->import_limits.max_line_bytes,
                  "Longest CSV record or line (longer ones are reported and skipped)")
      ->capture_default_str();
  imp->add_option("--max-json-depth", args->import_limits.max_json_depth,
                  "Deepest nesting of a VICS JSON file")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  imp->callback([args, &ctx] { ctx.exit_code = RunListsImport(*args, ctx); });

  auto* exp = lists->add_subcommand("export", "Write a stored list");
  exp->add_option("name", args->name, "List name")->required();
  exp->add_option("--format", args->format, "te-csv, plain, vics or vigil-csv (default vigil-csv)");
  exp->add_option("-o,--out", args->out, "File to write (default: stdout)");
  exp->callback([args, &ctx] { ctx.exit_code = RunListsExport(*args, ctx); });

  auto* ls = lists->add_subcommand("ls", "Show the stored lists");
  ls->add_flag("--json", args->json, "One JSON object per list");
  ls->callback([args, &ctx] { ctx.exit_code = RunListsLs(*args, ctx); });

  auto* rm = lists->add_subcommand("rm", "Delete a stored list");
  rm->add_option("name", args->name, "List name")->required();
  rm->callback([args, &ctx] { ctx.exit_code = RunListsRm(*args, ctx); });
}

void AddMatchCommand(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<MatchArgs>();
  auto* cmd = app.add_subcommand(
      "match", "Match files or hashes against the stored hash lists and the media in the store");
  cmd->add_option("queries", args->queries,
                  "Image/video files, PDQ hashes, or TYPE:HASH (md5, sha1, sha256)")
      ->required();
  cmd->add_option("--db", args->inst.db, "Database (a path, sqlite://PATH or postgresql://...)")
      ->capture_default_str();
  cmd->add_option("--list", args->lists, "Only these lists (repeatable); skips store media");
  cmd->add_option("--radius", args->radius, "PDQ match radius in bits")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd->add_flag("--jsonl", args->jsonl, "One JSON object per query");
  cmd->callback([args, &ctx] { ctx.exit_code = RunMatch(*args, ctx); });
}

}  // namespace vigil::cli
