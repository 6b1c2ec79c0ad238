#include "vigil/store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace vigil::store {
namespace {

constexpr int64_t kNow = 1'700'000'000;

StoreOptions FixedClock(int64_t now = kNow) {
  return StoreOptions{[now] { return now; }};
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
      o << "  match " << x.kind << "|" << x.target << "|" << x.list << "|" << x.signal_type << "|"
        << x.labels << "|" << x.distance << "\n";
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
  r.media[0].matches = {{"list", std::string(64, 'e'), "known-2014", "pdq", "sinjar set", 12},
                        {"media", std::string(64, 'b'), "", "pdq", "", 20}};
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

using Dump = std::map<std::string, std::vector<std::string>>;

// Every row of every vigil table, as text, sorted.
Dump DumpDb(const std::filesystem::path& path) {
  Dump dump;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  for (const char* table :
       {"posts", "selectors", "post_selectors", "media", "post_media", "scan_errors"}) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(
        sqlite3_prepare_v2(db, (std::string("SELECT * FROM ") + table).c_str(), -1, &s, nullptr),
        SQLITE_OK);
    std::vector<std::string>& rows = dump[table];
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        const auto* t = sqlite3_column_text(s, c);
        row += t == nullptr ? "NULL"
                            : std::string(reinterpret_cast<const char*>(t),
                                          static_cast<size_t>(sqlite3_column_bytes(s, c)));
        row += '\x1f';
      }
      rows.push_back(row);
    }
    sqlite3_finalize(s);
    std::sort(rows.begin(), rows.end());
  }
  sqlite3_close(db);
  return dump;
}

std::string RawQuery(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK) {
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const auto* t = sqlite3_column_text(s, 0);
      if (t != nullptr) out += reinterpret_cast<const char*>(t);
    }
    EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db);
  } else {
    ADD_FAILURE() << sqlite3_errmsg(db);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vigil_store_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ / "vigil.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open(const std::filesystem::path& path, int64_t now = kNow) {
    Result<std::unique_ptr<Store>> s = Store::OpenSqlite(path, FixedClock(now));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
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

  std::filesystem::path dir_;
  std::filesystem::path path_;
};

