#include "vigil/scan/media_matching.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "src/testing/hashes.h"
#include "src/testing/sqlite_tables.h"
#include "vigil/media/inspect.h"
#include "vigil/media/pdq.h"
#include "vigil/scan/scan.h"
#include "vigil/store/database.h"

namespace vigil::scan {
namespace {

namespace fs = std::filesystem;

bool HaveFfmpeg() { return std::system("ffmpeg -version >/dev/null 2>&1") == 0; }

// Every row of every table, as text, sorted: what a re-run must leave alone.
testing::TableDump DumpAll(const fs::path& path) { return testing::DumpTables(path); }

void Exec(const fs::path& path, const std::string& sql) { testing::QueryText(path, sql); }

// A repost pair without direction, as (lower sha256, higher sha256, signal);
// a list match as (sha256, list name, "list").
using Found = std::set<std::tuple<std::string, std::string, std::string>>;

Found Matches(const fs::path& db) {
  auto store = store::Open(db.string());
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  Found found;
  if (!store.ok()) return found;
  auto all = (*store)->posts().ListMediaMatches();
  EXPECT_TRUE(all.ok());
  for (const auto& [sha, m] : *all) {
    if (m.kind == store::MatchKind::kMedia) {
      found.emplace(std::min(sha, m.target), std::max(sha, m.target), m.signal_type);
    } else {
      found.emplace(sha, m.list, "list");
    }
  }
  return found;
}

// Media for the tests are made once per binary with the ffmpeg CLI: a video
// whose frames change every second, a still of its first frame, the still
// mirrored, and the still re-encoded as JPEG.
class MediaMatchingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HaveFfmpeg()) return;
    std::string tmpl = (fs::temp_directory_path() / "vigil_media_matching_XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return;
    media_ = tmpl;
    ok_ = Ffmpeg(
              "-f lavfi -i testsrc2=s=320x240:r=25:d=3 -c:v libx264 -preset veryfast "
              "-pix_fmt yuv420p clip.mp4") &&
          Ffmpeg("-i clip.mp4 -frames:v 1 still.png") &&
          Ffmpeg("-i clip.mp4 -vf hflip -frames:v 1 mirror.png") &&
          Ffmpeg("-i still.png -q:v 3 copy.jpg");
  }
  static void TearDownTestSuite() {
    if (!media_.empty()) fs::remove_all(media_);
  }
  static bool Ffmpeg(const std::string& args) {
    const std::string cmd = "cd '" + media_.string() +
                            "' && ffmpeg -nostdin -hide_banner -loglevel error -y " + args +
                            " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }

  void SetUp() override {
    if (!HaveFfmpeg()) GTEST_SKIP() << "ffmpeg CLI not installed";
    ASSERT_TRUE(ok_) << "could not generate test media";
    std::string tmpl = (fs::temp_directory_path() / "vigil_media_matching_run_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    options_.lexicon_dir = fs::path(VIGIL_SOURCE_DIR) / "data" / "lexicons";
    options_.threads = 2;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // A JSONL export in its own folder: one post per (channel, media file).
  fs::path Export(const std::string& name,
                  const std::vector<std::pair<std::string, std::string>>& posts) {
    const fs::path d = dir_ / name;
    fs::create_directories(d);
    std::ofstream out(d / "posts.jsonl");
    int i = 0;
    for (const auto& [channel, file] : posts) {
      ++i;
      fs::copy_file(media_ / file, d / file, fs::copy_options::overwrite_existing);
      out << "{\"id\":\"" << name << i << "\",\"channel\":\"" << channel
          << "\",\"time\":" << 1700000000 + i << ",\"text\":\"photo\",\"media\":[\"" << file
          << "\"]}\n";
    }
    return d / "posts.jsonl";
  }

  void Scan(const fs::path& db, const fs::path& input, bool match = true) {
    ScanOptions o = options_;
    o.match_media = match;
    auto summary = RunScan({input}, o, db.string(), nullptr);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    ASSERT_EQ(summary->errors, 0);
  }

  static std::string Sha(const std::string& file) {
    auto info = media::InspectFile(media_ / file, Limits{});
    EXPECT_TRUE(info.ok());
    return info.ok() ? info->sha256 : "";
  }

  static inline fs::path media_;
  static inline bool ok_ = false;
  fs::path dir_;
  ScanOptions options_;
};

// The mirrored still matches the video only through a dihedral hash: stored
// photos must bring theirs, or the pair is found in one scan order only.
TEST_F(MediaMatchingTest, PhotoAndVideoMatchTheSameInEitherScanOrder) {
  MediaProbe photo, video;
  MediaRef ref;
  ref.path = (media_ / "mirror.png").string();
  InspectMedia(ref, Limits{}, &photo);
  ref.path = (media_ / "clip.mp4").string();
  InspectMedia(ref, Limits{}, &video);
  ASSERT_EQ(photo.image.size(), 8u);
  ASSERT_FALSE(video.frames.empty());
  int canonical = 256;
  for (const auto& f : video.frames)
    canonical = std::min(canonical, Distance(photo.image[0], f.hash));
  ASSERT_GT(canonical, options_.pdq_radius) << "the test needs a photo found only when mirrored";

  const fs::path p = Export("p", {{"a", "mirror.png"}});
  const fs::path v = Export("v", {{"b", "clip.mp4"}});
  Scan(dir_ / "pv.db", p);
  Scan(dir_ / "pv.db", v);
  Scan(dir_ / "vp.db", v);
  Scan(dir_ / "vp.db", p);
  const Found want = {{std::min(Sha("mirror.png"), Sha("clip.mp4")),
                       std::max(Sha("mirror.png"), Sha("clip.mp4")), "pdq"}};
  EXPECT_EQ(Matches(dir_ / "vp.db"), want);
  EXPECT_EQ(Matches(dir_ / "pv.db"), want);
}

// A photo stored before schema 003 has no dihedral rows: its PDQ stands in.
TEST_F(MediaMatchingTest, PhotoWithoutStoredDihedralFallsBackToItsPdq) {
  const fs::path db = dir_ / "old.db";
  Scan(db, Export("p", {{"a", "still.png"}, {"b", "mirror.png"}}));
  Exec(db, "DELETE FROM media_dihedral");
  Scan(db, Export("v", {{"c", "clip.mp4"}}));
  const Found got = Matches(db);
  const std::string clip = Sha("clip.mp4"), still = Sha("still.png");
  EXPECT_TRUE(got.contains({std::min(clip, still), std::max(clip, still), "pdq"}));
  const std::string mirror = Sha("mirror.png");  // only reachable through a dihedral
  EXPECT_FALSE(got.contains({std::min(clip, mirror), std::max(clip, mirror), "pdq"}));
}

// Media stored by `vigil scan --no-match` are matched by the next matching
// scan, from their stored hashes (the files may be gone), exactly as one
// matching scan of everything would match them; a re-run adds nothing.
TEST_F(MediaMatchingTest, NoMatchScanIsMatchedByTheNextScan) {
  match::HashList list;
  list.name = "known";
  list.source = "test";
  auto still = media::InspectFile(media_ / "still.png", Limits{});
  ASSERT_TRUE(still.ok());
  list.entries.push_back(
      {match::Signal::FromPdq(*Hash256::FromHex(still->pdq)), {"set"}, "", "test"});
  const auto a = Export("a", {{"a", "still.png"}, {"b", "mirror.png"}});
  const auto b = Export("b", {{"c", "copy.jpg"}});
  for (const char* name : {"split.db", "clean.db"}) {
    auto store = store::Open((dir_ / name).string());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->posts().PutHashList(list, false).ok());
  }
  // The reference: one matching scan of both exports.
  Scan(dir_ / "clean.db", a);
  Scan(dir_ / "clean.db", b);
  const Found want = Matches(dir_ / "clean.db");
  ASSERT_EQ(want.size(), 6u);  // 3 pairs, 3 list matches

  const fs::path db = dir_ / "split.db";
  Scan(db, a, /*match=*/false);
  EXPECT_TRUE(Matches(db).empty());
  fs::remove_all(a.parent_path());  // not read again
  Scan(db, b);
  EXPECT_EQ(Matches(db), want);
  const auto first = DumpAll(db);
  Scan(db, b);
  EXPECT_EQ(DumpAll(db), first);
  Scan(db, b, /*match=*/false);  // and a --no-match re-run does not unmark them
  Scan(db, b);
  EXPECT_EQ(DumpAll(db), first);
}

// Workers store media unmatched and match them after the queue drains
// (vigil/app/fleet.h): in the order the producer met the files, every pair
// is recorded by the same file, with the same distance, as by one matching
// scan; in sha256 order (MatchStored's own) some would be recorded the other
// way round.
TEST_F(MediaMatchingTest, OrderPendingRecordsPairsAsTheScanOrderDid) {
  std::vector<std::string> files = {"still.png", "mirror.png", "copy.jpg", "clip.mp4"};
  // Scan order: the reverse of sha256 order, so that the two orders differ.
  std::sort(files.begin(), files.end(),
            [](const std::string& a, const std::string& b) { return Sha(a) > Sha(b); });
  std::vector<std::pair<std::string, std::string>> posts;
  std::vector<std::string> order;
  for (const auto& f : files) {
    posts.push_back({"c", f});
    order.push_back(Sha(f));
  }
  const auto input = Export("a", posts);
  using Directed = std::set<std::tuple<std::string, std::string, std::string, int>>;
  auto directed = [](const fs::path& db) {
    Directed out;
    auto store = store::Open(db.string());
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return out;
    auto all = (*store)->posts().ListMediaMatches();
    EXPECT_TRUE(all.ok());
    for (const auto& [sha, m] : *all) out.emplace(sha, m.target, m.signal_type, m.distance);
    return out;
  };
  Scan(dir_ / "scan.db", input);
  const Directed want = directed(dir_ / "scan.db");
  ASSERT_GE(want.size(), 3u);

  auto match_stored = [&](const fs::path& db, bool ordered) {
    Scan(db, input, /*match=*/false);
    auto store = store::Open(db.string());
    ASSERT_TRUE(store.ok());
    auto seen = SeenMedia::Load((*store)->posts());
    ASSERT_TRUE(seen.ok()) << seen.status().ToString();
    if (ordered) seen->OrderPending(order);
    ASSERT_TRUE(seen->MatchStored((*store)->posts(), nullptr, 31).ok());
  };
  match_stored(dir_ / "ordered.db", true);
  EXPECT_EQ(directed(dir_ / "ordered.db"), want);
  match_stored(dir_ / "sha_order.db", false);
  EXPECT_NE(directed(dir_ / "sha_order.db"), want);
}

// Synthetic videos of random frames in a store: `related` near-copies of the
// query among `unrelated` others.
class VideoCandidatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vigil_video_candidates_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static store::ScanRecord Record(int id, const std::vector<Hash256>& frames) {
    store::ScanRecord r;
    r.post.platform = Platform::kJsonl;
    r.post.channel.id = "c";
    r.post.external_id = std::to_string(id);
    r.post.media.push_back(MediaRef{});
    store::MediaResult& m = r.media.emplace_back();
    m.info.emplace();
    m.info->sha256 = Sha(id);
    m.info->md5 = std::string(32, '0');
    m.info->type = "mp4";
    m.matched = true;
    for (size_t i = 0; i < frames.size(); ++i) {
      m.frames.push_back({static_cast<int64_t>(i * 25), static_cast<double>(i), frames[i].ToHex(),
                          i % 7 == 6 ? 40 : 90});  // some frames below the quality floor
    }
    return r;
  }
  static std::string Sha(int id) {
    std::string s = std::to_string(id);
    return std::string(64 - s.size(), '0') + s;
  }
  static MediaProbe Probe(const std::vector<Hash256>& frames) {
    MediaProbe p;
    for (size_t i = 0; i < frames.size(); ++i) {
      p.frames.push_back(
          {static_cast<int64_t>(i * 25), static_cast<double>(i), frames[i], i % 7 == 6 ? 40 : 90});
    }
    return p;
  }

  fs::path dir_;
};

TEST_F(VideoCandidatesTest, FrameIndexFindsWhatBruteForceFinds) {
  std::mt19937_64 rng(7);
  std::vector<Hash256> query;
  for (int i = 0; i < 12; ++i) query.push_back(testing::RandomHash(rng));
  std::vector<store::ScanRecord> records;
  std::vector<std::vector<Hash256>> later;  // scanned after the load
  // Near-copies sharing all, most, a few and one of the query's frames, at
  // distances inside and just outside the radius, then 500 unrelated videos.
  int id = 0;
  for (const int shared : {12, 10, 3, 1}) {
    for (const int d : {0, 20, 31, 32}) {
      std::vector<Hash256> v;
      for (int i = 0; i < shared; ++i) v.push_back(testing::FlipBits(query[i], d, rng));
      for (int i = shared; i < 12; ++i) v.push_back(testing::RandomHash(rng));
      if (id % 2 == 0) {
        records.push_back(Record(id, v));
      } else {
        later.push_back(v);
      }
      ++id;
    }
  }
  const int planted = id;
  for (; id < planted + 500; ++id) {
    std::vector<Hash256> v;
    for (int i = 0; i < 10; ++i) v.push_back(testing::RandomHash(rng));
    records.push_back(Record(id, v));
  }
  auto store = store::Open((dir_ / "v.db").string());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->posts().Write(records).ok());

