// Test support (tests and benches only): random PDQ-like hashes, and hashes
// a given distance away. Deterministic for a given generator state.
#ifndef VIGIL_SRC_TESTING_HASHES_H_
#define VIGIL_SRC_TESTING_HASHES_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <random>

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

}  // namespace vigil::testing

#endif  // VIGIL_SRC_TESTING_HASHES_H_
