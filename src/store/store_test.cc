// The store conformance suite: every test written against the Store and
// RegistryStore interfaces runs for each backend in kBackends (TEST_P); a
// new backend only has to be added there. Tests of one backend's own
// mechanics (SQLite's files, pragmas, triggers, migrations from old files,
// a process killed mid-write) are TEST_F(SqliteStoreTest, ...); the I/O
// fault loops are in fault_test.cc.
#include "vigil/store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "src/store/pg_connection.h"
#include "src/testing/sqlite_tables.h"
#include "src/testing/temp_dir.h"
#include "vigil/store/clusters.h"
#include "vigil/store/database.h"

namespace vigil::store {
namespace {

constexpr int64_t kNow = 1'700'000'000;

OpenOptions FixedClock(int64_t now = kNow) {
  OpenOptions o;
  o.now = [now] { return now; };
  return o;
}

// Every field of a record, spelt out, so that a mismatch shows which one.
std::string Describe(const ScanRecord& r) {
  std::ostringstream o;
  const Post& p = r.post;
  o << PlatformName(p.platform) << "|" << p.channel.id << "|" << p.channel.title << "|"
    << p.channel.type << "|" << p.external_id << "|" << p.author.name << "|" << p.author.id << "|"
    << p.time << "|" << p.time_is_utc << "|" << p.local_time << "|"
    << (p.utc_offset_minutes ? std::to_string(*p.utc_offset_minutes) : "none") << "|" << p.text
    << "|" << p.forwarded_from << "|" << p.reply_to << "|" << p.edited << p.service << "|"
    << p.source_file << "|" << p.source_item << "\n";
  for (const Entity& e : p.entities)
    o << " entity " << e.type << "|" << e.text << "|" << e.href << "\n";
  for (const MediaRef& m : p.media) {
    o << " ref " << m.path << "|" << m.name << "|" << MediaKindName(m.kind) << "|" << m.mime << "|"
      << (m.declared_size ? std::to_string(*m.declared_size) : "none") << "|"
      << (m.declared_width ? std::to_string(*m.declared_width) : "none") << "|"
      << (m.declared_height ? std::to_string(*m.declared_height) : "none") << "|"
      << m.missing_reason << "\n";
  }
  o << " analysis " << static_cast<int>(r.analysis.category) << "|" << r.analysis.score << "\n";
  for (const auto& x : r.analysis.reasons) {
    o << " reason " << x.klass << "|" << x.term << "|" << x.lang << "|" << x.span.begin << "-"
      << x.span.end << "\n";
  }
  for (const auto& x : r.analysis.selectors) {
    o << " selector " << x.kind << "|" << x.value << "|" << x.span.begin << "-" << x.span.end
      << "\n";
  }
  for (const MediaResult& m : r.media) {
    o << " result error=" << m.error;
    if (m.info) {
      const media::MediaInfo& i = *m.info;
      o << " " << i.sha256 << "|" << i.md5 << "|" << i.size << "|" << i.type << "|" << i.mime << "|"
        << i.width << "x" << i.height << "|" << i.pdq << "|" << i.pdq_quality << "|" << i.pdq_error;
    }
    o << "\n";
    for (const FrameHash& f : m.frames) {
      o << "  frame " << f.frame_index << "|" << f.timestamp_seconds << "|" << f.pdq << "|"
        << f.quality << "\n";
    }
    for (const MediaMatch& x : m.matches) {
      o << "  match " << MatchKindName(x.kind) << "|" << x.target << "|" << x.list << "|"
        << x.signal_type << "|" << x.labels << "|" << x.distance << "\n";
    }
  }
  return o.str();
}

media::MediaInfo Info(char fill, uint64_t size) {
  media::MediaInfo i;
  i.sha256 = std::string(64, fill);
  i.md5 = std::string(32, fill);
  i.size = size;
  i.type = "jpeg";
  i.mime = "image/jpeg";
  i.width = 640;
  i.height = 480;
  return i;
}

ScanRecord FullRecord() {
  ScanRecord r;
  Post& p = r.post;
  p.platform = Platform::kTelegram;
  p.channel = {"-1001234", "سوق ١٢ Market \xF0\x9F\x8C\x99", "public_channel"};
  p.external_id = "812";
  p.author = {"أحمد Ahmad", "user42"};
  p.time = 1709622489;
  p.time_is_utc = true;
  p.local_time = "2024-03-05T10:08:09+03:00";
  p.utc_offset_minutes = 180;
  p.text = "للبيع فتاة عمر ١٥ سنة\nکچ بۆ فرۆشتن \xF0\x9F\x92\xB0 +964 750 123 4567 @seller";
  p.entities = {{"phone", "+964 750 123 4567", ""},
                {"text_link", "here", "https://x.test/a?b=\"c\""}};
  MediaRef photo;
  photo.path = "/exports/chat/photos/photo_1.jpg";
  photo.name = "photo_1.jpg";
  photo.kind = MediaKind::kPhoto;
  photo.mime = "image/jpeg";
  photo.declared_size = 12345;
  photo.declared_width = 640;
  photo.declared_height = 480;
  MediaRef video;
  video.name = "video_2.mp4";
  video.kind = MediaKind::kVideo;
  video.missing_reason = "(File not included. Change data exporting settings to download.)";
  p.media = {photo, video};
  p.forwarded_from = "Other Channel";
  p.reply_to = "811";
  p.edited = true;
  p.service = false;
  p.source_file = "/exports/chat/result.json";
  p.source_item = "message 812";
  r.analysis.category = text::Category::kSaleOffer;
  r.analysis.score = 0.875;
  r.analysis.reasons = {{"sale", "للبيع", "ar", {0, 10}}, {"age", "عمر", "ar", {20, 26}}};
  r.analysis.selectors = {{"phone", "+9647501234567", {60, 77}}, {"handle", "@seller", {78, 85}}};
  media::MediaInfo info = Info('a', 12345);
  info.pdq = std::string(64, 'f');
  info.pdq_quality = 87;
  r.media = {{info, ""}, {std::nullopt, "missing from export"}};
  r.media[0].info->pdq_error = "kept for the round trip";
  r.media[0].frames = {{0, 0.0, std::string(64, '1'), 90}, {25, 1.0, std::string(64, '2'), 71}};
  r.media[0].matches = {
      {MatchKind::kList, std::string(64, 'e'), "known-2014", "pdq", "sinjar set", 12},
      {MatchKind::kMedia, std::string(64, 'b'), "", "pdq", "", 20}};
  return r;
}

// A text-only post like most of a scan: two reasons, one selector.
ScanRecord TextRecord(int i) {
  ScanRecord r;
  r.post.platform = i % 5 == 0 ? Platform::kWhatsApp : Platform::kTelegram;
  r.post.channel = {"chan" + std::to_string(i % 7), "Channel " + std::to_string(i % 7), "group"};
  r.post.external_id = std::to_string(i);
  r.post.author = {"author " + std::to_string(i % 13), ""};
  r.post.time = 1'700'000'000 + (i * 7919) % 100'000;
  r.post.time_is_utc = true;
  r.post.text = "post number " + std::to_string(i) + " بيع call +96475000" + std::to_string(i % 50);
  r.post.source_file = "result.json";
  r.post.source_item = "message " + std::to_string(i);
  r.analysis.category = static_cast<text::Category>(i % 4);
  r.analysis.score = (i % 100) / 100.0;
  r.analysis.reasons = {{"sale", "بيع", "ar", {16, 22}}, {"price", "$", "en", {1, 2}}};
  r.analysis.selectors = {{"phone", "+96475000" + std::to_string(i % 50), {28, 42}}};
  return r;
}

std::vector<ScanRecord> TextRecords(int begin, int end) {
  std::vector<ScanRecord> v;
  for (int i = begin; i < end; ++i) v.push_back(TextRecord(i));
  return v;
}

// TextRecord(i) with one photo, `i`.jpg, whose media info is Info(fill) and
// which carries `matches`.
ScanRecord PhotoRecord(int i, char fill, std::vector<MediaMatch> matches) {
  ScanRecord r = TextRecord(i);
  MediaRef ref;
  ref.name = std::to_string(i) + ".jpg";
  ref.kind = MediaKind::kPhoto;
  r.post.media = {ref};
  r.media = {{Info(fill, 100), ""}};
  r.media[0].matches = std::move(matches);
  return r;
}

using Dump = testing::TableDump;

// The tables a post write touches, as rows.
Dump DumpDb(const std::filesystem::path& path) {
  return testing::DumpTables(
      path, {"posts", "selectors", "post_selectors", "media", "post_media", "scan_errors"});
}

using testing::QueryText;

// A database opened for a test; `->` and `*` reach its post store.
struct Opened {
  std::unique_ptr<Database> db;
  Store* operator->() const { return &db->posts(); }
  Store& operator*() const { return db->posts(); }
  bool operator==(std::nullptr_t) const { return db == nullptr; }
};

// A backend under test: how to open a database named `name` in a test's
// folder, and (for its own deeper check) every row it keeps, as text.
struct BackendUnderTest {
  const char* name;
  std::function<Result<std::unique_ptr<Database>>(const std::filesystem::path& path,
                                                  const OpenOptions& options)>
      open;
  std::function<Dump(const std::filesystem::path& path)> raw_rows;
};

const BackendUnderTest kSqlite = {
    "sqlite",
    [](const std::filesystem::path& path, const OpenOptions& options) {
      return store::Open(path.string(), options);
    },
    DumpDb};

// The PostgreSQL server the tests may use (scripts/with-services starts one
// for `make test`); "" when none was given.
std::string PgServerUrl() {
  const char* url = std::getenv("VIGIL_TEST_PG_URL");
  return url != nullptr ? url : "";
}

// A database of its own for each test folder's `path`, made on first use in
// the server PgServerUrl() names: its URL.
std::string PgUrlFor(const std::filesystem::path& path) {
  const std::string server = PgServerUrl();
  char name[40];
  std::snprintf(name, sizeof name, "vt_%016zx", std::hash<std::string>()(path.string()));
  {
    auto admin = PgConnection::Connect(server);
    EXPECT_TRUE(admin.ok()) << admin.status().ToString();
    if (admin.ok()) {
      Status made = (*admin)->Exec(std::string("CREATE DATABASE ") + name);
      if (!made.ok() && made.message().find("already exists") == std::string::npos) {
        ADD_FAILURE() << made.ToString();
      }
    }
  }
  return server.substr(0, server.rfind('/') + 1) + name;
}

// What each table holds, with surrogate ids replaced by the natural keys
// they stand for (PostgreSQL's identity sequences are not rolled back, so
// ids differ between runs that store the same rows).
Dump NaturalRows(Connection& db) {
  static const std::pair<const char*, const char*> kQueries[] = {
      {"posts",
       "SELECT platform, channel_id, external_id, channel_title, channel_type, author_name, "
       "author_id, time, time_is_utc, local_time, utc_offset_minutes, text, entities, "
       "forwarded_from, reply_to, edited, service, source_file, source_item, category, score, "
       "reasons, first_seen FROM posts"},
      {"selectors", "SELECT kind, value FROM selectors"},
      {"post_selectors",
       "SELECT p.platform, p.channel_id, p.external_id, s.kind, s.value, ps.begin, ps.\"end\", "
       "ps.ord FROM post_selectors ps JOIN posts p ON p.id = ps.post_id "
       "JOIN selectors s ON s.id = ps.selector_id"},
      {"media",
       "SELECT sha256, md5, size, type, mime, width, height, pdq, pdq_quality, pdq_error, "
       "matched FROM media"},
      {"post_media",
       "SELECT p.platform, p.channel_id, p.external_id, pm.ord, pm.sha256, pm.name, pm.kind, "
       "pm.declared_mime, pm.declared_size, pm.declared_width, pm.declared_height, pm.path, "
       "pm.missing_reason, pm.error FROM post_media pm JOIN posts p ON p.id = pm.post_id"},
      {"scan_errors", "SELECT file, item, reason FROM scan_errors"},
  };
  Dump d;
  for (const auto& [table, sql] : kQueries) {
    const int columns = static_cast<int>(std::count(sql, sql + std::strlen(sql), ',')) + 1;
    auto s = db.Prepare(sql, false);
    EXPECT_TRUE(s.ok()) << table << ": " << s.status().ToString();
    if (!s.ok()) continue;
    auto& rows = d[table];
    int rc;
    while ((rc = s->Step()) == kRow) {
      std::string row;
      for (int c = 0; c < columns; ++c) {
        if (c > 0) row += '\x1f';
        row += s->IsNull(c) ? std::string("NULL") : s->String(c);
      }
      rows.push_back(std::move(row));
    }
    EXPECT_EQ(rc, kDone) << table << ": " << db.Error("dump").ToString();
    std::sort(rows.begin(), rows.end());
  }
  return d;
}

const BackendUnderTest kPostgres = {
    "postgresql",
    [](const std::filesystem::path& path, const OpenOptions& options) {
      return store::Open(PgUrlFor(path), options);
    },
    [](const std::filesystem::path& path) {
      auto conn = PgConnection::Connect(PgUrlFor(path));
      EXPECT_TRUE(conn.ok()) << conn.status().ToString();
      return conn.ok() ? NaturalRows(**conn) : Dump();
    }};

// Everything a store answers through its interface, as text: posts with
// their media, errors, totals, lists, media hashes, matches, appearances,
// decisions, registry rows.
Dump Snapshot(Database& db) {
  Dump d;
  Store& s = db.posts();
  EXPECT_TRUE(s.ForEachPost({}, [&](const ScanRecord& r) {
                 d["posts"].push_back(Describe(r));
                 return Status::Ok();
               }).ok());
  const auto errors = s.ListErrors();
  for (const auto& e : *errors) d["errors"].push_back(e.file + "|" + e.item + "|" + e.reason);
  const Totals t = *s.GetTotals();
  d["totals"].push_back(std::to_string(t.posts) + " " + std::to_string(t.service) + " " +
                        std::to_string(t.flagged) + " " + std::to_string(t.media) + " " +
                        std::to_string(t.selectors) + " " + std::to_string(t.errors));
  const auto lists = s.LoadHashLists();
  for (const auto& l : *lists) {
    for (const auto& e : l.entries) d["lists"].push_back(l.name + "|" + e.signal.ToHex());
  }
  EXPECT_TRUE(s.ForEachMediaHashes([&](const MediaHashes& h) {
                 std::string row = h.sha256 + "|" + h.md5 + "|" + h.type + "|" + h.pdq + "|" +
                                   std::to_string(h.pdq_quality) + "|" + std::to_string(h.matched);
                 for (const auto& x : h.pdq_dihedral) row += "|" + x;
                 for (const auto& f : h.frames) row += "|" + f.pdq;
                 d["media"].push_back(row);
                 return Status::Ok();
               }).ok());
  const auto matches = s.ListMediaMatches();
  for (const auto& [sha, m] : *matches) {
    d["matches"].push_back(sha + "|" + std::string(MatchKindName(m.kind)) + "|" + m.target + "|" +
                           m.list + "|" + std::to_string(m.distance));
  }
  EXPECT_TRUE(s.ForEachMediaAppearance([&](const MediaAppearance& a) {
                 d["appearances"].push_back(a.sha256 + "|" + a.channel_id + "|" + a.external_id);
                 return Status::Ok();
               }).ok());
  const auto decisions = s.Decisions(std::nullopt);
  for (const auto& x : *decisions) {
    d["decisions"].push_back(FormatPostKey(x.post) + "|" + std::string(DecisionTypeName(x.type)) +
                             "|" + x.note);
  }
  const auto persons = db.registry().ListPersons();
  for (const auto& p : *persons) {
    d["persons"].push_back(p.case_code + "|" + p.status + "|" + p.sealed);
  }
  const auto accounts = db.accounts().ListAccounts();
  for (const auto& a : *accounts) {
    d["accounts"].push_back(a.name + "|" + std::string(RoleName(a.role)) + "|" + a.password_hash +
                            "|" + std::to_string(a.disabled));
  }
  const auto sightings = db.registry().Sightings("");
  for (const auto& x : *sightings) {
    d["sightings"].push_back(x.case_code + "|" + x.media_sha256 + "|" + x.external_id);
  }
  return d;
}

class StoreTestBase {
 protected:
  void MakeDir() {
    temp_ = std::make_unique<testing::TempDir>("vigil_store");
    dir_ = temp_->path();
    path_ = dir_ / "vigil.db";
  }

