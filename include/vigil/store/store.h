// Store: where scanned posts, their analysis and their media live.
//
// One interface, backends behind it (SQLite embedded default; PostgreSQL
// next), opened through store::Open (vigil/store/database.h), which hands out
// a Store and a RegistryStore on one connection. Every write is idempotent: a
// post is keyed by (platform, channel id, external id), a media file by its
// SHA-256, so writing the same record twice leaves the database as one write
// did, and a scan killed at any point and run again ends with the same rows
// as one clean run. Each write method is one transaction (or joins the one
// Database::InTransaction has open).
//
// Thread-safety: a Store is used by one thread at a time (the scan's single
// writer thread), as is everything else on its Database. Open another
// Database for concurrent readers or writers; several processes may write
// one database, each waiting its turn.
#ifndef VIGIL_STORE_STORE_H_
#define VIGIL_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/core/post.h"
#include "vigil/core/status.h"
#include "vigil/match/hash_list.h"
#include "vigil/store/records.h"

namespace vigil::store {

class Store {
 public:
  virtual ~Store() = default;

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

  // Visits stored posts ordered by time, then platform/channel/id (or the
  // reverse, with filter.newest_first). The
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
  // The repost matches (kind kMedia) that touch one media file either way:
  // (x, m) with x == `sha256` or m.target == `sha256`, ordered by x, then
  // m.target. Empty for a file with no reposts or not stored.
  virtual Result<std::vector<std::pair<std::string, MediaMatch>>> RepostMatchesOf(
      std::string_view sha256) = 0;
  // The posts that carried one of `sha256s`, ordered as
  // ForEachMediaAppearance orders them: all of them, or with `limit` > 0 at
  // most `limit` (the first found, file by file, when there are more).
  virtual Result<std::vector<MediaAppearance>> AppearancesOf(std::span<const std::string> sha256s,
                                                             size_t limit = 0) = 0;
  // Every stored media file's perceptual hashes, ordered by sha256.
  virtual Status ForEachMediaHashes(const std::function<Status(const MediaHashes&)>& fn) = 0;
  // Adds the matches of stored media files (as Write does: a match already
  // stored keeps the smaller distance) and marks each file matched, all in
  // one transaction. kNotFound, and nothing kept, when a sha256 is not stored.
  virtual Status WriteMediaMatches(std::span<const StoredMediaMatches> batch) = 0;

  // The review app's reads.
  // One stored post with its media (as ForEachPost gives it); nullopt when
  // there is no post with that key.
  virtual Result<std::optional<ScanRecord>> GetPost(const PostKey& key) = 0;
  // One page of posts matching `query`, in its order; `next` continues after
  // the last of them ("" on the last page). Pages stay stable while posts
  // are added: the cursor names the last post's sort key, not an offset.
  // kInvalidArgument for a cursor this store did not make.
  virtual Result<PostPage> ListPosts(const PostQuery& query) = 0;
  // Records a reviewer's decision on a stored post; returns its id.
  // kNotFound when the post is not stored.
  virtual Result<int64_t> AddDecision(const Decision& decision) = 0;
  // Decisions on one post (nullopt: on every post), oldest first.
  virtual Result<std::vector<Decision>> Decisions(const std::optional<PostKey>& post) = 0;
  // The newest `limit` decisions on any post, newest first (the review app's
  // log of recent decisions).
  virtual Result<std::vector<Decision>> RecentDecisions(size_t limit) = 0;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_STORE_H_