  auto loaded = SeenMedia::Load((*store)->posts());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  SeenMedia seen = std::move(loaded).value();
  media::MediaInfo info;
  for (size_t i = 0; i < later.size(); ++i) {
    info.sha256 = Sha(100000 + static_cast<int>(i));
    std::vector<store::MediaMatch> ignored;
    seen.MatchAndAdd(info, Probe(later[i]), 31, &ignored);
  }
  info.sha256 = Sha(999999);
  std::vector<store::MediaMatch> indexed, brute;
  seen.Match(info, Probe(query), 31, &indexed);
  seen.set_video_candidates_from_index(false);
  seen.Match(info, Probe(query), 31, &brute);
  EXPECT_EQ(indexed, brute);
  // All 12 or 10 of 12 frames within 31 bits: vPDQ matches (>= 80 %) in
  // both halves (stored and added); 3 or 1 shared frames, or 32 bits, do not.
  std::set<std::string> want;
  for (const int i : {0, 1, 2, 4, 5, 6}) {
    want.insert(i % 2 == 0 ? Sha(i) : Sha(100000 + i / 2));
  }
  std::set<std::string> got;
  for (const auto& m : indexed) {
    EXPECT_EQ(m.signal_type, "vpdq");
    got.insert(m.target);
  }
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace vigil::scan
