// Test support (tests and benches only): random PDQ-like hashes, and hashes
// a given distance away. Deterministic for a given generator state.
#ifndef VIGIL_SRC_TESTING_HASHES_H_
#define VIGIL_SRC_TESTING_HASHES_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <random>
#include <vector>

#include "vigil/core/hash256.h"

namespace vigil::testing {

// 256 uniformly random bits.
inline Hash256 RandomHash(std::mt19937_64& rng) {
  Hash256 h;
  for (uint64_t& w : h.w) w = rng();
  return h;
}

// `h` with `d` distinct random bits flipped, so Distance(h, result) == d.
inline Hash256 FlipBits(Hash256 h, int d, std::mt19937_64& rng) {
  std::array<int, 256> bits;
  std::iota(bits.begin(), bits.end(), 0);
  for (int i = 0; i < d; ++i) {
    std::uniform_int_distribution<int> pick(i, 255);
    std::swap(bits[i], bits[pick(rng)]);
    h.w[bits[i] >> 6] ^= uint64_t{1} << (bits[i] & 63);
  }
  return h;
}

// The index benches' haystack: `n` random hashes and `queries` random
// queries, every other one with up to 8 neighbours planted at distances
// spread over 0..40. Seeded, so every bench that builds it sees the same data.
struct HashDataset {
  std::vector<Hash256> hashes;
  std::vector<Hash256> queries;
};
inline HashDataset MakeHashDataset(size_t n, int queries) {
  HashDataset d;
  std::mt19937_64 rng(42);
  d.hashes.resize(n);
  for (Hash256& h : d.hashes) h = RandomHash(rng);
  for (int q = 0; q < queries; ++q) {
    Hash256 query = RandomHash(rng);
    if (q % 2 == 0 && n > 64) {
      for (int k = 0; k < 8; ++k) {
        d.hashes[rng() % n] = FlipBits(query, static_cast<int>((q / 2 + 5 * k) % 41), rng);
      }
    }
    d.queries.push_back(query);
  }
  return d;
}

// The haystack size: $VIGIL_BENCH_HASHES, else 10 million.
inline size_t BenchHaystackSize() {
  const char* env = std::getenv("VIGIL_BENCH_HASHES");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 10'000'000;
}

}  // namespace vigil::testing

#endif  // VIGIL_SRC_TESTING_HASHES_H_
