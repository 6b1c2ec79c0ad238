// Store over a Connection (sql.h): SQLite's and PostgreSQL's alike, on the
// connection their SqlDatabase owns. Statements are prepared once and reused;
// every write is one WriteTransaction.
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "src/store/backend.h"
#include "src/store/codec.h"
#include "src/store/sql.h"
#include "vigil/store/store.h"

namespace vigil::store {
namespace {

// Selector ids remembered across batches; cleared when it grows past this.
constexpr size_t kMaxCachedSelectors = 1 << 20;
// Tries of a batch the server aborted to break a deadlock.
constexpr int kMaxWriteAttempts = 5;

constexpr std::string_view kInsertPost = R"sql(
INSERT INTO posts (platform, channel_id, external_id, channel_title, channel_type,
  author_name, author_id, time, time_is_utc, local_time, utc_offset_minutes, text, entities,
  forwarded_from, reply_to, edited, service, source_file, source_item, category, score,
  reasons, first_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
  ?20, ?21, ?22, ?23)
ON CONFLICT (platform, channel_id, external_id) DO NOTHING)sql";

// Same parameter numbers as kInsertPost; ?23 is the id found by kFindPost.
// (A RETURNING clause would cost a temporary b-tree per row.)
constexpr std::string_view kUpdatePost = R"sql(
UPDATE posts SET channel_title = ?4, channel_type = ?5, author_name = ?6, author_id = ?7,
  time = ?8, time_is_utc = ?9, local_time = ?10, utc_offset_minutes = ?11, text = ?12,
  entities = ?13, forwarded_from = ?14, reply_to = ?15, edited = ?16, service = ?17,
  source_file = ?18, source_item = ?19, category = ?20, score = ?21, reasons = ?22
WHERE id = ?23 AND platform = ?1 AND channel_id = ?2 AND external_id = ?3)sql";
constexpr std::string_view kFindPost =
    "SELECT id FROM posts WHERE platform = ?1 AND channel_id = ?2 AND external_id = ?3";

constexpr std::string_view kInsertSelector =
    "INSERT INTO selectors (kind, value) VALUES (?1, ?2) ON CONFLICT (kind, value) DO NOTHING";
constexpr std::string_view kFindSelector =
    "SELECT id FROM selectors WHERE kind = ?1 AND value = ?2";
constexpr std::string_view kInsertPostSelector =
    "INSERT INTO post_selectors (post_id, selector_id, begin, \"end\", ord) VALUES (?1, ?2, ?3, "
    "?4, "
    "?5) ON CONFLICT DO NOTHING";
// A stored file keeps its row; its PDQ is replaced only by a better one (one
// it lacked, or of higher quality: a later build's decoder), and `matched`
// once set stays set. Two statements, not one upsert: an upsert that changes
// nothing still locks the row on a server with row locks, and a file posted
// again and again would then queue every concurrent writer behind the one
// that touched it first; an UPDATE whose WHERE fails locks nothing.
constexpr std::string_view kInsertMedia = R"sql(
INSERT INTO media (sha256, md5, size, type, mime, width, height, pdq, pdq_quality, pdq_error,
  matched)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
ON CONFLICT (sha256) DO NOTHING)sql";
// For a stored file: ?1 sha256, ?2 pdq, ?3 pdq_quality, ?4 pdq_error, ?5 matched.
constexpr std::string_view kUpdateMedia = R"sql(
UPDATE media SET
  pdq = CASE WHEN better THEN ?2 ELSE pdq END,
  pdq_quality = CASE WHEN better THEN ?3 ELSE pdq_quality END,
  pdq_error = CASE WHEN better THEN ?4 ELSE pdq_error END,
  matched = CASE WHEN ?5 > matched THEN ?5 ELSE matched END
WHERE sha256 = ?1 AND (better OR ?5 > matched))sql";
// "better" above, spelt out (SQLite has no named expressions).
constexpr std::string_view kBetterPdq = "(?2 <> '' AND (pdq = '' OR ?3 > pdq_quality))";
// The dihedral PDQs follow the file's PDQ: written when new, replaced only
// when this write's PDQ is the one the media row now holds (?4). (Insert,
// then update only what differs: see kInsertMedia.)
constexpr std::string_view kInsertDihedral = R"sql(
INSERT INTO media_dihedral (sha256, ord, pdq) VALUES (?1, ?2, ?3)
ON CONFLICT (sha256, ord) DO NOTHING)sql";
constexpr std::string_view kUpdateDihedral = R"sql(
UPDATE media_dihedral SET pdq = ?3
WHERE sha256 = ?1 AND ord = ?2 AND pdq <> ?3
  AND (SELECT m.pdq FROM media m WHERE m.sha256 = ?1) = ?4)sql";
// All 8 at once: ?1 sha256, ?2..?9 the hashes in order, ?10 the PDQ.
constexpr std::string_view kInsertDihedral8 = R"sql(
INSERT INTO media_dihedral (sha256, ord, pdq) VALUES (?1, 0, ?2), (?1, 1, ?3), (?1, 2, ?4),
  (?1, 3, ?5), (?1, 4, ?6), (?1, 5, ?7), (?1, 6, ?8), (?1, 7, ?9)
ON CONFLICT (sha256, ord) DO NOTHING)sql";
constexpr std::string_view kUpdateDihedral8 = R"sql(
UPDATE media_dihedral SET pdq = v.column2
FROM (VALUES (0, ?2), (1, ?3), (2, ?4), (3, ?5), (4, ?6), (5, ?7), (6, ?8), (7, ?9)) AS v
WHERE media_dihedral.sha256 = ?1 AND media_dihedral.ord = v.column1
  AND media_dihedral.pdq <> v.column2
  AND (SELECT m.pdq FROM media m WHERE m.sha256 = ?1) = ?10)sql";
constexpr std::string_view kSelectDihedral =
    "SELECT pdq FROM media_dihedral WHERE sha256 = ?1 ORDER BY ord";
constexpr std::string_view kMarkMatched = "UPDATE media SET matched = 1 WHERE sha256 = ?1";
constexpr std::string_view kInsertFrame = R"sql(
INSERT INTO media_frames (sha256, ord, frame_index, ts, pdq, quality)
VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING)sql";
constexpr std::string_view kInsertMatch = R"sql(
INSERT INTO media_matches (sha256, kind, target, list_name, signal_type, labels, distance)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (sha256, kind, target, list_name) DO UPDATE SET distance =
  CASE WHEN excluded.distance < media_matches.distance THEN excluded.distance
  ELSE media_matches.distance END)sql";
constexpr std::string_view kSelectMatches = R"sql(
SELECT kind, target, list_name, signal_type, labels, distance FROM media_matches
WHERE sha256 = ?1 ORDER BY distance, kind, list_name, target)sql";
constexpr std::string_view kSelectFrames = R"sql(
SELECT frame_index, ts, pdq, quality FROM media_frames WHERE sha256 = ?1 ORDER BY ord)sql";
constexpr std::string_view kInsertPostMedia = R"sql(
INSERT INTO post_media (post_id, ord, sha256, name, kind, declared_mime, declared_size,
  declared_width, declared_height, path, missing_reason, error)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12))sql";
constexpr std::string_view kDeletePostSelectors = "DELETE FROM post_selectors WHERE post_id = ?1";
constexpr std::string_view kDeletePostMedia = "DELETE FROM post_media WHERE post_id = ?1";
constexpr std::string_view kInsertDecision =
    "INSERT INTO decisions (post_id, type, note, actor, time) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view kInsertError =
    "INSERT INTO scan_errors (file, item, reason) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";

// The columns ReadPost decodes, in its order.
#define VIGIL_POST_COLUMNS                                                                       \
  "id, platform, channel_id, external_id, channel_title, channel_type, author_name, author_id, " \
  "time, time_is_utc, local_time, utc_offset_minutes, text, entities, forwarded_from, "          \
  "reply_to, edited, service, source_file, source_item, category, score, reasons"
