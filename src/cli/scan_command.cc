#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "src/cli/commands.h"
#include "vigil/app/fleet.h"
#include "vigil/core/json_writer.h"
#include "vigil/scan/record_json.h"
#include "vigil/scan/scan.h"
#include "vigil/store/database.h"

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
  // [#####...............]  12.4/80.0 MB  3.1 MB/s  0:18 left  2/3  9000 posts  jsonl: ...
  // The bar and the time left follow the bytes of every input read so far.
  void OnProgress(const scan::Progress& p) override {
    if (!progress_) return;
    constexpr int kWidth = 20;
    const auto now = std::chrono::steady_clock::now();
    if (!started_) started_ = now;
    const double seconds = std::chrono::duration<double>(now - *started_).count();
    const double done = p.bytes_total == 0 ? 0 : double(p.bytes_read) / double(p.bytes_total);
    const int filled = static_cast<int>(kWidth * std::min(1.0, done));
    char figures[96];
    const double mb = 1e6, rate = seconds > 0.5 ? double(p.bytes_read) / seconds : 0;
    int n = std::snprintf(figures, sizeof figures, "%.1f/%.1f MB", double(p.bytes_read) / mb,
                          double(p.bytes_total) / mb);
    if (rate > 0) {
      n += std::snprintf(figures + n, sizeof figures - n, "  %.1f MB/s", rate / mb);
      if (p.bytes_read < p.bytes_total) {
        const auto left = static_cast<int64_t>(double(p.bytes_total - p.bytes_read) / rate);
        std::snprintf(figures + n, sizeof figures - n, "  %lld:%02lld left",
                      static_cast<long long>(left / 60), static_cast<long long>(left % 60));
      }
    }
    std::string line = "\r[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] " +
                       figures + "  " + std::to_string(p.reader_index) + "/" +
                       std::to_string(p.reader_count) + "  " + std::to_string(p.posts) +
                       " posts  " + p.current;
    if (line.size() > 120) line = line.substr(0, 117) + "...";
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
  std::optional<std::chrono::steady_clock::time_point> started_;
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
  InstallationArgs inst;
  bool jsonl = false;
  bool json = false;
  bool quiet = false;
  std::string faces = "auto";
  app::ScanRequest request;
  // --queue: enqueue for `vigil worker` instead of analysing here.
  std::string queue;
  int64_t max_queue = 10000;
  std::string media_dir = "vigil-media";
};

int RunEnqueueCommand(const ScanArgs& a, const Context& ctx) {
  app::EnqueueRequest request;
  request.queue_url = a.queue;
  request.queue.max_length = a.max_queue;
  request.media_dir = a.media_dir;
  request.limits = a.request.options.limits;
  request.scratch_dir = a.request.options.scratch_dir;
  const std::vector<std::filesystem::path> inputs(a.paths.begin(), a.paths.end());
  CliObserver observer(ctx.term, /*jsonl=*/false, !a.quiet);
  auto summary = app::EnqueueScan(inputs, request, &observer);
  observer.ClearProgress();
  if (!summary.ok()) return Fail(ctx, "scan", summary.status().ToString());
  if (a.json) {
    JsonWriter w;
    w.BeginObject().Key("queue").String(a.queue).Key("posts").Int(summary->posts);
    w.Key("service").Int(summary->service).Key("media_copied").Int(summary->media_copied);
    w.Key("media_present").Int(summary->media_present).Key("errors").Int(summary->errors);
    w.EndObject();
    std::cout << w.str() << '\n';
  } else if (!a.quiet) {
    std::cout << "enqueued " << summary->posts << " posts (" << summary->service
              << " service messages) on " << a.queue << "\nmedia copied to " << a.media_dir << ": "
              << summary->media_copied << " new, " << summary->media_present
              << " already there\nerrors " << summary->errors << "\n";
  }
  return summary->errors > 0 ? kExitInputErrors : kExitOk;
}

