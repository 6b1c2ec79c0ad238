#include "vigil/match/index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "src/match/huge_buffer.h"
#include "src/testing/hashes.h"

namespace vigil::match {
namespace {

using testing::FlipBits;
using testing::RandomHash;

// Flips `d` distinct random bits within bits [lo, lo + width) of h.
Hash256 FlipBitsIn(Hash256 h, int lo, int width, int d, std::mt19937_64& rng) {
  std::vector<int> bits(width);
  std::iota(bits.begin(), bits.end(), lo);
  std::shuffle(bits.begin(), bits.end(), rng);
  for (int i = 0; i < d; ++i) h.w[bits[i] >> 6] ^= uint64_t{1} << (bits[i] & 63);
  return h;
}

std::vector<Neighbor> BruteForce(const std::vector<Hash256>& hashes, const Hash256& q, int r) {
  std::vector<Neighbor> out;
  for (uint32_t i = 0; i < hashes.size(); ++i) {
    const int d = Distance(hashes[i], q);
    if (d <= r) out.push_back({i, d});
  }
  std::sort(out.begin(), out.end(), [](const Neighbor& a, const Neighbor& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  return out;
}

HashIndex MustBuild(std::vector<Hash256> hashes, IndexKind kind,
                    ScanKernel kernel = ScanKernel::kAuto, int sub_bits = -1) {
  IndexOptions o;
  o.kind = kind;
  o.kernel = kernel;
  o.mih_sub_bits = sub_bits;
  o.linear_max_size = 0;  // never fall back to the scan: test the tables
  Result<HashIndex> r = HashIndex::Build(std::move(hashes), o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

std::vector<Neighbor> MustSearch(const HashIndex& index, const Hash256& q, int r) {
  std::vector<Neighbor> out;
  Status s = index.Search(q, r, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// 100k random hashes; 10,000 queries: planted near-matches at every distance
// 0..31, decoys at 32..40 and plain random queries. Both MIH layouts must
// return exactly what the linear scan returns, which must equal brute force.
TEST(HashIndexTest, MihEqualsLinearScanOnTenThousandQueries) {
  std::mt19937_64 rng(20240229);
  constexpr int kN = 100'000;
  std::vector<Hash256> hashes(kN);
  for (Hash256& h : hashes) h = RandomHash(rng);
  // Plant clusters so queries have several neighbours at mixed distances.
  for (int i = 0; i < 2000; ++i) {
    const Hash256 base = hashes[rng() % kN];
    hashes[rng() % kN] = FlipBits(base, static_cast<int>(rng() % 41), rng);
  }
  const HashIndex linear = MustBuild(hashes, IndexKind::kLinear);
  // Sub-buckets are automatic only at millions of hashes; force them here.
  const HashIndex mih = MustBuild(hashes, IndexKind::kMih, ScanKernel::kAuto, 0);
  const HashIndex mih_sub = MustBuild(hashes, IndexKind::kMih, ScanKernel::kAuto, 4);
  const HashIndex fast = MustBuild(hashes, IndexKind::kMihFast, ScanKernel::kAuto, 0);
  const HashIndex fast_sub = MustBuild(hashes, IndexKind::kMihFast, ScanKernel::kAuto, 3);
  ASSERT_EQ(mih.kind(), IndexKind::kMih);
  ASSERT_EQ(fast.kind(), IndexKind::kMihFast);

  size_t total_hits = 0;
  std::vector<int> hits_at(41, 0);
  for (int qi = 0; qi < 10'000; ++qi) {
    const Hash256& base = hashes[rng() % kN];
    Hash256 q;
    if (qi % 10 == 9) {
      q = RandomHash(rng);
    } else if (qi % 10 == 8) {
      q = FlipBits(base, 32 + static_cast<int>(rng() % 9), rng);  // decoy
    } else {
      q = FlipBits(base, qi % 32, rng);
    }
    const int r = qi % 7 == 0 ? static_cast<int>(rng() % 32) : 31;
    const std::vector<Neighbor> want = MustSearch(linear, q, r);
    ASSERT_EQ(MustSearch(mih, q, r), want) << "query " << qi << " radius " << r;
    ASSERT_EQ(MustSearch(mih_sub, q, r), want) << "query " << qi << " radius " << r;
    ASSERT_EQ(MustSearch(fast, q, r), want) << "query " << qi << " radius " << r;
    ASSERT_EQ(MustSearch(fast_sub, q, r), want) << "query " << qi << " radius " << r;
    if (qi % 50 == 0) {
      ASSERT_EQ(BruteForce(hashes, q, r), want);
    }
    total_hits += want.size();
    for (const Neighbor& n : want) ++hits_at[n.distance];
  }
  // The planted queries must actually exercise every distance up to 31.
  for (int d = 0; d <= 31; ++d) EXPECT_GT(hits_at[d], 0) << "no result at distance " << d;
  EXPECT_GT(total_hits, 7000u);
}

// The worst cases for the pigeonhole argument: neighbours at distance 31 with
// seven superchunks at 4 differing bits and one at 3, split every way between
// its halves (3+0, 2+1, 1+2, 0+3); the same shape at radius 23, 15 and 7.
TEST(HashIndexTest, FindsPigeonholeEdgeCases) {
  std::mt19937_64 rng(7);
  std::vector<Hash256> hashes(30'000);
  for (Hash256& h : hashes) h = RandomHash(rng);
  const Hash256 q = RandomHash(rng);
  std::vector<uint32_t> planted;
  // r = 8 * tau + 7: the tight superchunk has tau differing bits, the other
  // seven tau + 1 each, so exactly one superchunk qualifies.
  for (int r : {31, 23, 15, 7}) {
    const int tau = r / 8;
    for (int tight = 0; tight < 8; ++tight) {
      for (int hi_bits = 0; hi_bits <= tau; ++hi_bits) {
        Hash256 h = q;
        for (int j = 0; j < 8; ++j) {
          if (j == tight) {
            h = FlipBitsIn(h, 32 * j + 16, 16, hi_bits, rng);
            h = FlipBitsIn(h, 32 * j, 16, tau - hi_bits, rng);
          } else {
            h = FlipBitsIn(h, 32 * j, 32, tau + 1, rng);
          }
        }
        EXPECT_EQ(Distance(h, q), r);
        planted.push_back(static_cast<uint32_t>(hashes.size()));
        hashes.push_back(h);
      }
    }
  }
  const HashIndex linear = MustBuild(hashes, IndexKind::kLinear);
  const HashIndex mih = MustBuild(hashes, IndexKind::kMih, ScanKernel::kAuto, 4);
  const HashIndex fast = MustBuild(hashes, IndexKind::kMihFast, ScanKernel::kAuto, 2);
  for (int r = 0; r <= 31; ++r) {
    const std::vector<Neighbor> want = MustSearch(linear, q, r);
    EXPECT_EQ(MustSearch(mih, q, r), want) << "radius " << r;
    EXPECT_EQ(MustSearch(fast, q, r), want) << "radius " << r;
  }
  const std::vector<Neighbor> at31 = MustSearch(mih, q, 31);
  for (uint32_t id : planted) {
    EXPECT_TRUE(
        std::any_of(at31.begin(), at31.end(), [&](const Neighbor& n) { return n.id == id; }))
        << "planted id " << id;
  }
}

TEST(HashIndexTest, RadiusEdgesAndLargeRadiusFallback) {
  std::mt19937_64 rng(31);
  std::vector<Hash256> hashes(50'000);
  for (Hash256& h : hashes) h = RandomHash(rng);
  const Hash256 q = RandomHash(rng);
  hashes[10] = FlipBits(q, 31, rng);
  hashes[20] = FlipBits(q, 32, rng);
  hashes[30] = q;
  const HashIndex mih = MustBuild(hashes, IndexKind::kMih);
  EXPECT_EQ(MustSearch(mih, q, 31), (std::vector<Neighbor>{{30, 0}, {10, 31}}));
  EXPECT_EQ(MustSearch(mih, q, 30), (std::vector<Neighbor>{{30, 0}}));
  EXPECT_EQ(MustSearch(mih, q, 0), (std::vector<Neighbor>{{30, 0}}));
  // 32 is past the MIH guarantee: the index scans instead, still exact.
  EXPECT_EQ(MustSearch(mih, q, 32), (std::vector<Neighbor>{{30, 0}, {10, 31}, {20, 32}}));
  EXPECT_EQ(MustSearch(mih, q, 90), BruteForce(hashes, q, 90));
  std::vector<Neighbor> out;
  EXPECT_EQ(mih.Search(q, -1, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(mih.Search(q, 257, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MustSearch(mih, q, 256).size(), hashes.size());
}

TEST(HashIndexTest, RangesCarryTheirOwnRadius) {
  std::mt19937_64 rng(5);
  std::vector<Hash256> hashes(40'000);
  for (Hash256& h : hashes) h = RandomHash(rng);
  const Hash256 q = RandomHash(rng);
  // Three "lists": [0,10000), [10000,25000), [25000,40000).
  hashes[5] = FlipBits(q, 10, rng);
  hashes[15'000] = FlipBits(q, 20, rng);
  hashes[30'000] = FlipBits(q, 28, rng);
  for (IndexKind kind : {IndexKind::kLinear, IndexKind::kMih, IndexKind::kMihFast}) {
    const HashIndex index = MustBuild(hashes, kind);
    std::vector<Neighbor> out;
    const std::vector<IdRange> all = {{0, 10'000, 31}, {10'000, 25'000, 15}, {25'000, 40'000, 31}};
    ASSERT_TRUE(index.Search(q, all, &out).ok());
    EXPECT_EQ(out, (std::vector<Neighbor>{{5, 10}, {30'000, 28}})) << IndexKindName(kind);
    const std::vector<IdRange> second = {{10'000, 25'000, 20}};
    ASSERT_TRUE(index.Search(q, second, &out).ok());
    EXPECT_EQ(out, (std::vector<Neighbor>{{15'000, 20}}));
    const std::vector<IdRange> bad_order = {{10'000, 25'000, 20}, {0, 10'000, 31}};
    EXPECT_EQ(index.Search(q, bad_order, &out).code(), StatusCode::kInvalidArgument);
    const std::vector<IdRange> past_end = {{0, 40'001, 31}};
    EXPECT_EQ(index.Search(q, past_end, &out).code(), StatusCode::kInvalidArgument);
    ASSERT_TRUE(index.Search(q, std::span<const IdRange>(), &out).ok());
    EXPECT_TRUE(out.empty());
  }
}

TEST(HashIndexTest, EveryKernelAgrees) {
  std::mt19937_64 rng(99);
  std::vector<Hash256> hashes(20'003);  // not a multiple of the vector width
  for (Hash256& h : hashes) h = RandomHash(rng);
  std::vector<Hash256> queries;
  for (int i = 0; i < 200; ++i) {
    queries.push_back(FlipBits(hashes[rng() % hashes.size()], i % 40, rng));
  }
  const std::vector<ScanKernel> kernels = SupportedScanKernels();
  ASSERT_FALSE(kernels.empty());
  EXPECT_EQ(kernels.front(), ScanKernel::kPortable);
  for (ScanKernel k : kernels) {
    const HashIndex linear = MustBuild(hashes, IndexKind::kLinear, k);
    const HashIndex mih = MustBuild(hashes, IndexKind::kMih, k);
    const HashIndex fast = MustBuild(hashes, IndexKind::kMihFast, k);
    EXPECT_EQ(linear.kernel(), k);
    for (const Hash256& q : queries) {
      const std::vector<Neighbor> want = BruteForce(hashes, q, 31);
      ASSERT_EQ(MustSearch(linear, q, 31), want) << ScanKernelName(k);
      ASSERT_EQ(MustSearch(mih, q, 31), want) << ScanKernelName(k);
      ASSERT_EQ(MustSearch(fast, q, 31), want) << ScanKernelName(k);
      ASSERT_EQ(MustSearch(linear, q, 45), BruteForce(hashes, q, 45)) << ScanKernelName(k);
    }
  }
}

// Heavy duplication: every bucket a query touches is huge. Exercises the
// survivor batching and the one-report-per-entry rule.
TEST(HashIndexTest, ManyDuplicates) {
  std::mt19937_64 rng(3);
  const Hash256 base = RandomHash(rng);
  std::vector<Hash256> hashes;
  for (int i = 0; i < 6000; ++i) hashes.push_back(base);
  for (int i = 0; i < 6000; ++i) hashes.push_back(FlipBits(base, i % 40, rng));
  for (int i = 0; i < 6000; ++i) hashes.push_back(RandomHash(rng));
  for (int sub_bits : {0, 4}) {
    const HashIndex mih = MustBuild(hashes, IndexKind::kMih, ScanKernel::kAuto, sub_bits);
    const HashIndex fast = MustBuild(hashes, IndexKind::kMihFast, ScanKernel::kAuto, sub_bits);
    for (int d : {0, 5, 31}) {
      const Hash256 q = FlipBits(base, d, rng);
      const std::vector<Neighbor> want = BruteForce(hashes, q, 31);
      EXPECT_EQ(MustSearch(mih, q, 31), want);
      EXPECT_EQ(MustSearch(fast, q, 31), want);
    }
  }
}

TEST(HashIndexTest, AutoPicksByCrossoverAndReportsMemory) {
  std::mt19937_64 rng(1);
  std::vector<Hash256> small(100);
  for (Hash256& h : small) h = RandomHash(rng);
  Result<HashIndex> a = HashIndex::Build(small);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->kind(), IndexKind::kLinear);
  EXPECT_EQ(a->MemoryBytes(), 100 * sizeof(Hash256));
  IndexOptions o;
  o.linear_max_size = 50;
  Result<HashIndex> b = HashIndex::Build(small, o);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->kind(), IndexKind::kMihFast);
  EXPECT_GT(b->MemoryBytes(), 100 * sizeof(Hash256) + 16 * 65537 * 4);
  Result<HashIndex> empty = HashIndex::Build({});
  ASSERT_TRUE(empty.ok());
  std::vector<Neighbor> out = {{1, 1}};
  ASSERT_TRUE(empty->Search(Hash256{}, 31, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(PackedIdsTest, ThreeAndFourByteWidths) {
  internal::PackedIds narrow;
  ASSERT_TRUE(narrow.Allocate(1000, 999));
  internal::PackedIds wide;
  ASSERT_TRUE(wide.Allocate(1000, 1u << 24));
  for (uint32_t i = 0; i < 1000; ++i) {
    narrow.Set(i, (i * 7919) & 0xffffff);
    wide.Set(i, 0xfffffff0u - i);
  }
  for (uint32_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(narrow[i], (i * 7919) & 0xffffff);
    EXPECT_EQ(wide[i], 0xfffffff0u - i);
  }
  EXPECT_LT(narrow.bytes(), wide.bytes());
}

std::vector<Hash256> ReadHexLines(const std::string& path) {
  std::vector<Hash256> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (std::optional<Hash256> h = Hash256::FromHex(line)) out.push_back(*h);
  }
  return out;
}

// ThreatExchange's MIH regression inputs: 100 needles against 1,350 real PDQ
// hashes (near-duplicate photo series, so far from uniform). Their expected
// output is not in the snapshot, so the check is MIH == scan == brute force.
TEST(HashIndexTest, ThreatExchangeNeedlesAndHaystack) {
  const std::string dir = std::string(VIGIL_SHARED_TESTDATA) + "/pdq/pdq/data/reg-test-input/";
  const std::vector<Hash256> needles = ReadHexLines(dir + "needles.txt");
  const std::vector<Hash256> haystack = ReadHexLines(dir + "haystack.txt");
  if (needles.empty() || haystack.empty()) GTEST_SKIP() << "shared PDQ fixtures not found";
  ASSERT_EQ(needles.size(), 100u);
  ASSERT_EQ(haystack.size(), 1350u);
  const HashIndex mih = MustBuild(haystack, IndexKind::kMih);
  const HashIndex fast = MustBuild(haystack, IndexKind::kMihFast);
  size_t matched_needles = 0;
  for (const Hash256& q : needles) {
    const std::vector<Neighbor> want = BruteForce(haystack, q, 31);
    EXPECT_EQ(MustSearch(mih, q, 31), want);
    EXPECT_EQ(MustSearch(fast, q, 31), want);
    if (!want.empty()) ++matched_needles;
  }
  EXPECT_GT(matched_needles, 0u);
}

}  // namespace
}  // namespace vigil::match