constexpr std::string_view kPostColumns = VIGIL_POST_COLUMNS;
constexpr std::string_view kSelectPost =
    "SELECT " VIGIL_POST_COLUMNS
    " FROM posts WHERE platform = ?1 AND channel_id = ?2 AND external_id = ?3";
#undef VIGIL_POST_COLUMNS
constexpr std::string_view kSelectPosts = R"sql(
SELECT id, platform, channel_id, external_id, channel_title, channel_type, author_name,
  author_id, time, time_is_utc, local_time, utc_offset_minutes, text, entities, forwarded_from,
  reply_to, edited, service, source_file, source_item, category, score, reasons
FROM posts
WHERE (?1 = 0 OR category <> 'other') AND (platform = ?2 OR ?2 IS NULL)
ORDER BY time, platform, channel_id, external_id
LIMIT ?3)sql";
constexpr std::string_view kSelectPostSelectors = R"sql(
SELECT s.kind, s.value, ps.begin, ps."end" FROM post_selectors ps
JOIN selectors s ON s.id = ps.selector_id
WHERE ps.post_id = ?1 ORDER BY ps.ord)sql";
constexpr std::string_view kSelectPostMedia = R"sql(
SELECT pm.ord, pm.name, pm.kind, pm.declared_mime, pm.declared_size, pm.declared_width,
  pm.declared_height, pm.path, pm.missing_reason, pm.error, m.sha256, m.md5, m.size, m.type,
  m.mime, m.width, m.height, m.pdq, m.pdq_quality, m.pdq_error
FROM post_media pm LEFT JOIN media m ON m.sha256 = pm.sha256
WHERE pm.post_id = ?1 ORDER BY pm.ord)sql";

std::string PostName(const Post& p) {
  std::string name = "post ";
  name += PlatformName(p.platform);
  name += '/';
  name += p.channel.id;
  name += '/';
  name += p.external_id;
  if (!p.source_file.empty()) {
    name += " (" + p.source_file;
    if (!p.source_item.empty()) name += ": " + p.source_item;
    name += ')';
  }
  return name;
}

class SqlStore final : public Store {
 public:
  SqlStore(Connection* db, std::function<int64_t()> now) : db_(db), now_(std::move(now)) {}

  Status Prepare();

  Status Write(std::span<const ScanRecord> batch) override;
  Status WriteErrors(std::span<const ScanError> errors) override;
  Status ForEachPost(const PostFilter& filter,
                     const std::function<Status(const ScanRecord&)>& fn) override;
  Result<std::vector<MonthCount>> CountByMonth() override;
  Result<Totals> GetTotals() override;
  Result<std::vector<ScanError>> ListErrors() override;
  Status PutHashList(const match::HashList& list, bool replace) override;
  Result<std::vector<HashListSummary>> ListHashLists() override;
  Result<std::vector<match::HashList>> LoadHashLists(std::string_view name) override;
  Status DeleteHashList(std::string_view name) override;
  Status ForEachMediaHashes(const std::function<Status(const MediaHashes&)>& fn) override;
  Status WriteMediaMatches(std::span<const StoredMediaMatches> batch) override;
  Status ForEachMediaAppearance(const std::function<Status(const MediaAppearance&)>& fn) override;
  Result<std::vector<std::pair<std::string, MediaMatch>>> ListMediaMatches() override;
  Result<std::vector<std::pair<std::string, MediaMatch>>> RepostMatchesOf(
      std::string_view sha256) override;
  Result<std::vector<MediaAppearance>> AppearancesOf(std::span<const std::string> sha256s,
                                                     size_t limit) override;
  Result<std::optional<ScanRecord>> GetPost(const PostKey& key) override;
  Result<PostPage> ListPosts(const PostQuery& query) override;
  Result<int64_t> AddDecision(const Decision& decision) override;
  Result<std::vector<Decision>> Decisions(const std::optional<PostKey>& post) override;
  Result<std::vector<Decision>> RecentDecisions(size_t limit) override;

 private:
  // Decodes a row of kPostColumns (and the post's children) into `rec`.
  Status ReadPost(const Stmt& s, ScanRecord& rec);
  Status ReadFrames(std::string_view sha256, std::vector<FrameHash>& out);
  Status ReadDihedral(std::string_view sha256, std::vector<std::string>& out);
  Status InsertMatch(std::string_view sha256, const MediaMatch& m);
  Status DeleteListMatches(std::string_view list_name);
  Status WriteOnce(std::span<const ScanRecord> batch);
  Status LockSharedRows(std::span<const ScanRecord> batch);
  Status InsertMedia(const media::MediaInfo& info, bool matched);
  Status WriteDihedral(const media::MediaInfo& info);
  Status WriteOne(const ScanRecord& rec, int64_t now);
  Result<int64_t> SelectorId(const text::Selector& sel);
  Status ReadChildren(int64_t post_id, ScanRecord& rec);
  Result<std::vector<Decision>> ReadDecisions(Stmt& s);
  Status Rollback(Status why);

  Connection* db_;  // owned by the SqlDatabase, which outlives this store
  std::function<int64_t()> now_;
  Stmt select_post_, insert_decision_;
  Stmt insert_post_, find_post_, update_post_, insert_selector_, find_selector_,
      insert_post_selector_;
  Stmt insert_media_, insert_post_media_, delete_post_selectors_, delete_post_media_;
  Stmt insert_error_, select_posts_, select_posts_newest_, select_post_selectors_,
      select_post_media_;
  Stmt insert_frame_, insert_match_, select_matches_, select_frames_;
  Stmt insert_dihedral_, update_dihedral_, select_dihedral_, mark_matched_;
  Stmt update_media_, insert_dihedral8_, update_dihedral8_;
  JsonEncoder json_;
  // (kind '\0' value) -> selectors.id. `pending_` holds ids created by the
  // open transaction; they join `selectors_` only once it commits.
  std::unordered_map<std::string, int64_t> selectors_, pending_;
  std::string key_;
};

Status SqlStore::Prepare() {
  std::string newest_sql(kSelectPosts);
  const std::string_view kOldestFirst = "ORDER BY time, platform, channel_id, external_id";
  newest_sql.replace(newest_sql.find(kOldestFirst), kOldestFirst.size(),
                     "ORDER BY time DESC, platform DESC, channel_id DESC, external_id DESC");
  std::string update_media_sql(kUpdateMedia);
  for (size_t at; (at = update_media_sql.find("better")) != std::string::npos;) {
    update_media_sql.replace(at, 6, kBetterPdq);
  }
  // The inserts whose new id LastInsertId() gives.
  const std::string returning(db_->ReturningId());
  const std::string insert_post_sql = std::string(kInsertPost) + returning;
  const std::string insert_selector_sql = std::string(kInsertSelector) + returning;
  const std::string insert_decision_sql = std::string(kInsertDecision) + returning;
  const std::pair<Stmt*, std::string_view> stmts[] = {
      {&select_post_, kSelectPost},
      {&insert_decision_, insert_decision_sql},
      {&insert_post_, insert_post_sql},
      {&find_post_, kFindPost},
      {&update_post_, kUpdatePost},
      {&insert_selector_, insert_selector_sql},
      {&find_selector_, kFindSelector},
      {&insert_post_selector_, kInsertPostSelector},
      {&insert_media_, kInsertMedia},
      {&update_media_, update_media_sql},
      {&insert_post_media_, kInsertPostMedia},
      {&delete_post_selectors_, kDeletePostSelectors},
      {&delete_post_media_, kDeletePostMedia},
      {&insert_error_, kInsertError},
      {&select_posts_, kSelectPosts},
      {&select_posts_newest_, newest_sql},
      {&select_post_selectors_, kSelectPostSelectors},
      {&select_post_media_, kSelectPostMedia},
      {&insert_frame_, kInsertFrame},
      {&insert_match_, kInsertMatch},
      {&select_matches_, kSelectMatches},
      {&select_frames_, kSelectFrames},
      {&insert_dihedral_, kInsertDihedral},
      {&update_dihedral_, kUpdateDihedral},
      {&insert_dihedral8_, kInsertDihedral8},
      {&update_dihedral8_, kUpdateDihedral8},
      {&select_dihedral_, kSelectDihedral},
      {&mark_matched_, kMarkMatched},
  };
  for (const auto& [stmt, sql] : stmts) {
    Result<Stmt> s = db_->Prepare(sql);
    if (!s.ok()) return s.status();
    *stmt = std::move(s).value();
  }
  return Status::Ok();
}

