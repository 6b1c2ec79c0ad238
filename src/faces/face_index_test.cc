#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "vigil/faces/faces.h"

namespace vigil::faces {
namespace {

// Random embeddings whose pairwise distances spread around 0.6, so a
// threshold of 0.6 keeps some neighbours and drops others.
Embedding RandomEmbedding(std::mt19937& rng, const Embedding* near = nullptr, float sigma = 0.04f) {
  std::normal_distribution<float> n(0.0f, sigma);
  Embedding e{};
  for (int i = 0; i < kEmbeddingDims; ++i) e[i] = (near ? (*near)[i] : 0.0f) + n(rng);
  return e;
}

std::vector<FaceHit> BruteForce(const std::vector<std::pair<int64_t, Embedding>>& rows,
                                const Embedding& q, size_t k, float max_distance) {
  std::vector<FaceHit> all;
  for (const auto& [id, e] : rows) {
    double sum = 0;
    for (int i = 0; i < kEmbeddingDims; ++i) sum += double(e[i] - q[i]) * (e[i] - q[i]);
    const float d = static_cast<float>(std::sqrt(sum));
    if (d <= max_distance) all.push_back({id, d});
  }
  std::sort(all.begin(), all.end(), [](const FaceHit& a, const FaceHit& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  if (all.size() > k) all.resize(k);
  return all;
}

TEST(FaceIndex, MatchesBruteForce) {
  std::mt19937 rng(7);
  std::vector<std::pair<int64_t, Embedding>> rows;
  FaceIndex index;
  for (int i = 0; i < 5000; ++i) {
    // Every tenth row is a near-copy of an earlier one: close neighbours exist.
    Embedding e = (i % 10 == 9) ? RandomEmbedding(rng, &rows[size_t(i) - 5].second, 0.02f)
                                : RandomEmbedding(rng);
    const int64_t id = 1000 + (i * 7919) % 5000;  // ids not in insertion order
    rows.emplace_back(id, e);
    index.Add(id, e);
  }
  EXPECT_EQ(index.size(), 5000u);
  size_t total_hits = 0;
  for (int t = 0; t < 200; ++t) {
    const Embedding q =
        t % 2 ? RandomEmbedding(rng, &rows[size_t(t) * 17].second, 0.03f) : RandomEmbedding(rng);
    for (const auto& [k, max_d] :
         {std::pair<size_t, float>{5, kPossibleMatch}, {50, 0.7f}, {3, kStrongMatch}}) {
      const auto want = BruteForce(rows, q, k, max_d);
      const auto got = index.Search(q, k, max_d);
      ASSERT_EQ(got.size(), want.size()) << "query " << t;
      total_hits += got.size();
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_NEAR(got[i].distance, want[i].distance, 1e-5f);
        // Ids must agree wherever float rounding cannot swap two neighbours.
        const bool clear_before = i == 0 || want[i].distance - want[i - 1].distance > 1e-5f;
        const bool clear_after =
            i + 1 == want.size() || want[i + 1].distance - want[i].distance > 1e-5f;
        if (clear_before && clear_after) {
          EXPECT_EQ(got[i].id, want[i].id) << "query " << t << " rank " << i;
        }
        if (i > 0) {
          EXPECT_LE(got[i - 1].distance, got[i].distance);
        }
      }
    }
  }
  EXPECT_GT(total_hits, 200u);  // the thresholds kept something
}

TEST(FaceIndex, TiesByIdAndEdges) {
  FaceIndex index;
  std::mt19937 rng(1);
  const Embedding e = RandomEmbedding(rng);
  EXPECT_TRUE(index.Search(e, 5).empty());
  index.Add(9, e);
  index.Add(3, e);
  index.Add(5, e);
  auto hits = index.Search(e, 2);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, 3);
  EXPECT_EQ(hits[1].id, 5);
  EXPECT_EQ(hits[0].distance, 0.0f);
  EXPECT_TRUE(index.Search(e, 0).empty());
  Embedding far = e;
  far[0] += 0.61f;
  EXPECT_TRUE(index.Search(far, 5).empty());
  EXPECT_EQ(index.Search(far, 5, 0.62f).size(), 3u);
  EXPECT_NEAR(Distance(far, e), 0.61f, 1e-6f);
}

// Values outside the int8 codes' range (+-0.5) are still compared exactly.
TEST(FaceIndex, OutOfRangeValuesStayExact) {
  std::mt19937 rng(3);
  FaceIndex index;
  Embedding big = RandomEmbedding(rng);
  big[5] = 0.9f;
  big[77] = -1.3f;
  index.Add(1, big);
  for (int i = 2; i < 100; ++i) index.Add(i, RandomEmbedding(rng));
  Embedding q = big;
  q[5] -= 0.3f;  // 0.3 away, through the row kept aside for float compares
  auto hits = index.Search(q, 3, 0.35f);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 1);
  EXPECT_NEAR(hits[0].distance, 0.3f, 1e-5f);
  // And a query outside the range finds in-range rows.
  Embedding far_query = RandomEmbedding(rng);
  index.Add(500, far_query);
  far_query[0] += 0.55f;
  hits = index.Search(far_query, 1, 0.6f);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 500);
}

}  // namespace
}  // namespace vigil::faces