int RunScanCommand(const ScanArgs& a, const Context& ctx) {
  if (!a.queue.empty()) return RunEnqueueCommand(a, ctx);
  auto inst = OpenInstallation(a.inst, "scan", /*create=*/true);
  if (!inst.ok()) return Fail(ctx, "scan", inst.status().ToString());
  app::ScanRequest request = a.request;
  request.faces = a.faces == "on"    ? app::FacePolicy::kOn
                  : a.faces == "off" ? app::FacePolicy::kOff
                                     : app::FacePolicy::kAuto;
  const std::vector<std::filesystem::path> inputs(a.paths.begin(), a.paths.end());
  CliObserver observer(ctx.term, a.jsonl, !a.quiet);
  auto summary = (*inst)->Scan(inputs, request, &observer);
  observer.ClearProgress();
  if (!summary.ok()) return Fail(ctx, "scan", summary.status().ToString());
  if (a.json) {
    std::cout << SummaryJson(*summary, store::RedactUrl(a.inst.db)) << '\n';
  } else if (!a.quiet) {
    PrintSummary(*summary, store::RedactUrl(a.inst.db), ctx.term, a.jsonl ? std::cerr : std::cout);
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
  AddInstallationOptions(scan, args->inst, /*data_dir=*/true);
  scan->add_flag("--jsonl", args->jsonl, "Print one JSON object per post to stdout");
  scan->add_flag("--json", args->json, "Print the summary as one JSON object to stdout");
  scan->add_flag("-q,--quiet", args->quiet, "No progress line and no summary");
  scan->add_option("--threads", args->request.options.threads, "Analysis threads (0 = all cores)")
      ->check(CLI::Range(0, 256));
  scan->add_option("--batch", args->request.options.batch_size, "Posts per database transaction")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  scan->add_flag("!--no-match", args->request.options.match_media,
                 "Skip matching media against lists and the store");
  scan->add_option("--radius", args->request.options.pdq_radius, "PDQ match radius in bits")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  scan->add_flag("--evidence", args->request.evidence,
                 "Keep every original in the encrypted vault and record its acquisition in the "
                 "custody log (needs vigil keys init)");
  scan->add_option("--faces", args->faces,
                   "Find faces in images: auto (when the registry has photos), on, off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  scan->add_option("--scratch-dir", args->request.options.scratch_dir,
                   "Where .zip exports are extracted (default: a temporary folder)");
  scan->add_option("--max-media-bytes", args->request.options.limits.max_media_bytes,
                   "Largest media file inspected")
      ->capture_default_str();
  scan->add_option("--max-line-bytes", args->request.options.limits.max_line_bytes,
                   "Longest JSONL/WhatsApp line or message")
      ->capture_default_str();
  scan->add_option("--max-pixels", args->request.options.limits.max_pixels,
                   "Largest image (width x height)")
      ->capture_default_str();
  scan->add_option("--max-archive-bytes", args->request.options.limits.max_archive_bytes,
                   "Most bytes extracted from one .zip")
      ->capture_default_str();
  scan->add_option("--max-archive-entries", args->request.options.limits.max_archive_entries,
                   "Most entries in one .zip")
      ->capture_default_str();
  scan->add_option("--max-archive-ratio", args->request.options.limits.max_archive_ratio,
                   "Largest uncompressed/compressed ratio of one .zip entry (zip bombs)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  scan->add_option("--max-file-bytes", args->request.options.limits.max_file_bytes,
                   "Largest export file (Telegram JSON, WhatsApp chat)")
      ->capture_default_str();
  scan->add_option("--max-item-bytes", args->request.options.limits.max_item_bytes,
                   "Largest single message (JSON object or WhatsApp message)")
      ->capture_default_str();
  scan->add_option("--max-json-depth", args->request.options.limits.max_json_depth,
                   "Deepest JSON nesting inside one message")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  scan->add_option("--max-file-seconds", args->request.options.limits.max_file_seconds,
                   "Wall-clock seconds for one media file (hashes, video frames, faces); "
                   "a file over it is reported and skipped")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  scan->add_option("--queue", args->queue,
                   "Enqueue the posts on a Redis stream, redis://HOST[:PORT]/STREAM, for vigil "
                   "worker to analyse and store (--db is then not used)");
  scan->add_option("--max-queue", args->max_queue,
                   "With --queue: wait while the stream holds this many messages")
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}))
      ->capture_default_str();
  scan->add_option("--media-dir", args->media_dir,
                   "With --queue: the folder, shared with every worker, that media files are "
                   "copied to as <sha256>")
      ->capture_default_str();
  scan->callback([args, &ctx] {
    if (!args->queue.empty() && (args->jsonl || args->request.evidence || args->faces == "on")) {
      ctx.exit_code = kExitUsage;
      std::cerr << "vigil scan: --queue cannot be combined with --jsonl, --evidence or "
                   "--faces on (workers do not run them)\n";
      return;
    }
    if (args->jsonl && args->json) {
      ctx.exit_code = kExitUsage;
      std::cerr << "vigil scan: --jsonl and --json cannot be combined\n";
      return;
    }
    ctx.exit_code = RunScanCommand(*args, ctx);
  });
}

}  // namespace vigil::cli
