// Internal to the media module: one decoder per format behind DecodeImage().
// Each is handed bytes already sniffed as its type, applies the pixel limit to
// the header before allocating, and reports failures as decode.h documents.
// Thread-safe: no shared state.
#ifndef VIGIL_SRC_MEDIA_DECODERS_H_
#define VIGIL_SRC_MEDIA_DECODERS_H_

#include <cstdint>
#include <span>

#include "vigil/core/status.h"
#include "vigil/media/decode.h"

namespace vigil::media {

Result<Image> DecodeJpeg(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Image> DecodePng(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Image> DecodeWebp(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Image> DecodeGif(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Image> DecodeBmp(std::span<const uint8_t> bytes, const DecodeOptions& options);

// Sizes image.pixels for width x height x channels (zero-filled) and sets the
// geometry (source size = decoded size). The caller has already checked
// width*height against the pixel limit; an allocation failure still gives
// ResourceExhausted instead of an exception.
Status AllocateImage(int width, int height, int channels, Image& image);

}  // namespace vigil::media

#endif  // VIGIL_SRC_MEDIA_DECODERS_H_
