#include "vigil/scan/face_matching.h"

#include <gtest/gtest.h>

#include <random>

namespace vigil::scan {
namespace {

registry::Embedding Unit(int axis, float scale = 1.0f) {
  registry::Embedding e{};
  e[static_cast<size_t>(axis)] = scale;
  return e;
}

registry::Embedding Shifted(registry::Embedding e, int axis, float by) {
  e[static_cast<size_t>(axis)] += by;
  return e;
}

TEST(RegistryMatcherTest, EachPersonOnceNearestFirstWithinThreshold) {
  std::vector<registry::Reference> refs(4);
  refs[0] = {"C-1", 10, {Unit(0)}, ""};
  refs[1] = {"C-1", 11, {Shifted(Unit(0), 1, 0.2f)}, ""};  // a second photo of C-1
  refs[2] = {"C-2", 20, {Shifted(Unit(0), 2, 0.45f)}, ""};
  refs[3] = {"C-3", 30, {Unit(5)}, ""};  // sqrt(2) away: never a candidate
  const RegistryMatcher m = RegistryMatcher::Build(refs);
  EXPECT_EQ(m.faces(), 4u);

  const auto hits = m.MatchFace(Shifted(Unit(0), 1, 0.15f));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].case_code, "C-1");
  EXPECT_EQ(hits[0].photo_id, 11);  // the nearer of C-1's photos
  EXPECT_NEAR(hits[0].distance, 0.05, 1e-5);
  EXPECT_EQ(hits[0].kind, store::CandidateKind::kFace);
  EXPECT_EQ(hits[1].case_code, "C-2");
  EXPECT_GT(hits[1].distance, hits[0].distance);
  EXPECT_LE(hits[1].distance, faces::kPossibleMatch);

  EXPECT_EQ(m.MatchFace(Shifted(Unit(0), 1, 0.15f), 1).size(), 1u);
  EXPECT_TRUE(m.MatchFace(Unit(9)).empty());
}

TEST(RegistryMatcherTest, PdqMatchesAnyProbeWithinTheRadius) {
  std::mt19937_64 rng(7);
  Hash256 a, b;
  for (auto& w : a.w) w = rng();
  for (auto& w : b.w) w = rng();
  Hash256 near = a;
  for (int k = 0; k < 20; ++k) near.w[0] ^= uint64_t{1} << (3 * k);  // 20 bits away
  std::vector<registry::Reference> refs = {{"C-7", 1, {}, a.ToHex()}, {"C-8", 2, {}, ""}};
  const RegistryMatcher m = RegistryMatcher::Build(refs);
  EXPECT_FALSE(m.empty());
  const std::vector<Hash256> probe = {b, near};  // e.g. the mirrored orientation matches
  auto hits = m.MatchPdq(probe, 31);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].case_code, "C-7");
  EXPECT_EQ(hits[0].kind, store::CandidateKind::kPdq);
  EXPECT_EQ(hits[0].distance, 20);
  EXPECT_TRUE(m.MatchPdq(probe, 19).empty());
  EXPECT_TRUE(RegistryMatcher::Build({}).empty());
}

TEST(RegistryMatcherTest, RowsForTheStoreKeepFaceIndexes) {
  store::MediaResult r;
  store::FaceResult f1, f2;
  f1.box = {1, 2, 3, 4};
  f1.embedding.assign(128, 0.5f);
  f2.embedding.assign(128, 0.25f);
  f2.matches.push_back({"C-1", 10, store::CandidateKind::kFace, 0.41});
  r.faces = {f1, f2};
  r.registry_pdq.push_back({"C-2", 20, store::CandidateKind::kPdq, 12});
  const auto rows = ToMediaFaces("ab", r);
  ASSERT_EQ(rows.faces.size(), 2u);
  EXPECT_EQ(rows.faces[0].x, 1);
  EXPECT_EQ(rows.faces[0].h, 4);
  EXPECT_EQ(rows.faces[1].face, 1);
  ASSERT_EQ(rows.matches.size(), 2u);
  EXPECT_EQ(rows.matches[0].face, 1);
  EXPECT_EQ(rows.matches[0].case_code, "C-1");
  EXPECT_EQ(rows.matches[1].face, -1);
  EXPECT_EQ(rows.matches[1].kind, store::CandidateKind::kPdq);
}

}  // namespace
}  // namespace vigil::scan
