#include "vigil/app/fleet.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "vigil/core/digest.h"
#include "vigil/core/hex.h"
#include "vigil/queue/post_codec.h"
#include "vigil/scan/media_matching.h"

namespace vigil::app {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

std::string HostPid() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "host");
  return std::string(host) + "-" + std::to_string(getpid());
}

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

struct SharedCopy {
  std::string sha256;
  fs::path path;
  bool fresh = false;  // this call put it there
};

// Copies `source` into `dir` as <sha256> (through `dir`/.<tmp_name> and a
// rename). nullopt when the source cannot be read or is larger than
// `max_bytes` (the worker then reads the export itself and reports what a
// scan reports); kIoError when `dir` cannot be written.
Result<std::optional<SharedCopy>> CopyToShared(const std::string& source, const fs::path& dir,
                                               const std::string& tmp_name, uint64_t max_bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(source, ec)) return std::optional<SharedCopy>();
  const uint64_t size = fs::file_size(source, ec);
  if (ec || size > max_bytes) return std::optional<SharedCopy>();
  File in(std::fopen(source.c_str(), "rb"));
  if (!in) return std::optional<SharedCopy>();
  const fs::path tmp = dir / ("." + tmp_name);
  File out(std::fopen(tmp.c_str(), "wb"));
  if (!out) return Status::IoError(tmp.string() + ": cannot create: " + std::strerror(errno));
  Sha256Stream sha;
  std::vector<char> buf(1 << 20);
  uint64_t total = 0;
  bool read_failed = false;
  for (;;) {
    const size_t n = std::fread(buf.data(), 1, buf.size(), in.get());
    if (n > 0) {
      sha.Update(std::string_view(buf.data(), n));
      if (std::fwrite(buf.data(), 1, n, out.get()) != n) {
        const std::string why = std::strerror(errno);
        out.reset();
        fs::remove(tmp, ec);
        return Status::IoError(tmp.string() + ": write failed: " + why);
      }
      total += n;
    }
    if (n < buf.size()) {
      read_failed = std::ferror(in.get()) != 0;
      break;
    }
    if (total > max_bytes) break;  // grew while read: the worker reports it
  }
  const bool flushed = std::fflush(out.get()) == 0 && fsync(fileno(out.get())) == 0;
  out.reset();
  if (read_failed || total > max_bytes) {
    fs::remove(tmp, ec);
    return std::optional<SharedCopy>();
  }
  if (!flushed) {
    fs::remove(tmp, ec);
    return Status::IoError(tmp.string() + ": write failed");
  }
  const Sha256Digest digest = sha.Final();
  SharedCopy copy;
  copy.sha256 = HexEncode(digest);
  copy.path = SharedMediaPath(dir, copy.sha256);
  if (fs::exists(copy.path, ec)) {
    fs::remove(tmp, ec);
    return std::optional<SharedCopy>(std::move(copy));
  }
  fs::rename(tmp, copy.path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status::IoError(copy.path.string() + ": cannot rename into place: " + ec.message());
  }
  copy.fresh = true;
  return std::optional<SharedCopy>(std::move(copy));
}

// Feeds posts into the queue, in export order, on the reading thread.
class EnqueueSink : public ingest::PostSink {
 public:
  EnqueueSink(queue::WorkQueue& q, const EnqueueRequest& request, const fs::path& media_dir,
              const std::string& producer, scan::ScanObserver& observer, EnqueueSummary& summary,
              scan::Progress& progress)
      : q_(q),
        request_(request),
        media_dir_(media_dir),
        producer_(producer),
        observer_(observer),
        summary_(summary),
        progress_(progress) {}

  // A failure of the queue or of the media folder stops the reader and is
  // kept in failure(): it is not bad input.
  Status OnPost(Post&& post) override {
    VIGIL_RETURN_IF_ERROR(failure_);
    failure_ = Enqueue(std::move(post));
    return failure_;
  }

