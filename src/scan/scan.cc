#include "vigil/scan/scan.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <optional>
#include <semaphore>
#include <span>
#include <thread>
#include <unordered_set>
#include <utility>
#include <variant>

#include "src/scan/queue.h"
#include "vigil/core/version.h"
#include "vigil/scan/media_matching.h"

namespace vigil::scan {
namespace {

constexpr size_t kWorkQueueCapacity = 4096;
constexpr size_t kOutQueueCapacity = 4096;

struct Work {
  uint64_t seq;
  Post post;
};
struct Done {
  uint64_t seq;
  store::ScanRecord record;
  std::vector<MediaProbe> probes;   // one per record.media, for matching in the writer
  std::string failed;               // set when analysis threw: the post is reported, not stored
  std::vector<std::string> errors;  // problems with this post's media, reported
};

// Posts between the reader and the writer's commit. The writer re-orders
// results, so one slow item (a long video) would otherwise let the others
// pile up behind it without bound.
constexpr std::ptrdiff_t kMaxInFlight = 8192;
using InFlight = std::counting_semaphore<kMaxInFlight>;
struct ReaderStarted {
  std::string name;
  size_t index;
  size_t count;
};
using OutItem = std::variant<Done, ingest::IngestError, ReaderStarted>;

// Feeds posts from the readers into the work queue; errors go straight to
// the writer. Runs on the reader thread.
class QueueSink : public ingest::PostSink {
 public:
  QueueSink(BoundedQueue<Work>& work, BoundedQueue<OutItem>& out, InFlight& in_flight,
            const std::atomic<bool>& stop, std::atomic<uint64_t>& bytes_read)
      : work_(work), out_(out), in_flight_(in_flight), stop_(stop), bytes_read_(bytes_read) {}

  Status OnPost(Post&& post) override {
    while (!in_flight_.try_acquire_for(std::chrono::milliseconds(100))) {
      if (stop_) return Status::Internal("scan stopped");
    }
    if (!work_.Push(Work{next_seq_++, std::move(post)})) {
      return Status::Internal("scan stopped");
    }
    return Status::Ok();
  }
  void OnError(const ingest::IngestError& error) override { out_.Push(error); }
  void OnBytesRead(uint64_t n) override { bytes_read_.fetch_add(n, std::memory_order_relaxed); }

