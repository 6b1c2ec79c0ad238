// Media inspection: what a media file really is, and its fingerprints.
//
// Type is sniffed from the bytes, never from the name. Functions are pure and
// thread-safe.
#ifndef VIGIL_MEDIA_INSPECT_H_
#define VIGIL_MEDIA_INSPECT_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "vigil/core/limits.h"
#include "vigil/core/status.h"

namespace vigil::media {

struct MediaInfo {
  std::string sha256;  // lower-case hex
  std::string md5;     // lower-case hex
  uint64_t size = 0;
  std::string type;    // jpeg, png, webp, gif, bmp, mp4, webm, ogg, pdf, ..., "unknown"
  std::string mime;    // image/jpeg, ...
  int width = 0;       // 0 when not an image or not known
  int height = 0;
  // Perceptual hash slot (media-matching issue): empty until PDQ lands.
  std::string pdq;
  int pdq_quality = -1;
};

// Sniffs the type from the first bytes ("unknown" if none matches).
std::string SniffType(std::span<const uint8_t> head);

// Hashes, sniffs and reads the pixel dimensions of an in-memory file. Image
// headers that do not parse or exceed limits.max_pixels give a non-OK Status.
Result<MediaInfo> Inspect(std::span<const uint8_t> bytes, const Limits& limits);

// Same for a file on disk, refusing files larger than limits.max_media_bytes.
Result<MediaInfo> InspectFile(const std::filesystem::path& path, const Limits& limits);

}  // namespace vigil::media

#endif  // VIGIL_MEDIA_INSPECT_H_