  void OnError(const ingest::IngestError& error) override {
    ++summary_.errors;
    observer_.OnError(error);
    if (!failure_.ok()) return;
    queue::WorkItem item;
    item.kind = queue::WorkItem::Kind::kError;
    item.seq = seq_++;
    item.error_file = error.file;
    item.error_item = error.item;
    item.error_reason = error.reason;
    failure_ = q_.Enqueue(queue::EncodeWorkItem(item)).status();
  }

  void OnBytesRead(uint64_t n) override { bytes_read_ += n; }

  const Status& failure() const { return failure_; }

 private:
  Status Enqueue(Post&& post) {
    queue::WorkItem item;
    item.seq = seq_++;
    item.media_files.resize(post.media.size());
    std::vector<std::string> first_seen;
    for (size_t i = 0; i < post.media.size(); ++i) {
      if (post.media[i].path.empty()) continue;
      std::optional<SharedCopy> copy;
      if (auto it = copied_.find(post.media[i].path); it != copied_.end()) {
        copy = it->second;  // referenced again by a later post: not read again
        copy->fresh = false;
      } else {
        VIGIL_ASSIGN_OR_RETURN(copy,
                               CopyToShared(post.media[i].path, media_dir_,
                                            "tmp-" + producer_ + "-" + std::to_string(copies_++),
                                            request_.limits.max_media_bytes));
        if (copy) copied_.emplace(post.media[i].path, *copy);
      }
      if (!copy) continue;
      ++(copy->fresh ? summary_.media_copied : summary_.media_present);
      item.media_files[i] = copy->path.string();
      if (ordered_.insert(copy->sha256).second) first_seen.push_back(copy->sha256);
    }
    // The order first, so that it holds every file of a post a worker stores.
    VIGIL_RETURN_IF_ERROR(q_.AppendOrder(first_seen));
    ++(post.service ? summary_.service : summary_.posts);
    item.post = std::move(post);
    auto id = q_.Enqueue(queue::EncodeWorkItem(item));
    if (!id.ok()) return id.status();
    if (++progress_.posts % 1000 == 0) {
      progress_.bytes_read = bytes_read_;
      observer_.OnProgress(progress_);
    }
    return Status::Ok();
  }

  queue::WorkQueue& q_;
  const EnqueueRequest& request_;
  const fs::path& media_dir_;
  const std::string& producer_;
  scan::ScanObserver& observer_;
  EnqueueSummary& summary_;
  scan::Progress& progress_;
  Status failure_;
  uint64_t seq_ = 0;
  uint64_t copies_ = 0;
  uint64_t bytes_read_ = 0;
  std::unordered_set<std::string> ordered_;
  std::unordered_map<std::string, SharedCopy> copied_;  // by the export's path
};

// Runs `write` again, with a doubling delay, while it fails in a way a
// retry can mend: kResourceExhausted (SQLite busy past its timeout,
// PostgreSQL deadlocks past Store::Write's own retries: other workers write
// the same selector and media rows at the same time) or kIoError (a
// PostgreSQL connection the server dropped; the store reconnects on the next
// call). Every write here is idempotent. Gives up after 5 tries.
Status WithRetries(const std::function<Status()>& write) {
  Status s;
  auto delay = std::chrono::milliseconds(50);
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(delay);  // backoff before a retry, not synchronisation
      delay *= 2;
    }
    s = write();
    if (s.code() != StatusCode::kResourceExhausted && s.code() != StatusCode::kIoError) return s;
  }
  return s;
}

// The batch's bad input, then its records in one transaction of their own
// (Store::Write, which writes a batch a deadlock aborted again). Both are
// idempotent, so a crash between them is mended by the batch's redelivery.
Status WriteBatch(store::Store& store, const std::vector<store::ScanError>& errors,
                  const std::vector<store::ScanRecord>& records) {
  return WithRetries([&]() -> Status {
    if (!errors.empty()) VIGIL_RETURN_IF_ERROR(store.WriteErrors(errors));
    return records.empty() ? Status::Ok() : store.Write(records);
  });
}