 private:
  BoundedQueue<Work>& work_;
  BoundedQueue<OutItem>& out_;
  InFlight& in_flight_;
  const std::atomic<bool>& stop_;
  std::atomic<uint64_t>& bytes_read_;
  uint64_t next_seq_ = 0;
};

// Readers are handed to `finished` rather than destroyed: a reader owns what
// its posts point at (a .zip extracted to a scratch folder), and workers may
// still be inspecting that media after the reader has moved on. Every input
// is opened first, so that progress knows the bytes of the whole scan.
void ReadAll(const std::vector<std::filesystem::path>& inputs, const ScanOptions& options,
             BoundedQueue<Work>& work, BoundedQueue<OutItem>& out, const std::atomic<bool>& stop,
             InFlight& in_flight, std::vector<std::unique_ptr<ingest::Reader>>& finished,
             std::atomic<uint64_t>& bytes_read, std::atomic<uint64_t>& bytes_total) {
  QueueSink sink(work, out, in_flight, stop, bytes_read);
  ingest::ReaderOptions reader_options;
  reader_options.limits = options.limits;
  reader_options.scratch_dir = options.scratch_dir;
  std::vector<std::unique_ptr<ingest::Reader>> readers;
  uint64_t total = 0;
  for (const auto& input : inputs) {
    if (stop) break;
    std::vector<ingest::IngestError> errors;
    for (auto& reader : ingest::OpenReaders(input, reader_options, errors)) {
      total += reader->SizeBytes();
      readers.push_back(std::move(reader));
    }
    for (auto& e : errors) out.Push(std::move(e));
  }
  bytes_total.store(total);
  size_t index = 0;
  for (auto& reader : readers) {
    if (stop) break;
    out.Push(ReaderStarted{reader->Describe(), ++index, readers.size()});
    const Status s = reader->Read(sink);
    if (!s.ok() && !stop) {
      out.Push(ingest::IngestError{reader->Describe(), "", s.ToString()});
    }
    finished.push_back(std::move(reader));
  }
  work.Close();
}

struct Analysis {
  store::ScanRecord record;
  std::vector<MediaProbe> probes;
  std::vector<std::string> errors;  // reported by the writer
};

// Face search for one worker: its own engine and the shared registry.
struct FaceSearch {
  faces::FaceEngine* engine = nullptr;
  const RegistryMatcher* registry = nullptr;
  const std::unordered_set<std::string>* searched = nullptr;  // skip the detector for these
};

Analysis Analyse(Post post, const text::Analyzer& analyzer, const Limits& limits,
                 const match::Matcher* lists, int pdq_radius,
                 const evidence::Vault* vault = nullptr, FaceSearch face_search = {}) {
  Analysis a;
  store::ScanRecord& record = a.record;
  if (!post.service && !post.text.empty()) record.analysis = analyzer.Analyze(post.text);
  record.media.reserve(post.media.size());
  a.probes.resize(post.media.size());
  for (size_t i = 0; i < post.media.size(); ++i) {
    store::MediaResult result = InspectMedia(post.media[i], limits, &a.probes[i]);
    if (lists != nullptr && result.info) {
      MatchLists(*lists, *result.info, a.probes[i], pdq_radius, &result.matches);
    }
    if (face_search.engine != nullptr && result.info) {
      const std::string error =
          FindFaces(post.media[i], *face_search.engine, face_search.registry, a.probes[i].image,
                    pdq_radius, limits, a.probes[i].deadline, &result, face_search.searched);
      if (!error.empty()) a.errors.push_back("media " + post.media[i].name + ": " + error);
    }
    if (vault != nullptr && result.info) {
      auto stored = vault->PutFile(post.media[i].path);
      if (!stored.ok()) {
        a.errors.push_back("media " + post.media[i].name +
                           ": not kept in the vault: " + stored.status().ToString());
      } else if (*stored != result.info->sha256) {
        a.errors.push_back("media " + post.media[i].name + ": changed while it was read");
      }
    }
    record.media.push_back(std::move(result));
  }
  record.post = std::move(post);
  return a;
}

void AnalyseAll(const text::Analyzer& analyzer, const ScanOptions& options,
                const match::Matcher* lists, const std::unordered_set<std::string>* face_searched,
                BoundedQueue<Work>& work, BoundedQueue<OutItem>& out,
                std::atomic<int>& live_workers) {
  // Each worker has its own face engine (dlib's network keeps per-call state).
  std::unique_ptr<faces::FaceEngine> engine =
      options.face_engine != nullptr ? options.face_engine->Clone() : nullptr;
  const FaceSearch face_search{engine.get(), options.registry, face_searched};
  while (auto w = work.Pop()) {
    Done done{w->seq, {}, {}, {}, {}};
    // Libraries under hostile input may throw (bad_alloc on a crafted size);
    // that post is reported and skipped, the scan goes on.
    const std::string file = w->post.source_file, item = w->post.source_item;
    try {
      Analysis a = Analyse(std::move(w->post), analyzer, options.limits, lists, options.pdq_radius,
                           options.vault, face_search);
      done.record = std::move(a.record);
      done.probes = std::move(a.probes);
      done.errors = std::move(a.errors);
    } catch (const std::exception& e) {
      done.failed = std::string("analysis failed: ") + e.what();
      done.record.post.source_file = file;
      done.record.post.source_item = item;
    }
    if (!out.Push(std::move(done))) break;
  }
  if (--live_workers == 0) out.Close();
}

}  // namespace

int64_t ScanSummary::flagged() const {
  int64_t n = 0;
  for (const auto& [category, count] : by_category) {
    if (category != text::CategoryName(text::Category::kOther)) n += count;
  }
  return n;
}

store::ScanRecord AnalyzePost(Post post, const text::Analyzer& analyzer, const Limits& limits,
                              const match::Matcher* lists, int pdq_radius) {
  return Analyse(std::move(post), analyzer, limits, lists, pdq_radius).record;
}

Result<ScanSummary> RunScan(const std::vector<std::filesystem::path>& inputs,
                            const ScanOptions& options, const text::Analyzer& analyzer,
                            store::Database& db, ScanObserver* observer) {
  store::Store& store = db.posts();
  // With face search, faces are stored beside their media (PutMediaFaces).
  store::RegistryStore* registry_store = options.face_engine ? &db.registry() : nullptr;
  ScanObserver null_observer;
  ScanObserver& obs = observer ? *observer : null_observer;
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const size_t batch_size = std::max<size_t>(1, options.batch_size);

  BoundedQueue<Work> work(kWorkQueueCapacity);
  BoundedQueue<OutItem> out(kOutQueueCapacity);
  std::atomic<bool> stop{false};
  std::atomic<int> live_workers{threads};

  // Hash lists and the media already stored, for matching.
  std::optional<match::Matcher> lists;
  std::optional<SeenMedia> seen;
  if (options.match_media) {
    auto stored_lists = store.LoadHashLists();
    if (!stored_lists.ok()) return stored_lists.status();
    if (!stored_lists->empty()) {
      auto matcher = match::Matcher::Build(std::move(stored_lists).value());
      if (!matcher.ok()) return matcher.status();
      lists.emplace(std::move(matcher).value());
    }
    auto loaded = SeenMedia::Load(store);
    if (!loaded.ok()) return loaded.status();
    seen.emplace(std::move(loaded).value());
    // Media stored by a scan with --no-match get their matches now.
    VIGIL_RETURN_IF_ERROR(seen->MatchStored(store, lists ? &*lists : nullptr, options.pdq_radius));
  }
  const match::Matcher* lists_ptr = lists ? &*lists : nullptr;

  // Media whose faces an earlier run searched: workers skip the detector.
  std::unordered_set<std::string> face_searched;
  if (registry_store != nullptr) {
    auto searched = registry_store->FaceSearchedMedia();
    if (!searched.ok()) return searched.status();
    face_searched.insert(searched->begin(), searched->end());
  }

  std::vector<std::unique_ptr<ingest::Reader>> finished_readers;  // destroyed after the workers
  InFlight in_flight(kMaxInFlight);
  std::atomic<uint64_t> bytes_read{0}, bytes_total{0};
  std::thread reader([&] {
    ReadAll(inputs, options, work, out, stop, in_flight, finished_readers, bytes_read, bytes_total);
  });
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back(
        [&] { AnalyseAll(analyzer, options, lists_ptr, &face_searched, work, out, live_workers); });
  }

