#include "vigil/match/cluster.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <vector>

#include "vigil/match/testing.h"

namespace vigil::match {
namespace {

using testing::FlipBits;
using testing::RandomHash;

// 300 planted groups of 2..12 members, each within 15 bits of its centre (so
// within 30 of each other), shuffled among 20k random singletons. Clusters at
// threshold 31 must be exactly the groups, with the MIH index and the scan.
TEST(ClusterTest, RecoversPlantedGroups) {
  std::mt19937_64 rng(4);
  std::vector<Hash256> hashes;
  std::vector<int> group;  // planted group, -1 for singletons
  for (int g = 0; g < 300; ++g) {
    const Hash256 centre = RandomHash(rng);
    const int members = 2 + g % 11;
    for (int k = 0; k < members; ++k) {
      hashes.push_back(FlipBits(centre, static_cast<int>(rng() % 16), rng));
      group.push_back(g);
    }
  }
  for (int i = 0; i < 20'000; ++i) {
    hashes.push_back(RandomHash(rng));
    group.push_back(-1);
  }
  std::vector<size_t> order(hashes.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<Hash256> shuffled;
  std::vector<int> shuffled_group;
  for (size_t i : order) {
    shuffled.push_back(hashes[i]);
    shuffled_group.push_back(group[i]);
  }
  for (IndexKind kind : {IndexKind::kLinear, IndexKind::kMih, IndexKind::kMihFast}) {
    IndexOptions o;
    o.kind = kind;
    o.linear_max_size = 0;
    Result<Clustering> c = ClusterHashes(shuffled, 31, o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_EQ(c->cluster.size(), shuffled.size());
    EXPECT_EQ(c->cluster[0], 0u);
    EXPECT_EQ(c->cluster_count, 300u + 20'000u) << IndexKindName(kind);
    // Same planted group <=> same cluster.
    std::map<int, uint32_t> cluster_of_group;
    std::map<uint32_t, int> group_of_cluster;
    for (size_t i = 0; i < shuffled.size(); ++i) {
      if (shuffled_group[i] < 0) {
        EXPECT_EQ(group_of_cluster.count(c->cluster[i]), 0u);
        group_of_cluster[c->cluster[i]] = -1;
        continue;
      }
      auto [it, fresh] = cluster_of_group.emplace(shuffled_group[i], c->cluster[i]);
      EXPECT_EQ(it->second, c->cluster[i]);
      auto [jt, fresh2] = group_of_cluster.emplace(c->cluster[i], shuffled_group[i]);
      EXPECT_EQ(jt->second, shuffled_group[i]);
    }
  }
}

TEST(ClusterTest, ChainsLinkAndThresholdIsInclusive) {
  std::mt19937_64 rng(12);
  const Hash256 a = RandomHash(rng);
  const Hash256 b = FlipBits(a, 31, rng);
  Hash256 c = b;
  // c: 31 from b, and more than 31 from a.
  do {
    c = FlipBits(b, 31, rng);
  } while (Distance(a, c) <= 31);
  const Hash256 far = FlipBits(a, 100, rng);
  Result<Clustering> r = ClusterHashes({a, far, c, b}, 31);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cluster, (std::vector<uint32_t>{0, 1, 0, 0}));
  Result<Clustering> tight = ClusterHashes({a, far, c, b}, 30);
  ASSERT_TRUE(tight.ok());
  EXPECT_EQ(tight->cluster, (std::vector<uint32_t>{0, 1, 2, 3}));
  EXPECT_EQ(ClusterHashes({a}, -1).status().code(), StatusCode::kInvalidArgument);
  Result<Clustering> none = ClusterHashes({}, 31);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->cluster_count, 0u);
}

}  // namespace
}  // namespace vigil::match
