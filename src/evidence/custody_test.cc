#include "vigil/evidence/custody.h"

#include <gtest/gtest.h>

#include "src/evidence/test_util.h"
#include "src/evidence/util.h"
#include "vigil/core/digest.h"
#include "vigil/core/hex.h"

namespace vigil::evidence {
namespace {

using testing::TempDir;

class CustodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Keys> k = Keys::Generate(0);
    ASSERT_TRUE(k.ok());
    keys_.emplace(std::move(*k));
  }
  Clock clock() {
    return [this] { return now_++; };
  }
  // Writes 6 entries and heads after 3 and 6.
  void Fill() {
    Result<CustodyLog> log = CustodyLog::Open(path_, clock());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int i = 0; i < 6; ++i) {
      CustodyEntry e;
      e.actor = "analyst1";
      e.action = i == 0 ? "acquire" : "view";
      e.items = {Sha256Hex("item" + std::to_string(i % 2))};
      e.details = "step \"" + std::to_string(i) + "\" \u00e9";
      if (i == 0) {
        e.acquisition = AcquisitionRecord{"result.json",
                                          std::string(64, 'c'),
                                          "photos/1.jpg",
                                          "telegram",
                                          "-100123",
                                          "812",
                                          77,
                                          "0.1.0",
                                          "op"};
      }
      ASSERT_TRUE(log->Append(e).ok());
      if (i == 2 || i == 5) {
        ASSERT_TRUE(log->SignTreeHead(*keys_).ok());
      }
    }
  }
  TempDir dir_;
  std::string path_ = dir_ / "custody.log";
  std::optional<Keys> keys_;
  int64_t now_ = 100;
};