// The final pass (see the header): media stored unmatched by the workers
// are matched in the order the producers met them. false when another
// worker holds the lease.
Result<bool> MatchPass(queue::WorkQueue& q, store::Store& store, const std::string& owner,
                       int radius) {
  VIGIL_ASSIGN_OR_RETURN(bool leased, q.AcquireLease("match", owner, std::chrono::hours(1)));
  if (!leased) return false;
  auto run = [&]() -> Status {
    VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> order, q.ReadOrder());
    VIGIL_ASSIGN_OR_RETURN(auto lists, store.LoadHashLists());
    std::optional<match::Matcher> matcher;
    if (!lists.empty()) {
      VIGIL_ASSIGN_OR_RETURN(auto built, match::Matcher::Build(std::move(lists)));
      matcher.emplace(std::move(built));
    }
    VIGIL_ASSIGN_OR_RETURN(scan::SeenMedia seen, scan::SeenMedia::Load(store));
    seen.OrderPending(order);
    VIGIL_RETURN_IF_ERROR(seen.MatchStored(store, matcher ? &*matcher : nullptr, radius));
    // Every file it names is matched now; what a new producer appended
    // meanwhile stays for the next pass.
    return q.TrimOrder(order.size());
  };
  // MatchStored resumes where a failed try stopped.
  const Status s = WithRetries(run);
  const Status released = q.ReleaseLease("match", owner);
  VIGIL_RETURN_IF_ERROR(s);
  VIGIL_RETURN_IF_ERROR(released);
  return true;
}

// Counts one stored record as RunScan's summary does.
void Count(const store::ScanRecord& r, scan::ScanSummary& s) {
  if (r.post.service) {
    ++s.service;
  } else {
    ++s.posts;
    ++s.by_category[std::string(text::CategoryName(r.analysis.category))];
  }
  s.selectors += static_cast<int64_t>(r.analysis.selectors.size());
  for (const auto& m : r.media) ++(m.info ? s.media : s.media_missing);
}

}  // namespace

Result<QueueReport> ReadQueueStatus(const std::string& queue_url, const std::string& group,
                                    size_t dead_letters) {
  queue::QueueOptions options;
  options.group = group;
  options.reconnect_attempts = 2;
  options.create_group = false;
  VIGIL_ASSIGN_OR_RETURN(auto q, queue::WorkQueue::Open(queue_url, options));
  QueueReport report;
  VIGIL_ASSIGN_OR_RETURN(report.status, q->GetStatus());
  if (dead_letters > 0) {
    VIGIL_ASSIGN_OR_RETURN(report.dead, q->DeadLetters(dead_letters, &report.dead_errors));
  }
  return report;
}

std::string DefaultWorkerName() { return HostPid(); }

fs::path SharedMediaPath(const fs::path& dir, const std::string& sha256) { return dir / sha256; }

Result<EnqueueSummary> EnqueueScan(const std::vector<fs::path>& inputs,
                                   const EnqueueRequest& request, scan::ScanObserver* observer) {
  scan::ScanObserver null_observer;
  scan::ScanObserver& obs = observer ? *observer : null_observer;
  if (request.media_dir.empty()) return Status::InvalidArgument("no shared media folder");
  std::error_code ec;
  fs::create_directories(request.media_dir, ec);
  if (ec) {
    return Status::IoError(request.media_dir.string() + ": cannot create: " + ec.message());
  }
  const fs::path media_dir = fs::absolute(request.media_dir, ec).lexically_normal();
  VIGIL_ASSIGN_OR_RETURN(auto q, queue::WorkQueue::Open(request.queue_url, request.queue));
  const std::string producer = request.producer_id.empty() ? HostPid() : request.producer_id;
  VIGIL_RETURN_IF_ERROR(q->BeginProducing(producer));

  EnqueueSummary summary;
  scan::Progress progress;
  EnqueueSink sink(*q, request, media_dir, producer, obs, summary, progress);
  ingest::ReaderOptions reader_options;
  reader_options.limits = request.limits;
  reader_options.scratch_dir = request.scratch_dir;
  // As RunScan: every input opened first (progress knows the total), each
  // reader kept until the end (a .zip's scratch copy lives with it).
  std::vector<std::unique_ptr<ingest::Reader>> readers;
  for (const auto& input : inputs) {
    std::vector<ingest::IngestError> errors;
    for (auto& reader : ingest::OpenReaders(input, reader_options, errors)) {
      progress.bytes_total += reader->SizeBytes();
      readers.push_back(std::move(reader));
    }
    for (const auto& e : errors) sink.OnError(e);
  }
  for (auto& reader : readers) {
    VIGIL_RETURN_IF_ERROR(sink.failure());
    progress.current = reader->Describe();
    ++progress.reader_index;
    progress.reader_count = readers.size();
    obs.OnProgress(progress);
    const Status s = reader->Read(sink);
    VIGIL_RETURN_IF_ERROR(sink.failure());
    // A bad export is reported and skipped, as RunScan does.
    if (!s.ok()) sink.OnError({reader->Describe(), "", s.ToString()});
  }
  VIGIL_RETURN_IF_ERROR(sink.failure());
  VIGIL_RETURN_IF_ERROR(q->EndProducing());
  obs.OnProgress(progress);
  return summary;
}