  ScanSummary summary;
  Status failure;
  Progress progress;
  std::map<uint64_t, Done> pending;  // finished out of order
  uint64_t next_seq = 0;
  std::vector<store::ScanRecord> batch;
  std::vector<store::ScanError> error_batch;
  batch.reserve(batch_size);

  auto report_error = [&](ingest::IngestError e) {
    ++summary.errors;
    obs.OnError(e);
    error_batch.push_back({std::move(e.file), std::move(e.item), std::move(e.reason)});
  };
  // Originals already acquired (by this or an earlier scan): acquisition is
  // recorded once per file, so re-runs and resumed scans add nothing.
  std::unordered_set<std::string> acquired;
  if (options.custody != nullptr) {
    for (const auto& e : options.custody->entries()) {
      if (e.action == "acquire") acquired.insert(e.items.begin(), e.items.end());
    }
  }
  // The export files themselves are originals too: each goes to the vault
  // once, with its own acquisition, and media acquisitions name its SHA-256.
  // A post read from inside a .zip names "<zip>/<entry>": the zip is kept.
  std::map<std::string, std::string> export_sha;  // source file as named -> sha256
  // Appends an "acquire" entry for the original `sha` taken from `post`.
  auto log_acquisition = [&](const std::string& sha, const Post& post, std::string source_file,
                             std::string source_sha, std::string path_in_source,
                             std::string message_id, std::string details) -> Status {
    evidence::CustodyEntry entry;
    entry.actor = options.operator_name;
    entry.action = "acquire";
    entry.items = {sha};
    entry.details = std::move(details);
    evidence::AcquisitionRecord& acq = entry.acquisition.emplace();
    acq.source_file = std::move(source_file);
    acq.source_sha256 = std::move(source_sha);
    acq.path_in_source = std::move(path_in_source);
    acq.platform = std::string(PlatformName(post.platform));
    acq.channel = post.channel.id;
    acq.message_id = std::move(message_id);
    acq.acquired_time = static_cast<int64_t>(std::time(nullptr));
    acq.vigil_version = std::string(kVersion);
    acq.operator_name = options.operator_name;
    auto appended = options.custody->Append(std::move(entry));
    return appended.ok() ? Status::Ok() : appended.status();
  };
  auto acquire_export = [&](const Post& post) -> Result<std::string> {
    if (auto it = export_sha.find(post.source_file); it != export_sha.end()) return it->second;
    std::filesystem::path file = post.source_file;
    std::error_code ec;
    while (!file.empty() && !std::filesystem::is_regular_file(file, ec) &&
           file.has_relative_path()) {
      file = file.parent_path();
    }
    std::string sha;
    if (std::filesystem::is_regular_file(file, ec)) {
      auto stored = options.vault->PutFile(file.string());
      if (!stored.ok()) return stored.status();
      sha = *stored;
      if (acquired.insert(sha).second) {
        VIGIL_RETURN_IF_ERROR(
            log_acquisition(sha, post, file.string(), sha, "", "", "export file"));
      }
    }
    export_sha.emplace(post.source_file, sha);
    return sha;
  };
  auto record_acquisitions = [&]() -> Status {
    if (options.custody == nullptr) return Status::Ok();
    for (const auto& r : batch) {
      std::string source_sha;
      if (options.vault != nullptr) {
        auto sha = acquire_export(r.post);
        if (!sha.ok()) return sha.status();
        source_sha = *sha;
      }
      for (size_t i = 0; i < r.media.size(); ++i) {
        const auto& info = r.media[i].info;
        if (!info || !acquired.insert(info->sha256).second) continue;
        VIGIL_RETURN_IF_ERROR(log_acquisition(info->sha256, r.post, r.post.source_file, source_sha,
                                              r.post.media[i].shown_path(), r.post.external_id,
                                              ""));
      }
    }
    return Status::Ok();
  };
  // Faces go in with their media rows, in the batch's transaction.
  auto store_faces = [&](std::span<const store::ScanRecord> records) -> Status {
    if (registry_store == nullptr) return Status::Ok();
    std::vector<store::MediaFaces> faces;
    std::unordered_set<std::string> done;
    for (const auto& r : records) {
      for (const auto& m : r.media) {
        if (!m.info || !m.faces_searched || !done.insert(m.info->sha256).second) continue;
        faces.push_back(ToMediaFaces(m.info->sha256, m));
        summary.faces += static_cast<int64_t>(m.faces.size());
        bool matched = !m.registry_pdq.empty();
        for (const auto& f : m.faces) matched = matched || !f.matches.empty();
        if (matched) ++summary.face_matches;
      }
    }
    return faces.empty() ? Status::Ok() : registry_store->PutMediaFaces(faces);
  };
  auto flush = [&]() -> Status {
    if (!error_batch.empty()) {
      VIGIL_RETURN_IF_ERROR(store.WriteErrors(error_batch));
      error_batch.clear();
    }
    if (batch.empty()) return Status::Ok();
    auto write = [&](std::span<const store::ScanRecord> records) -> Status {
      if (registry_store == nullptr) return store.Write(records);
      // One transaction (a nested Write does not cache selector ids).
      return db.InTransaction([&]() -> Status {
        VIGIL_RETURN_IF_ERROR(store.Write(records));
        return store_faces(records);
      });
    };
    Status written = write(batch);
    if (written.code() == StatusCode::kInvalidArgument) {
      // The database refused a record (PostgreSQL text holds no NUL byte and
      // only UTF-8, where SQLite stores any bytes): that post is reported
      // and skipped like other bad input, and the rest of its batch stored.
      std::vector<store::ScanRecord> kept;
      for (auto& r : batch) {
        Status one = write({&r, 1});
        if (one.ok()) {
          kept.push_back(std::move(r));
        } else if (one.code() == StatusCode::kInvalidArgument) {
          report_error({r.post.source_file, r.post.source_item, one.ToString()});
        } else {
          return one;
        }
      }
      batch = std::move(kept);
      written = error_batch.empty() ? Status::Ok() : store.WriteErrors(error_batch);
      error_batch.clear();
    }
    VIGIL_RETURN_IF_ERROR(written);
    // After the commit: an acquisition is logged only for what is stored (a
    // crash in between is mended by the re-run, which logs it then).
    VIGIL_RETURN_IF_ERROR(record_acquisitions());
    for (const auto& r : batch) obs.OnRecord(r);
    progress.posts += static_cast<int64_t>(batch.size());
    progress.bytes_read = bytes_read.load(std::memory_order_relaxed);
    progress.bytes_total = bytes_total.load();
    obs.OnProgress(progress);
    batch.clear();
    return Status::Ok();
  };
  auto accept = [&](Done&& done) {
    in_flight.release();
    store::ScanRecord& r = done.record;
    if (!done.failed.empty()) {
      report_error({r.post.source_file, r.post.source_item, done.failed});
      return;
    }
    for (auto& e : done.errors) report_error({r.post.source_file, r.post.source_item, e});
    if (seen) {  // reposts: in export order, on this one thread
      for (size_t i = 0; i < r.media.size(); ++i) {
        if (r.media[i].info) {
          seen->MatchAndAdd(*r.media[i].info, done.probes[i], options.pdq_radius,
                            &r.media[i].matches);
          r.media[i].matched = true;
        }
      }
    }
    // Faces searched by an earlier run are not detected again: the stored
    // faces are matched with the registry as it is now.
    for (auto& m : r.media) {
      if (face_searched.empty() || !m.info || m.faces_searched ||
          !face_searched.count(m.info->sha256)) {
        continue;
      }
      auto stored = registry_store->FacesOf(m.info->sha256);
      if (!stored.ok()) {
        report_error({r.post.source_file, r.post.source_item, stored.status().ToString()});
        continue;
      }
      for (const auto& f : *stored) {
        store::FaceResult face;
        face.box = {f.x, f.y, f.w, f.h};
        face.embedding = f.embedding;
        if (options.registry != nullptr && f.embedding.size() == faces::kEmbeddingDims) {
          faces::Embedding e;
          std::copy(f.embedding.begin(), f.embedding.end(), e.begin());
          face.matches = options.registry->MatchFace(e);
        }
        m.faces.push_back(std::move(face));
      }
      m.faces_searched = true;
    }
    if (r.post.service) {
      ++summary.service;
    } else {
      ++summary.posts;
      ++summary.by_category[std::string(text::CategoryName(r.analysis.category))];
    }
    summary.selectors += static_cast<int64_t>(r.analysis.selectors.size());
    for (size_t i = 0; i < r.media.size(); ++i) {
      const auto& m = r.media[i];
      if (m.info) {
        ++summary.media;
        const auto is = [&](store::MatchKind kind) {
          return std::any_of(m.matches.begin(), m.matches.end(),
                             [&](const store::MediaMatch& x) { return x.kind == kind; });
        };
        summary.list_matches += is(store::MatchKind::kList);
        summary.media_matches += is(store::MatchKind::kMedia);
      } else {
        ++summary.media_missing;
        // A file the export names and that cannot be read is bad input, and so
        // is a reference that leaves the export (../, an absolute path, a link
        // out of it); a file the export itself says it left out is not.
        if (!r.post.media[i].path.empty() || r.post.media[i].missing_reason == kOutsideExport) {
          report_error({r.post.source_file, r.post.source_item,
                        "media " + r.post.media[i].name + ": " + m.error});
        }
      }
    }
    batch.push_back(std::move(r));
  };

