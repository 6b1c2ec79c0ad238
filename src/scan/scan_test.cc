#include "vigil/scan/scan.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "vigil/scan/record_json.h"
#include "vigil/store/database.h"

namespace vigil::scan {
namespace {

namespace fs = std::filesystem;

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil_scan_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "scan.db").string();
    options_.lexicon_dir = fs::path(VIGIL_SOURCE_DIR) / "data" / "lexicons";
    options_.threads = 3;
    options_.batch_size = 64;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string db_;

  // A JSONL export of n neutral posts, with a bad line every `bad_every`.
  fs::path WriteJsonl(int n, int bad_every) {
    const fs::path p = dir_ / "posts.jsonl";
    std::ofstream out(p);
    for (int i = 0; i < n; ++i) {
      if (bad_every && i % bad_every == bad_every - 1) {
        out << "{\"id\": " << i << ", broken\n";
        continue;
      }
      out << "{\"id\":" << i << ",\"channel\":\"c1\",\"time\":" << 1400000000 + i
          << ",\"author\":\"a\",\"text\":\"neutral message number " << i << "\"}\n";
    }
    return p;
  }

  fs::path dir_;
  ScanOptions options_;
};

class Recorder : public ScanObserver {
 public:
  void OnRecord(const store::ScanRecord& r) override { ids.push_back(r.post.external_id); }
  void OnError(const ingest::IngestError& e) override { errors.push_back(e.ToString()); }
  void OnProgress(const Progress& p) override { progress.push_back(p); }
  std::vector<std::string> ids;
  std::vector<std::string> errors;
  std::vector<Progress> progress;
};

// Progress follows the bytes of all the inputs, known from the start: a
// single large export no longer shows an empty bar until it ends.
TEST_F(ScanTest, ProgressCountsTheBytesOfEveryInput) {
  const fs::path first = WriteJsonl(3000, 0);
  const fs::path second = dir_ / "second.jsonl";
  fs::copy_file(first, second);
  const uint64_t total = fs::file_size(first) + fs::file_size(second);
  options_.batch_size = 100;
  Recorder rec;
  ASSERT_TRUE(RunScan({first, second}, options_, db_, &rec).ok());
  ASSERT_GE(rec.progress.size(), 10u);
  uint64_t last = 0;
  size_t part_way = 0;
  for (const Progress& p : rec.progress) {
    EXPECT_EQ(p.bytes_total, total);
    EXPECT_GE(p.bytes_read, last);
    EXPECT_EQ(p.reader_count, 2u);
    last = p.bytes_read;
    part_way += p.bytes_read > 0 && p.bytes_read < total;
  }
  EXPECT_EQ(rec.progress.back().bytes_read, total);
  EXPECT_GE(part_way, 1u) << "some report fell inside the scan";
}

TEST_F(ScanTest, KeepsExportOrderAcrossWorkersAndCountsErrors) {
  const fs::path input = WriteJsonl(3000, 100);
  Recorder rec;
  auto summary = RunScan({input}, options_, db_, &rec);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->posts, 2970);
  EXPECT_EQ(summary->errors, 30);
  EXPECT_EQ(summary->flagged(), 0);
  ASSERT_EQ(rec.ids.size(), 2970u);
  int expect = 0;
  for (const auto& id : rec.ids) {
    if (expect % 100 == 99) ++expect;
    ASSERT_EQ(id, std::to_string(expect)) << "records out of export order";
    ++expect;
  }
  ASSERT_EQ(rec.errors.size(), 30u);
  EXPECT_NE(rec.errors[0].find("posts.jsonl"), std::string::npos) << rec.errors[0];
}

TEST_F(ScanTest, RerunAddsNothing) {
  const fs::path input = WriteJsonl(500, 0);
  ASSERT_TRUE(RunScan({input}, options_, db_, nullptr).ok());
  auto store = store::Open(db_);
  ASSERT_TRUE(store.ok());
  auto first = (*store)->posts().GetTotals();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(RunScan({input}, options_, db_, nullptr).ok());
  auto second = (*store)->posts().GetTotals();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->posts, 500);
  EXPECT_EQ(second->posts, 500);
}

TEST_F(ScanTest, MissingInputIsReportedAndScanGoesOn) {
  const fs::path input = WriteJsonl(10, 0);
  Recorder rec;
  auto summary = RunScan({dir_ / "nope", input}, options_, db_, &rec);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->posts, 10);
  EXPECT_GE(summary->errors, 1);
  ASSERT_FALSE(rec.errors.empty());
  EXPECT_NE(rec.errors[0].find("nope"), std::string::npos);
}

TEST_F(ScanTest, BadLexiconFolderFailsTheScan) {
  options_.lexicon_dir = dir_ / "no-lexicons";
  auto summary = RunScan({WriteJsonl(1, 0)}, options_, db_, nullptr);
  EXPECT_FALSE(summary.ok());
}

TEST_F(ScanTest, SaleOfferJsonCarriesReasonsAndSelectors) {
  auto analyzer = text::Analyzer::Create(options_.lexicon_dir);
  ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
  Post p;
  p.platform = Platform::kTelegram;
  p.channel.id = "42";
  p.external_id = "7";
  p.time = 1408605660;
  p.time_is_utc = true;
  p.text = "For sale: girl, 15 years old. Price 2000 dollars. Contact @demo_seller";
  const auto record = AnalyzePost(p, **analyzer, Limits{});
  EXPECT_EQ(record.analysis.category, text::Category::kSaleOffer);
  const std::string json = RecordToJson(record);
  EXPECT_NE(json.find("\"category\":\"sale_offer\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"time\":\"2014-08-21T07:21:00Z\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"kind\":\"handle\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"platform\":\"telegram\""), std::string::npos) << json;
}

}  // namespace
}  // namespace vigil::scan
