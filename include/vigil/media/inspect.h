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
#include <vector>

#include "vigil/core/deadline.h"
#include "vigil/core/hash256.h"
#include "vigil/core/limits.h"
#include "vigil/core/status.h"

namespace vigil::media {

struct MediaInfo {
  std::string sha256;  // lower-case hex
  std::string md5;     // lower-case hex
  uint64_t size = 0;
  std::string type;  // jpeg, png, webp, gif, bmp, mp4, webm, ogg, pdf, ..., "unknown"
  std::string mime;  // image/jpeg, ...
  int width = 0;     // 0 when not an image or not known
  int height = 0;
  // PDQ (pdq.h) of decodable images (jpeg, png, webp, gif, bmp; first frame),
  // 64 lower-case hex digits, by the fast path (kPdqFastMinSide). Empty for
  // other types, and for images that do not decode: then pdq_error says why
  // in one line ("corrupt: jpeg does not decode: Premature end of JPEG
  // file"), while the file hashes, type and size above are still filled.
  std::string pdq;
  int pdq_quality = -1;  // 0..100 with pdq; -1 without
  std::string pdq_error;
  // With pdq: the 8 dihedral hashes (pdq.h order; the first is `pdq`), from
  // the same decode, for finding rotated and mirrored copies. Stored in the
  // media_dihedral table.
  std::vector<Hash256> pdq_dihedral;
};

// Sniffs the type from the first bytes ("unknown" if none matches).
std::string SniffType(std::span<const uint8_t> head);

// Hashes, sniffs and reads the pixel dimensions of an in-memory file, and
// computes the PDQ hash of images. Image headers that do not parse or exceed
// limits.max_pixels give a non-OK Status; pixel data that fails to decode
// only sets pdq_error.
// The work stops at `deadline` (the 2-argument form: limits.max_file_seconds
// from now): hashing a file past it fails with ResourceExhausted, decoding
// for PDQ past it sets pdq_error.
Result<MediaInfo> Inspect(std::span<const uint8_t> bytes, const Limits& limits);
Result<MediaInfo> Inspect(std::span<const uint8_t> bytes, const Limits& limits,
                          const Deadline& deadline);

// Same for a file on disk, refusing files larger than limits.max_media_bytes.
// Image files are held in memory whole (up to that limit) for decoding; other
// files are streamed.
Result<MediaInfo> InspectFile(const std::filesystem::path& path, const Limits& limits);
Result<MediaInfo> InspectFile(const std::filesystem::path& path, const Limits& limits,
                              const Deadline& deadline);

}  // namespace vigil::media

#endif  // VIGIL_MEDIA_INSPECT_H_