  while (auto item = out.Pop()) {
    if (!failure.ok()) continue;  // drain so producers can finish
    if (auto* done = std::get_if<Done>(&*item)) {
      const uint64_t seq = done->seq;
      pending.emplace(seq, std::move(*done));
      for (auto it = pending.find(next_seq); it != pending.end(); it = pending.find(next_seq)) {
        accept(std::move(it->second));
        pending.erase(it);
        ++next_seq;
        if (batch.size() >= batch_size) {
          failure = flush();
          if (!failure.ok()) break;
        }
      }
    } else if (auto* err = std::get_if<ingest::IngestError>(&*item)) {
      report_error(std::move(*err));
    } else if (auto* started = std::get_if<ReaderStarted>(&*item)) {
      progress.current = started->name;
      progress.bytes_read = bytes_read.load(std::memory_order_relaxed);
      progress.bytes_total = bytes_total.load();
      progress.reader_index = started->index;
      progress.reader_count = started->count;
      obs.OnProgress(progress);
    }
    if (!failure.ok()) {
      stop = true;
      work.Close();
    }
  }
  reader.join();
  for (auto& t : workers) t.join();
  if (failure.ok()) failure = flush();
  if (!failure.ok()) return failure;
  return summary;
}

Result<ScanSummary> RunScan(const std::vector<std::filesystem::path>& inputs,
                            const ScanOptions& options, const std::string& db_url,
                            ScanObserver* observer) {
  auto analyzer = text::Analyzer::Create(options.lexicon_dir);
  if (!analyzer.ok()) return analyzer.status();
  auto db = store::Open(db_url);
  if (!db.ok()) return db.status();
  return RunScan(inputs, options, **analyzer, **db, observer);
}

}  // namespace vigil::scan
