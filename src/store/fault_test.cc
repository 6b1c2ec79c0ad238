// Fault loops, SQLite style: the store's file writes fail at the 1st, 2nd, ...
// nth operation, for every n until a workload runs through without meeting
// the fault. After each failure the database must pass PRAGMA integrity_check
// and a re-run of the workload must leave it equal, row for row, to one clean
// run. A VFS shim over SQLite's default VFS (src/store/fault_vfs.h) injects
// the faults; the store opens it by name (SqliteOptions::vfs).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "src/store/fault_vfs.h"
#include "src/testing/sqlite_tables.h"
#include "vigil/store/database.h"
#include "vigil/store/store.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;
using fault::Arm;
using fault::Disarm;
using Dump = vigil::testing::TableDump;
inline Dump DumpAll(const fs::path& db) { return vigil::testing::DumpTables(db); }
using fault::g_fault;
using fault::kFaultVfsName;
using vigil::testing::IntegrityCheck;

constexpr int64_t kNow = 1'700'000'000;

// --- the workload ----------------------------------------------------------

std::string Hex(int i, size_t digits);

match::HashEntry Entry(match::SignalType type, int seed, const std::string& label) {
  match::HashEntry e;
  Result<match::Signal> signal =
      match::Signal::FromHex(type, Hex(seed, 2 * match::DigestBytes(type)));
  EXPECT_TRUE(signal.ok()) << signal.status().ToString();
  if (signal.ok()) e.signal = *signal;
  if (!label.empty()) e.labels = {label};
  e.category = "TRUE_POSITIVE";
  e.source = "fault-test";
  return e;
}

match::HashList List(const std::string& name, int entries, int first) {
  match::HashList list;
  list.name = name;
  list.source = name + ".csv";
  list.labels = {"fault", name};
  list.pdq_threshold = 30;
  for (int i = 0; i < entries; ++i) {
    list.entries.push_back(Entry(i % 2 == 0 ? match::SignalType::kPdq : match::SignalType::kMd5,
                                 first + i, i % 3 == 0 ? "l" : ""));
  }
  return list;
}

std::string Hex(int i, size_t digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(digits, '0');
  for (size_t k = 0; k < digits; ++k) s[k] = kDigits[(i * 7 + static_cast<int>(k) * 3) % 16];
  s[0] = kDigits[i % 16];
  s[1] = kDigits[(i / 16) % 16];
  return s;
}

// A post with text, selectors and (every third post) a photo whose file is
// shared with other posts, with frames and matches; every seventh post's
// media is missing.
ScanRecord Record(int i) {
  ScanRecord r;
  Post& p = r.post;
  p.platform = i % 5 == 0 ? Platform::kWhatsApp : Platform::kTelegram;
  p.channel = {"chan" + std::to_string(i % 3), "Channel " + std::to_string(i % 3), "group"};
  p.external_id = std::to_string(i);
  p.author = {"author " + std::to_string(i % 11), "user" + std::to_string(i % 11)};
  p.time = 1'700'000'000 + (i * 7919) % 100'000;
  p.time_is_utc = i % 5 != 0;
  p.text = "post " + std::to_string(i) + " للبيع price $" + std::to_string(100 + i) +
           " call +96475000" + std::to_string(i % 40) + " " + std::string(i % 9 * 40, 'x');
  p.source_file = "result.json";
  p.source_item = "message " + std::to_string(i);
  r.analysis.category = static_cast<text::Category>(i % 4);
  r.analysis.score = (i % 100) / 100.0;
  r.analysis.reasons = {{"sale", "للبيع", "ar", {8, 18}}};
  r.analysis.selectors = {{"phone", "+96475000" + std::to_string(i % 40), {30, 44}},
                          {"handle", "@seller" + std::to_string(i % 6), {0, 4}}};
  if (i % 3 == 0) {
    MediaRef ref;
    ref.name = "photo_" + std::to_string(i) + ".jpg";
    ref.path = "photos/" + ref.name;
    ref.kind = i % 2 == 0 ? MediaKind::kPhoto : MediaKind::kVideo;
    ref.declared_size = 1000 + i;
    p.media = {ref};
    MediaResult m;
    if (i % 7 == 0) {
      m.error = "missing from export";
    } else {
      media::MediaInfo info;
      const int file = i % 12;  // a repost every 12 posts
      info.sha256 = Hex(file, 64);
      info.md5 = Hex(file, 32);
      info.size = 1000 + static_cast<uint64_t>(file);
      info.type = "jpeg";
      info.mime = "image/jpeg";
      info.width = 640;
      info.height = 480;
      info.pdq = Hex(file + 100, 64);
      info.pdq_quality = 80;
      m.info = info;
      if (ref.kind == MediaKind::kVideo) {
        m.frames = {{0, 0.0, Hex(file + 1, 64), 90}, {25, 1.0, Hex(file + 2, 64), 70}};
      }
      m.matches = {{MatchKind::kList, std::string(64, 'a'), "known-a", "pdq", "l", 10 + i % 5}};
      if (file != i % 24)
        m.matches.push_back({MatchKind::kMedia, Hex(i % 24, 64), "", "pdq", "", 3});
    }
    r.media = {m};
  }
  return r;
}

