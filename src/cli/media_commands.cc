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

// Guesses a list file's format from its first bytes.
match::ListFormat GuessFormat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  size_t i = head.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  if (i < head.size() && head[i] == '{') return match::ListFormat::kVicsJson;
  std::string first = head.substr(i, head.find('\n', i) - i);
  std::transform(first.begin(), first.end(), first.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (first.find("signal_type") != std::string::npos) return match::ListFormat::kThreatExchangeCsv;
  if (first.rfind("type,value", 0) == 0) return match::ListFormat::kVigilCsv;
  return match::ListFormat::kPlain;
}

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
  std::string db = "vigil.db";
  std::string file, name, format, labels, out;
  int threshold = media::kPdqMatchDistance;
  bool replace = false;
  bool json = false;
  match::ImportLimits import_limits;
};

int RunListsImport(const ListsArgs& a, const Context& ctx) {
  match::ListFormat format;
  if (a.format.empty()) {
    format = GuessFormat(a.file);
  } else if (auto f = match::ListFormatFromName(a.format)) {
    format = *f;
  } else {
    std::cerr << "vigil lists import: unknown --format " << a.format << '\n';
    return kExitUsage;
  }
  auto imported = match::ImportHashListFile(a.file, format, a.import_limits);
  if (!imported.ok()) return Fail(ctx, "lists import", imported.status().ToString());
  for (const auto& e : imported->errors) {
    std::cerr << ctx.term.Paint("error", "31") << ": " << e.ToString() << '\n';
  }
  if (imported->error_count > imported->errors.size()) {
    std::cerr << "... and " << imported->error_count - imported->errors.size() << " more errors\n";
  }
  match::HashList& list = imported->list;
  list.name = a.name.empty() ? fs::path(a.file).stem().string() : a.name;
  list.source = fs::path(a.file).filename().string();
  list.labels = SplitLabels(a.labels);
  list.pdq_threshold = a.threshold;
  auto store = OpenStore(a.db, /*create=*/true);
  if (!store.ok()) return Fail(ctx, "lists import", store.status().ToString());
  const Status s = (*store)->PutHashList(list, a.replace);
  if (!s.ok()) return Fail(ctx, "lists import", s.ToString());
  std::cerr << "imported " << list.entries.size() << " entries into list " << list.name << " ("
            << match::ListFormatName(format) << ", " << imported->error_count << " errors, "
            << imported->unsupported << " unsupported signals skipped)\n";
  return imported->error_count ? kExitInputErrors : kExitOk;
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
  auto store = OpenStore(a.db, false);
  if (!store.ok()) return Fail(ctx, "lists export", store.status().ToString());
  auto lists = (*store)->LoadHashLists(a.name);
  if (!lists.ok()) return Fail(ctx, "lists export", lists.status().ToString());
  if (lists->empty()) return Fail(ctx, "lists export", "no hash list named " + a.name);
  const std::string text = match::ExportHashList(lists->front(), *format);
  if (a.out.empty() || a.out == "-") {
    std::cout << text;
    return kExitOk;
  }
  const std::string tmp = a.out + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Fail(ctx, "lists export", "cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, a.out, ec);
  if (ec) return Fail(ctx, "lists export", "cannot write " + a.out + ": " + ec.message());
  return kExitOk;
}

int RunListsLs(const ListsArgs& a, const Context& ctx) {
  auto store = OpenStore(a.db, false);
  if (!store.ok()) return Fail(ctx, "lists ls", store.status().ToString());
  auto lists = (*store)->ListHashLists();
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
  auto store = OpenStore(a.db, false);
  if (!store.ok()) return Fail(ctx, "lists rm", store.status().ToString());
  const Status s = (*store)->DeleteHashList(a.name);
  if (!s.ok()) return Fail(ctx, "lists rm", s.ToString());
  return kExitOk;
}

// --- vigil match -------------------------------------------------------------

struct MatchArgs {
  std::vector<std::string> queries;
  std::vector<std::string> lists;
  std::string db = "vigil.db";
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
    std::cout << query << ": " << m.kind << " " << (m.list.empty() ? std::string() : m.list + " ")
              << m.signal_type << " " << m.target << " distance " << m.distance
              << (m.labels.empty() ? "" : " [" + m.labels + "]") << '\n';
  }
}

