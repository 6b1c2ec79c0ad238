#include "vigil/match/matcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "src/testing/hashes.h"

namespace vigil::match {
namespace {

using testing::FlipBits;
using testing::RandomHash;

HashEntry PdqEntry(const Hash256& h, std::string label) {
  return {Signal::FromPdq(h), {std::move(label)}, "", ""};
}

HashEntry DigestEntry(SignalType t, std::string_view hex, std::string label) {
  return {*Signal::FromHex(t, hex), {std::move(label)}, "cat", "src"};
}

Matcher MustBuild(std::vector<HashList> lists, IndexOptions options = {}) {
  Result<Matcher> m = Matcher::Build(std::move(lists), options);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

using Hit = std::tuple<std::string, std::string, int>;  // list, first label, distance

std::vector<Hit> Hits(const Result<std::vector<ListMatch>>& r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<Hit> out;
  if (!r.ok()) return out;
  for (const ListMatch& m : *r) out.emplace_back(m.list->name, m.entry->labels[0], m.distance);
  return out;
}

TEST(MatcherTest, PerListThresholdsAndFilters) {
  std::mt19937_64 rng(8);
  const Hash256 q = RandomHash(rng);
  HashList ngo{"ngo", "NGO feed", {"csam"}, 31, {}};
  ngo.entries = {PdqEntry(RandomHash(rng), "far"), PdqEntry(FlipBits(q, 25, rng), "ngo25"),
                 PdqEntry(FlipBits(q, 31, rng), "ngo31"), PdqEntry(FlipBits(q, 32, rng), "ngo32")};
  HashList strict{"strict", "platform", {}, 12, {}};
  strict.entries = {PdqEntry(FlipBits(q, 12, rng), "strict12"),
                    PdqEntry(FlipBits(q, 13, rng), "strict13"),
                    DigestEntry(SignalType::kMd5, "d41d8cd98f00b204e9800998ecf8427e", "empty")};
  HashList digests{"digests", "vics", {}, 31, {}};
  digests.entries = {
      DigestEntry(SignalType::kMd5, "D41D8CD98F00B204E9800998ECF8427E", "empty2"),
      DigestEntry(SignalType::kSha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha"),
      PdqEntry(q, "exact")};
  const Matcher m = MustBuild({ngo, strict, digests});

  EXPECT_EQ(Hits(m.Match(q)), (std::vector<Hit>{{"digests", "exact", 0},
                                                {"strict", "strict12", 12},
                                                {"ngo", "ngo25", 25},
                                                {"ngo", "ngo31", 31}}));
  MatchOptions tight;
  tight.radius = 20;
  EXPECT_EQ(Hits(m.Match(q, tight)),
            (std::vector<Hit>{{"digests", "exact", 0}, {"strict", "strict12", 12}}));
  MatchOptions only;
  only.lists = {"ngo", "strict"};
  EXPECT_EQ(
      Hits(m.Match(q, only)),
      (std::vector<Hit>{{"strict", "strict12", 12}, {"ngo", "ngo25", 25}, {"ngo", "ngo31", 31}}));
  MatchOptions wide;  // past 31: the index scans, still exact; thresholds still cap
  wide.radius = 40;
  EXPECT_EQ(Hits(m.Match(q, wide)).size(), 4u);

  const Result<std::vector<ListMatch>> r = m.Match(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[2].list->labels, std::vector<std::string>{"csam"});
  EXPECT_EQ((*r)[2].list->source, "NGO feed");

  MatchOptions unknown;
  unknown.lists = {"nope"};
  EXPECT_EQ(m.Match(q, unknown).status().code(), StatusCode::kNotFound);
  MatchOptions bad;
  bad.radius = 300;
  EXPECT_EQ(m.Match(q, bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(MatcherTest, ExactDigests) {
  std::mt19937_64 rng(9);
  const Hash256 p = RandomHash(rng);
  HashList a{"a", "", {}, 31, {}};
  a.entries = {DigestEntry(SignalType::kMd5, "d41d8cd98f00b204e9800998ecf8427e", "a-md5"),
               PdqEntry(p, "a-pdq")};
  HashList b{"b", "", {}, 31, {}};
  b.entries = {
      DigestEntry(SignalType::kMd5, "d41d8cd98f00b204e9800998ecf8427e", "b-md5"),
      DigestEntry(SignalType::kSha256,
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "b-sha256")};
  const Matcher m = MustBuild({a, b});
  EXPECT_EQ(Hits(m.MatchExact(SignalType::kMd5, "D41D8CD98F00B204E9800998ECF8427E")),
            (std::vector<Hit>{{"a", "a-md5", 0}, {"b", "b-md5", 0}}));
  const std::vector<std::string> only_b = {"b"};
  EXPECT_EQ(Hits(m.MatchExact(SignalType::kMd5, "d41d8cd98f00b204e9800998ecf8427e", only_b)),
            (std::vector<Hit>{{"b", "b-md5", 0}}));
  // The same bytes under another type do not match.
  EXPECT_TRUE(Hits(m.MatchExact(SignalType::kSha256,
                                "d41d8cd98f00b204e9800998ecf8427ed41d8cd98f00b204e9800998ecf8427e"))
                  .empty());
  EXPECT_EQ(Hits(m.MatchExact(SignalType::kPdq, p.ToHex())), (std::vector<Hit>{{"a", "a-pdq", 0}}));
  EXPECT_EQ(m.MatchExact(SignalType::kMd5, "xyz").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.MatchExact(SignalType::kSha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709",
                         std::vector<std::string>{"zzz"})
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST(MatcherTest, RejectsBadListSets) {
  EXPECT_EQ(Matcher::Build({HashList{"x", "", {}, 31, {}}, HashList{"x", "", {}, 31, {}}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Matcher::Build({HashList{"x", "", {}, 257, {}}}).status().code(),
            StatusCode::kInvalidArgument);
  Result<Matcher> empty = Matcher::Build({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(Hits(empty->Match(Hash256{})).empty());
}

// Three lists of 20k PDQ hashes each with different thresholds, on the MIH
// index: results equal a brute-force pass applying the same rules, also when
// eight threads query at once.
TEST(MatcherTest, AgreesWithBruteForceUnderConcurrency) {
  std::mt19937_64 rng(10);
  std::vector<HashList> lists;
  const int thresholds[] = {31, 20, 8};
  std::vector<Hash256> queries;
  for (int l = 0; l < 3; ++l) {
    HashList list{"list" + std::to_string(l), "", {}, thresholds[l], {}};
    for (int i = 0; i < 20'000; ++i) list.entries.push_back(PdqEntry(RandomHash(rng), "e"));
    lists.push_back(std::move(list));
  }
  for (int i = 0; i < 300; ++i) {
    const HashList& l = lists[rng() % 3];
    const Hash256 base = l.entries[rng() % l.entries.size()].signal.ToPdq();
    queries.push_back(FlipBits(base, i % 36, rng));
  }
  IndexOptions mih;
  mih.linear_max_size = 0;
  const Matcher m = MustBuild(lists, mih);
  EXPECT_EQ(m.pdq_index().kind(), IndexKind::kMihFast);

  auto brute = [&](const Hash256& q) {
    std::vector<std::tuple<int, size_t, size_t>> out;  // distance, list, entry
    for (size_t l = 0; l < m.lists().size(); ++l) {
      for (size_t e = 0; e < m.lists()[l].entries.size(); ++e) {
        const int d = Distance(q, m.lists()[l].entries[e].signal.ToPdq());
        if (d <= m.lists()[l].pdq_threshold) out.emplace_back(d, l, e);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  auto run = [&](size_t first, size_t step, int* failures) {
    for (size_t i = first; i < queries.size(); i += step) {
      Result<std::vector<ListMatch>> r = m.Match(queries[i]);
      std::vector<std::tuple<int, size_t, size_t>> got;
      for (const ListMatch& x : *r) {
        got.emplace_back(x.distance, static_cast<size_t>(x.list - m.lists().data()),
                         static_cast<size_t>(x.entry - x.list->entries.data()));
      }
      if (got != brute(queries[i])) ++*failures;
    }
  };
  int single = 0;
  run(0, 1, &single);
  EXPECT_EQ(single, 0);
  std::vector<int> failures(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) threads.emplace_back(run, t, 8, &failures[t]);
  for (std::thread& t : threads) t.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace vigil::match