// The WriteTransaction in scope rolls back as it is left.
Status SqlStore::Rollback(Status why) {
  pending_.clear();
  return why;
}

Status SqlStore::Write(std::span<const ScanRecord> batch) {
  if (batch.empty()) return Status::Ok();
  // Writers side by side on a server may deadlock on the rows two batches
  // share (a selector, a media file); the server then aborts one of them,
  // which is tried again as a whole (only when it is not part of an outer
  // transaction, which the abort has lost too).
  for (int attempt = 1;; ++attempt) {
    const bool outer = db_->InTransaction();
    Status s = WriteOnce(batch);
    if (s.ok() || outer || attempt == kMaxWriteAttempts || !db_->LastFailureRetryable()) return s;
  }
}

// A photo's 8 rotations and mirrors in two statements (one insert of the
// rows it lacks, one update of those that differ), not sixteen: a scan stores
// one set per photo, and a server pays for every statement. Other counts
// (none, or records made by hand) go row by row.
Status SqlStore::WriteDihedral(const media::MediaInfo& info) {
  const bool ahead = db_->Pipelines();
  std::string hex[8];  // bound without a copy
  if (info.pdq_dihedral.size() == 8) {
    for (int d = 0; d < 8; ++d) hex[d] = info.pdq_dihedral[static_cast<size_t>(d)].ToHex();
    insert_dihedral8_.BindText(1, info.sha256);
    update_dihedral8_.BindText(1, info.sha256);
    for (int d = 0; d < 8; ++d) {
      insert_dihedral8_.BindText(2 + d, hex[d]);
      update_dihedral8_.BindText(2 + d, hex[d]);
    }
    update_dihedral8_.BindText(10, info.pdq);
    // Sent ahead, the update goes with the insert (a no-op after it); run
    // in turn, only when the insert found rows stored.
    VIGIL_RETURN_IF_ERROR(ahead ? insert_dihedral8_.RunAhead("insert dihedral pdqs")
                                : insert_dihedral8_.Run("insert dihedral pdqs"));
    if (ahead || db_->Changes() < 8) {
      VIGIL_RETURN_IF_ERROR(update_dihedral8_.RunAhead("update dihedral pdqs"));
    }
    return Status::Ok();
  }
  for (size_t d = 0; d < info.pdq_dihedral.size(); ++d) {
    hex[0] = info.pdq_dihedral[d].ToHex();
    insert_dihedral_.BindText(1, info.sha256);
    insert_dihedral_.Bind(2, static_cast<int64_t>(d));
    insert_dihedral_.BindText(3, hex[0]);
    VIGIL_RETURN_IF_ERROR(ahead ? insert_dihedral_.RunAhead("insert dihedral pdq")
                                : insert_dihedral_.Run("insert dihedral pdq"));
    if (ahead || db_->Changes() == 0) {
      update_dihedral_.BindText(1, info.sha256);
      update_dihedral_.Bind(2, static_cast<int64_t>(d));
      update_dihedral_.BindText(3, hex[0]);
      update_dihedral_.BindText(4, info.pdq);
      VIGIL_RETURN_IF_ERROR(update_dihedral_.RunAhead("update dihedral pdq"));
    }
  }
  return Status::Ok();
}

Status SqlStore::InsertMedia(const media::MediaInfo& info, bool matched) {
  insert_media_.BindText(1, info.sha256);
  insert_media_.BindText(2, info.md5);
  insert_media_.Bind(3, static_cast<int64_t>(info.size));
  insert_media_.BindText(4, info.type);
  insert_media_.BindText(5, info.mime);
  insert_media_.Bind(6, info.width);
  insert_media_.Bind(7, info.height);
  insert_media_.BindText(8, info.pdq);
  insert_media_.Bind(9, info.pdq_quality);
  insert_media_.BindText(10, info.pdq_error);
  insert_media_.Bind(11, matched ? 1 : 0);
  // As the dihedral PDQs: sent ahead with its update, or the update only
  // when the row was stored before.
  const bool ahead = db_->Pipelines();
  VIGIL_RETURN_IF_ERROR(ahead ? insert_media_.RunAhead("insert media")
                              : insert_media_.Run("insert media"));
  if (!ahead && db_->Changes() != 0) return Status::Ok();
  update_media_.BindText(1, info.sha256);
  update_media_.BindText(2, info.pdq);
  update_media_.Bind(3, info.pdq_quality);
  update_media_.BindText(4, info.pdq_error);
  update_media_.Bind(5, matched ? 1 : 0);
  return update_media_.RunAhead("update media");
}

// The rows a batch shares with other writers' batches, locked first and in
// one order (selectors by kind and value, then media by sha256), so that two
// writers wait for each other instead of each holding what the other needs.
// Both upserts are monotone (a stored row only gains), so writing a file's
// row here and again with its post changes nothing.
Status SqlStore::LockSharedRows(std::span<const ScanRecord> batch) {
  std::vector<const text::Selector*> selectors;
  std::vector<std::pair<const media::MediaInfo*, bool>> media;
  for (const ScanRecord& rec : batch) {
    for (const text::Selector& sel : rec.analysis.selectors) selectors.push_back(&sel);
    for (const MediaResult& m : rec.media) {
      if (m.info && !m.info->sha256.empty()) media.emplace_back(&*m.info, m.matched);
    }
  }
  std::sort(selectors.begin(), selectors.end(), [](const auto* a, const auto* b) {
    return std::tie(a->kind, a->value) < std::tie(b->kind, b->value);
  });
  for (const text::Selector* sel : selectors) {
    VIGIL_RETURN_IF_ERROR(SelectorId(*sel).status());
  }
  std::sort(media.begin(), media.end(),
            [](const auto& a, const auto& b) { return a.first->sha256 < b.first->sha256; });
  for (const auto& [info, matched] : media) VIGIL_RETURN_IF_ERROR(InsertMedia(*info, matched));
  return Status::Ok();
}

Status SqlStore::WriteOnce(std::span<const ScanRecord> batch) {
  WriteTransaction txn(db_);
  VIGIL_RETURN_IF_ERROR(txn.Begin());
  const int64_t now = now_();
  if (db_->ConcurrentWriters()) {
    if (Status s = LockSharedRows(batch); !s.ok()) return Rollback(s);
  }
  for (const ScanRecord& rec : batch) {
    Status s = WriteOne(rec, now);
    if (!s.ok()) {
      return Rollback(Status(s.code(), PostName(rec.post) + ": " + s.message() + " (batch of " +
                                           std::to_string(batch.size()) + " rolled back)"));
    }
  }
  Status s = txn.Commit();
  if (!s.ok()) return Rollback(s);
  // Inside an outer transaction the new ids are not durable yet (it may
  // still roll back), so they are not remembered.
  if (txn.nested()) return Rollback(Status::Ok());
  if (selectors_.size() + pending_.size() > kMaxCachedSelectors) selectors_.clear();
  selectors_.merge(pending_);
  pending_.clear();
  return Status::Ok();
}