Result<WorkerSummary> RunWorker(Installation& inst, const WorkerRequest& request,
                                WorkerObserver* observer) {
  WorkerObserver null_observer;
  WorkerObserver& obs = observer ? *observer : null_observer;
  const std::string name = request.name.empty() ? DefaultWorkerName() : request.name;
  const fs::path lexicons =
      request.lexicon_dir.empty() ? DefaultDataDir() / "lexicons" : request.lexicon_dir;
  VIGIL_ASSIGN_OR_RETURN(auto analyzer, text::Analyzer::Create(lexicons));
  VIGIL_ASSIGN_OR_RETURN(auto q, queue::WorkQueue::Open(request.queue_url, request.queue));
  store::Store& store = inst.store();
  const size_t batch_size = std::max<size_t>(1, request.batch_size);
  const auto started = Clock::now();
  const auto claim_every =
      std::max<std::chrono::milliseconds>(request.claim_idle / 2, std::chrono::milliseconds(50));
  auto last_claim = Clock::time_point{};
  auto last_status = Clock::time_point{};
  bool unmatched = true;  // media may wait for the final pass
  WorkerSummary summary;
  WorkerProgress progress;

  auto claim = [&]() -> Result<std::vector<queue::Message>> {
    last_claim = Clock::now();
    VIGIL_ASSIGN_OR_RETURN(auto claimed, q->ClaimIdle(name, request.claim_idle, batch_size));
    summary.claimed += static_cast<int64_t>(claimed.size());
    return claimed;
  };

  for (;;) {
    if (request.stop && request.stop()) break;
    std::vector<queue::Message> batch;
    if (Clock::now() - last_claim >= claim_every) {
      VIGIL_ASSIGN_OR_RETURN(batch, claim());
    }
    if (batch.empty()) {
      VIGIL_ASSIGN_OR_RETURN(batch, q->Read(name, batch_size, request.block));
    }
    if (batch.empty() && Clock::now() - last_claim >= std::chrono::milliseconds(50)) {
      VIGIL_ASSIGN_OR_RETURN(batch, claim());
    }
    if (batch.empty()) {
      VIGIL_ASSIGN_OR_RETURN(bool drained, q->Drained());
      if (drained && request.match_media && unmatched) {
        VIGIL_ASSIGN_OR_RETURN(bool ran, MatchPass(*q, store, name, request.pdq_radius));
        summary.matched = summary.matched || ran;
        unmatched = false;
        if (ran) obs.OnNotice("matched the stored media (reposts and hash lists)");
      }
      if (drained && request.drain) break;
      continue;
    }

    std::vector<store::ScanRecord> records;
    std::vector<const queue::Message*> record_messages;  // records[i] came from this message
    std::vector<store::ScanError> errors;
    std::vector<std::string> done;
    auto report = [&](ingest::IngestError e) {
      ++summary.scan.errors;
      obs.OnError(e);
      errors.push_back({std::move(e.file), std::move(e.item), std::move(e.reason)});
    };
    for (const auto& m : batch) {
      std::string failure;
      auto item = queue::DecodeWorkItem(m.payload);
      if (!item.ok()) {
        failure = item.status().ToString();
      } else if (item->kind == queue::WorkItem::Kind::kError) {
        report({item->error_file, item->error_item, item->error_reason});
        done.push_back(m.id);
        continue;
      } else {
        // A copy the producer made and this machine cannot see is this
        // worker's fault (the media folder is not shared with it), not the
        // message's: storing the post would record its media as missing.
        for (const auto& file : item->media_files) {
          std::error_code ec;
          if (!file.empty() && !fs::exists(file, ec)) {
            return Status::NotFound(file +
                                    ": the producer's media copy is not here (is its media folder "
                                    "shared with this worker, at the same path?)");
          }
        }
        auto post = queue::WithSharedMedia(std::move(item->post), item->media_files);
        if (!post.ok()) {
          failure = post.status().ToString();
        } else {
          // Libraries under hostile input may throw (bad_alloc on a crafted
          // size): that message is tried again and then dead-lettered.
          try {
            records.push_back(scan::AnalyzePost(std::move(post).value(), *analyzer, request.limits,
                                                nullptr, request.pdq_radius));
          } catch (const std::exception& e) {
            failure = std::string("analysis failed: ") + e.what();
          }
        }
      }
      if (!failure.empty()) {
        VIGIL_ASSIGN_OR_RETURN(bool dead, q->Fail(m, failure));
        if (dead) {
          ++summary.dead_letters;
          obs.OnDeadLetter(m.id, failure);
        } else {
          ++summary.failed_tries;
          obs.OnFailedTry(m.id, failure);
        }
        continue;
      }
      const store::ScanRecord& r = records.back();
      for (size_t i = 0; i < r.media.size(); ++i) {
        const MediaRef& ref = r.post.media[i];
        // As RunScan: an unreadable file the export names, or a reference
        // out of the export, is bad input; a file the export left out is not.
        if (!r.media[i].info && (!ref.path.empty() || ref.missing_reason == kOutsideExport)) {
          report({r.post.source_file, r.post.source_item,
                  "media " + ref.name + ": " + r.media[i].error});
        }
      }
      Count(r, summary.scan);
      done.push_back(m.id);
      record_messages.push_back(&m);
    }
    if (!records.empty() || !errors.empty()) {
      Status written = WriteBatch(store, errors, records);
      if (written.code() == StatusCode::kInvalidArgument && !records.empty()) {
        // The database refused a record (PostgreSQL takes no NUL byte and no
        // bytes that are not UTF-8 in text): one post must not hold back the
        // rest of its batch. Each is written on its own; a refused one is
        // tried again later and then dead-lettered with the reason.
        VIGIL_RETURN_IF_ERROR(WriteBatch(store, errors, {}));
        for (size_t i = 0; i < records.size(); ++i) {
          Status one = WriteBatch(store, {}, {records[i]});
          if (one.ok()) continue;
          if (one.code() != StatusCode::kInvalidArgument) return one;
          const queue::Message& m = *record_messages[i];
          std::erase(done, m.id);
          VIGIL_ASSIGN_OR_RETURN(bool dead, q->Fail(m, one.ToString()));
          if (dead) {
            ++summary.dead_letters;
            obs.OnDeadLetter(m.id, one.ToString());
          } else {
            ++summary.failed_tries;
            obs.OnFailedTry(m.id, one.ToString());
          }
        }
        written = Status::Ok();
      }
      VIGIL_RETURN_IF_ERROR(written);
      unmatched = true;
    }
    // Only after the commit: a crash before this leaves the batch pending.
    VIGIL_RETURN_IF_ERROR(q->Ack(done));
    summary.messages += static_cast<int64_t>(done.size());
    progress.messages = summary.messages;
    progress.posts = summary.scan.posts + summary.scan.service;
    progress.claimed = summary.claimed;
    progress.dead_letters = summary.dead_letters;
    progress.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    // The queue's figures (five round trips) at most once a second.
    if (Clock::now() - last_status >= std::chrono::seconds(1)) {
      VIGIL_ASSIGN_OR_RETURN(progress.queue, q->GetStatus());
      last_status = Clock::now();
    }
    obs.OnBatch(progress);
  }
  return summary;
}

}  // namespace vigil::app