std::vector<ScanRecord> Records(int begin, int end) {
  std::vector<ScanRecord> v;
  for (int i = begin; i < end; ++i) v.push_back(Record(i));
  return v;
}

// One call on a Store; the first step opens it.
using Step = std::function<Status(Store&)>;

std::vector<Step> Workload() {
  std::vector<Step> steps;
  steps.push_back([](Store& s) { return s.PutHashList(List("known-a", 6, 0), false); });
  steps.push_back([](Store& s) { return s.Write(Records(0, 40)); });
  steps.push_back([](Store& s) {
    return s.WriteErrors(std::vector<ScanError>{{"result.json", "message 7", "bad date"},
                                                {"result.json", "", "truncated JSON"}});
  });
  steps.push_back([](Store& s) { return s.Write(Records(30, 90)); });  // overlaps
  steps.push_back([](Store& s) { return s.PutHashList(List("known-b", 20, 3), false); });
  steps.push_back([](Store& s) { return s.Write(Records(90, 160)); });
  steps.push_back([](Store& s) { return s.PutHashList(List("known-a", 3, 40), true); });
  steps.push_back([](Store& s) {
    return s.WriteErrors(std::vector<ScanError>{{"b.json", "message 1", "unknown type"}});
  });
  steps.push_back([](Store& s) { return s.Write(Records(150, 200)); });
  return steps;
}

Result<std::unique_ptr<Database>> OpenStore(const fs::path& db, bool fault_vfs) {
  OpenOptions options;
  options.now = [] { return kNow; };
  if (fault_vfs) options.sqlite.vfs = kFaultVfsName;
  return Open(db.string(), options);
}

// How far a workload run got.
struct RunResult {
  int failed_steps = 0;     // calls that returned non-OK (opening is step 0)
  int unreported = 0;       // steps during which a fault fired but which returned OK
  std::string first_error;  // Status of the first failed call
  bool fired_before_close = false;
};

// Runs the workload through the fault VFS. A step during which the fault
// fires must fail. With `stop_at_failure` the run ends at the first failed
// step (the disk is gone); otherwise the failed step is retried once (a
// transient fault), so the run should end equal to a clean one.
RunResult RunWorkload(const fs::path& db, bool stop_at_failure) {
  RunResult out;
  auto note = [&](const Status& s, int64_t fired_before) {
    const bool fired = g_fault.fired > fired_before;
    if (!s.ok()) {
      if (++out.failed_steps == 1) out.first_error = s.ToString();
    } else if (fired) {
      ++out.unreported;
    }
  };
  std::unique_ptr<Database> store;
  for (int attempt = 0; attempt < 2 && store == nullptr; ++attempt) {
    const int64_t fired = g_fault.fired;
    Result<std::unique_ptr<Database>> opened = OpenStore(db, /*fault_vfs=*/true);
    note(opened.status(), fired);
    if (opened.ok()) {
      store = std::move(opened).value();
    } else if (stop_at_failure) {
      out.fired_before_close = g_fault.fired > 0;
      return out;
    }
  }
  if (store == nullptr) return out;
  for (const Step& step : Workload()) {
    int64_t fired = g_fault.fired;
    Status s = step(store->posts());
    note(s, fired);
    if (!s.ok()) {
      if (stop_at_failure) break;
      fired = g_fault.fired;
      s = step(store->posts());
      note(s, fired);
    }
  }
  out.fired_before_close = g_fault.fired > 0;
  store.reset();  // closing checkpoints the WAL: faults may land here too
  return out;
}

class FaultLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vigil_fault_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    // The reference: one clean run, through the shim with no fault armed.
    Arm(0, SQLITE_IOERR, true);
    const RunResult clean = RunWorkload(dir_ / "clean.db", true);
    ASSERT_EQ(clean.failed_steps, 0) << clean.first_error;
    clean_ = DumpAll(dir_ / "clean.db");
    ASSERT_EQ(clean_["posts"].size(), 200u);
    ASSERT_FALSE(clean_["media_matches"].empty());
    ASSERT_FALSE(clean_["media_frames"].empty());
    ASSERT_EQ(clean_["hash_lists"].size(), 2u);
    ASSERT_EQ(clean_["scan_errors"].size(), 3u);
  }
  void TearDown() override {
    Disarm();
    fs::remove_all(dir_);
  }

  // Fails operation n = 1, 2, ... until a run meets no fault; checks every
  // run as the file comment says. Returns the number of runs that failed.
  int Loop(int error, bool persistent) {
    int faulted_runs = 0;
    for (int64_t n = 1;; ++n) {
      SCOPED_TRACE("fault at operation " + std::to_string(n));
      const fs::path db = dir_ / ("n" + std::to_string(n) + ".db");
      Arm(n, error, persistent);
      const RunResult run = RunWorkload(db, persistent);
      const bool fired = g_fault.fired > 0;
      Disarm();
      if (!fired) {
        EXPECT_EQ(run.failed_steps, 0) << run.first_error;
        break;
      }
      ++faulted_runs;
      EXPECT_EQ(run.unreported, 0) << "a call met an injected fault and returned OK";
      if (run.fired_before_close) {
        EXPECT_GE(run.failed_steps, 1) << "the fault fired but no call failed";
      }
      // Whatever the fault left behind: a sound database that a re-run
      // completes, equal to one clean run.
      if (fs::exists(db)) {
        EXPECT_EQ(IntegrityCheck(db), "ok");
      }
      {
        Result<std::unique_ptr<Database>> reopened = OpenStore(db, /*fault_vfs=*/false);
        EXPECT_TRUE(reopened.ok()) << reopened.status().ToString();
      }
      if (!persistent) {
        // Each failed call was retried: the run itself must equal a clean one.
        EXPECT_EQ(DumpAll(db), clean_) << "after the run, before any re-run";
      }
      Arm(0, error, persistent);
      const RunResult rerun = RunWorkload(db, true);
      EXPECT_EQ(rerun.failed_steps, 0) << rerun.first_error;
      EXPECT_EQ(IntegrityCheck(db), "ok");
      EXPECT_EQ(DumpAll(db), clean_);
      fs::remove(db);
      fs::remove(fs::path(db.string() + "-wal"));
      fs::remove(fs::path(db.string() + "-shm"));
      if (::testing::Test::HasFailure()) break;  // one failing n tells the story
    }
    return faulted_runs;
  }

  fs::path dir_;
  Dump clean_;
};

TEST_F(FaultLoopTest, IoErrorAtEveryWriteLeavesASoundDatabaseThatAReRunCompletes) {
  const int runs = Loop(SQLITE_IOERR, /*persistent=*/true);
  std::printf("faulted runs: %d\n", runs);
  // Migration, nine calls and the close: far more than a handful of writes.
  EXPECT_GE(runs, 30);
}

TEST_F(FaultLoopTest, DiskFullAtEveryWriteLeavesASoundDatabaseThatAReRunCompletes) {
  EXPECT_GE(Loop(SQLITE_FULL, /*persistent=*/true), 30);
}

TEST_F(FaultLoopTest, AFailedCallLeavesNoTraceAndTheStoreKeepsWorking) {
  EXPECT_GE(Loop(SQLITE_IOERR, /*persistent=*/false), 30);
}

TEST(FaultVfsTest, UnknownVfsIsAnError) {
  OpenOptions options;
  options.sqlite.vfs = "no-such-vfs";
  const fs::path db = fs::temp_directory_path() / "vigil_fault_unknown_vfs.db";
  Result<std::unique_ptr<Database>> s = Open(db.string(), options);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(fs::exists(db));
}

// The shim must be able to fail a run: without that every loop above passes
// trivially.
TEST(FaultVfsTest, AnArmedFaultFailsTheWrite) {
  std::string tmpl = (fs::temp_directory_path() / "vigil_fault_XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const fs::path db = fs::path(tmpl) / "v.db";
  {
    Arm(0, SQLITE_IOERR, true);
    Result<std::unique_ptr<Database>> opened = OpenStore(db, true);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    Store& store = (*opened)->posts();
    Arm(1, SQLITE_IOERR, true);
    Status s = store.Write(Records(0, 10));
    EXPECT_GE(g_fault.fired, 1);
    EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
    Disarm();
    EXPECT_TRUE(store.Write(Records(0, 10)).ok());
  }
  fs::remove_all(tmpl);
}

}  // namespace
}  // namespace vigil::store
