// Store: where scanned posts, their analysis and their media live.
//
// One interface, backends behind it (SQLite embedded default; PostgreSQL
// later). Every write is idempotent: a post is keyed by (platform, channel id,
// external id), a media file by its SHA-256, so writing the same record twice
// leaves the database as one write did, and a scan killed at any point and run
// again ends with the same rows as one clean run.
//
// Thread-safety: a Store is used by one thread at a time (the scan's single
// writer thread). Open a second Store on the same file for concurrent readers.
#ifndef VIGIL_STORE_STORE_H_
#define VIGIL_STORE_STORE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vigil/core/post.h"
#include "vigil/core/status.h"
#include "vigil/media/inspect.h"
#include "vigil/text/analyzer.h"

namespace vigil::store {

// The outcome for one MediaRef of a post: `info` when the file was present and
// inspected, otherwise `error` says why not (missing from export, too big, ...).
struct MediaResult {
  std::optional<media::MediaInfo> info;
  std::string error;
};

// Everything the scan learnt about one post. `media[i]` belongs to `post.media[i]`.
struct ScanRecord {
  Post post;
  text::Analysis analysis;
  std::vector<MediaResult> media;
};

struct ScanError {
  std::string file;
  std::string item;
  std::string reason;
};

struct PostFilter {
  bool flagged_only = false;  // category != other
  std::optional<Platform> platform;
  size_t limit = 0;  // 0 = no limit
};

struct MonthCount {
  std::string month;  // "2024-03"
  text::Category category;
  int64_t count;
};

struct Totals {
  int64_t posts = 0;
  int64_t service = 0;
  int64_t flagged = 0;
  int64_t media = 0;      // distinct media files (by SHA-256)
  int64_t selectors = 0;  // distinct (kind, value)
  int64_t errors = 0;
};

struct StoreOptions {
  // Seconds since the epoch, stamped as posts.first_seen when a post is first
  // written. Injected so that tests (and replays) are deterministic; the
  // default reads the system clock.
  std::function<int64_t()> now;
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens (creating if needed) an SQLite database in WAL mode and migrates its
  // schema to the current version. Fails on a file that is not a vigil
  // database or has a newer schema than this build knows.
  //
  // Failure modes: kCorrupt for a file that is not an SQLite database (or a
  // damaged one); kUnsupported for an SQLite database that is not vigil's or
  // whose schema version is newer than SchemaVersion(); kIoError when the
  // file cannot be opened or created.
  static Result<std::unique_ptr<Store>> OpenSqlite(const std::filesystem::path& path);
  static Result<std::unique_ptr<Store>> OpenSqlite(const std::filesystem::path& path,
                                                   const StoreOptions& options);
  // The schema version this build migrates to (PRAGMA user_version).
  static int SchemaVersion();

  // Writes a batch in one transaction: all of it or none of it. A post
  // already stored (same key) is replaced: its fields, analysis, selectors and
  // media rows become those of the record, its id and first_seen stay.
  // `record.media` may be shorter than `post.media` (refs without a result
  // are stored with neither info nor error) but not longer. On failure
  // nothing of the batch is kept and the Status names the post.
  // Batches of ~1000 records amortise the commit.
  virtual Status Write(std::span<const ScanRecord> batch) = 0;
  // Records bad input seen during a scan (idempotent on file+item+reason).
  virtual Status WriteErrors(std::span<const ScanError> errors) = 0;

  // Visits stored posts ordered by time, then platform/channel/id. The
  // callback may stop the walk by returning a non-OK Status, which is returned.
  // Each record has one MediaResult per MediaRef. The callback must not call
  // this Store (open another one to write while walking).
  virtual Status ForEachPost(const PostFilter& filter,
                             const std::function<Status(const ScanRecord&)>& fn) = 0;
  // Non-service posts per (month of `time`, category), ordered by month then
  // category; only non-zero counts appear.
  virtual Result<std::vector<MonthCount>> CountByMonth() = 0;
  virtual Result<Totals> GetTotals() = 0;
  // In the order they were first recorded.
  virtual Result<std::vector<ScanError>> ListErrors() = 0;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_STORE_H_