Result<int64_t> SqlStore::SelectorId(const text::Selector& sel) {
  key_.assign(sel.kind);
  key_ += '\0';
  key_ += sel.value;
  if (auto it = selectors_.find(key_); it != selectors_.end()) return it->second;
  if (auto it = pending_.find(key_); it != pending_.end()) return it->second;
  insert_selector_.BindText(1, sel.kind);
  insert_selector_.BindText(2, sel.value);
  VIGIL_RETURN_IF_ERROR(insert_selector_.Run("insert selector"));
  int64_t id;
  if (db_->Changes() == 1) {
    id = db_->LastInsertId();
  } else {  // stored by an earlier run or another connection
    ResetOnExit reset(find_selector_);
    find_selector_.BindText(1, sel.kind);
    find_selector_.BindText(2, sel.value);
    if (find_selector_.Step() != kRow) return db_->Error("find selector");
    id = find_selector_.Int(0);
  }
  pending_.emplace(key_, id);
  return id;
}

Status SqlStore::WriteOne(const ScanRecord& rec, int64_t now) {
  const Post& p = rec.post;
  if (rec.media.size() > p.media.size()) {
    return Status::InvalidArgument("has " + std::to_string(rec.media.size()) +
                                   " media results for " + std::to_string(p.media.size()) +
                                   " media references");
  }
  const std::string_view entities = json_.Entities(p.entities);
  const std::string_view reasons = json_.Reasons(rec.analysis.reasons);
  auto bind_post = [&](Stmt& s) {
    s.BindText(1, PlatformName(p.platform));
    s.BindText(2, p.channel.id);
    s.BindText(3, p.external_id);
    s.BindText(4, p.channel.title);
    s.BindText(5, p.channel.type);
    s.BindText(6, p.author.name);
    s.BindText(7, p.author.id);
    s.Bind(8, p.time);
    s.Bind(9, p.time_is_utc);
    s.BindText(10, p.local_time);
    s.BindOptional(11, p.utc_offset_minutes);
    s.BindText(12, p.text);
    s.BindText(13, entities);
    s.BindText(14, p.forwarded_from);
    s.BindText(15, p.reply_to);
    s.Bind(16, p.edited);
    s.Bind(17, p.service);
    s.BindText(18, p.source_file);
    s.BindText(19, p.source_item);
    s.BindText(20, text::CategoryName(rec.analysis.category));
    s.BindDouble(21, rec.analysis.score);
    s.BindText(22, reasons);
  };
  // The common case, a post not seen before, costs one statement; DO NOTHING
  // reports no change for a stored post, which then takes the update path.
  bind_post(insert_post_);
  insert_post_.Bind(23, now);
  VIGIL_RETURN_IF_ERROR(insert_post_.Run("insert post"));
  int64_t post_id;
  if (db_->Changes() == 1) {
    post_id = db_->LastInsertId();
  } else {
    // Stored before: replace its fields and children, keep id and first_seen.
    {
      ResetOnExit reset(find_post_);
      find_post_.BindText(1, PlatformName(p.platform));
      find_post_.BindText(2, p.channel.id);
      find_post_.BindText(3, p.external_id);
      if (find_post_.Step() != kRow) return db_->Error("find stored post");
      post_id = find_post_.Int(0);
    }
    bind_post(update_post_);
    update_post_.Bind(23, post_id);
    VIGIL_RETURN_IF_ERROR(update_post_.Run("update post"));
    for (Stmt* s : {&delete_post_selectors_, &delete_post_media_}) {
      s->Bind(1, post_id);
      VIGIL_RETURN_IF_ERROR(s->RunAhead("replace post children"));
    }
  }

  const auto& selectors = rec.analysis.selectors;
  for (size_t i = 0; i < selectors.size(); ++i) {
    Result<int64_t> sel = SelectorId(selectors[i]);
    if (!sel.ok()) return sel.status();
    insert_post_selector_.Bind(1, post_id);
    insert_post_selector_.Bind(2, *sel);
    insert_post_selector_.Bind(3, static_cast<int64_t>(selectors[i].span.begin));
    insert_post_selector_.Bind(4, static_cast<int64_t>(selectors[i].span.end));
    insert_post_selector_.Bind(5, static_cast<int64_t>(i));
    VIGIL_RETURN_IF_ERROR(insert_post_selector_.RunAhead("insert post selector"));
  }

  for (size_t i = 0; i < p.media.size(); ++i) {
    const MediaRef& ref = p.media[i];
    const MediaResult* result = i < rec.media.size() ? &rec.media[i] : nullptr;
    const media::MediaInfo* info = result != nullptr && result->info ? &*result->info : nullptr;
    if (info != nullptr) {
      if (info->sha256.empty()) return Status::InvalidArgument("media info without sha256");
      VIGIL_RETURN_IF_ERROR(InsertMedia(*info, result->matched));
      if (!info->pdq.empty()) VIGIL_RETURN_IF_ERROR(WriteDihedral(*info));
      for (size_t f = 0; f < result->frames.size(); ++f) {
        const FrameHash& frame = result->frames[f];
        insert_frame_.BindText(1, info->sha256);
        insert_frame_.Bind(2, static_cast<int64_t>(f));
        insert_frame_.Bind(3, frame.frame_index);
        insert_frame_.BindDouble(4, frame.timestamp_seconds);
        insert_frame_.BindText(5, frame.pdq);
        insert_frame_.Bind(6, frame.quality);
        VIGIL_RETURN_IF_ERROR(insert_frame_.RunAhead("insert video frame"));
      }
      for (const MediaMatch& m : result->matches) {
        VIGIL_RETURN_IF_ERROR(InsertMatch(info->sha256, m));
      }
    }
    Stmt& s = insert_post_media_;
    s.Bind(1, post_id);
    s.Bind(2, static_cast<int64_t>(i));
    if (info != nullptr) {
      s.BindText(3, info->sha256);
    } else {
      s.BindNull(3);
    }
    s.BindText(4, ref.name);
    s.BindText(5, MediaKindName(ref.kind));
    s.BindText(6, ref.mime);
    s.BindOptional(7, ref.declared_size);
    s.BindOptional(8, ref.declared_width);
    s.BindOptional(9, ref.declared_height);
    s.BindText(10, ref.shown_path());
    s.BindText(11, ref.missing_reason);
    s.BindText(12, result != nullptr ? std::string_view(result->error) : std::string_view());
    VIGIL_RETURN_IF_ERROR(s.RunAhead("insert post media"));
  }
  return Status::Ok();
}

Status SqlStore::WriteErrors(std::span<const ScanError> errors) {
  if (errors.empty()) return Status::Ok();
  WriteTransaction txn(db_);
  VIGIL_RETURN_IF_ERROR(txn.Begin());
  for (const ScanError& e : errors) {
    insert_error_.BindText(1, e.file);
    insert_error_.BindText(2, e.item);
    insert_error_.BindText(3, e.reason);
    Status s = insert_error_.Run("insert scan error");
    if (!s.ok()) return Rollback(s);
  }
  Status s = txn.Commit();
  return s.ok() ? s : Rollback(s);
}

