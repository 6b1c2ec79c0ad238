// Limits applied to untrusted input. One struct passed down from the CLI so
// every parser enforces the same, documented bounds (README "Limits").
#ifndef VIGIL_CORE_LIMITS_H_
#define VIGIL_CORE_LIMITS_H_

#include <cstdint>

namespace vigil {

struct Limits {
  uint64_t max_file_bytes = 8ull << 30;      // one export file (JSON/TXT); streamed, not loaded
  uint64_t max_media_bytes = 256ull << 20;   // one media file hashed/inspected
  uint64_t max_line_bytes = 16ull << 20;     // one JSONL / WhatsApp line
  uint64_t max_item_bytes = 64ull << 20;     // one JSON message object
  uint32_t max_json_depth = 128;             // nesting inside one message
  uint64_t max_pixels = 100'000'000;         // width*height of one image
  uint64_t max_archive_bytes = 16ull << 30;  // total bytes extracted from one .zip
  uint64_t max_archive_entries = 1'000'000;  // entries in one .zip
  uint32_t max_archive_ratio = 200;          // uncompressed/compressed, per entry and whole .zip
  // Wall-clock seconds for one media file: decode + hashes, video frames and
  // the face search together (core/deadline.h). 0 stops every file at once.
  double max_file_seconds = 900;
};

}  // namespace vigil

#endif  // VIGIL_CORE_LIMITS_H_