TEST_F(StoreTest, RoundTripsEveryField) {
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

TEST_F(StoreTest, MediaResultsShorterThanRefsAreStoredEmpty) {
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

TEST_F(StoreTest, OrdersAndFilters) {
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

  int seen = 0;
  Status s = store->ForEachPost({}, [&](const ScanRecord&) {
    return ++seen == 3 ? Status::Internal("stop here") : Status::Ok();
  });
  EXPECT_EQ(s.message(), "stop here");
  EXPECT_EQ(seen, 3);
  // The abandoned walk left no transaction open: writing still works.
  EXPECT_TRUE(store->Write(TextRecords(50, 51)).ok());
}

TEST_F(StoreTest, WritingTheSameBatchAgainChangesNothing) {
  std::vector<ScanRecord> recs = TextRecords(0, 300);
  recs.push_back(FullRecord());
  {
    auto store = Open(path_);
    ASSERT_TRUE(store->Write(recs).ok());
  }
  const Dump once = DumpDb(path_);
  EXPECT_EQ(once.at("posts").size(), 301u);
  EXPECT_EQ(once.at("selectors").size(), 52u);
  {
    auto store = Open(path_, kNow + 1000);  // a later run: first_seen must not move
    ASSERT_TRUE(store->Write(recs).ok());
    ASSERT_TRUE(store->Write(recs).ok());
  }
  EXPECT_EQ(DumpDb(path_), once);
}

TEST_F(StoreTest, PartlyOverlappingBatchesEqualOneCleanRun) {
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
  EXPECT_EQ(DumpDb(path_), DumpDb(clean));
}

TEST_F(StoreTest, RewriteReplacesAnalysisAndMediaKeepsIdentity) {
  auto store = Open(path_);
  ScanRecord r = FullRecord();
  ASSERT_TRUE(store->Write({&r, 1}).ok());
  const std::string id = RawQuery(path_, "SELECT id || ':' || first_seen FROM posts");
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
  EXPECT_EQ(RawQuery(path_, "SELECT id || ':' || first_seen FROM posts"), id);
  EXPECT_EQ(RawQuery(path_, "SELECT COUNT(*) FROM post_selectors"), "1");
  EXPECT_EQ(RawQuery(path_, "SELECT COUNT(*) FROM post_media"), "1");
}

TEST_F(StoreTest, FailedStatementRollsBackTheWholeBatch) {
  auto store = Open(path_);
  ASSERT_TRUE(store->Write(TextRecords(0, 10)).ok());
  // Fault injection: a trigger that fails the insert of one chosen post.
  RawQuery(path_,
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
  EXPECT_EQ(RawQuery(path_, "PRAGMA foreign_key_check"), "");
  EXPECT_EQ(RawQuery(path_, "SELECT COUNT(*) FROM posts"), "70");
}

TEST_F(StoreTest, SurvivesBeingKilledMidWrite) {
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
      Result<std::unique_ptr<Store>> store = Store::OpenSqlite(path_, FixedClock());
      _exit(store.ok() && write_all(**store, pipe_fds[1]).ok() ? 0 : 1);
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
    if (RawQuery(path_, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'posts'") == "1") {
      const std::string posts = RawQuery(path_, "SELECT COUNT(*) FROM posts");
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
  EXPECT_EQ(RawQuery(path_, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(RawQuery(path_, "PRAGMA foreign_key_check"), "");
  const Dump got = DumpDb(path_);
  const Dump want = DumpDb(clean);
  for (const auto& [table, rows] : want) EXPECT_EQ(got.at(table), rows) << table;
  RecordProperty("killed_mid_run", killed_mid_run);
  RecordProperty("distinct_post_counts", static_cast<int>(post_counts.size()));
}

TEST_F(StoreTest, MigratesEmptyFileAndReopens) {
  std::ofstream(path_).close();  // an empty file is an empty database
  {
    auto store = Open(path_);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Write(TextRecords(0, 3)).ok());
  }
  EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), std::to_string(Store::SchemaVersion()));
  EXPECT_EQ(RawQuery(path_, "PRAGMA journal_mode"), "wal");
  auto store = Open(path_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ReadAll(*store).size(), 3u);
}

TEST_F(StoreTest, RefusesNewerSchema) {
  { Open(path_); }
  RawQuery(path_, "PRAGMA user_version = " + std::to_string(Store::SchemaVersion() + 1));
  Result<std::unique_ptr<Store>> s = Store::OpenSqlite(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(s.status().message().find("newer"), std::string::npos) << s.status().ToString();
  EXPECT_NE(s.status().message().find("vigil.db"), std::string::npos);
}

TEST_F(StoreTest, RefusesFilesThatAreNotVigilDatabases) {
  const auto text = dir_ / "notes.db";
  std::ofstream(text) << "these are my notes, not a database, but long enough to have a header\n"
                      << std::string(200, 'x') << "\n";
  const auto size = std::filesystem::file_size(text);
  Result<std::unique_ptr<Store>> s = Store::OpenSqlite(text);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(s.status().message().find("notes.db"), std::string::npos);
  EXPECT_NE(s.status().message().find("not a vigil database"), std::string::npos)
      << s.status().ToString();
  EXPECT_EQ(std::filesystem::file_size(text), size);  // left untouched
  EXPECT_FALSE(std::filesystem::exists(dir_ / "notes.db-wal"));

  const auto other = dir_ / "other.db";
  RawQuery(other, "CREATE TABLE contacts (name TEXT)");
  s = Store::OpenSqlite(other);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(s.status().message().find("another program"), std::string::npos)
      << s.status().ToString();

  s = Store::OpenSqlite(dir_ / "no" / "such" / "dir.db");
  EXPECT_EQ(s.status().code(), StatusCode::kIoError) << s.status().ToString();
}

TEST_F(StoreTest, CountsByMonthAndTotals) {
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

TEST_F(StoreTest, HashListsImportIdempotentlyReplaceAndDelete) {
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

TEST_F(StoreTest, MediaHashesListEveryMediaWithFrames) {
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

TEST_F(StoreTest, DihedralPdqsAndMatchedFlagRoundTrip) {
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
  EXPECT_EQ(RawQuery(path_, "SELECT COUNT(*) FROM media_dihedral"), "8");
}

TEST_F(StoreTest, WriteMediaMatchesMarksStoredMediaMatchedOrNothing) {
  auto store = Open(path_);
  ScanRecord r = FullRecord();
  r.media[0].matches.clear();
  ASSERT_TRUE(store->Write({&r, 1}).ok());
  const MediaMatch m{"media", std::string(64, 'c'), "", "pdq", "", 9};
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
TEST_F(StoreTest, MigratesSchema2MediaToUnmatchedWithoutDihedrals) {
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
  EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), std::to_string(Store::SchemaVersion()));
  const auto all = AllMediaHashes(*store);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].pdq, std::string(64, 'f'));
  EXPECT_EQ(all[0].md5, std::string(32, 'b'));
  EXPECT_TRUE(all[0].pdq_dihedral.empty());
  EXPECT_FALSE(all[0].matched);
}

}  // namespace
}  // namespace vigil::store