Status SqlStore::ReadChildren(int64_t post_id, ScanRecord& rec) {
  {
    Stmt& s = select_post_selectors_;
    ResetOnExit reset(s);
    s.Bind(1, post_id);
    int rc;
    while ((rc = s.Step()) == kRow) {
      rec.analysis.selectors.push_back(
          {s.String(0),
           s.String(1),
           {static_cast<size_t>(s.Int(2)), static_cast<size_t>(s.Int(3))}});
    }
    if (rc != kDone) return db_->Error("read post selectors");
  }
  Stmt& s = select_post_media_;
  ResetOnExit reset(s);
  s.Bind(1, post_id);
  int rc;
  while ((rc = s.Step()) == kRow) {
    const auto ord = static_cast<size_t>(s.Int(0));
    if (ord != rec.post.media.size()) return Status::Corrupt("post media rows out of order");
    MediaRef& ref = rec.post.media.emplace_back();
    ref.name = s.String(1);
    ref.kind = MediaKindFromName(s.Text(2)).value_or(MediaKind::kOther);
    ref.mime = s.String(3);
    if (!s.IsNull(4)) ref.declared_size = static_cast<uint64_t>(s.Int(4));
    if (!s.IsNull(5)) ref.declared_width = static_cast<int>(s.Int(5));
    if (!s.IsNull(6)) ref.declared_height = static_cast<int>(s.Int(6));
    ref.path = s.String(7);
    ref.missing_reason = s.String(8);
    MediaResult& result = rec.media.emplace_back();
    result.error = s.String(9);
    if (!s.IsNull(10)) {
      media::MediaInfo& info = result.info.emplace();
      info.sha256 = s.String(10);
      info.md5 = s.String(11);
      info.size = static_cast<uint64_t>(s.Int(12));
      info.type = s.String(13);
      info.mime = s.String(14);
      info.width = static_cast<int>(s.Int(15));
      info.height = static_cast<int>(s.Int(16));
      info.pdq = s.String(17);
      info.pdq_quality = static_cast<int>(s.Int(18));
      info.pdq_error = s.String(19);
      VIGIL_RETURN_IF_ERROR(ReadFrames(info.sha256, result.frames));
      Stmt& m = select_matches_;
      ResetOnExit reset_matches(m);
      m.BindText(1, info.sha256);
      int mrc;
      while ((mrc = m.Step()) == kRow) {
        const auto kind = MatchKindFromName(m.Text(0));
        if (!kind) return Status::Corrupt("unknown media match kind '" + m.String(0) + "'");
        result.matches.push_back({*kind, m.String(1), m.String(2), m.String(3), m.String(4),
                                  static_cast<int>(m.Int(5))});
      }
      if (mrc != kDone) return db_->Error("read media matches");
    }
  }
  if (rc != kDone) return db_->Error("read post media");
  return Status::Ok();
}

Status SqlStore::ReadFrames(std::string_view sha256, std::vector<FrameHash>& out) {
  Stmt& f = select_frames_;
  ResetOnExit reset(f);
  f.BindText(1, sha256);
  int rc;
  while ((rc = f.Step()) == kRow) {
    out.push_back({f.Int(0), f.Double(1), f.String(2), static_cast<int>(f.Int(3))});
  }
  if (rc != kDone) return db_->Error("read video frames");
  return Status::Ok();
}

Status SqlStore::ReadDihedral(std::string_view sha256, std::vector<std::string>& out) {
  Stmt& d = select_dihedral_;
  ResetOnExit reset(d);
  d.BindText(1, sha256);
  int rc;
  while ((rc = d.Step()) == kRow) out.push_back(d.String(0));
  if (rc != kDone) return db_->Error("read dihedral pdqs");
  return Status::Ok();
}

Status SqlStore::InsertMatch(std::string_view sha256, const MediaMatch& m) {
  insert_match_.BindText(1, sha256);
  insert_match_.BindText(2, MatchKindName(m.kind));
  insert_match_.BindText(3, m.target);
  insert_match_.BindText(4, m.list);
  insert_match_.BindText(5, m.signal_type);
  insert_match_.BindText(6, m.labels);
  insert_match_.Bind(7, m.distance);
  return insert_match_.RunAhead("insert media match");
}

Status SqlStore::WriteMediaMatches(std::span<const StoredMediaMatches> batch) {
  if (batch.empty()) return Status::Ok();
  WriteTransaction txn(db_);
  VIGIL_RETURN_IF_ERROR(txn.Begin());
  for (const StoredMediaMatches& m : batch) {
    mark_matched_.BindText(1, m.sha256);
    Status s = mark_matched_.Run("mark media matched");
    if (s.ok() && db_->Changes() == 0) {
      s = Status::NotFound("media " + m.sha256 + " is not stored");
    }
    for (size_t i = 0; s.ok() && i < m.matches.size(); ++i) s = InsertMatch(m.sha256, m.matches[i]);
    if (!s.ok()) return Rollback(s);
  }
  Status s = txn.Commit();
  return s.ok() ? s : Rollback(s);
}

Status SqlStore::PutHashList(const match::HashList& list, bool replace) {
  if (list.name.empty()) return Status::InvalidArgument("a hash list needs a name");
  WriteTransaction txn(db_);
  VIGIL_RETURN_IF_ERROR(txn.Begin());
  auto fail = [&](Status s) { return Rollback(Status(s.code(), list.name + ": " + s.message())); };
  Result<Stmt> upsert = db_->Prepare(R"sql(
INSERT INTO hash_lists (name, source, labels, pdq_threshold, created) VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (name) DO UPDATE SET source = excluded.source, labels = excluded.labels,
  pdq_threshold = excluded.pdq_threshold)sql",
                                     false);
  if (!upsert.ok()) return fail(upsert.status());
  const std::string labels = EncodeLabels(list.labels);
  upsert->BindText(1, list.name);
  upsert->BindText(2, list.source);
  upsert->BindText(3, labels);
  upsert->Bind(4, list.pdq_threshold);
  upsert->Bind(5, now_());
  if (Status s = upsert->Run("store hash list"); !s.ok()) return fail(s);
  Result<Stmt> find = db_->Prepare("SELECT id FROM hash_lists WHERE name = ?1", false);
  if (!find.ok()) return fail(find.status());
  find->BindText(1, list.name);
  if (find->Step() != kRow) return fail(db_->Error("find hash list"));
  const int64_t id = find->Int(0);
  if (replace) {
    // Matches found against the old entries go with them; the next scan
    // matches against the new ones.
    Status s = db_->Exec("DELETE FROM hash_list_entries WHERE list_id = " + std::to_string(id));
    if (s.ok()) s = DeleteListMatches(list.name);
    if (!s.ok()) return fail(s);
  }
  Result<Stmt> insert = db_->Prepare(R"sql(
INSERT INTO hash_list_entries (list_id, signal_type, value, labels, category, source)
VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING)sql",
                                     false);
  if (!insert.ok()) return fail(insert.status());
  for (const match::HashEntry& e : list.entries) {
    const std::string value = e.signal.ToHex();
    const std::string entry_labels = EncodeLabels(e.labels);
    insert->Bind(1, id);
    insert->BindText(2, match::SignalTypeName(e.signal.type));
    insert->BindText(3, value);
    insert->BindText(4, entry_labels);
    insert->BindText(5, e.category);
    insert->BindText(6, e.source);
    if (Status s = insert->Run("store hash list entry"); !s.ok()) return fail(s);
  }
  Status s = txn.Commit();
  return s.ok() ? s : Rollback(s);
}

Result<std::vector<HashListSummary>> SqlStore::ListHashLists() {
  Result<Stmt> s = db_->Prepare(R"sql(
SELECT l.name, l.source, l.labels, l.pdq_threshold, l.created,
  (SELECT COUNT(*) FROM hash_list_entries e WHERE e.list_id = l.id)
FROM hash_lists l ORDER BY l.name)sql",
                                false);
  if (!s.ok()) return s.status();
  std::vector<HashListSummary> out;
  int rc;
  while ((rc = s->Step()) == kRow) {
    HashListSummary& h = out.emplace_back();
    h.list.name = s->String(0);
    h.list.source = s->String(1);
    VIGIL_RETURN_IF_ERROR(DecodeLabels(s->Text(2), &h.list.labels));
    h.list.pdq_threshold = static_cast<int>(s->Int(3));
    h.created = s->Int(4);
    h.entries = s->Int(5);
  }
  if (rc != kDone) return db_->Error("list hash lists");
  return out;
}

