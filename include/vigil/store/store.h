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

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/core/post.h"
#include "vigil/core/status.h"
#include "vigil/match/hash_list.h"
#include "vigil/media/inspect.h"
#include "vigil/text/analyzer.h"

namespace vigil::store {

// A match of one media file: against an entry of a hash list, or against
// another media file already in the store (a repost).
struct MediaMatch {
  std::string kind;         // "list" or "media"
  std::string target;       // the list entry's value, or the other media's sha256
  std::string list;         // list name ("" for kind "media")
  std::string signal_type;  // what matched: pdq, md5, sha256, ...
  std::string labels;       // the list entry's labels
  int distance = 0;         // Hamming distance; 0 for exact hashes
  friend bool operator==(const MediaMatch&, const MediaMatch&) = default;
};

// A sampled video frame's PDQ (vPDQ).
struct FrameHash {
  int64_t frame_index = 0;
  double timestamp_seconds = 0;
  std::string pdq;  // hex
  int quality = 0;
  friend bool operator==(const FrameHash&, const FrameHash&) = default;
};

// A registry person a scanned media file may show: a face within the face
// distance threshold of one of their photos (kind "face"), or the whole photo
// within the PDQ radius of one of their photos (kind "pdq", distance in bits).
struct FaceCandidate {
  std::string case_code;
  int64_t photo_id = 0;
  std::string kind;  // "face" or "pdq"
  double distance = 0;
  friend bool operator==(const FaceCandidate&, const FaceCandidate&) = default;
};

// A face found in a media file, with the registry persons it may be.
struct FaceResult {
  std::array<int, 4> box{};              // x, y, w, h in the image's pixels
  std::vector<float> embedding{};        // 128 floats
  std::vector<FaceCandidate> matches{};  // nearest first
};

// The outcome for one MediaRef of a post: `info` when the file was present and
// inspected, otherwise `error` says why not (missing from export, too big, ...).
// `matches` and `frames` belong to the media file (by sha256), not the post.
// `matched` says that repost and hash-list matching ran for the file (a scan
// without --no-match): the store then records it as matched, for good.
struct MediaResult {
  std::optional<media::MediaInfo> info;
  std::string error;
  std::vector<FrameHash> frames{};
  std::vector<MediaMatch> matches{};
  // With face search on (images only): the faces found, and registry photos
  // the whole image matches by PDQ. Stored by the scan through
  // RegistryStore::PutMediaFaces, not by Write.
  std::vector<FaceResult> faces{};
  std::vector<FaceCandidate> registry_pdq{};
  bool faces_searched = false;
  bool matched = false;
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

struct HashListSummary {
  match::HashList list;  // without its entries
  int64_t entries = 0;
  int64_t created = 0;  // seconds since the epoch
};

// A stored media file's perceptual hashes, for indexes and clusters.
struct MediaHashes {
  std::string sha256;
  std::string md5;
  std::string type;
  std::string pdq;  // "" when none
  int pdq_quality = -1;
  // The 8 dihedral PDQs (hex, pdq.h order; the first is `pdq`). Empty for a
  // photo stored before schema 003 and for media without a PDQ.
  std::vector<std::string> pdq_dihedral{};
  std::vector<FrameHash> frames{};
  bool matched = false;  // repost/list matching has run for it (MediaResult::matched)
};

// Matches found for a media file already in the store, by a scan that did
// not meet the file itself (it was stored by a scan with --no-match).
struct StoredMediaMatches {
  std::string sha256;
  std::vector<MediaMatch> matches;
};

// Where a media file was posted.
struct MediaAppearance {
  std::string sha256;
  Platform platform = Platform::kJsonl;
  std::string channel_id;
  std::string channel_title;
  std::string external_id;
  int64_t time = 0;
  bool time_is_utc = false;
};

struct StoreOptions {
  // Seconds since the epoch, stamped as posts.first_seen when a post is first
  // written. Injected so that tests (and replays) are deterministic; the
  // default reads the system clock.
  std::function<int64_t()> now;
  // The SQLite VFS to open the database through (sqlite3_vfs_find); empty =
  // SQLite's default. For tests that inject I/O faults (src/store/fault_test.cc).
  std::string vfs{};
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

  // Creates the list (or updates its source, labels and threshold) and adds
  // its entries in one transaction; entries already in the list (same signal)
  // are left as they are, so importing the same file twice changes nothing.
  // With `replace`, the list's old entries are dropped first.
  virtual Status PutHashList(const match::HashList& list, bool replace) = 0;
  virtual Result<std::vector<HashListSummary>> ListHashLists() = 0;
  // Every list with its entries (only list `name` when not empty), ordered by
  // name, entries by type then value. kNotFound for an unknown list name.
  virtual Result<std::vector<match::HashList>> LoadHashLists(std::string_view name = {}) = 0;
  // Removes a list and its entries; kNotFound when there is no such list.
  virtual Status DeleteHashList(std::string_view name) = 0;
  // Every post of every stored media file, ordered by time, then platform,
  // channel, post id, sha256.
  virtual Status ForEachMediaAppearance(
      const std::function<Status(const MediaAppearance&)>& fn) = 0;
  // Every stored match as (sha256 of the media, match), ordered by sha256,
  // then distance.
  virtual Result<std::vector<std::pair<std::string, MediaMatch>>> ListMediaMatches() = 0;
  // Every stored media file's perceptual hashes, ordered by sha256.
  virtual Status ForEachMediaHashes(const std::function<Status(const MediaHashes&)>& fn) = 0;
  // Adds the matches of stored media files (as Write does: a match already
  // stored keeps the smaller distance) and marks each file matched, all in
  // one transaction. kNotFound, and nothing kept, when a sha256 is not stored.
  virtual Status WriteMediaMatches(std::span<const StoredMediaMatches> batch) = 0;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_STORE_H_
