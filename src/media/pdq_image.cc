// PDQ from encoded image bytes: decode, then hash.
#include "vigil/media/decode.h"
#include "vigil/media/pdq.h"

namespace vigil::media {
namespace {

DecodeOptions Options(const Limits& limits, bool fast, const Deadline& deadline) {
  DecodeOptions options;
  options.limits = limits;
  options.deadline = deadline;
  if (fast) {
    options.min_side = kPdqFastMinSide;
    options.luma_ok = true;
  }
  return options;
}

}  // namespace

Result<PdqHash> PdqFromImageBytes(std::span<const uint8_t> bytes, const Limits& limits, bool fast) {
  Result<Image> image = DecodeImage(bytes, Options(limits, fast, Deadline::ForFile(limits)));
  if (!image.ok()) return image.status();
  return PdqFromImage(*image);
}

Result<PdqDihedral> PdqDihedralFromImageBytes(std::span<const uint8_t> bytes, const Limits& limits,
                                              bool fast) {
  return PdqDihedralFromImageBytes(bytes, limits, fast, Deadline::ForFile(limits));
}

Result<PdqDihedral> PdqDihedralFromImageBytes(std::span<const uint8_t> bytes, const Limits& limits,
                                              bool fast, const Deadline& deadline) {
  Result<Image> image = DecodeImage(bytes, Options(limits, fast, deadline));
  if (!image.ok()) return image.status();
  return PdqDihedralFromImage(*image);
}

}  // namespace vigil::media
