// libFuzzer target for still images, through the public media API only: the
// input is decoded as DecodeImage sniffs it (JPEG, PNG, WebP, GIF, BMP) at
// full size, then hashed with PdqDihedralFromImage; decoded again by PDQ's
// fast path options (reduced DCT scale, luma only) and hashed with
// PdqFromImage; and inspected with Inspect (sniffing, header parsing, file
// digests, and PdqFromImageBytes' fast path). Limits are small (1 Mpx,
// 1 MiB) so each run is fast; a decoded Image that breaks its own contract
// (size, channels, pixel count) aborts, as a crash would.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "vigil/core/limits.h"
#include "vigil/media/decode.h"
#include "vigil/media/inspect.h"
#include "vigil/media/pdq.h"

namespace {

constexpr uint64_t kMaxPixels = uint64_t{1} << 20;

// Checks a decoded image; returns it when it decoded.
const vigil::media::Image* CheckImage(const vigil::Result<vigil::media::Image>& result) {
  if (!result.ok()) return nullptr;
  const vigil::media::Image& image = result.value();
  if (image.width <= 0 || image.height <= 0) std::abort();
  if (image.channels != 1 && image.channels != 3) std::abort();
  if (static_cast<uint64_t>(image.width) * static_cast<uint64_t>(image.height) > kMaxPixels) {
    std::abort();
  }
  if (image.pixels.size() != static_cast<size_t>(image.width) * image.height * image.channels) {
    std::abort();
  }
  return &image;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  vigil::Limits limits;
  limits.max_pixels = kMaxPixels;
  limits.max_media_bytes = uint64_t{1} << 20;

  vigil::media::DecodeOptions full;
  full.limits = limits;
  const auto full_image = vigil::media::DecodeImage(bytes, full);
  if (const auto* image = CheckImage(full_image)) {
    (void)vigil::media::PdqDihedralFromImage(*image);
  }

  vigil::media::DecodeOptions fast = full;
  fast.min_side = vigil::media::kPdqFastMinSide;
  fast.luma_ok = true;
  const auto fast_image = vigil::media::DecodeImage(bytes, fast);
  if (const auto* image = CheckImage(fast_image)) {
    (void)vigil::media::PdqFromImage(*image);
  }

  const auto info = vigil::media::Inspect(bytes, limits);
  if (info.ok() && info->size != size) std::abort();
  (void)vigil::media::SniffType(bytes);
  return 0;
}
