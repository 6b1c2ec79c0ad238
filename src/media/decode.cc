#include "vigil/media/decode.h"

#include <new>
#include <string>

#include "src/media/decoders.h"
#include "vigil/media/inspect.h"

namespace vigil::media {

Status AllocateImage(int width, int height, int channels, Image& image) {
  const size_t n =
      static_cast<size_t>(width) * static_cast<size_t>(height) * static_cast<size_t>(channels);
  try {
    image.pixels.assign(n, 0);
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("cannot allocate " + std::to_string(n) + " bytes for a " +
                                     std::to_string(width) + "x" + std::to_string(height) +
                                     " image");
  }
  image.width = image.source_width = width;
  image.height = image.source_height = height;
  image.channels = channels;
  return Status::Ok();
}

bool IsDecodableImageType(std::string_view type) {
  return type == "jpeg" || type == "png" || type == "webp" || type == "gif" || type == "bmp";
}

Result<Image> DecodeImage(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  if (bytes.empty()) return Status::Corrupt("image is empty (0 bytes)");
  if (bytes.size() > options.limits.max_media_bytes) {
    return Status::ResourceExhausted(
        "image is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
        std::to_string(options.limits.max_media_bytes) + " (max_media_bytes)");
  }
  const std::string type = SniffType(bytes);
  if (type == "jpeg") return DecodeJpeg(bytes, options);
  if (type == "png") return DecodePng(bytes, options);
  if (type == "webp") return DecodeWebp(bytes, options);
  if (type == "gif") return DecodeGif(bytes, options);
  if (type == "bmp") return DecodeBmp(bytes, options);
  return Status::Unsupported("cannot decode " + type + " files as images");
}

}  // namespace vigil::media