int RunMatch(const MatchArgs& a, const Context& ctx) {
  auto store = OpenStore(a.db, false);
  if (!store.ok()) return Fail(ctx, "match", store.status().ToString());
  auto lists = (*store)->LoadHashLists();
  if (!lists.ok()) return Fail(ctx, "match", lists.status().ToString());
  auto matcher = match::Matcher::Build(std::move(lists).value());
  if (!matcher.ok()) return Fail(ctx, "match", matcher.status().ToString());
  std::optional<scan::SeenMedia> seen;
  if (a.lists.empty()) {  // --list narrows the search to hash lists
    auto loaded = scan::SeenMedia::Load(**store);
    if (!loaded.ok()) return Fail(ctx, "match", loaded.status().ToString());
    seen.emplace(std::move(loaded).value());
  }
  match::MatchOptions options;
  options.radius = a.radius;
  options.lists = a.lists;
  int errors = 0;
  auto error = [&](const std::string& q, const std::string& why) {
    std::cerr << ctx.term.Paint("error", "31") << ": " << q << ": " << why << '\n';
    ++errors;
  };
  for (const std::string& q : a.queries) {
    std::vector<store::MediaMatch> out;
    auto add = [&](const Result<std::vector<match::ListMatch>>& hits) {
      if (!hits.ok()) {
        error(q, hits.status().ToString());
        return;
      }
      for (const auto& m : *hits) {
        std::string labels;
        for (const auto& l : m.entry->labels) labels += (labels.empty() ? "" : ", ") + l;
        out.push_back({"list", m.entry->signal.ToHex(), m.list->name,
                       std::string(match::SignalTypeName(m.entry->signal.type)), labels,
                       m.distance});
      }
    };
    std::error_code ec;
    if (fs::is_regular_file(q, ec)) {
      MediaRef ref;
      ref.path = q;
      ref.name = fs::path(q).filename().string();
      scan::MediaProbe probe;
      const store::MediaResult r = scan::InspectMedia(ref, Limits{}, &probe);
      if (!r.info) {
        error(q, r.error);
        continue;
      }
      if (a.lists.empty()) {
        scan::MatchLists(*matcher, *r.info, probe, a.radius, &out);
      } else {  // the same lookups, restricted to the named lists
        add(matcher->MatchExact(match::SignalType::kMd5, r.info->md5, a.lists));
        add(matcher->MatchExact(match::SignalType::kSha256, r.info->sha256, a.lists));
        for (const auto& h : probe.image) add(matcher->Match(h, options));
        for (const auto& f : probe.frames) {
          if (f.quality >= media::kPdqMinQuality) add(matcher->Match(f.hash, options));
        }
      }
      if (seen) seen->Match(*r.info, probe, a.radius, &out);
      if (probe.image.empty() && probe.frames.empty() && !r.info->pdq_error.empty()) {
        std::cerr << "note: " << q << ": no perceptual hash: " << r.info->pdq_error << '\n';
      }
    } else {
      // HASH or TYPE:HASH (pdq, md5, sha1, sha256); bare 64 hex digits are PDQ.
      std::string type = "pdq", hex = q;
      if (const size_t colon = q.find(':'); colon != std::string::npos) {
        type = q.substr(0, colon);
        hex = q.substr(colon + 1);
      } else if (q.size() == 32) {
        type = "md5";
      } else if (q.size() == 40) {
        type = "sha1";
      }
      const auto signal_type = match::SignalTypeFromName(type);
      if (!signal_type) {
        error(q, "not a file, and not a hash (pdq, md5, sha1 or sha256)");
        continue;
      }
      if (*signal_type == match::SignalType::kPdq) {
        auto h = Hash256::FromHex(hex);
        if (!h) {
          error(q, "not a file, and not a PDQ hash (64 hex digits)");
          continue;
        }
        add(matcher->Match(*h, options));
        if (seen) {
          scan::MediaProbe probe;
          probe.image.push_back(*h);
          media::MediaInfo info;
          seen->Match(info, probe, a.radius, &out);
        }
      } else {
        add(matcher->MatchExact(*signal_type, hex, a.lists));
      }
    }
    PrintMatches(q, out, a.jsonl);
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
  lists->add_option("--db", args->db, "SQLite database")->capture_default_str();

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
  cmd->add_option("--db", args->db, "SQLite database")->capture_default_str();
  cmd->add_option("--list", args->lists, "Only these lists (repeatable); skips store media");
  cmd->add_option("--radius", args->radius, "PDQ match radius in bits")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd->add_flag("--jsonl", args->jsonl, "One JSON object per query");
  cmd->callback([args, &ctx] { ctx.exit_code = RunMatch(*args, ctx); });
}

}  // namespace vigil::cli