  virtual const BackendUnderTest& backend() const = 0;

  Opened Open(const std::filesystem::path& path, int64_t now = kNow) {
    auto db = backend().open(path, FixedClock(now));
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return Opened{db.ok() ? std::move(db).value() : nullptr};
  }

  // The interface's view of the database at `path`, and the backend's own.
  Dump SnapshotOf(const std::filesystem::path& path) {
    Opened o = Open(path);
    Dump d = o.db ? Snapshot(*o.db) : Dump();
    o.db.reset();
    for (auto& [table, rows] : backend().raw_rows(path)) d["raw " + table] = std::move(rows);
    return d;
  }

  std::vector<ScanRecord> ReadAll(Store& store, const PostFilter& filter = {}) {
    std::vector<ScanRecord> out;
    Status s = store.ForEachPost(filter, [&](const ScanRecord& r) {
      out.push_back(r);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  std::unique_ptr<testing::TempDir> temp_;
  std::filesystem::path dir_;
  std::filesystem::path path_;
};

// The conformance suite: one instance per backend.
class StoreTest : public StoreTestBase, public ::testing::TestWithParam<const BackendUnderTest*> {
 protected:
  void SetUp() override {
    if (GetParam() == &kPostgres && PgServerUrl().empty()) {
      GTEST_SKIP() << "no PostgreSQL server: set VIGIL_TEST_PG_URL (make test does, through "
                      "scripts/with-services)";
    }
    MakeDir();
  }
  const BackendUnderTest& backend() const override { return *GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(&kSqlite, &kPostgres),
                         [](const ::testing::TestParamInfo<const BackendUnderTest*>& info) {
                           return std::string(info.param->name);
                         });

// SQLite's own mechanics.
class SqliteStoreTest : public StoreTestBase, public ::testing::Test {
 protected:
  void SetUp() override { MakeDir(); }
  const BackendUnderTest& backend() const override { return kSqlite; }
};

TEST_P(StoreTest, RoundTripsEveryField) {
  auto store = Open(path_);
  ASSERT_NE(store, nullptr);
  ScanRecord minimal;  // every field at its default
  minimal.post.platform = Platform::kWhatsApp;
  minimal.post.external_id = "1";
  minimal.post.time = -86400;  // before the epoch
  ScanRecord full = FullRecord();
  const std::vector<ScanRecord> batch = {full, minimal};
  ASSERT_TRUE(store->Write(batch).ok());
  std::vector<ScanRecord> got = ReadAll(*store);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(Describe(got[0]), Describe(minimal));
  EXPECT_EQ(Describe(got[1]), Describe(full));
}

TEST_P(StoreTest, MediaResultsShorterThanRefsAreStoredEmpty) {
  auto store = Open(path_);
  ScanRecord r = FullRecord();
  r.media.resize(1);
  ASSERT_TRUE(store->Write({&r, 1}).ok());
  std::vector<ScanRecord> got = ReadAll(*store);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].media.size(), 2u);
  EXPECT_FALSE(got[0].media[1].info.has_value());
  EXPECT_EQ(got[0].media[1].error, "");

  r.media.resize(3);  // more results than refs: refused
  Status s = store->Write({&r, 1});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

TEST_P(StoreTest, OrdersAndFilters) {
  auto store = Open(path_);
  std::vector<ScanRecord> recs = TextRecords(0, 50);
  ASSERT_TRUE(store->Write(recs).ok());
  std::vector<ScanRecord> all = ReadAll(*store);
  ASSERT_EQ(all.size(), 50u);
  for (size_t i = 1; i < all.size(); ++i) {
    const Post& a = all[i - 1].post;
    const Post& b = all[i].post;
    EXPECT_LE(std::tie(a.time, a.platform, a.channel.id, a.external_id),
              std::tie(b.time, b.platform, b.channel.id, b.external_id));
  }
  PostFilter flagged;
  flagged.flagged_only = true;
  for (const ScanRecord& r : ReadAll(*store, flagged)) {
    EXPECT_NE(r.analysis.category, text::Category::kOther);
  }
  EXPECT_EQ(ReadAll(*store, flagged).size(), 38u);  // i % 4 != 3
  PostFilter whatsapp;
  whatsapp.platform = Platform::kWhatsApp;
  EXPECT_EQ(ReadAll(*store, whatsapp).size(), 10u);
  PostFilter limited;
  limited.limit = 7;
  EXPECT_EQ(ReadAll(*store, limited).size(), 7u);
  // Newest first: the same walk backwards, and a limit keeps the newest.
  PostFilter newest = limited;
  newest.newest_first = true;
  const std::vector<ScanRecord> last7 = ReadAll(*store, newest);
  ASSERT_EQ(last7.size(), 7u);
  for (size_t i = 0; i < last7.size(); ++i) {
    EXPECT_EQ(KeyOf(last7[i].post), KeyOf(all[all.size() - 1 - i].post)) << i;
  }

  int seen = 0;
  Status s = store->ForEachPost({}, [&](const ScanRecord&) {
    return ++seen == 3 ? Status::Internal("stop here") : Status::Ok();
  });
  EXPECT_EQ(s.message(), "stop here");
  EXPECT_EQ(seen, 3);
  // The abandoned walk left no transaction open: writing still works.
  EXPECT_TRUE(store->Write(TextRecords(50, 51)).ok());
}

TEST_P(StoreTest, WritingTheSameBatchAgainChangesNothing) {
  std::vector<ScanRecord> recs = TextRecords(0, 300);
  recs.push_back(FullRecord());
  {
    auto store = Open(path_);
    ASSERT_TRUE(store->Write(recs).ok());
  }
  const Dump once = SnapshotOf(path_);
  EXPECT_EQ(once.at("posts").size(), 301u);
  EXPECT_EQ(once.at("totals").at(0),
            "301 0 226 1 52 0");  // posts service flagged media selectors errors
  {
    auto store = Open(path_, kNow + 1000);  // a later run: first_seen must not move
    ASSERT_TRUE(store->Write(recs).ok());
    ASSERT_TRUE(store->Write(recs).ok());
  }
  EXPECT_EQ(SnapshotOf(path_), once);
}

TEST_P(StoreTest, PartlyOverlappingBatchesEqualOneCleanRun) {
  {
    auto store = Open(path_);
    ASSERT_TRUE(store->Write(TextRecords(0, 600)).ok());
    ASSERT_TRUE(store->Write(TextRecords(400, 1000)).ok());
    ASSERT_TRUE(store->Write(TextRecords(990, 1000)).ok());
  }
  const auto clean = dir_ / "clean.db";
  {
    auto store = Open(clean);
    ASSERT_TRUE(store->Write(TextRecords(0, 1000)).ok());
  }
  EXPECT_EQ(SnapshotOf(path_), SnapshotOf(clean));
}

TEST_F(SqliteStoreTest, RewriteReplacesAnalysisAndMediaKeepsIdentity) {
  auto store = Open(path_);
  ScanRecord r = FullRecord();
  ASSERT_TRUE(store->Write({&r, 1}).ok());
  const std::string id = QueryText(path_, "SELECT id || ':' || first_seen FROM posts");
  store = Open(path_, kNow + 5);
  r.analysis.category = text::Category::kAppeal;
  r.analysis.selectors = {{"email", "a@b.test", {1, 9}}};
  r.analysis.reasons.pop_back();
  r.post.text = "edited";
  r.post.media.pop_back();
  r.media.pop_back();
  ASSERT_TRUE(store->Write({&r, 1}).ok());
  std::vector<ScanRecord> got = ReadAll(*store);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Describe(got[0]), Describe(r));
  EXPECT_EQ(QueryText(path_, "SELECT id || ':' || first_seen FROM posts"), id);
  EXPECT_EQ(QueryText(path_, "SELECT COUNT(*) FROM post_selectors"), "1");
  EXPECT_EQ(QueryText(path_, "SELECT COUNT(*) FROM post_media"), "1");
}

TEST_F(SqliteStoreTest, FailedStatementRollsBackTheWholeBatch) {
  auto store = Open(path_);
  ASSERT_TRUE(store->Write(TextRecords(0, 10)).ok());
  // Fault injection: a trigger that fails the insert of one chosen post.
  QueryText(path_,
            "CREATE TRIGGER fail BEFORE INSERT ON posts WHEN NEW.external_id = 'bad' "
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  const Dump before = DumpDb(path_);
  for (int at : {0, 1, 5, 9}) {
    std::vector<ScanRecord> batch = TextRecords(100, 110);
    batch[at].post.external_id = "bad";
    batch[at].post.channel.id = "chanX";
    batch[at].post.platform = Platform::kTelegram;
    Status s = store->Write(batch);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("post telegram/chanX/bad"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("injected failure"), std::string::npos) << s.ToString();
    EXPECT_EQ(DumpDb(path_), before);
  }
  // Selector ids handed out inside the failed transactions are not reused.
  ASSERT_TRUE(store->Write(TextRecords(100, 160)).ok());
  EXPECT_EQ(QueryText(path_, "PRAGMA foreign_key_check"), "");
  EXPECT_EQ(QueryText(path_, "SELECT COUNT(*) FROM posts"), "70");
}

TEST_F(SqliteStoreTest, SurvivesBeingKilledMidWrite) {
  constexpr int kBatches = 12;
  constexpr int kBatchSize = 250;
  constexpr int kIterations = 20;
  // Writes every batch, sending one byte down `progress` after each commit.
  auto write_all = [&](Store& store, int progress = -1) {
    for (int b = 0; b < kBatches; ++b) {
      Status s = store.Write(TextRecords(b * kBatchSize, (b + 1) * kBatchSize));
      if (!s.ok()) return s;
      if (progress >= 0 && write(progress, "b", 1) != 1) return Status::IoError("pipe");
    }
    return Status::Ok();
  };
  const auto clean = dir_ / "clean.db";
  const auto start = std::chrono::steady_clock::now();
  {
    auto store = Open(clean);
    ASSERT_TRUE(write_all(*store).ok());
  }
  const auto batch_us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count() /
                        kBatches;
  std::mt19937 rng(20240305);
  int killed_mid_run = 0;
  std::set<std::string> post_counts;
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(pipe_fds[0]);
      Result<std::unique_ptr<Database>> db = store::Open(path_.string(), FixedClock());
      _exit(db.ok() && write_all((*db)->posts(), pipe_fds[1]).ok() ? 0 : 1);
    }
    close(pipe_fds[1]);
    // Let the child commit a growing number of batches (each run rewrites the
    // earlier ones), then kill it at a random moment inside the next one.
    const int commits = iteration * (kBatches + 1) / kIterations;
    char byte;
    for (int i = 0; i < commits && read(pipe_fds[0], &byte, 1) == 1; ++i) {
    }
    usleep(
        static_cast<useconds_t>(std::uniform_int_distribution<int64_t>(0, batch_us * 3 / 2)(rng)));
    kill(child, SIGKILL);
    close(pipe_fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    if (WIFSIGNALED(status)) {
      ++killed_mid_run;
    } else {
      ASSERT_EQ(WEXITSTATUS(status), 0);
    }
    // Batches are atomic: whatever was killed, whole batches are stored.
    // (A child killed before its migration committed leaves no tables.)
    if (QueryText(path_, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'posts'") == "1") {
      const std::string posts = QueryText(path_, "SELECT COUNT(*) FROM posts");
      EXPECT_EQ(std::stoi(posts) % kBatchSize, 0) << posts;
      post_counts.insert(posts);
    }
  }
  EXPECT_GT(killed_mid_run, kIterations / 2);
  EXPECT_GE(post_counts.size(), 4u);  // caught empty, part-written and full
  {
    auto store = Open(path_);
    ASSERT_TRUE(write_all(*store).ok());
  }
  EXPECT_EQ(QueryText(path_, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(QueryText(path_, "PRAGMA foreign_key_check"), "");
  const Dump got = DumpDb(path_);
  const Dump want = DumpDb(clean);
  for (const auto& [table, rows] : want) EXPECT_EQ(got.at(table), rows) << table;
  RecordProperty("killed_mid_run", killed_mid_run);
  RecordProperty("distinct_post_counts", static_cast<int>(post_counts.size()));
}

TEST_F(SqliteStoreTest, MigratesEmptyFileAndReopens) {
  std::ofstream(path_).close();  // an empty file is an empty database
  {
    auto store = Open(path_);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Write(TextRecords(0, 3)).ok());
  }
  EXPECT_EQ(QueryText(path_, "PRAGMA user_version"), std::to_string(SchemaVersion()));
  EXPECT_EQ(QueryText(path_, "PRAGMA journal_mode"), "wal");
  auto store = Open(path_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ReadAll(*store).size(), 3u);
}

TEST_F(SqliteStoreTest, RefusesNewerSchema) {
  { Open(path_); }
  QueryText(path_, "PRAGMA user_version = " + std::to_string(SchemaVersion() + 1));
  Result<std::unique_ptr<Database>> s = store::Open(path_.string());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(s.status().message().find("newer"), std::string::npos) << s.status().ToString();
  EXPECT_NE(s.status().message().find("vigil.db"), std::string::npos);
}

TEST_F(SqliteStoreTest, RefusesFilesThatAreNotVigilDatabases) {
  const auto text = dir_ / "notes.db";
  std::ofstream(text) << "these are my notes, not a database, but long enough to have a header\n"
                      << std::string(200, 'x') << "\n";
  const auto size = std::filesystem::file_size(text);
  Result<std::unique_ptr<Database>> s = store::Open(text.string());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(s.status().message().find("notes.db"), std::string::npos);
  EXPECT_NE(s.status().message().find("not a vigil database"), std::string::npos)
      << s.status().ToString();
  EXPECT_EQ(std::filesystem::file_size(text), size);  // left untouched
  EXPECT_FALSE(std::filesystem::exists(dir_ / "notes.db-wal"));

  const auto other = dir_ / "other.db";
  QueryText(other, "CREATE TABLE contacts (name TEXT)");
  s = store::Open(other.string());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(s.status().message().find("another program"), std::string::npos)
      << s.status().ToString();

  s = store::Open((dir_ / "no" / "such" / "dir.db").string());
  EXPECT_EQ(s.status().code(), StatusCode::kIoError) << s.status().ToString();
}

TEST_P(StoreTest, CountsByMonthAndTotals) {
  auto store = Open(path_);
  auto rec = [](std::string id, int64_t time, text::Category c, bool service = false) {
    ScanRecord r;
    r.post.platform = Platform::kTelegram;
    r.post.channel.id = "c";
    r.post.external_id = std::move(id);
    r.post.time = time;
    r.post.service = service;
    r.analysis.category = c;
    return r;
  };
  constexpr int64_t kJan = 1704067200;  // 2024-01-01T00:00:00Z
  constexpr int64_t kFeb = 1706745600;  // 2024-02-01T00:00:00Z
  std::vector<ScanRecord> recs = {
      rec("1", kJan, text::Category::kSaleOffer),
      rec("2", kFeb - 1, text::Category::kSaleOffer),  // last second of January
      rec("3", kJan + 5, text::Category::kOther),
      rec("4", kFeb, text::Category::kAppeal),
      rec("5", kFeb + 9, text::Category::kSaleOffer, /*service=*/true),
      rec("6", kFeb + 10, text::Category::kSaleRequest),
  };
  recs[0].analysis.selectors = {{"phone", "+1", {0, 1}}, {"phone", "+2", {1, 2}}};
  recs[1].analysis.selectors = {{"phone", "+1", {0, 1}}};
  recs[0].post.media.resize(1);
  recs[0].media = {{Info('a', 10), ""}};
  recs[3].post.media.resize(2);
  recs[3].media = {{Info('a', 10), ""}, {Info('b', 20), ""}};
  recs[5].post.media.resize(1);
  recs[5].media = {{std::nullopt, "too big"}};
  ASSERT_TRUE(store->Write(recs).ok());
  const std::vector<ScanError> errors = {{"a.json", "message 3", "bad date"},
                                         {"b.txt", "line 9", "not UTF-8"},
                                         {"a.json", "message 3", "bad date"}};
  ASSERT_TRUE(store->WriteErrors(errors).ok());
  ASSERT_TRUE(store->WriteErrors({errors.data(), 1}).ok());

  Result<std::vector<MonthCount>> months = store->CountByMonth();
  ASSERT_TRUE(months.ok()) << months.status().ToString();
  std::vector<std::string> got;
  for (const MonthCount& m : *months) {
    got.push_back(m.month + " " + std::to_string(static_cast<int>(m.category)) + " " +
                  std::to_string(m.count));
  }
  EXPECT_EQ(got,
            (std::vector<std::string>{"2024-01 0 2", "2024-01 3 1", "2024-02 1 1", "2024-02 2 1"}));

  Result<Totals> t = store->GetTotals();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->posts, 6);
  EXPECT_EQ(t->service, 1);
  EXPECT_EQ(t->flagged, 4);
  EXPECT_EQ(t->media, 2);
  EXPECT_EQ(t->selectors, 2);
  EXPECT_EQ(t->errors, 2);

  Result<std::vector<ScanError>> listed = store->ListErrors();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].file, "a.json");
  EXPECT_EQ((*listed)[1].reason, "not UTF-8");
}

}  // namespace
}  // namespace vigil::store

namespace vigil::store {
namespace {

match::HashEntry Entry(match::SignalType type, char fill, std::vector<std::string> labels) {
  match::HashEntry e;
  e.signal = *match::Signal::FromHex(type, std::string(2 * match::DigestBytes(type), fill));
  e.labels = std::move(labels);
  e.category = "c";
  e.source = "collab-1";
  return e;
}

TEST_P(StoreTest, HashListsImportIdempotentlyReplaceAndDelete) {
  auto store = Open(path_);
  match::HashList list;
  list.name = "known-2014";
  list.source = "te-export.csv";
  list.labels = {"sinjar", "2014"};
  list.pdq_threshold = 28;
  list.entries = {Entry(match::SignalType::kPdq, 'a', {"l1", "with \"quote\""}),
                  Entry(match::SignalType::kMd5, 'b', {})};
  ASSERT_TRUE(store->PutHashList(list, false).ok());
  ASSERT_TRUE(store->PutHashList(list, false).ok());  // same import again
  auto lists = store->ListHashLists();
  ASSERT_TRUE(lists.ok());
  ASSERT_EQ(lists->size(), 1u);
  EXPECT_EQ((*lists)[0].entries, 2);
  EXPECT_EQ((*lists)[0].list.pdq_threshold, 28);
  EXPECT_EQ((*lists)[0].list.labels, list.labels);
  EXPECT_EQ((*lists)[0].created, kNow);

  auto loaded = store->LoadHashLists("known-2014");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->size(), 1u);
  const match::HashList& got = (*loaded)[0];
  EXPECT_EQ(got.source, "te-export.csv");
  ASSERT_EQ(got.entries.size(), 2u);
  EXPECT_EQ(got.entries[0], list.entries[1]);  // md5 sorts before pdq
  EXPECT_EQ(got.entries[1], list.entries[0]);