Result<std::vector<match::HashList>> SqlStore::LoadHashLists(std::string_view name) {
  Result<Stmt> s = db_->Prepare(R"sql(
SELECT l.name, l.source, l.labels, l.pdq_threshold, e.signal_type, e.value, e.labels,
  e.category, e.source
FROM hash_lists l LEFT JOIN hash_list_entries e ON e.list_id = l.id
WHERE ?1 = '' OR l.name = ?1 ORDER BY l.name, e.signal_type, e.value)sql",
                                false);
  if (!s.ok()) return s.status();
  s->BindText(1, name);
  std::vector<match::HashList> out;
  int rc;
  while ((rc = s->Step()) == kRow) {
    if (out.empty() || out.back().name != s->Text(0)) {
      match::HashList& l = out.emplace_back();
      l.name = s->String(0);
      l.source = s->String(1);
      VIGIL_RETURN_IF_ERROR(DecodeLabels(s->Text(2), &l.labels));
      l.pdq_threshold = static_cast<int>(s->Int(3));
    }
    if (s->IsNull(4)) continue;  // a list with no entries
    const auto type = match::SignalTypeFromName(s->Text(4));
    if (!type) return Status::Corrupt("unknown signal type '" + s->String(4) + "' in hash list");
    Result<match::Signal> signal = match::Signal::FromHex(*type, s->Text(5));
    if (!signal.ok()) return Status::Corrupt("stored signal: " + signal.status().message());
    match::HashEntry& e = out.back().entries.emplace_back();
    e.signal = *signal;
    VIGIL_RETURN_IF_ERROR(DecodeLabels(s->Text(6), &e.labels));
    e.category = s->String(7);
    e.source = s->String(8);
  }
  if (rc != kDone) return db_->Error("read hash lists");
  if (out.empty() && !name.empty()) {
    return Status::NotFound("no hash list named " + std::string(name));
  }
  return out;
}

Status SqlStore::DeleteListMatches(std::string_view list_name) {
  Result<Stmt> s =
      db_->Prepare("DELETE FROM media_matches WHERE kind = 'list' AND list_name = ?1", false);
  if (!s.ok()) return s.status();
  s->BindText(1, list_name);
  return s->Run("delete matches of a hash list");
}

Status SqlStore::DeleteHashList(std::string_view name) {
  WriteTransaction txn(db_);
  VIGIL_RETURN_IF_ERROR(txn.Begin());
  Result<Stmt> find = db_->Prepare("SELECT id FROM hash_lists WHERE name = ?1", false);
  if (!find.ok()) return Rollback(find.status());
  find->BindText(1, name);
  if (find->Step() != kRow) {
    return Rollback(Status::NotFound("no hash list named " + std::string(name)));
  }
  const std::string id = std::to_string(find->Int(0));
  find->Reset();
  Status s = db_->Exec("DELETE FROM hash_list_entries WHERE list_id = " + id +
                       "; DELETE FROM hash_lists WHERE id = " + id);
  if (s.ok()) s = DeleteListMatches(name);
  if (!s.ok()) return Rollback(s);
  s = txn.Commit();
  return s.ok() ? s : Rollback(s);
}

// A row of (sha256, platform, channel_id, channel_title, external_id, time,
// time_is_utc): where a media file was posted.
MediaAppearance ReadAppearance(const Stmt& s) {
  MediaAppearance a;
  a.sha256 = s.String(0);
  a.platform = PlatformFromName(s.Text(1)).value_or(Platform::kJsonl);
  a.channel_id = s.String(2);
  a.channel_title = s.String(3);
  a.external_id = s.String(4);
  a.time = s.Int(5);
  a.time_is_utc = s.Int(6) != 0;
  return a;
}

Status SqlStore::ForEachMediaAppearance(const std::function<Status(const MediaAppearance&)>& fn) {
  Result<Stmt> s = db_->Prepare(R"sql(
SELECT pm.sha256, p.platform, p.channel_id, p.channel_title, p.external_id, p.time, p.time_is_utc
FROM post_media pm JOIN posts p ON p.id = pm.post_id WHERE pm.sha256 IS NOT NULL
ORDER BY p.time, p.platform, p.channel_id, p.external_id, pm.sha256)sql",
                                false);
  if (!s.ok()) return s.status();
  int rc;
  while ((rc = s->Step()) == kRow) {
    VIGIL_RETURN_IF_ERROR(fn(ReadAppearance(*s)));
  }
  if (rc != kDone) return db_->Error("read media appearances");
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, MediaMatch>>> SqlStore::ListMediaMatches() {
  Result<Stmt> s = db_->Prepare(R"sql(
SELECT sha256, kind, target, list_name, signal_type, labels, distance FROM media_matches
ORDER BY sha256, distance, kind, list_name, target)sql",
                                false);
  if (!s.ok()) return s.status();
  std::vector<std::pair<std::string, MediaMatch>> out;
  int rc;
  while ((rc = s->Step()) == kRow) {
    const auto kind = MatchKindFromName(s->Text(1));
    if (!kind) return Status::Corrupt("unknown media match kind '" + s->String(1) + "'");
    out.emplace_back(s->String(0), MediaMatch{*kind, s->String(2), s->String(3), s->String(4),
                                              s->String(5), static_cast<int>(s->Int(6))});
  }
  if (rc != kDone) return db_->Error("read media matches");
  return out;
}

Result<std::vector<std::pair<std::string, MediaMatch>>> SqlStore::RepostMatchesOf(
    std::string_view sha256) {
  // Two indexed halves (the primary key, then media_matches_by_target).
  Result<Stmt> s = db_->Prepare(R"sql(
SELECT sha256, target, signal_type, labels, distance FROM media_matches
WHERE sha256 = ?1 AND kind = 'media'
UNION ALL
SELECT sha256, target, signal_type, labels, distance FROM media_matches
WHERE target = ?1 AND kind = 'media'
ORDER BY 1, 2)sql");
  if (!s.ok()) return s.status();
  s->BindText(1, sha256);
  std::vector<std::pair<std::string, MediaMatch>> out;
  int rc;
  while ((rc = s->Step()) == kRow) {
    out.emplace_back(s->String(0), MediaMatch{MatchKind::kMedia, s->String(1), "", s->String(2),
                                              s->String(3), static_cast<int>(s->Int(4))});
  }
  if (rc != kDone) return db_->Error("read the reposts of a media file");
  return out;
}

Result<std::vector<MediaAppearance>> SqlStore::AppearancesOf(std::span<const std::string> sha256s,
                                                             size_t limit) {
  Result<Stmt> s = db_->Prepare(R"sql(
SELECT pm.sha256, p.platform, p.channel_id, p.channel_title, p.external_id, p.time, p.time_is_utc
FROM post_media pm JOIN posts p ON p.id = pm.post_id WHERE pm.sha256 = ?)sql");
  if (!s.ok()) return s.status();
  std::vector<MediaAppearance> out;
  for (const std::string& sha : sha256s) {
    s->Reset();
    s->BindText(1, sha);
    int rc;
    while ((limit == 0 || out.size() < limit) && (rc = s->Step()) == kRow) {
      out.push_back(ReadAppearance(*s));
    }
    if (limit != 0 && out.size() == limit) break;
    if (rc != kDone) return db_->Error("read the posts of a media file");
  }
  std::sort(out.begin(), out.end(), [](const MediaAppearance& a, const MediaAppearance& b) {
    const std::string_view pa = PlatformName(a.platform), pb = PlatformName(b.platform);
    return std::tie(a.time, pa, a.channel_id, a.external_id, a.sha256) <
           std::tie(b.time, pb, b.channel_id, b.external_id, b.sha256);
  });
  return out;
}

