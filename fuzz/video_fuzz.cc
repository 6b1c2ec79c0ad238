// libFuzzer target for video hashing (vPDQ), through the public API only:
// HashVideoBytes demuxes the input from memory with the container
// allow-list, decodes the best video stream and hashes about a frame a
// second. Limits are small (1 MiB input, 256 kpx frames, 60 s, 300 frames,
// 64 px long side, 2 s of wall clock) so each run stays short; the result is
// matched against itself with CompareVideos. Both truncation modes are
// tried: allow_truncated takes the code path that keeps frames read before
// a demux error.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "vigil/media/video.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the options; the rest is the file.
  const uint8_t knobs = data[0];
  const std::span<const uint8_t> bytes(data + 1, size - 1);
  vigil::media::VideoOptions options;
  options.limits.max_media_bytes = uint64_t{1} << 20;
  options.limits.max_pixels = uint64_t{1} << 18;
  options.max_seconds = 60;
  options.max_frames = 300;
  options.time_budget = std::chrono::milliseconds(2000);
  options.max_side = 64;
  options.allow_truncated = (knobs & 1) != 0;
  options.autorotate = (knobs & 2) == 0;
  auto hash = vigil::media::HashVideoBytes(bytes, options);
  if (!hash.ok()) return 0;
  for (const auto& frame : hash->frames) {
    if (frame.quality < 0 || frame.quality > 100) std::abort();
  }
  const auto match = vigil::media::CompareVideos(*hash, *hash);
  (void)vigil::media::IsMatch(match);
  return 0;
}