  list.entries = {Entry(match::SignalType::kSha256, 'c', {})};
  ASSERT_TRUE(store->PutHashList(list, /*replace=*/true).ok());
  EXPECT_EQ((*store->ListHashLists())[0].entries, 1);

  EXPECT_EQ(store->LoadHashLists("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->DeleteHashList("nope").code(), StatusCode::kNotFound);
  ScanRecord matched = FullRecord();  // its photo matched "known-2014"
  ASSERT_TRUE(store->Write({&matched, 1}).ok());
  ASSERT_TRUE(store->DeleteHashList("known-2014").ok());
  auto left = store->ListMediaMatches();
  ASSERT_TRUE(left.ok());
  for (const auto& [sha, m] : *left) EXPECT_NE(m.list, "known-2014") << "match outlived its list";
  EXPECT_EQ(left->size(), 1u);  // the repost match stays
  EXPECT_TRUE(store->ListHashLists()->empty());
  EXPECT_TRUE(store->LoadHashLists()->empty());
  EXPECT_FALSE(store->PutHashList(match::HashList{}, false).ok());
}

TEST_P(StoreTest, MediaHashesListEveryMediaWithFrames) {
  auto store = Open(path_);
  ScanRecord r = FullRecord();
  ASSERT_TRUE(store->Write({&r, 1}).ok());
  ASSERT_TRUE(store->Write({&r, 1}).ok());  // frames and matches are not duplicated
  std::vector<MediaHashes> all;
  ASSERT_TRUE(store
                  ->ForEachMediaHashes([&](const MediaHashes& h) {
                    all.push_back(h);
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].sha256, std::string(64, 'a'));
  EXPECT_EQ(all[0].pdq, std::string(64, 'f'));
  EXPECT_EQ(all[0].frames, r.media[0].frames);
  std::vector<ScanRecord> got = ReadAll(*store);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].media[0].matches, r.media[0].matches);

  auto matches = store->ListMediaMatches();
  ASSERT_TRUE(matches.ok());
  ASSERT_EQ(matches->size(), 2u);
  EXPECT_EQ((*matches)[0].first, std::string(64, 'a'));
  EXPECT_EQ((*matches)[0].second, r.media[0].matches[0]);  // distance 12 before 20
  EXPECT_EQ((*matches)[1].second, r.media[0].matches[1]);

  ScanRecord repost = FullRecord();
  repost.post.channel = {"-1009", "Other", "public_channel"};
  repost.post.time = r.post.time - 60;  // earlier
  ASSERT_TRUE(store->Write({&repost, 1}).ok());
  std::vector<MediaAppearance> seen;
  ASSERT_TRUE(store
                  ->ForEachMediaAppearance([&](const MediaAppearance& a) {
                    seen.push_back(a);
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(seen.size(), 2u);  // the missing video has no media row, so no appearance
  EXPECT_EQ(seen[0].channel_id, "-1009");
  EXPECT_EQ(seen[1].channel_id, "-1001234");
  EXPECT_EQ(seen[1].external_id, "812");
  EXPECT_EQ(seen[1].platform, Platform::kTelegram);
  EXPECT_TRUE(seen[1].time_is_utc);
}

std::vector<MediaHashes> AllMediaHashes(Store& store) {
  std::vector<MediaHashes> all;
  EXPECT_TRUE(store
                  .ForEachMediaHashes([&](const MediaHashes& h) {
                    all.push_back(h);
                    return Status::Ok();
                  })
                  .ok());
  return all;
}

TEST_P(StoreTest, DihedralPdqsAndMatchedFlagRoundTrip) {
  auto store = Open(path_);
  ScanRecord r = FullRecord();
  std::vector<std::string> hex;
  for (char c : std::string("f0123456")) {
    r.media[0].info->pdq_dihedral.push_back(*Hash256::FromHex(std::string(64, c)));
    hex.push_back(std::string(64, c));
  }
  ASSERT_TRUE(store->Write({&r, 1}).ok());  // stored by a scan with --no-match
  auto all = AllMediaHashes(*store);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].pdq_dihedral, hex);
  EXPECT_EQ(all[0].md5, std::string(32, 'a'));
  EXPECT_FALSE(all[0].matched);

  r.media[0].matched = true;
  ASSERT_TRUE(store->Write({&r, 1}).ok());
  EXPECT_TRUE(AllMediaHashes(*store).at(0).matched);
  r.media[0].matched = false;  // a later --no-match scan does not unmark it
  ASSERT_TRUE(store->Write({&r, 1}).ok());
  all = AllMediaHashes(*store);
  EXPECT_TRUE(all.at(0).matched);
  EXPECT_EQ(all[0].pdq_dihedral, hex);
  EXPECT_EQ(all.size(), 1u);
}

TEST_P(StoreTest, WriteMediaMatchesMarksStoredMediaMatchedOrNothing) {
  auto store = Open(path_);
  ScanRecord r = FullRecord();
  r.media[0].matches.clear();
  ASSERT_TRUE(store->Write({&r, 1}).ok());
  const MediaMatch m{MatchKind::kMedia, std::string(64, 'c'), "", "pdq", "", 9};
  const std::vector<StoredMediaMatches> bad = {{std::string(64, 'a'), {m}},
                                               {std::string(64, 'd'), {}}};
  EXPECT_EQ(store->WriteMediaMatches(bad).code(), StatusCode::kNotFound);
  EXPECT_FALSE(AllMediaHashes(*store).at(0).matched);  // the whole batch rolled back
  EXPECT_TRUE(store->ListMediaMatches()->empty());

  const std::vector<StoredMediaMatches> good = {{std::string(64, 'a'), {m}}};
  ASSERT_TRUE(store->WriteMediaMatches(good).ok());
  ASSERT_TRUE(store->WriteMediaMatches(good).ok());  // idempotent
  EXPECT_TRUE(AllMediaHashes(*store).at(0).matched);
  auto matches = store->ListMediaMatches();
  ASSERT_TRUE(matches.ok());
  ASSERT_EQ(matches->size(), 1u);
  EXPECT_EQ((*matches)[0].second, m);
}

// A database of schema 002 (before dihedral PDQs and the matched flag): its
// photos come back with their PDQ alone, unmatched.
TEST_F(SqliteStoreTest, MigratesSchema2MediaToUnmatchedWithoutDihedrals) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    for (const char* name : {"001_init.sql", "002_media_matching.sql"}) {
      std::ifstream in(std::filesystem::path(VIGIL_SOURCE_DIR) / "data" / "schema" / name);
      std::stringstream sql;
      sql << in.rdbuf();
      ASSERT_EQ(sqlite3_exec(db, sql.str().c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << name;
    }
    const std::string sha(64, 'a'), md5(32, 'b'), pdq(64, 'f');
    const std::string insert =
        "INSERT INTO media (sha256, md5, size, type, mime, width, height, pdq, pdq_quality) "
        "VALUES ";
    const std::string rows = insert + "('" + sha + "', '" + md5 +
                             "', 10, 'jpeg', 'image/jpeg', 64, 64, '" + pdq +
                             "', 90); PRAGMA user_version = 2; PRAGMA application_id = 1449748300;";
    ASSERT_EQ(sqlite3_exec(db, rows.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto store = Open(path_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(QueryText(path_, "PRAGMA user_version"), std::to_string(SchemaVersion()));
  const auto all = AllMediaHashes(*store);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].pdq, std::string(64, 'f'));
  EXPECT_EQ(all[0].md5, std::string(32, 'b'));
  EXPECT_TRUE(all[0].pdq_dihedral.empty());
  EXPECT_FALSE(all[0].matched);
}

TEST_P(StoreTest, GetsOnePostByKey) {
  auto store = Open(path_);
  ScanRecord full = FullRecord();
  ASSERT_TRUE(store->Write({&full, 1}).ok());
  ASSERT_TRUE(store->Write(TextRecords(0, 20)).ok());
  auto got = store->GetPost(KeyOf(full.post));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(Describe(**got), Describe(full));
  auto none = store->GetPost({Platform::kTelegram, "-1001234", "no-such-id"});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(StoreTest, ListsPostsInStablePagesWithFilters) {
  auto store = Open(path_);
  ASSERT_TRUE(store->Write(TextRecords(0, 100)).ok());
  // Walk every flagged post by score, 7 at a time; a write between pages
  // (lower scores, new keys) must not shift or repeat what is paged.
  PostQuery q;
  q.flagged_only = true;
  q.limit = 7;
  std::vector<ScanRecord> paged;
  for (int page = 0;; ++page) {
    auto p = store->ListPosts(q);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    ASSERT_LE(p->records.size(), 7u);
    paged.insert(paged.end(), p->records.begin(), p->records.end());
    if (page == 1) {
      ASSERT_TRUE(store->Write(TextRecords(1000, 1010)).ok());
    }
    if (p->next.empty()) break;
    q.after = p->next;
  }
  ASSERT_GE(paged.size(), 75u);
  std::set<std::string> keys;
  for (size_t i = 0; i < paged.size(); ++i) {
    EXPECT_NE(paged[i].analysis.category, text::Category::kOther);
    EXPECT_TRUE(keys.insert(FormatPostKey(KeyOf(paged[i].post))).second) << "repeated";
    if (i > 0) {
      EXPECT_GE(paged[i - 1].analysis.score, paged[i].analysis.score);
    }
  }
  // Every flagged post of the first write was paged.
  for (int i = 0; i < 100; ++i) {
    const ScanRecord r = TextRecord(i);
    if (r.analysis.category == text::Category::kOther) continue;
    EXPECT_TRUE(keys.count(FormatPostKey(KeyOf(r.post)))) << i;
  }

  PostQuery by_time;
  by_time.order = PostOrder::kTime;
  by_time.platform = Platform::kWhatsApp;
  by_time.channel_id = "chan0";
  by_time.since = 1'700'000'000;
  by_time.until = 1'700'060'000;
  by_time.limit = 1000;
  auto t = store->ListPosts(by_time);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->next.empty());
  size_t want = 0;
  for (int i = 0; i < 100; ++i) {
    const Post p = TextRecord(i).post;
    want += p.platform == Platform::kWhatsApp && p.channel.id == "chan0" && p.time < 1'700'060'000;
  }
  ASSERT_EQ(t->records.size(), want);
  ASSERT_GT(want, 0u);
  for (size_t i = 1; i < t->records.size(); ++i) {
    EXPECT_LE(t->records[i - 1].post.time, t->records[i].post.time);
  }

  PostQuery category;
  category.category = text::Category::kAppeal;
  category.limit = 1000;
  const auto appeals = store->ListPosts(category);
  ASSERT_TRUE(appeals.ok());
  for (const auto& r : appeals->records) {
    EXPECT_EQ(r.analysis.category, text::Category::kAppeal);
  }

  // Three posts flagged by a Kurmanji term only; the rest have ar and en reasons.
  std::vector<ScanRecord> kurmanji = TextRecords(2000, 2003);
  for (auto& r : kurmanji) r.analysis.reasons = {{"sale", "firotin", "kmr", {0, 4}}};
  ASSERT_TRUE(store->Write(kurmanji).ok());
  PostQuery by_lang;
  by_lang.limit = 1000;
  by_lang.lang = "kmr";
  const auto in_kurmanji = store->ListPosts(by_lang);
  ASSERT_TRUE(in_kurmanji.ok()) << in_kurmanji.status().ToString();
  std::set<std::string> ids;
  for (const auto& r : in_kurmanji->records) ids.insert(r.post.external_id);
  EXPECT_EQ(ids, (std::set<std::string>{"2000", "2001", "2002"}));
  PostQuery every;
  every.limit = 1000;
  by_lang.lang = "en";
  EXPECT_EQ(store->ListPosts(by_lang)->records.size(), store->ListPosts(every)->records.size() - 3);
  by_lang.lang = "xx";
  EXPECT_TRUE(store->ListPosts(by_lang)->records.empty());

  PostQuery bad = q;
  bad.after = "x";
  EXPECT_EQ(store->ListPosts(bad).status().code(), StatusCode::kInvalidArgument);
  bad.after = "t123_4";  // a time cursor given to a score query
  EXPECT_EQ(store->ListPosts(bad).status().code(), StatusCode::kInvalidArgument);
  bad.after.clear();
  bad.limit = 0;
  EXPECT_EQ(store->ListPosts(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, ListsPostsWithMediaMatchesFaceCandidatesOrNoDecision) {
  auto store = Open(path_);
  ScanRecord full = FullRecord();  // its photo matched a list
  ASSERT_TRUE(store->Write({&full, 1}).ok());
  ASSERT_TRUE(store->Write(TextRecords(0, 10)).ok());
  PostQuery q;
  q.with_media_match = true;
  auto p = store->ListPosts(q);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->records.size(), 1u);
  EXPECT_EQ(p->records[0].post.external_id, "812");
  // A repost match lists both posts: the one whose photo matched, and the
  // one whose photo it matched (the match's target).
  const std::vector<ScanRecord> reposts = {
      PhotoRecord(100, 'c', {}),
      PhotoRecord(101, 'd', {{MatchKind::kMedia, std::string(64, 'c'), "", "pdq", "", 9}}),
      PhotoRecord(102, 'e', {})};
  ASSERT_TRUE(store->Write(reposts).ok());
  p = store->ListPosts(q);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::set<std::string> listed;
  for (const auto& r : p->records) listed.insert(r.post.external_id);
  EXPECT_EQ(listed, (std::set<std::string>{"812", "100", "101"}));

  q = {};
  q.with_face_candidate = true;
  EXPECT_TRUE(store->ListPosts(q)->records.empty());
  MediaFaces faces;
  faces.sha256 = std::string(64, 'a');
  faces.faces = {{faces.sha256, 0, 1, 2, 3, 4, std::vector<float>(128, 0.5f)}};
  faces.matches = {{faces.sha256, 0, "C-1", 1, CandidateKind::kFace, 0.4}};
  ASSERT_TRUE(store.db->registry().PutMediaFaces({&faces, 1}).ok());
  ASSERT_EQ(store->ListPosts(q)->records.size(), 1u);

  q = {};
  q.undecided_only = true;
  q.limit = 1000;
  const size_t before = store->ListPosts(q)->records.size();
  Decision d;
  d.post = KeyOf(full.post);
  d.type = DecisionType::kEscalate;
  d.actor = "analyst-1";
  d.time = kNow;
  ASSERT_TRUE(store->AddDecision(d).ok());
  EXPECT_EQ(store->ListPosts(q)->records.size(), before - 1);
}

TEST_P(StoreTest, RecordsDecisionsInOrder) {
  auto store = Open(path_);
  ASSERT_TRUE(store->Write(TextRecords(0, 3)).ok());
  const PostKey a = KeyOf(TextRecord(0).post), b = KeyOf(TextRecord(1).post);
  std::vector<Decision> want;
  for (auto [key, type, note] : {std::tuple{a, DecisionType::kConfirm, "sale post"},
                                 std::tuple{b, DecisionType::kDismiss, ""},
                                 std::tuple{a, DecisionType::kEscalate, "to investigators"}}) {
    Decision d;
    d.post = key;
    d.type = type;
    d.note = note;
    d.actor = "analyst-2";
    d.time = kNow + static_cast<int64_t>(want.size());
    auto id = store->AddDecision(d);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    d.id = *id;
    want.push_back(d);
  }
  EXPECT_EQ(*store->Decisions(std::nullopt), want);
  EXPECT_EQ(*store->Decisions(a), (std::vector<Decision>{want[0], want[2]}));
  EXPECT_TRUE(store->Decisions(KeyOf(TextRecord(2).post))->empty());
  EXPECT_EQ(*store->RecentDecisions(2), (std::vector<Decision>{want[2], want[1]}));
  EXPECT_EQ(store->RecentDecisions(10)->size(), 3u);
  Decision missing = want[0];
  missing.post.external_id = "nope";
  EXPECT_EQ(store->AddDecision(missing).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(DecisionTypeFromName("escalate"), DecisionType::kEscalate);
  EXPECT_FALSE(DecisionTypeFromName("maybe").has_value());
}

TEST_P(StoreTest, OneTransactionSpansThePostAndRegistryStores) {
  auto store = Open(path_);
  ScanRecord full = FullRecord();
  MediaFaces faces;
  faces.sha256 = std::string(64, 'a');
  faces.faces = {{faces.sha256, 0, 1, 2, 3, 4, std::vector<float>(128, 0.25f)}};
  // The registry write fails (an unknown media file): the post write with
  // it is undone too.
  MediaFaces unknown = faces;
  unknown.sha256 = unknown.faces[0].sha256 = std::string(64, '9');
  Status s = store.db->InTransaction([&] {
    VIGIL_RETURN_IF_ERROR(store->Write({&full, 1}));
    return store.db->registry().PutMediaFaces({&unknown, 1});
  });
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_EQ(store->GetTotals()->posts, 0);
  // Both succeed: both are kept.
  s = store.db->InTransaction([&] {
    VIGIL_RETURN_IF_ERROR(store->Write({&full, 1}));
    return store.db->registry().PutMediaFaces({&faces, 1});
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(store->GetTotals()->posts, 1);
  EXPECT_EQ(store.db->registry().FacesOf(faces.sha256)->size(), 1u);
  // A later write outside any transaction still works (nothing left open).
  EXPECT_TRUE(store->Write(TextRecords(0, 5)).ok());
  EXPECT_EQ(store->GetTotals()->posts, 6);
}

TEST_P(StoreTest, ReadsTheFaceMatchesOfOneMediaFile) {
  auto store = Open(path_);
  ScanRecord full = FullRecord();
  ASSERT_TRUE(store->Write({&full, 1}).ok());
  MediaFaces faces;
  faces.sha256 = full.media[0].info->sha256;
  faces.faces = {{faces.sha256, 0, 1, 2, 3, 4, std::vector<float>(128, 0.25f)}};
  faces.matches = {{faces.sha256, 0, "C-2", 7, CandidateKind::kFace, 0.5},
                   {faces.sha256, -1, "C-1", 3, CandidateKind::kPdq, 12},
                   {faces.sha256, 0, "C-1", 2, CandidateKind::kFace, 0.41}};
  ASSERT_TRUE(store.db->registry().PutMediaFaces({&faces, 1}).ok());
  auto got = store.db->registry().FaceMatchesOfMedia(faces.sha256);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got,
            (std::vector<FaceMatchRow>{faces.matches[1], faces.matches[2], faces.matches[0]}));
  EXPECT_TRUE(store.db->registry().FaceMatchesOfMedia(std::string(64, '0'))->empty());
}

TEST_P(StoreTest, KeepsAccounts) {
  auto store = Open(path_);
  AccountStore& accounts = store.db->accounts();
  Account amal{"amal", Role::kCoordinator, "$argon2id$v=19$m=65536,t=2,p=1$x$y", false, kNow, kNow};
  Account baran{"baran", Role::kAnalyst, "$argon2id$v=19$m=65536,t=2,p=1$z$w", false, kNow, kNow};
  ASSERT_TRUE(accounts.AddAccount(baran).ok());
  ASSERT_TRUE(accounts.AddAccount(amal).ok());
  EXPECT_EQ(accounts.AddAccount(amal).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*accounts.ListAccounts(), (std::vector<Account>{amal, baran}));
  EXPECT_EQ(*accounts.GetAccount("amal"), amal);
  EXPECT_FALSE(accounts.GetAccount("nobody")->has_value());

  AccountChange change;
  change.disabled = true;
  change.updated = kNow + 5;
  ASSERT_TRUE(accounts.UpdateAccount("baran", change).ok());
  baran.disabled = true;
  baran.updated = kNow + 5;
  EXPECT_EQ(*accounts.GetAccount("baran"), baran);
  change = {};
  change.role = Role::kAuditor;
  change.password_hash = "$argon2id$new";
  change.updated = kNow + 6;
  ASSERT_TRUE(accounts.UpdateAccount("baran", change).ok());
  baran.role = Role::kAuditor;
  baran.password_hash = "$argon2id$new";
  baran.updated = kNow + 6;
  EXPECT_EQ(*accounts.GetAccount("baran"), baran);  // disabled stays
  EXPECT_EQ(accounts.UpdateAccount("nobody", change).code(), StatusCode::kNotFound);

  // Reopened: the same accounts.
  store.db.reset();
  auto again = Open(path_);
  EXPECT_EQ(*again.db->accounts().ListAccounts(), (std::vector<Account>{amal, baran}));
  for (Role r : {Role::kAdmin, Role::kCoordinator, Role::kAnalyst, Role::kAuditor}) {
    EXPECT_EQ(RoleFromName(RoleName(r)), r);
  }
  EXPECT_FALSE(RoleFromName("root").has_value());
}

TEST_P(StoreTest, ABetterPdqReplacesAWorseOne) {
  auto store = Open(path_);
  auto with_pdq = [](char fill, int quality) {
    ScanRecord r = FullRecord();
    media::MediaInfo& info = *r.media[0].info;
    info.pdq = std::string(64, fill);
    info.pdq_quality = quality;
    info.pdq_dihedral.clear();
    for (char d = '0'; d < '8'; ++d) {  // each orientation its own hash
      info.pdq_dihedral.push_back(*Hash256::FromHex(std::string(63, fill) + d));
    }
    return r;
  };
  auto orientations = [](char fill) {
    std::vector<std::string> out;
    for (char d = '0'; d < '8'; ++d) out.push_back(std::string(63, fill) + d);
    return out;
  };
  auto stored = [&] {
    auto all = AllMediaHashes(*store);
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? MediaHashes() : all[0];
  };
  const ScanRecord first = with_pdq('1', 60), better = with_pdq('2', 90), worse = with_pdq('3', 70);
  ASSERT_TRUE(store->Write({&first, 1}).ok());
  EXPECT_EQ(stored().pdq, std::string(64, '1'));
  ASSERT_TRUE(store->Write({&better, 1}).ok());
  EXPECT_EQ(stored().pdq, std::string(64, '2'));
  EXPECT_EQ(stored().pdq_quality, 90);
  EXPECT_EQ(stored().pdq_dihedral, orientations('2'));
  ASSERT_TRUE(store->Write({&worse, 1}).ok());  // not better: kept as it is
  EXPECT_EQ(stored().pdq, std::string(64, '2'));
  EXPECT_EQ(stored().pdq_dihedral, orientations('2'));
}

TEST_P(StoreTest, RepostClustersJoinFilesByMediaMatches) {
  auto store = Open(path_);
  auto post = [](const std::string& id, char fill, std::vector<MediaMatch> matches) {
    return PhotoRecord(std::stoi(id), fill, std::move(matches));
  };
  const MediaMatch repost{MatchKind::kMedia, std::string(64, 'b'), "", "pdq", "", 12};
  const MediaMatch listed{MatchKind::kList, std::string(64, 'e'), "known", "pdq", "", 3};
  const std::vector<ScanRecord> batch = {post("1", 'a', {repost, listed}), post("2", 'b', {}),
                                         post("3", 'c', {}), post("4", 'a', {})};
  ASSERT_TRUE(store->Write(batch).ok());
  auto media = LoadMediaClusters(*store);
  ASSERT_TRUE(media.ok()) << media.status().ToString();
  ASSERT_EQ(media->clusters.size(), 2u);
  const RepostCluster& ab = media->clusters.at(media->cluster_of.at(std::string(64, 'a')));
  EXPECT_EQ(ab.files, (std::vector<std::string>{std::string(64, 'a'), std::string(64, 'b')}));
  EXPECT_EQ(ab.appearances.size(), 3u);
  EXPECT_EQ(media->cluster_of.at(std::string(64, 'b')), media->cluster_of.at(std::string(64, 'a')));
  const RepostCluster& c = media->clusters.at(media->cluster_of.at(std::string(64, 'c')));
  EXPECT_EQ(c.appearances.size(), 1u);
  EXPECT_EQ(c.appearances[0].external_id, "3");
  ASSERT_EQ(media->list_matches.size(), 1u);
  EXPECT_EQ(media->list_matches[0].second, listed);
}

TEST_P(StoreTest, OneFilesRepostClusterIsTheOneTheWholeReadFinds) {
  auto store = Open(path_);
  auto post = [](const std::string& id, char fill, std::vector<MediaMatch> matches) {
    return PhotoRecord(std::stoi(id), fill, std::move(matches));
  };
  auto to = [](char fill) {
    return MediaMatch{MatchKind::kMedia, std::string(64, fill), "", "pdq", "", 10};
  };
  const MediaMatch listed{MatchKind::kList, std::string(64, 'e'), "known", "pdq", "", 3};
  // a -> b <- d -> f (each found from either end), c alone, a listed too.
  const std::vector<ScanRecord> batch = {
      post("1", 'a', {to('b'), listed}),  post("2", 'b', {}), post("3", 'c', {}),
      post("4", 'd', {to('b'), to('f')}), post("5", 'f', {}), post("6", 'a', {})};
  ASSERT_TRUE(store->Write(batch).ok());
  auto all = LoadMediaClusters(*store);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  for (char fill : std::string("abcdf")) {
    const std::string sha(64, fill);
    auto one = LoadRepostCluster(*store, sha);
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    EXPECT_FALSE(one->truncated);
    const RepostCluster& expected = all->clusters.at(all->cluster_of.at(sha));
    EXPECT_EQ(one->cluster.files, expected.files) << fill;
    ASSERT_EQ(one->cluster.appearances.size(), expected.appearances.size()) << fill;
    for (size_t i = 0; i < expected.appearances.size(); ++i) {
      EXPECT_EQ(one->cluster.appearances[i].sha256, expected.appearances[i].sha256);
      EXPECT_EQ(one->cluster.appearances[i].external_id, expected.appearances[i].external_id);
    }
  }
  EXPECT_EQ(LoadRepostCluster(*store, std::string(64, 'a'))->cluster.appearances.size(), 5u);
  auto cut = LoadRepostCluster(*store, std::string(64, 'a'), 2);
  ASSERT_TRUE(cut.ok());
  EXPECT_TRUE(cut->truncated);
  EXPECT_EQ(cut->cluster.files.size(), 2u);
  auto few = LoadRepostCluster(*store, std::string(64, 'a'), 256, 3);
  ASSERT_TRUE(few.ok());
  EXPECT_TRUE(few->truncated);
  EXPECT_EQ(few->cluster.files.size(), 4u);
  EXPECT_EQ(few->cluster.appearances.size(), 3u);
  EXPECT_FALSE(LoadRepostCluster(*store, std::string(64, 'a'), 256, 5)->truncated);
  auto absent = LoadRepostCluster(*store, std::string(64, '9'));
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(absent->cluster.files, std::vector<std::string>{std::string(64, '9')});
  EXPECT_TRUE(absent->cluster.appearances.empty());
}

// PostgreSQL's own mechanics: a connection the server drops, and writers
// on several connections that lock the same rows.
class PostgresStoreTest : public StoreTestBase, public ::testing::Test {
 protected:
  void SetUp() override {
    if (PgServerUrl().empty()) GTEST_SKIP() << "no PostgreSQL server: set VIGIL_TEST_PG_URL";
    MakeDir();
  }
  const BackendUnderTest& backend() const override { return kPostgres; }

  // Ends every other session on the database at `path` (as an operator's
  // pg_terminate_backend or a server restart would); returns how many.
  int TerminateOthers(const std::filesystem::path& path) {
    auto admin = PgConnection::Connect(PgServerUrl());
    EXPECT_TRUE(admin.ok());
    if (!admin.ok()) return 0;
    const std::string url = PgUrlFor(path);
    auto s = (*admin)->Prepare(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ?1 AND "
        "pid <> pg_backend_pid()",
        false);
    EXPECT_TRUE(s.ok());
    s->BindText(1, url.substr(url.rfind('/') + 1));
    EXPECT_EQ(s->Step(), kRow);
    return static_cast<int>(s->Int(0));
  }
};

TEST_F(PostgresStoreTest, AConnectionDroppedMidWayFailsOneWriteAndTheNextReconnects) {
  auto store = Open(path_);
  ASSERT_FALSE(store == nullptr);
  ASSERT_TRUE(store->Write(TextRecords(0, 300)).ok());
  // Dropped between batches: the next write meets the dead connection.
  ASSERT_EQ(TerminateOthers(path_), 1);
  Status lost = store->Write(TextRecords(300, 600));
  EXPECT_EQ(lost.code(), StatusCode::kIoError) << lost.ToString();
  // Dropped inside a transaction that spans a write and more: nothing of it
  // is kept.
  Status mid = store.db->InTransaction([&] {
    VIGIL_RETURN_IF_ERROR(store->Write(TextRecords(300, 450)));
    EXPECT_EQ(TerminateOthers(path_), 1);
    return store->Write(TextRecords(450, 600));
  });
  EXPECT_FALSE(mid.ok());
  EXPECT_EQ(store->GetTotals()->posts, 300);
  // The caller tries again, on the same Database, and everything lands once.
  ASSERT_TRUE(store->Write(TextRecords(300, 600)).ok());
  ASSERT_TRUE(store->Write(TextRecords(0, 600)).ok());
  store.db.reset();
  const auto clean = dir_ / "clean.db";
  {
    auto once = Open(clean);
    ASSERT_TRUE(once->Write(TextRecords(0, 600)).ok());
  }
  EXPECT_EQ(SnapshotOf(path_), SnapshotOf(clean));
}

TEST_F(PostgresStoreTest, AFailureSentAheadFailsTheWholeBatchAndNamesItsStatement) {
  auto store = Open(path_);
  ASSERT_FALSE(store == nullptr);
  // The server refuses text that is not UTF-8: the post_media row of record
  // 5, sent ahead in the pipeline, fails after later statements went.
  std::vector<ScanRecord> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(PhotoRecord(i, static_cast<char>('a' + i), {}));
  batch[5].post.media[0].name = "bad\xff.jpg";
  Status s = store->Write(batch);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("insert post media, sent ahead"), std::string::npos) << s.ToString();
  EXPECT_EQ(store->GetTotals()->posts, 0);
  EXPECT_EQ(store->GetTotals()->media, 0);
  // A NUL byte, which libpq would cut the text at, fails the batch too.
  batch[5].post.media[0].name = std::string("bad\0name.jpg", 12);
  s = store->Write(batch);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("NUL byte"), std::string::npos) << s.ToString();
  EXPECT_EQ(store->GetTotals()->posts, 0);
  // The connection goes on: the same batch without the bad bytes lands whole.
  batch[5].post.media[0].name = "good.jpg";
  ASSERT_TRUE(store->Write(batch).ok());
  EXPECT_EQ(store->GetTotals()->posts, 10);
  EXPECT_EQ(store->GetTotals()->media, 10);
}

TEST_F(PostgresStoreTest, WritersThatLockTheSameRowsInOtherOrdersAllLand) {
  // Every post carries the same phone numbers, one writer's batches in the
  // opposite order of the other's, so their transactions wait on each
  // other's selector rows. Taken in the order of the posts, they deadlock
  // (the server aborts one batch of each pair; seen before Write locked the
  // shared rows in one order first); every batch must land.
  auto batch = [](int writer, int round) {
    std::vector<ScanRecord> out;
    for (int i = 0; i < 40; ++i) {
      ScanRecord r = TextRecord(writer * 100'000 + round * 100 + i);
      const int phone = writer == 0 ? i : 39 - i;
      r.analysis.selectors = {{"phone", "+9647500000" + std::to_string(phone), {0, 4}}};
      out.push_back(std::move(r));
    }
    return out;
  };
  constexpr int kRounds = 25;
  std::vector<Status> failures[2];
  std::thread writers[2];
  for (int w = 0; w < 2; ++w) {
    writers[w] = std::thread([&, w] {
      auto db = backend().open(path_, FixedClock());
      if (!db.ok()) {
        failures[w].push_back(db.status());
        return;
      }
      for (int round = 0; round < kRounds; ++round) {
        Status st = (*db)->posts().Write(batch(w, round));
        if (!st.ok()) failures[w].push_back(st);
      }
    });
  }
  for (auto& t : writers) t.join();
  for (const auto& f : failures) {
    for (const Status& st : f) ADD_FAILURE() << st.ToString();
  }
  auto store = Open(path_);
  const Totals t = *store->GetTotals();
  EXPECT_EQ(t.posts, 2 * kRounds * 40);
  EXPECT_EQ(t.selectors, 40);
}

TEST(DatabaseUrlTest, RedactsPasswords) {
  EXPECT_EQ(RedactUrl("postgresql://vigil:s3cret@db:5432/vigil"),
            "postgresql://vigil:***@db:5432/vigil");
  EXPECT_EQ(RedactUrl("postgresql://vigil@db:5432/vigil"), "postgresql://vigil@db:5432/vigil");
  EXPECT_EQ(RedactUrl("demo-out/vigil.db"), "demo-out/vigil.db");
}

TEST(DatabaseUrlTest, ParsesPathsAndUrls) {
  EXPECT_EQ(ParseDatabaseUrl("vigil.db")->path, "vigil.db");
  EXPECT_EQ(ParseDatabaseUrl("sqlite:///var/lib/vigil.db")->path, "/var/lib/vigil.db");
  EXPECT_EQ(ParseDatabaseUrl("sqlite://rel/vigil.db")->path, "rel/vigil.db");
  EXPECT_EQ(ParseDatabaseUrl("postgresql://u@h:5432/db")->backend, Backend::kPostgresql);
  EXPECT_EQ(ParseDatabaseUrl("mysql://x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDatabaseUrl("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDatabaseUrl("sqlite://").status().code(), StatusCode::kInvalidArgument);
  // Nothing listens on port 1.
  EXPECT_EQ(store::Open("postgresql://u@127.0.0.1:1/db").status().code(), StatusCode::kIoError);
}

TEST_F(SqliteStoreTest, OpensThroughAnSqliteUrlAndRefusesAMissingFileWithoutCreate) {
  OpenOptions no_create;
  no_create.create = false;
  EXPECT_EQ(store::Open(path_.string(), no_create).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path_));
  auto db = store::Open("sqlite://" + path_.string());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE((*db)->posts().Write(TextRecords(0, 2)).ok());
  db->reset();
  EXPECT_EQ(QueryText(path_, "SELECT COUNT(*) FROM posts"), "2");
}

}  // namespace
}  // namespace vigil::store