Status SqlStore::ForEachMediaHashes(const std::function<Status(const MediaHashes&)>& fn) {
  Result<Stmt> s = db_->Prepare(
      "SELECT sha256, md5, type, pdq, pdq_quality, matched FROM media ORDER BY sha256", false);
  if (!s.ok()) return s.status();
  int rc;
  while ((rc = s->Step()) == kRow) {
    MediaHashes h;
    h.sha256 = s->String(0);
    h.md5 = s->String(1);
    h.type = s->String(2);
    h.pdq = s->String(3);
    h.pdq_quality = static_cast<int>(s->Int(4));
    h.matched = s->Int(5) != 0;
    if (!h.pdq.empty()) VIGIL_RETURN_IF_ERROR(ReadDihedral(h.sha256, h.pdq_dihedral));
    VIGIL_RETURN_IF_ERROR(ReadFrames(h.sha256, h.frames));
    VIGIL_RETURN_IF_ERROR(fn(h));
  }
  if (rc != kDone) return db_->Error("read media hashes");
  return Status::Ok();
}

Status SqlStore::ReadPost(const Stmt& s, ScanRecord& rec) {
  rec = ScanRecord();
  Post& p = rec.post;
  const int64_t id = s.Int(0);
  const auto platform = PlatformFromName(s.Text(1));
  if (!platform) return Status::Corrupt("post " + std::to_string(id) + ": unknown platform");
  p.platform = *platform;
  p.channel.id = s.String(2);
  p.external_id = s.String(3);
  p.channel.title = s.String(4);
  p.channel.type = s.String(5);
  p.author.name = s.String(6);
  p.author.id = s.String(7);
  p.time = s.Int(8);
  p.time_is_utc = s.Int(9) != 0;
  p.local_time = s.String(10);
  if (!s.IsNull(11)) p.utc_offset_minutes = static_cast<int>(s.Int(11));
  p.text = s.String(12);
  Status st = DecodeEntities(s.Text(13), &p.entities);
  p.forwarded_from = s.String(14);
  p.reply_to = s.String(15);
  p.edited = s.Int(16) != 0;
  p.service = s.Int(17) != 0;
  p.source_file = s.String(18);
  p.source_item = s.String(19);
  const auto category = text::CategoryFromName(s.Text(20));
  if (!category) return Status::Corrupt("post " + std::to_string(id) + ": unknown category");
  rec.analysis.category = *category;
  rec.analysis.score = s.Double(21);
  if (st.ok()) st = DecodeReasons(s.Text(22), &rec.analysis.reasons);
  if (st.ok()) st = ReadChildren(id, rec);
  if (!st.ok()) return Status(st.code(), PostName(p) + ": " + st.message());
  return Status::Ok();
}

Status SqlStore::ForEachPost(const PostFilter& filter,
                             const std::function<Status(const ScanRecord&)>& fn) {
  // One read transaction: the walk sees a single snapshot even while another
  // connection writes.
  ReadSnapshot snapshot(db_);
  VIGIL_RETURN_IF_ERROR(snapshot.status());
  Stmt& s = filter.newest_first ? select_posts_newest_ : select_posts_;
  ResetOnExit reset(s);
  s.Bind(1, filter.flagged_only ? 1 : 0);
  if (filter.platform) {
    s.BindText(2, PlatformName(*filter.platform));
  } else {
    s.BindNull(2);
  }
  s.Bind(3, filter.limit == 0 ? INT64_MAX : static_cast<int64_t>(filter.limit));
  int rc;
  ScanRecord rec;
  while ((rc = s.Step()) == kRow) {
    VIGIL_RETURN_IF_ERROR(ReadPost(s, rec));
    VIGIL_RETURN_IF_ERROR(fn(rec));
  }
  if (rc != kDone) return db_->Error("read posts");
  return Status::Ok();
}

Result<std::vector<MonthCount>> SqlStore::CountByMonth() {
  Result<Stmt> s = db_->Prepare("SELECT " + db_->MonthOf("time") +
                                    " AS month, category, COUNT(*) FROM posts "
                                    "WHERE service = 0 GROUP BY month, category",
                                /*persistent=*/false);
  if (!s.ok()) return s.status();
  std::vector<MonthCount> out;
  int rc;
  while ((rc = s->Step()) == kRow) {
    const auto category = text::CategoryFromName(s->Text(1));
    if (!category) return Status::Corrupt("unknown category '" + s->String(1) + "' in posts");
    out.push_back({s->String(0), *category, s->Int(2)});
  }
  if (rc != kDone) return db_->Error("count posts by month");
  std::sort(out.begin(), out.end(), [](const MonthCount& a, const MonthCount& b) {
    return std::tie(a.month, a.category) < std::tie(b.month, b.category);
  });
  return out;
}

Result<Totals> SqlStore::GetTotals() {
  Result<Stmt> s = db_->Prepare(R"sql(
SELECT (SELECT COUNT(*) FROM posts),
  (SELECT COUNT(*) FROM posts WHERE service <> 0),
  (SELECT COUNT(*) FROM posts WHERE service = 0 AND category <> 'other'),
  (SELECT COUNT(*) FROM media),
  (SELECT COUNT(DISTINCT selector_id) FROM post_selectors),
  (SELECT COUNT(*) FROM scan_errors))sql",
                                /*persistent=*/false);
  if (!s.ok()) return s.status();
  if (s->Step() != kRow) return db_->Error("count totals");
  Totals t;
  t.posts = s->Int(0);
  t.service = s->Int(1);
  t.flagged = s->Int(2);
  t.media = s->Int(3);
  t.selectors = s->Int(4);
  t.errors = s->Int(5);
  return t;
}

Result<std::vector<ScanError>> SqlStore::ListErrors() {
  Result<Stmt> s = db_->Prepare("SELECT file, item, reason FROM scan_errors ORDER BY id",
                                /*persistent=*/false);
  if (!s.ok()) return s.status();
  std::vector<ScanError> out;
  int rc;
  while ((rc = s->Step()) == kRow) out.push_back({s->String(0), s->String(1), s->String(2)});
  if (rc != kDone) return db_->Error("list scan errors");
  return out;
}

Result<std::optional<ScanRecord>> SqlStore::GetPost(const PostKey& key) {
  Stmt& s = select_post_;
  ResetOnExit reset(s);
  s.BindText(1, PlatformName(key.platform));
  s.BindText(2, key.channel_id);
  s.BindText(3, key.external_id);
  const int rc = s.Step();
  if (rc == kDone) return std::optional<ScanRecord>();
  if (rc != kRow) return db_->Error("read post");
  ScanRecord rec;
  VIGIL_RETURN_IF_ERROR(ReadPost(s, rec));
  return std::optional<ScanRecord>(std::move(rec));
}

// A page cursor: the order's letter, the last post's sort value, its id.
std::string MakeCursor(PostOrder order, const ScanRecord& last, int64_t id) {
  char buf[64];
  if (order == PostOrder::kScore) {
    std::snprintf(buf, sizeof buf, "s%.17g_%" PRId64, last.analysis.score, id);
  } else {
    std::snprintf(buf, sizeof buf, "t%" PRId64 "_%" PRId64, last.post.time, id);
  }
  return buf;
}

struct Cursor {
  double score = 0;
  int64_t time = 0;
  int64_t id = 0;
};

Result<Cursor> ParseCursor(PostOrder order, const std::string& text) {
  const char want = order == PostOrder::kScore ? 's' : 't';
  const size_t sep = text.find('_');
  auto bad = [&] { return Status::InvalidArgument("not a page cursor of this query: " + text); };
  if (text.size() < 4 || text[0] != want || sep == std::string::npos) return bad();
  Cursor c;
  const std::string value = text.substr(1, sep - 1), id = text.substr(sep + 1);
  char* end = nullptr;
  if (order == PostOrder::kScore) {
    c.score = std::strtod(value.c_str(), &end);
  } else {
    c.time = std::strtoll(value.c_str(), &end, 10);
  }
  if (value.empty() || *end != '\0') return bad();
  c.id = std::strtoll(id.c_str(), &end, 10);
  if (id.empty() || *end != '\0' || c.id <= 0) return bad();
  return c;
}

