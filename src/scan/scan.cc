#include "vigil/scan/scan.h"

#include <atomic>
#include <map>
#include <thread>
#include <utility>
#include <variant>

#include "queue.h"
#include "vigil/media/inspect.h"

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
};
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
  QueueSink(BoundedQueue<Work>& work, BoundedQueue<OutItem>& out) : work_(work), out_(out) {}

  Status OnPost(Post&& post) override {
    if (!work_.Push(Work{next_seq_++, std::move(post)})) {
      return Status::Internal("scan stopped");
    }
    return Status::Ok();
  }
  void OnError(const ingest::IngestError& error) override { out_.Push(error); }

 private:
  BoundedQueue<Work>& work_;
  BoundedQueue<OutItem>& out_;
  uint64_t next_seq_ = 0;
};

// Readers are handed to `finished` rather than destroyed: a reader owns what
// its posts point at (a .zip extracted to a scratch folder), and workers may
// still be inspecting that media after the reader has moved on.
void ReadAll(const std::vector<std::filesystem::path>& inputs, const ScanOptions& options,
             BoundedQueue<Work>& work, BoundedQueue<OutItem>& out, const std::atomic<bool>& stop,
             std::vector<std::unique_ptr<ingest::Reader>>& finished) {
  QueueSink sink(work, out);
  ingest::ReaderOptions reader_options;
  reader_options.limits = options.limits;
  reader_options.scratch_dir = options.scratch_dir;
  size_t index = 0, count = 0;
  for (const auto& input : inputs) {
    if (stop) break;
    std::vector<ingest::IngestError> errors;
    auto readers = ingest::OpenReaders(input, reader_options, errors);
    for (auto& e : errors) out.Push(std::move(e));
    count += readers.size();
    for (auto& reader : readers) {
      if (stop) break;
      out.Push(ReaderStarted{reader->Describe(), ++index, count});
      const Status s = reader->Read(sink);
      if (!s.ok() && !stop) {
        out.Push(ingest::IngestError{reader->Describe(), "", s.ToString()});
      }
      finished.push_back(std::move(reader));
    }
  }
  work.Close();
}

void Analyse(const text::Analyzer& analyzer, const Limits& limits, BoundedQueue<Work>& work,
             BoundedQueue<OutItem>& out, std::atomic<int>& live_workers) {
  while (auto w = work.Pop()) {
    if (!out.Push(Done{w->seq, AnalyzePost(std::move(w->post), analyzer, limits)})) break;
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

store::ScanRecord AnalyzePost(Post post, const text::Analyzer& analyzer, const Limits& limits) {
  store::ScanRecord record;
  if (!post.service && !post.text.empty()) record.analysis = analyzer.Analyze(post.text);
  record.media.reserve(post.media.size());
  for (const MediaRef& ref : post.media) {
    store::MediaResult result;
    if (ref.path.empty()) {
      result.error = ref.missing_reason.empty() ? "not in export" : ref.missing_reason;
    } else {
      auto info = media::InspectFile(ref.path, limits);
      if (info.ok()) {
        result.info = std::move(info.value());
      } else {
        result.error = info.status().ToString();
      }
    }
    record.media.push_back(std::move(result));
  }
  record.post = std::move(post);
  return record;
}

Result<ScanSummary> RunScan(const std::vector<std::filesystem::path>& inputs,
                            const ScanOptions& options, const text::Analyzer& analyzer,
                            store::Store& store, ScanObserver* observer) {
  ScanObserver null_observer;
  ScanObserver& obs = observer ? *observer : null_observer;
  const int threads =
      options.threads > 0 ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const size_t batch_size = std::max<size_t>(1, options.batch_size);

  BoundedQueue<Work> work(kWorkQueueCapacity);
  BoundedQueue<OutItem> out(kOutQueueCapacity);
  std::atomic<bool> stop{false};
  std::atomic<int> live_workers{threads};

  std::vector<std::unique_ptr<ingest::Reader>> finished_readers;  // destroyed after the workers
  std::thread reader([&] { ReadAll(inputs, options, work, out, stop, finished_readers); });
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&] { Analyse(analyzer, options.limits, work, out, live_workers); });
  }

  ScanSummary summary;
  Status failure;
  Progress progress;
  std::map<uint64_t, store::ScanRecord> pending;  // finished out of order
  uint64_t next_seq = 0;
  std::vector<store::ScanRecord> batch;
  std::vector<store::ScanError> error_batch;
  batch.reserve(batch_size);

  auto report_error = [&](ingest::IngestError e) {
    ++summary.errors;
    obs.OnError(e);
    error_batch.push_back({std::move(e.file), std::move(e.item), std::move(e.reason)});
  };
  auto flush = [&]() -> Status {
    if (!error_batch.empty()) {
      VIGIL_RETURN_IF_ERROR(store.WriteErrors(error_batch));
      error_batch.clear();
    }
    if (batch.empty()) return Status::Ok();
    VIGIL_RETURN_IF_ERROR(store.Write(batch));
    for (const auto& r : batch) obs.OnRecord(r);
    progress.posts += static_cast<int64_t>(batch.size());
    obs.OnProgress(progress);
    batch.clear();
    return Status::Ok();
  };
  auto accept = [&](store::ScanRecord&& r) {
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
      } else {
        ++summary.media_missing;
        // A file the export names and that cannot be read is bad input; a file
        // the export itself says it left out is not.
        if (!r.post.media[i].path.empty()) {
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
      pending.emplace(done->seq, std::move(done->record));
      for (auto it = pending.find(next_seq); it != pending.end(); it = pending.find(next_seq)) {
        accept(std::move(it->second));
        pending.erase(it);
        ++next_seq;
        if (batch.size() >= batch_size) failure = flush();
      }
    } else if (auto* err = std::get_if<ingest::IngestError>(&*item)) {
      report_error(std::move(*err));
    } else if (auto* started = std::get_if<ReaderStarted>(&*item)) {
      progress.current = started->name;
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
                            const ScanOptions& options, ScanObserver* observer) {
  auto analyzer = text::Analyzer::Create(options.lexicon_dir);
  if (!analyzer.ok()) return analyzer.status();
  auto store = store::Store::OpenSqlite(options.db_path);
  if (!store.ok()) return store.status();
  return RunScan(inputs, options, **analyzer, **store, observer);
}

}  // namespace vigil::scan
