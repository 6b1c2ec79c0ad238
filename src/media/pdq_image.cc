// PDQ from encoded image bytes: decode, then hash.
#include "vigil/media/decode.h"
#include "vigil/media/pdq.h"

namespace vigil::media {
namespace {

DecodeOptions Options(const Limits& limits, bool fast) {
  DecodeOptions options;
  options.limits = limits;
  options.deadline = Deadline::ForFile(limits);
  if (fast) {
    options.min_side = kPdqFastMinSide;
    options.luma_ok = true;
  }
  return options;
}

}  // namespace

Result<PdqHash> PdqFromImageBytes(std::span<const uint8_t> bytes, const Limits& limits, bool fast) {
  Result<Image> image = DecodeImage(bytes, Options(limits, fast));
  if (!image.ok()) return image.status();
  return PdqFromImage(*image);
}

Result<PdqDihedral> PdqDihedralFromImageBytes(std::span<const uint8_t> bytes, const Limits& limits,
                                              bool fast) {
  Result<Image> image = DecodeImage(bytes, Options(limits, fast));
  if (!image.ok()) return image.status();
  return PdqDihedralFromImage(*image);
}

}  // namespace vigil::media