Result<PostPage> SqlStore::ListPosts(const PostQuery& q) {
  if (q.limit == 0 || q.limit > 1000) {
    return Status::InvalidArgument("a page holds 1 to 1000 posts, not " + std::to_string(q.limit));
  }
  std::optional<Cursor> cursor;
  if (!q.after.empty()) {
    VIGIL_ASSIGN_OR_RETURN(Cursor c, ParseCursor(q.order, q.after));
    cursor = c;
  }
  // Parameters are numbered in the order the clauses are added.
  std::string sql = "SELECT " + std::string(kPostColumns) + " FROM posts WHERE service = 0";
  int n = 0;
  auto param = [&n] { return "?" + std::to_string(++n); };
  if (q.flagged_only) sql += " AND category <> 'other'";
  if (q.platform) sql += " AND platform = " + param();
  if (!q.channel_id.empty()) sql += " AND channel_id = " + param();
  if (q.category) sql += " AND category = " + param();
  if (q.since) sql += " AND time >= " + param();
  if (q.until) sql += " AND time < " + param();
  if (!q.lang.empty()) {
    sql += " AND " + db_->JsonArrayHasLang("posts.reasons", param());
  }
  // Matches are few beside the posts: the page is built from the matched
  // media's posts (then sorted), not by walking every post by score and
  // probing each (which read the whole index when nothing matched).
  if (q.with_media_match) {
    sql +=
        " AND posts.id IN (SELECT pm.post_id FROM post_media pm WHERE pm.sha256 IN "
        "(SELECT sha256 FROM media_matches UNION ALL "
        "SELECT target FROM media_matches WHERE kind = 'media'))";
  }
  if (q.with_face_candidate) {
    sql +=
        " AND posts.id IN (SELECT pm.post_id FROM post_media pm WHERE pm.sha256 IN "
        "(SELECT sha256 FROM face_matches))";
  }
  if (q.undecided_only)
    sql += " AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.post_id = posts.id)";
  if (cursor) {
    const std::string v = param(), id = param();
    sql += q.order == PostOrder::kScore
               ? " AND (score < " + v + " OR (score = " + v + " AND id > " + id + "))"
               : " AND (time > " + v + " OR (time = " + v + " AND id > " + id + "))";
  }
  sql += q.order == PostOrder::kScore ? " ORDER BY score DESC, id" : " ORDER BY time, id";
  sql += " LIMIT " + param();
  VIGIL_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(sql, /*persistent=*/false));
  int i = 0;
  if (q.platform) s.BindText(++i, PlatformName(*q.platform));
  if (!q.channel_id.empty()) s.BindText(++i, q.channel_id);
  if (q.category) s.BindText(++i, text::CategoryName(*q.category));
  if (q.since) s.Bind(++i, *q.since);
  if (q.until) s.Bind(++i, *q.until);
  if (!q.lang.empty()) s.BindText(++i, q.lang);
  if (cursor) {
    if (q.order == PostOrder::kScore) {
      s.BindDouble(++i, cursor->score);
    } else {
      s.Bind(++i, cursor->time);
    }
    s.Bind(++i, cursor->id);
  }
  s.Bind(++i, static_cast<int64_t>(q.limit) + 1);  // one more: is there a next page?
  // One read transaction: the page and its children are one snapshot.
  ReadSnapshot snapshot(db_);
  VIGIL_RETURN_IF_ERROR(snapshot.status());
  PostPage page;
  int64_t last_id = 0;
  int rc;
  while ((rc = s.Step()) == kRow) {
    if (page.records.size() == q.limit) {
      page.next = MakeCursor(q.order, page.records.back(), last_id);
      break;
    }
    last_id = s.Int(0);
    page.records.emplace_back();
    VIGIL_RETURN_IF_ERROR(ReadPost(s, page.records.back()));
  }
  if (rc != kRow && rc != kDone) return db_->Error("list posts");
  return page;
}

Result<int64_t> SqlStore::AddDecision(const Decision& d) {
  WriteTransaction txn(db_);
  VIGIL_RETURN_IF_ERROR(txn.Begin());
  int64_t post_id;
  {
    ResetOnExit reset(find_post_);
    find_post_.BindText(1, PlatformName(d.post.platform));
    find_post_.BindText(2, d.post.channel_id);
    find_post_.BindText(3, d.post.external_id);
    const int rc = find_post_.Step();
    if (rc == kDone) return Status::NotFound("no post " + FormatPostKey(d.post));
    if (rc != kRow) return db_->Error("find post");
    post_id = find_post_.Int(0);
  }
  insert_decision_.Bind(1, post_id);
  insert_decision_.BindText(2, DecisionTypeName(d.type));
  insert_decision_.BindText(3, d.note);
  insert_decision_.BindText(4, d.actor);
  insert_decision_.Bind(5, d.time);
  VIGIL_RETURN_IF_ERROR(insert_decision_.Run("insert decision"));
  const int64_t id = db_->LastInsertId();
  VIGIL_RETURN_IF_ERROR(txn.Commit());
  return id;
}

Result<std::vector<Decision>> SqlStore::Decisions(const std::optional<PostKey>& post) {
  // Two statements, not one with an OR, so that one post's decisions are
  // found through its key and decisions_by_post.
  VIGIL_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(post ? R"sql(
SELECT d.id, p.platform, p.channel_id, p.external_id, d.type, d.note, d.actor, d.time
FROM posts p JOIN decisions d ON d.post_id = p.id
WHERE p.platform = ?1 AND p.channel_id = ?2 AND p.external_id = ?3
ORDER BY d.id)sql"
                                                   : R"sql(
SELECT d.id, p.platform, p.channel_id, p.external_id, d.type, d.note, d.actor, d.time
FROM decisions d JOIN posts p ON p.id = d.post_id ORDER BY d.id)sql",
                                              /*persistent=*/false));
  if (post) {
    s.BindText(1, PlatformName(post->platform));
    s.BindText(2, post->channel_id);
    s.BindText(3, post->external_id);
  }
  return ReadDecisions(s);
}

Result<std::vector<Decision>> SqlStore::RecentDecisions(size_t limit) {
  VIGIL_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(R"sql(
SELECT d.id, p.platform, p.channel_id, p.external_id, d.type, d.note, d.actor, d.time
FROM decisions d JOIN posts p ON p.id = d.post_id ORDER BY d.id DESC LIMIT ?1)sql",
                                              /*persistent=*/false));
  s.Bind(1, static_cast<int64_t>(limit));
  return ReadDecisions(s);
}

Result<std::vector<Decision>> SqlStore::ReadDecisions(Stmt& s) {
  std::vector<Decision> out;
  int rc;
  while ((rc = s.Step()) == kRow) {
    Decision d;
    d.id = s.Int(0);
    const auto platform = PlatformFromName(s.Text(1));
    const auto type = DecisionTypeFromName(s.Text(4));
    if (!platform || !type) {
      return Status::Corrupt("decision " + std::to_string(d.id) + ": unknown platform or type");
    }
    d.post = {*platform, s.String(2), s.String(3)};
    d.type = *type;
    d.note = s.String(5);
    d.actor = s.String(6);
    d.time = s.Int(7);
    out.push_back(std::move(d));
  }
  if (rc != kDone) return db_->Error("list decisions");
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> NewSqlStore(Connection* db, std::function<int64_t()> now) {
  auto store = std::make_unique<SqlStore>(db, std::move(now));
  VIGIL_RETURN_IF_ERROR(store->Prepare());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace vigil::store
