#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "src/cli/commands.h"
#include "vigil/core/json_writer.h"
#include "vigil/evidence/custody.h"
#include "vigil/evidence/keys.h"
#include "vigil/evidence/vault.h"
#include "vigil/faces/faces.h"
#include "vigil/registry/registry.h"
#include "vigil/report/html_report.h"
#include "vigil/scan/record_json.h"
#include "vigil/scan/scan.h"

namespace vigil::cli {
namespace {

// Prints errors as they come (one line each, to stderr), JSONL records to
// stdout, and a progress line on a TTY.
class CliObserver : public scan::ScanObserver {
 public:
  CliObserver(const Terminal& term, bool jsonl, bool progress)
      : term_(term), jsonl_(jsonl), progress_(progress && term.tty) {}

  void OnRecord(const store::ScanRecord& r) override {
    if (jsonl_) std::cout << scan::RecordToJson(r) << '\n';
  }
  void OnError(const ingest::IngestError& e) override {
    ClearProgress();
    std::cerr << term_.Paint("error", "31") << ": " << e.ToString() << '\n';
  }
  void OnProgress(const scan::Progress& p) override {
    if (!progress_) return;
    // The bar counts finished exports; the post counter shows motion inside one.
    constexpr int kWidth = 20;
    const int filled = p.reader_count == 0 || p.reader_index == 0
                           ? 0
                           : static_cast<int>(kWidth * (p.reader_index - 1) / p.reader_count);
    std::string line = "\r[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] " +
                       std::to_string(p.reader_index) + "/" + std::to_string(p.reader_count) +
                       "  " + std::to_string(p.posts) + " posts  " + p.current;
    if (line.size() > 100) line = line.substr(0, 97) + "...";
    std::cerr << line << "\033[K" << std::flush;
    shown_ = true;
  }
  void ClearProgress() {
    if (shown_) std::cerr << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  const Terminal& term_;
  bool jsonl_;
  bool progress_;
  bool shown_ = false;
};

void PrintSummary(const scan::ScanSummary& s, const std::filesystem::path& db, const Terminal& term,
                  std::ostream& out) {
  out << "scanned " << s.posts << " posts (" << s.service << " service messages) into "
      << db.string() << "\n";
  out << "flagged " << s.flagged() << ":";
  for (const char* c : {"sale_offer", "sale_request", "appeal"}) {
    const auto it = s.by_category.find(c);
    out << " " << (std::string_view(c) == "appeal" ? term.Paint(c, "34") : term.Paint(c, "31"))
        << "=" << (it == s.by_category.end() ? 0 : it->second);
  }
  out << "\nselectors " << s.selectors << ", media " << s.media << " inspected, " << s.media_missing
      << " absent\n";
  out << "media matching a hash list " << s.list_matches << ", matching other media "
      << s.media_matches << "\n";
  if (s.faces > 0 || s.face_matches > 0) {
    out << "faces " << s.faces << ", media that may show a registered person "
        << (s.face_matches ? term.Paint(std::to_string(s.face_matches), "33") : "0")
        << (s.face_matches ? " (vigil registry show CASE)" : "") << "\n";
  }
  out << (s.errors ? term.Paint("errors ", "31") : std::string("errors ")) << s.errors << "\n";
}

std::string SummaryJson(const scan::ScanSummary& s, const std::filesystem::path& db) {
  JsonWriter w;
  w.BeginObject().Key("db").String(db.string()).Key("posts").Int(s.posts);
  w.Key("service").Int(s.service).Key("flagged").Int(s.flagged());
  w.Key("by_category").BeginObject();
  for (const auto& [k, v] : s.by_category) w.Key(k).Int(v);
  w.EndObject();
  w.Key("selectors").Int(s.selectors).Key("media").Int(s.media);
  w.Key("media_missing").Int(s.media_missing).Key("list_matches").Int(s.list_matches);
  w.Key("media_matches").Int(s.media_matches).Key("faces").Int(s.faces);
  w.Key("face_matches").Int(s.face_matches).Key("errors").Int(s.errors).EndObject();
  return w.str();
}

struct ScanArgs {
  std::vector<std::string> paths;
  std::string db = "vigil.db";
  std::string data_dir;
  std::string scratch_dir;
  bool jsonl = false;
  bool json = false;
  bool quiet = false;
  int threads = 0;
  size_t batch = 1000;
  bool match = true;
  int radius = 31;
  bool evidence = false;
  std::string keys, passphrase_file;
  std::string faces = "auto";
  Limits limits;
};

int RunScanCommand(const ScanArgs& a, const Context& ctx) {
  const Terminal& term = ctx.term;
  scan::ScanOptions options;
  options.db_path = a.db;
  options.lexicon_dir =
      (a.data_dir.empty() ? DefaultDataDir() : std::filesystem::path(a.data_dir)) / "lexicons";
  options.scratch_dir = a.scratch_dir;
  options.threads = a.threads;
  options.batch_size = a.batch;
  options.limits = a.limits;
  options.match_media = a.match;
  options.pdq_radius = a.radius;
  std::vector<std::filesystem::path> inputs(a.paths.begin(), a.paths.end());

  // With --evidence, originals go to the vault and acquisitions to the
  // custody log beside the database.
  std::optional<evidence::Keys> keys;
  std::optional<evidence::Vault> vault;
  std::optional<evidence::CustodyLog> custody;
  const EvidencePaths paths = EvidencePathsFor(a.db, a.keys);
  auto open_session = [&]() -> Status {  // keys and custody log, once
    if (keys) return Status::Ok();
    VIGIL_ASSIGN_OR_RETURN(std::string passphrase, ReadPassphrase(a.passphrase_file));
    auto loaded = evidence::LoadKeys(paths.keys, passphrase);
    if (!loaded.ok()) {
      return Status(loaded.status().code(),
                    loaded.status().message() + " (create keys with vigil keys init)");
    }
    keys.emplace(std::move(loaded).value());
    auto log = evidence::CustodyLog::Open(paths.custody,
                                          [] { return static_cast<int64_t>(std::time(nullptr)); });
    if (!log.ok()) return log.status();
    custody.emplace(std::move(log).value());
    return Status::Ok();
  };
  if (a.evidence) {
    if (Status s = open_session(); !s.ok()) return Fail(ctx, "scan", s.ToString());
    auto v = evidence::Vault::Open(paths.vault, *keys);
    if (!v.ok()) return Fail(ctx, "scan", v.status().ToString());
    vault.emplace(std::move(v).value());
    options.vault = &*vault;
    options.custody = &*custody;
    options.operator_name = OperatorName();
  }

  // Faces: with --faces on always; with auto when the registry holds photos.
  // Matching them against the registry needs a session (the passphrase);
  // without one, faces are stored and `vigil registry match` matches later.
  std::unique_ptr<store::RegistryStore> registry_store;
  std::unique_ptr<registry::Registry> registry;
  std::optional<scan::RegistryMatcher> registry_matcher;
  std::unique_ptr<faces::FaceEngine> face_engine;
  if (a.faces != "off") {
    auto rs = store::RegistryStore::OpenSqlite(a.db);
    if (!rs.ok()) return Fail(ctx, "scan", rs.status().ToString());
    registry_store = std::move(rs).value();
    auto photos = registry_store->Photos("");
    if (!photos.ok()) return Fail(ctx, "scan", photos.status().ToString());
    const bool registry_has_photos = !photos->empty();
    if (registry_has_photos) {
      const Status s = open_session();
      if (!s.ok()) {
        std::cerr << "vigil scan: the registry is not searched: " << s.message() << "\n";
      } else {
        // The registry takes the store over; faces are written through it.
        auto r = registry::Registry::Open(std::move(registry_store),
                                          RegistrySessionFor(*keys, *custody));
        if (!r.ok()) return Fail(ctx, "scan", r.status().ToString());
        registry = std::move(r).value();
        auto refs = registry->References();
        if (!refs.ok()) return Fail(ctx, "scan", refs.status().ToString());
        registry_matcher.emplace(scan::RegistryMatcher::Build(*refs));
        options.registry = &*registry_matcher;
      }
    }
    if (a.faces == "on" || registry_has_photos) {
      const std::filesystem::path data_dir =
          a.data_dir.empty() ? DefaultDataDir() : std::filesystem::path(a.data_dir);
      auto engine = faces::FaceEngine::Load(faces::DefaultModelDir(data_dir));
      if (!engine.ok()) return Fail(ctx, "scan", engine.status().ToString());
      face_engine = std::move(engine).value();
      faces::SetBlasThreads(1);  // one engine per worker thread, one core each
      options.face_engine = face_engine.get();
      options.registry_store = registry ? &registry->store() : registry_store.get();
    }
  }

  CliObserver observer(term, a.jsonl, !a.quiet);
  const uint64_t log_size = custody ? custody->size() : 0;
  auto summary = scan::RunScan(inputs, options, &observer);
  observer.ClearProgress();
  // Every scan that added to the custody log ends with a signed tree head, so
  // a later bundle can prove what the log held when this scan finished.
  if (custody && custody->size() > log_size) {
    auto head = custody->SignTreeHead(*keys);
    if (!head.ok())
      return Fail(ctx, "scan", "signing the custody log: " + head.status().ToString());
  }
  if (!summary.ok()) {
    std::cerr << term.Paint("vigil scan", "31") << ": " << summary.status().ToString() << '\n';
    return kExitFailure;
  }
  if (a.json) {
    std::cout << SummaryJson(*summary, a.db) << '\n';
  } else if (!a.quiet) {
    PrintSummary(*summary, a.db, term, a.jsonl ? std::cerr : std::cout);
  }
  return summary->errors > 0 ? kExitInputErrors : kExitOk;
}

}  // namespace

void AddScanCommand(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ScanArgs>();
  auto* scan = app.add_subcommand(
      "scan",
      "Read exports (Telegram, WhatsApp, Facebook, JSONL, image folders, .zip), analyse "
      "every post and photo, and store the results");
  scan->add_option("paths", args->paths, "Export files, folders or .zip archives")->required();
  scan->add_option("--db", args->db, "SQLite database to write (created if missing)")
      ->capture_default_str();
  scan->add_flag("--jsonl", args->jsonl, "Print one JSON object per post to stdout");
  scan->add_flag("--json", args->json, "Print the summary as one JSON object to stdout");
  scan->add_flag("-q,--quiet", args->quiet, "No progress line and no summary");
  scan->add_option("--threads", args->threads, "Analysis threads (0 = all cores)")
      ->check(CLI::Range(0, 256));
  scan->add_option("--batch", args->batch, "Posts per database transaction")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  scan->add_flag("!--no-match", args->match, "Skip matching media against lists and the store");
  scan->add_option("--radius", args->radius, "PDQ match radius in bits")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  scan->add_flag("--evidence", args->evidence,
                 "Keep every original in the encrypted vault and record its acquisition in the "
                 "custody log (needs vigil keys init)");
  scan->add_option("--keys", args->keys, "Key file (default: vigil.keys beside the database)");
  scan->add_option("--passphrase-file", args->passphrase_file,
                   "File whose first line is the key passphrase (default: $VIGIL_PASSPHRASE)");
  scan->add_option("--faces", args->faces,
                   "Find faces in images: auto (when the registry has photos), on, off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  scan->add_option("--data-dir", args->data_dir,
                   "Folder with lexicons/ (default $VIGIL_DATA_DIR or the source tree's data/)");
  scan->add_option("--scratch-dir", args->scratch_dir,
                   "Where .zip exports are extracted (default: a temporary folder)");
  scan->add_option("--max-media-bytes", args->limits.max_media_bytes,
                   "Largest media file inspected")
      ->capture_default_str();
  scan->add_option("--max-line-bytes", args->limits.max_line_bytes,
                   "Longest JSONL/WhatsApp line or message")
      ->capture_default_str();
  scan->add_option("--max-pixels", args->limits.max_pixels, "Largest image (width x height)")
      ->capture_default_str();
  scan->add_option("--max-archive-bytes", args->limits.max_archive_bytes,
                   "Most bytes extracted from one .zip")
      ->capture_default_str();
  scan->add_option("--max-archive-entries", args->limits.max_archive_entries,
                   "Most entries in one .zip")
      ->capture_default_str();
  scan->add_option("--max-archive-ratio", args->limits.max_archive_ratio,
                   "Largest uncompressed/compressed ratio of one .zip entry (zip bombs)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  scan->add_option("--max-file-bytes", args->limits.max_file_bytes,
                   "Largest export file (Telegram JSON, WhatsApp chat)")
      ->capture_default_str();
  scan->add_option("--max-item-bytes", args->limits.max_item_bytes,
                   "Largest single message (JSON object or WhatsApp message)")
      ->capture_default_str();
  scan->add_option("--max-json-depth", args->limits.max_json_depth,
                   "Deepest JSON nesting inside one message")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  scan->add_option("--max-file-seconds", args->limits.max_file_seconds,
                   "Wall-clock seconds for one media file (hashes, video frames, faces); "
                   "a file over it is reported and skipped")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  scan->callback([args, &ctx] {
    if (args->jsonl && args->json) {
      ctx.exit_code = kExitUsage;
      std::cerr << "vigil scan: --jsonl and --json cannot be combined\n";
      return;
    }
    ctx.exit_code = RunScanCommand(*args, ctx);
  });
}

}  // namespace vigil::cli
