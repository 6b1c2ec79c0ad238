// PDQ: Meta's 256-bit perceptual hash for photos, as the ThreatExchange
// reference defines it (luma, Jarosz tent filter to 64×64, 16×16 DCT, median
// threshold, quality), plus the 8 dihedral variants from one DCT.
//
// Two layers:
//  - maths on luma buffers (PdqFromLuma, ...): the reference's arithmetic
//    operation for operation, so equal luma gives equal bits; no I/O;
//  - from encoded image bytes (PdqFromImageBytes, ...): decode (decode.h),
//    then the maths.
// All functions are thread-safe (the DCT table is built once, thread-safely;
// nothing else is shared) and take no ownership of their inputs.
#ifndef VIGIL_MEDIA_PDQ_H_
#define VIGIL_MEDIA_PDQ_H_

#include <array>
#include <cstdint>
#include <span>

#include "vigil/core/hash256.h"
#include "vigil/core/limits.h"
#include "vigil/core/status.h"
#include "vigil/media/decode.h"

namespace vigil::media {

struct PdqHash {
  Hash256 hash;
  int quality = 0;  // 0..100; below 50 the hash is not trusted for matching
};

// The 8 dihedral hashes in the reference's order: original, rotate 90
// (counter-clockwise), rotate 180, rotate 270, flip X (rows reversed), flip Y
// (columns reversed), flip plus-1 (transpose), flip minus-1 (anti-transpose).
// hashes[k] approximates the hash of the image so transformed: exactly when
// the filter grid is mirror-symmetric (e.g. 1600 or 320 px sides, 64x64),
// within ~8 bits on photos in general, but 16-32 bits on small images whose
// box window is even (129-256 px) and far more on pixel noise (pdq_test.cc).
struct PdqDihedral {
  std::array<Hash256, 8> hashes;
  int quality = 0;
};

// Hash of a luma image (row-major, `width`*`height` floats in 0..255). Images
// with a side under kPdqMinSide, or a span shorter than width*height, hash to
// zero with quality 0, as the reference does for small images. A 64x64 input
// skips the tent filter (video frames). Bit-identical to the reference's
// float arithmetic.
PdqHash PdqFromLuma(std::span<const float> luma, int width, int height);
PdqDihedral PdqDihedralFromLuma(std::span<const float> luma, int width, int height);

// Luma (Y = 0.299R + 0.587G + 0.114B) of interleaved 8-bit RGB.
void RgbToLuma(std::span<const uint8_t> rgb, int width, int height, std::span<float> luma);

// Hash of decoded pixels: grey images are used as luma directly, RGB goes
// through RgbToLuma.
PdqHash PdqFromImage(const Image& image);
PdqDihedral PdqDihedralFromImage(const Image& image);

// The fast path decodes JPEGs at the smallest DCT scale that keeps both sides
// >= kPdqFastMinSide, as luma only (DecodeOptions::min_side, luma_ok): a
// 1280x960 photo decodes at 3/8 (480x360). Each of the 64x64 PDQ samples then
// still rests on >= 4 px a side. On the reference test images this moves
// JPEG hashes 2.7 bits on average, 6 at most, against a full decode
// (pdq_test.cc, FastPathDrift; other formats are unchanged); 128 px (1/4
// scale here) was 15% faster but drifted 8 bits on average and up to 50 on a
// small textured image, eating the match margin.
inline constexpr int kPdqFastMinSide = 256;

// Decodes `bytes` (any DecodeImage format, first frame) and hashes it.
// fast=false decodes at full resolution and converts RGB to luma as the
// reference does (no 512 px pre-shrink). Errors are DecodeImage's.
// Images with a side under 5 px give the reference's zero hash, quality 0.
// The decode stops at `deadline` (without one: limits.max_file_seconds from
// now).
Result<PdqHash> PdqFromImageBytes(std::span<const uint8_t> bytes, const Limits& limits,
                                  bool fast = true);
Result<PdqDihedral> PdqDihedralFromImageBytes(std::span<const uint8_t> bytes, const Limits& limits,
                                              bool fast = true);
Result<PdqDihedral> PdqDihedralFromImageBytes(std::span<const uint8_t> bytes, const Limits& limits,
                                              bool fast, const Deadline& deadline);

// Images with a side under this hash to zero, quality 0 (reference).
inline constexpr int kPdqMinSide = 5;

// Match threshold and quality floor the reference uses.
inline constexpr int kPdqMatchDistance = 31;
inline constexpr int kPdqMinQuality = 50;

}  // namespace vigil::media

#endif  // VIGIL_MEDIA_PDQ_H_
