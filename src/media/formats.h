// Internal to the media module: per-format header readers behind Inspect().
// Each reads only the header of an in-memory file with the real decoder
// library, never decodes pixels, and is thread-safe (no shared state).
#ifndef VIGIL_SRC_MEDIA_FORMATS_H_
#define VIGIL_SRC_MEDIA_FORMATS_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "vigil/core/limits.h"
#include "vigil/core/status.h"

namespace vigil::media {

struct Dimensions {
  int width = 0;
  int height = 0;
};

// "image/jpeg" for "jpeg"; "application/octet-stream" for unknown types.
std::string_view MimeForType(std::string_view type);

// Status for an image whose header claims w x h pixels, over
// limits.max_pixels: ResourceExhausted naming both numbers and "max_pixels".
Status OverPixelLimit(std::string_view type, uint64_t w, uint64_t h, const Limits& limits);

// {w, h} when both are positive and w*h <= limits.max_pixels; Corrupt for a
// side <= 0, OverPixelLimit otherwise. The one place the pixel limit is
// applied to a header, before anything is allocated.
Result<Dimensions> CheckedDimensions(std::string_view type, int64_t w, int64_t h,
                                     const Limits& limits);

// Pixel dimensions of an image of sniffed `type` (jpeg, png, gif, webp, bmp).
// Other types give {0, 0} and OK. A header that does not parse gives Corrupt;
// width*height over limits.max_pixels gives ResourceExhausted.
Result<Dimensions> ReadDimensions(std::string_view type, std::span<const uint8_t> bytes,
                                  const Limits& limits);

}  // namespace vigil::media

#endif  // VIGIL_SRC_MEDIA_FORMATS_H_