TEST_F(CustodyTest, ChainHeadsAndProofs) {
  Fill();
  EXPECT_TRUE(VerifyCustodyLog(path_, keys_->public_keys()).empty())
      << testing::Join(VerifyCustodyLog(path_, keys_->public_keys()));
  Result<CustodyLog> log = CustodyLog::Open(path_, clock());
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 6u);
  EXPECT_EQ(log->entries()[0].prev_hash, std::string(64, '0'));
  EXPECT_EQ(log->entries()[0].acquisition->message_id, "812");
  EXPECT_EQ(log->entries()[3].time, 104);
  for (size_t i = 1; i < 6; ++i) {
    EXPECT_EQ(log->entries()[i].prev_hash, log->entries()[i - 1].entry_hash);
  }
  ASSERT_EQ(log->heads().size(), 2u);
  const TreeHead& h1 = log->heads()[0];
  const TreeHead& h2 = log->heads()[1];
  EXPECT_EQ(h1.size, 3u);
  EXPECT_EQ(h2.size, 6u);
  for (uint64_t i = 0; i < 6; ++i) {
    EXPECT_TRUE(VerifyInclusion(i, 6, MerkleLeafHash(log->lines()[i]), log->InclusionProofFor(i, 6),
                                *HexDecodeArray<32>(h2.root)));
  }
  EXPECT_TRUE(VerifyConsistency(3, 6, *HexDecodeArray<32>(h1.root), *HexDecodeArray<32>(h2.root),
                                log->ConsistencyProofFor(3, 6)));
  // One writer at a time.
  EXPECT_EQ(CustodyLog::Open(path_, clock()).status().code(), StatusCode::kIoError);
  CustodyEntry bad;
  bad.actor = "a";
  bad.action = "view";
  bad.items = {"not-a-hash"};
  EXPECT_EQ(log->Append(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CustodyTest, EveryFlippedByteOfLogAndHeadsIsDetected) {
  Fill();
  for (const std::string& file : {path_, path_ + ".heads"}) {
    const std::string good = testing::Slurp(file);
    for (size_t i = 0; i < good.size(); ++i) {
      std::string bad = good;
      bad[i] ^= 0x01;
      testing::Spit(file, bad);
      const std::vector<std::string> p = VerifyCustodyLog(path_, keys_->public_keys());
      ASSERT_FALSE(p.empty()) << file << " byte " << i;
      EXPECT_TRUE(testing::AnyContains(p, "custody") || testing::AnyContains(p, "tree head"))
          << testing::Join(p);
      if (file == path_) {  // Open has no keys, so it checks lines and roots, not signatures
        EXPECT_FALSE(CustodyLog::Open(path_, clock()).ok()) << "never append to a damaged log";
      }
    }
    testing::Spit(file, good);
  }
  EXPECT_TRUE(VerifyCustodyLog(path_, keys_->public_keys()).empty());
}

TEST_F(CustodyTest, OpenCutsATornLastLineAndAppendsAfterIt) {
  Fill();
  const std::string good = testing::Slurp(path_);
  const std::string good_heads = testing::Slurp(path_ + ".heads");
  // A crash in the middle of the 7th entry's write(2), and of a head's.
  const std::string torn = "{\"seq\":6,\"time\":1", torn_head = "{\"size\":7,\"ro";
  testing::Spit(path_, good + torn);
  testing::Spit(path_ + ".heads", good_heads + torn_head);
  EXPECT_FALSE(VerifyCustodyLog(path_, keys_->public_keys()).empty());  // read-only: reported
  Result<CustodyLog> log = CustodyLog::Open(path_, clock());
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(log->torn_bytes(), torn.size() + torn_head.size());
  EXPECT_EQ(log->size(), 6u);
  EXPECT_EQ(testing::Slurp(path_), good);
  EXPECT_EQ(testing::Slurp(path_ + ".heads"), good_heads);
  CustodyEntry e;
  e.actor = "analyst1";
  e.action = "view";
  ASSERT_TRUE(log->Append(e).ok());
  ASSERT_TRUE(log->SignTreeHead(*keys_).ok());
  EXPECT_TRUE(VerifyCustodyLog(path_, keys_->public_keys()).empty());
}

TEST_F(CustodyTest, AWholeLastLineWithoutItsNewlineIsNotCut) {
  Fill();
  const std::string good = testing::Slurp(path_);
  testing::Spit(path_, good.substr(0, good.size() - 1));  // the newline alone is gone
  EXPECT_FALSE(CustodyLog::Open(path_, clock()).ok());    // reported, never silently dropped
  EXPECT_EQ(testing::Slurp(path_), good.substr(0, good.size() - 1));
}

TEST_F(CustodyTest, TruncationAndConsistentRewriteCaughtBySignedHeads) {
  Fill();
  const std::string good = testing::Slurp(path_);
  // Drop the last entry: the chain alone still verifies, the head does not.
  const size_t cut = good.rfind('\n', good.size() - 2) + 1;
  testing::Spit(path_, good.substr(0, cut));
  std::vector<std::string> p = VerifyCustodyLog(path_, keys_->public_keys());
  EXPECT_TRUE(testing::AnyContains(p, "entries removed")) << testing::Join(p);
  // Rewrite entry 1 and redo the whole chain: every line is self-consistent.
  testing::Spit(path_, good);
  {
    std::string rebuilt;
    std::string prev(64, '0');
    Result<CustodyLog> log = CustodyLog::Open(path_, clock());
    ASSERT_TRUE(log.ok());
    std::vector<CustodyEntry> entries = log->entries();
    entries[1].details = "nothing to see";
    for (CustodyEntry& e : entries) {
      e.prev_hash = prev;
      e.entry_hash = Sha256Hex(CanonicalEntry(e, false));
      prev = e.entry_hash;
      rebuilt += CanonicalEntry(e, true) + "\n";
    }
    testing::Spit(path_, rebuilt);
  }
  p = VerifyCustodyLog(path_, keys_->public_keys());
  EXPECT_TRUE(testing::AnyContains(p, "log rewritten")) << testing::Join(p);
  EXPECT_FALSE(testing::AnyContains(p, "chain broken"));
  // Heads signed by a key this installation does not have.
  testing::Spit(path_, good);
  Result<Keys> other = Keys::Generate(0);
  p = VerifyCustodyLog(path_, other->public_keys());
  EXPECT_TRUE(testing::AnyContains(p, "unknown key")) << testing::Join(p);
}

}  // namespace
}  // namespace vigil::evidence
