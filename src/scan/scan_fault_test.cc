// The store's fault loop through the scan (src/store/fault_test.cc has the
// store's own): a small synthetic export is scanned into a store whose file
// writes fail at the 1st, 2nd, ... nth operation (persistent: the disk is
// gone), until a scan meets no fault. A scan that met one must report it; then
// the database must pass PRAGMA integrity_check, and a re-run of the scan must
// end equal, row for row, to one clean scan.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "src/store/fault_vfs.h"
#include "src/testing/sqlite_tables.h"
#include "vigil/scan/scan.h"
#include "vigil/store/store.h"
#include "vigil/text/analyzer.h"

namespace vigil::scan {
namespace {

namespace fs = std::filesystem;
using store::fault::Arm;
using store::fault::Disarm;
using Dump = vigil::testing::TableDump;
inline Dump DumpAll(const fs::path& db) { return vigil::testing::DumpTables(db); }
using store::fault::g_fault;
using store::fault::kFaultVfsName;
using vigil::testing::IntegrityCheck;

constexpr int64_t kNow = 1'700'000'000;

class ScanFaultLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vigil_scan_fault_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    options_.lexicon_dir = fs::path(VIGIL_SOURCE_DIR) / "data" / "lexicons";
    options_.threads = 2;
    options_.batch_size = 40;
    options_.match_media = true;
    auto analyzer = text::Analyzer::Create(options_.lexicon_dir);
    ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
    analyzer_ = std::move(analyzer).value();
    // 200 posts in 5 batches: offers with phones and handles, neutral posts,
    // media references to files that are not there, and bad lines.
    input_ = dir_ / "posts.jsonl";
    std::ofstream out(input_);
    for (int i = 0; i < 210; ++i) {
      if (i % 30 == 29) {
        out << "{\"id\": " << i << ", broken\n";
        continue;
      }
      out << "{\"id\":" << i << ",\"channel\":\"c" << i % 3 << "\",\"time\":" << 1400000000 + i
          << ",\"author\":\"a" << i % 7 << "\",\"text\":\""
          << (i % 2 == 0 ? "For sale: girl, 15 years old. Price 2000 dollars. Contact @seller"
                         : "neutral message number")
          << i % 11 << " +964 750 555 01" << 10 + i % 80 << "\"";
      if (i % 4 == 0) out << ",\"media\":[\"photo_" << i << ".jpg\"]";
      out << "}\n";
    }
  }
  void TearDown() override {
    Disarm();
    fs::remove_all(dir_);
  }

  Result<std::unique_ptr<store::Database>> Open(const fs::path& db, bool fault_vfs) {
    store::OpenOptions o;
    o.now = [] { return kNow; };
    if (fault_vfs) o.sqlite.vfs = kFaultVfsName;
    return store::Open(db.string(), o);
  }

  // Opens the store and scans into it; the first failure, or OK. Sets
  // `fired` when an injected fault fired before the store was closed (closing
  // checkpoints the WAL, and no call can report a fault there).
  Status Scan(const fs::path& db, bool fault_vfs, bool* fired = nullptr) {
    Result<std::unique_ptr<store::Database>> store = Open(db, fault_vfs);
    if (fired != nullptr) *fired = g_fault.fired > 0;
    if (!store.ok()) return store.status();
    Result<ScanSummary> summary = RunScan({input_}, options_, *analyzer_, **store, nullptr);
    if (fired != nullptr) *fired = g_fault.fired > 0;
    return summary.ok() ? Status::Ok() : summary.status();
  }

  fs::path dir_;
  fs::path input_;
  ScanOptions options_;
  std::unique_ptr<text::Analyzer> analyzer_;
};

TEST_F(ScanFaultLoopTest, EveryFailedWriteIsReportedAndAReRunEndsEqualToACleanScan) {
  Arm(0, SQLITE_IOERR, true);
  const fs::path clean = dir_ / "clean.db";
  ASSERT_TRUE(Scan(clean, true).ok());
  const Dump want = DumpAll(clean);
  ASSERT_EQ(want.at("posts").size(), 203u);
  ASSERT_FALSE(want.at("scan_errors").empty());
  ASSERT_FALSE(want.at("post_selectors").empty());

  int faulted = 0;
  for (int64_t n = 1;; ++n) {
    SCOPED_TRACE("fault at operation " + std::to_string(n));
    const fs::path db = dir_ / ("n" + std::to_string(n) + ".db");
    Arm(n, n % 2 == 0 ? SQLITE_FULL : SQLITE_IOERR, true);
    bool fired_in_scan = false;
    const Status s = Scan(db, true, &fired_in_scan);  // closed, with the fault on, on return
    const bool fired = g_fault.fired > 0;
    Disarm();
    if (!fired) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      break;
    }
    ++faulted;
    if (fired_in_scan) {
      EXPECT_FALSE(s.ok()) << "the scan met an injected fault and reported success";
    }
    if (fs::exists(db)) {
      EXPECT_EQ(IntegrityCheck(db), "ok");
    }
    const Status again = Scan(db, false);
    EXPECT_TRUE(again.ok()) << again.ToString();
    EXPECT_EQ(IntegrityCheck(db), "ok");
    EXPECT_EQ(DumpAll(db), want);
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
    if (::testing::Test::HasFailure()) break;  // one failing n tells the story
  }
  std::printf("faulted scans: %d\n", faulted);
  EXPECT_GE(faulted, 20);
}

}  // namespace
}  // namespace vigil::scan
