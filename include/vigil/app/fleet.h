// The scan spread over machines: producers read exports into a Redis stream
// (`vigil scan --queue`), workers analyse and store what they read from it
// (`vigil worker`), and `vigil queue status` shows where the work stands.
// The queue itself is vigil/queue/work_queue.h; this is the use case on it.
//
// Media travel by content address. The producer copies every media file a
// post references into `media_dir` (a folder every worker can read: NFS, a
// shared volume) as `<sha256>`, written through a temporary name and a
// rename, so a copy is whole or absent and the same file is stored once
// however often it is posted. The message carries that location beside the
// unchanged MediaRef; the worker reads the copy and stores the name the
// export gave (post_media.path is MediaRef::shown_path(), as a single scan
// stores). Files are always copied, also when the export is itself on a
// shared path: the copy pins the bytes the producer saw, and a worker never
// needs the export. A file that cannot be read, or is larger than
// limits.max_media_bytes, is not copied: the worker tries the export's own
// path and stores the error a single scan would store. The copies are not
// removed (they are the evidence of what was read); `vigil scan --evidence`
// keeps originals in the vault, which workers do not do yet.
//
// Repost matching depends on order: a single scan records each pair of
// similar media once, from the file it met later. Workers finish messages in
// any order, so they store media unmatched (as `vigil scan --no-match`
// does) and one final pass matches them: when a worker finds the queue
// drained (nothing new, nothing pending, no live producer), it takes the
// stream's "match" lease and runs SeenMedia::MatchStored over the stored
// media, in the order the producer met them (the producer appends each new
// SHA-256 to the stream's order list before enqueueing its post). Hash-list
// matches are made in the same pass. The rows then equal those of a single
// `vigil scan` of the same exports into an empty store. Until that pass has
// run, media_matches lacks the newest media's rows; a worker that dies in
// it leaves the rest to the next drained worker once its lease expires (an
// hour; MatchStored resumes where it stopped).
//
// Faces, the vault and the custody log are not run by workers yet: a
// deployment that needs them scans with `vigil scan` on the machine that
// holds the keys.
//
// Errors are Status values (the queue's kIoError when Redis stays away, the
// store's on a failed write, kNotFound when a media copy the producer made
// is not visible to the worker: a media folder that is not shared). A
// write the database dropped (a connection the server terminated) or
// refused as busy or deadlocked is tried again, up to 5 times; a worker
// stops at any other failure, or a lasting one, and leaves the messages of
// its batch pending, for itself or another worker to claim again.
//
// Thread-safety: each call runs on the calling thread with its own queue
// connection; many workers (processes or threads, each with its own
// Installation) may share a stream.
#ifndef VIGIL_APP_FLEET_H_
#define VIGIL_APP_FLEET_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "vigil/app/installation.h"
#include "vigil/core/limits.h"
#include "vigil/core/status.h"
#include "vigil/ingest/reader.h"
#include "vigil/queue/work_queue.h"
#include "vigil/scan/scan.h"

namespace vigil::app {

struct EnqueueRequest {
  std::string queue_url;              // redis://HOST:PORT/STREAM
  queue::QueueOptions queue;          // max_length is the backpressure bound
  std::filesystem::path media_dir;    // shared, content-addressed media copies
  Limits limits;                      // the readers' limits; max_media_bytes for copies
  std::filesystem::path scratch_dir;  // where .zip exports are extracted; empty = temp
  std::string producer_id;            // "" = HOST-PID
};

struct EnqueueSummary {
  int64_t posts = 0;          // non-service posts enqueued
  int64_t service = 0;        // service messages enqueued
  int64_t media_copied = 0;   // media files copied into media_dir (new there)
  int64_t media_present = 0;  // media files media_dir already held
  int64_t errors = 0;         // bad input reported and skipped (also enqueued, for the store)
};

// Reads `inputs` as `vigil scan` does and enqueues every post, in export
// order, waiting while the stream is full. Bad input goes to
// observer->OnError (and to the stream, so the workers store it as a scan
// does); progress to OnProgress. Returns non-OK when the queue or the media
// folder failed.
Result<EnqueueSummary> EnqueueScan(const std::vector<std::filesystem::path>& inputs,
                                   const EnqueueRequest& request, scan::ScanObserver* observer);

struct WorkerRequest {
  std::string queue_url;
  queue::QueueOptions queue;                    // max_deliveries: tries before a dead letter
  std::string name;                             // consumer name; "" = DefaultWorkerName()
  bool drain = false;                           // return once the queue is drained
  size_t batch_size = 100;                      // messages per read and per transaction
  std::chrono::milliseconds block{1000};        // wait for new messages
  std::chrono::milliseconds claim_idle{60000};  // take over messages idle this long
  std::filesystem::path lexicon_dir;            // "" = DefaultDataDir()/lexicons
  Limits limits;
  bool match_media = true;  // the final repost and hash-list pass
  int pdq_radius = 31;
  // Polled between batches: true stops the worker (signals).
  std::function<bool()> stop;
};

struct WorkerProgress {
  int64_t messages = 0;  // acknowledged so far
  int64_t posts = 0;     // stored so far (service messages included)
  int64_t claimed = 0;   // taken over from idle consumers
  int64_t dead_letters = 0;
  double seconds = 0;        // since the worker started
  queue::QueueStatus queue;  // at most a second old
};

class WorkerObserver {
 public:
  virtual ~WorkerObserver() = default;
  virtual void OnBatch(const WorkerProgress&) {}
  virtual void OnError(const ingest::IngestError&) {}  // bad input, stored too
  virtual void OnDeadLetter(const std::string& /*id*/, const std::string& /*error*/) {}
  virtual void OnFailedTry(const std::string& /*id*/, const std::string& /*error*/) {}
  virtual void OnNotice(const std::string&) {}
};

struct WorkerSummary {
  scan::ScanSummary scan;  // as a single scan counts (matches: not counted)
  int64_t messages = 0, claimed = 0, dead_letters = 0, failed_tries = 0;
  bool matched = false;  // this worker ran the final matching pass
};

// Runs one worker on `inst`'s database until `request.stop` says so, or
// with `drain` until the queue is drained (then the final matching pass, by
// whichever worker gets the lease). Per batch: read (claimed idle messages
// first), analyse, write in one transaction, then acknowledge. A message
// that does not decode or whose analysis throws is tried again, up to
// queue.max_deliveries times, then dead-lettered with its error.
Result<WorkerSummary> RunWorker(Installation& inst, const WorkerRequest& request,
                                WorkerObserver* observer);

// `vigil queue status`: the queue's figures and its oldest `dead_letters`
// dead letters (with their errors, same order). Changes nothing in Redis
// (a stream that does not exist reads as empty).
struct QueueReport {
  queue::QueueStatus status;
  std::vector<queue::Message> dead;
  std::vector<std::string> dead_errors;
};
Result<QueueReport> ReadQueueStatus(const std::string& queue_url, const std::string& group,
                                    size_t dead_letters);

// A worker's consumer name when none is given: HOST-PID.
std::string DefaultWorkerName();

// The media folder's name for a file: `<dir>/<sha256>`.
std::filesystem::path SharedMediaPath(const std::filesystem::path& dir, const std::string& sha256);

}  // namespace vigil::app

#endif  // VIGIL_APP_FLEET_H_
