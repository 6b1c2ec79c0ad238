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
  if (!IsDecodableImageType(type)) {
    return Status::Unsupported("cannot decode " + type + " files as images");
  }
  VIGIL_RETURN_IF_ERROR(options.deadline.Check(type + " decode"));
  Result<Image> image = type == "jpeg"   ? DecodeJpeg(bytes, options)
                        : type == "png"  ? DecodePng(bytes, options)
                        : type == "webp" ? DecodeWebp(bytes, options)
                        : type == "gif"  ? DecodeGif(bytes, options)
                                         : DecodeBmp(bytes, options);
  // A decode that finished late still counts as over the time: the file's
  // remaining work (hashes, faces) would start past its deadline.
  if (image.ok()) VIGIL_RETURN_IF_ERROR(options.deadline.Check(type + " decode"));
  return image;
}

}  // namespace vigil::media
