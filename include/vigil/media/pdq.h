// PDQ: Meta's 256-bit perceptual hash for photos, as the ThreatExchange
// reference defines it (luma, Jarosz tent filter to 64×64, 16×16 DCT, median
// threshold, quality), plus the 8 dihedral variants from one DCT.
//
// Pure maths on decoded buffers; no I/O. Thread-safe (no shared state).
#ifndef VIGIL_MEDIA_PDQ_H_
#define VIGIL_MEDIA_PDQ_H_

#include <array>
#include <cstdint>
#include <span>

#include "vigil/core/hash256.h"

namespace vigil::media {

struct PdqHash {
  Hash256 hash;
  int quality = 0;  // 0..100; below 50 the hash is not trusted for matching
};

// The 8 dihedral hashes in the reference's order: original, rotate 90,
// rotate 180, rotate 270, flip X, flip Y, flip plus-1 (transpose), flip minus-1.
struct PdqDihedral {
  std::array<Hash256, 8> hashes;
  int quality = 0;
};

// Hash of a luma image (row-major, `width`*`height` floats in 0..255). Images
// with a side under 5 px hash to zero with quality 0, as the reference does.
PdqHash PdqFromLuma(std::span<const float> luma, int width, int height);
PdqDihedral PdqDihedralFromLuma(std::span<const float> luma, int width, int height);

// Luma (Y = 0.299R + 0.587G + 0.114B) of interleaved 8-bit RGB.
void RgbToLuma(std::span<const uint8_t> rgb, int width, int height, std::span<float> luma);

// Match threshold and quality floor the reference uses.
inline constexpr int kPdqMatchDistance = 31;
inline constexpr int kPdqMinQuality = 50;

}  // namespace vigil::media

#endif  // VIGIL_MEDIA_PDQ_H_
