// A deterministic zip writer: stored (uncompressed) entries, fixed
// timestamps, no extra fields, data descriptors, no zip64 (entries < 4 GiB,
// < 65535 entries). Given the same names and bytes in the same order it
// produces the same file, byte for byte, on any machine and in any time zone,
// which is what lets a verifier reject any edit to a bundle's container.
// Internal; not thread-safe.
#ifndef VIGIL_SRC_EVIDENCE_ZIP_WRITER_H_
#define VIGIL_SRC_EVIDENCE_ZIP_WRITER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"

namespace vigil::evidence::internal {

uint32_t Crc32Update(uint32_t crc, std::string_view bytes);  // crc starts at 0

class ZipWriter {
 public:
  using Out = std::function<Status(std::string_view)>;
  explicit ZipWriter(Out out) : out_(std::move(out)) {}

  Status BeginEntry(std::string_view name);
  Status Write(std::string_view bytes);
  Status EndEntry();
  Status Finish();  // central directory and end record

  // Byte ranges of the output: one per entry (local header, data,
  // descriptor), then the central directory with the end record.
  struct Region {
    std::string name;
    uint64_t offset = 0, length = 0;
  };
  const std::vector<Region>& regions() const { return regions_; }
  uint64_t offset() const { return offset_; }

 private:
  Status Emit(std::string_view b);
  struct Central {
    std::string name;
    uint32_t crc, size, offset;
  };
  Out out_;
  uint64_t offset_ = 0;
  std::vector<Central> central_;
  std::vector<Region> regions_;
  bool open_ = false;
  uint32_t crc_ = 0;
  uint64_t size_ = 0, entry_offset_ = 0;
  std::string name_;
};

}  // namespace vigil::evidence::internal

#endif  // VIGIL_SRC_EVIDENCE_ZIP_WRITER_H_
