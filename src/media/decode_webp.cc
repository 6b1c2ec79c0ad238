// WebP through libwebp; animations through libwebpdemux's WebPAnimDecoder,
// which composes the first frame onto the canvas.
#include <webp/decode.h>
#include <webp/demux.h>

#include <memory>
#include <string>

#include "src/media/decoders.h"
#include "src/media/formats.h"

namespace vigil::media {
namespace {

struct AnimDecoderDeleter {
  void operator()(WebPAnimDecoder* d) const { WebPAnimDecoderDelete(d); }
};

Result<Image> FirstAnimationFrame(std::span<const uint8_t> b, const Dimensions& dims) {
  WebPAnimDecoderOptions opts;
  if (!WebPAnimDecoderOptionsInit(&opts)) return Status::Internal("libwebp demux ABI mismatch");
  opts.color_mode = MODE_RGBA;
  opts.use_threads = 0;
  const WebPData data{b.data(), b.size()};
  // Allocates the canvas, whose size the caller has checked.
  std::unique_ptr<WebPAnimDecoder, AnimDecoderDeleter> dec(WebPAnimDecoderNew(&data, &opts));
  if (!dec) return Status::Corrupt("animated webp does not parse");
  WebPAnimInfo info;
  if (!WebPAnimDecoderGetInfo(dec.get(), &info) ||
      info.canvas_width != static_cast<uint32_t>(dims.width) ||
      info.canvas_height != static_cast<uint32_t>(dims.height)) {
    return Status::Corrupt("animated webp canvas does not match its header");
  }
  uint8_t* rgba = nullptr;
  int timestamp = 0;
  if (!WebPAnimDecoderGetNext(dec.get(), &rgba, &timestamp) || rgba == nullptr) {
    return Status::Corrupt("animated webp: first frame does not decode");
  }
  Image image;
  VIGIL_RETURN_IF_ERROR(AllocateImage(dims.width, dims.height, 3, image));
  const size_t n = static_cast<size_t>(dims.width) * dims.height;
  for (size_t i = 0; i < n; ++i) {
    image.pixels[3 * i] = rgba[4 * i];
    image.pixels[3 * i + 1] = rgba[4 * i + 1];
    image.pixels[3 * i + 2] = rgba[4 * i + 2];
  }
  return image;
}

}  // namespace

Result<Image> DecodeWebp(std::span<const uint8_t> b, const DecodeOptions& options) {
  WebPBitstreamFeatures features;
  const VP8StatusCode code = WebPGetFeatures(b.data(), b.size(), &features);
  if (code != VP8_STATUS_OK) {
    return Status::Corrupt("webp header does not parse (libwebp status " +
                           std::to_string(static_cast<int>(code)) + ")");
  }
  Result<Dimensions> dims =
      CheckedDimensions("webp", features.width, features.height, options.limits);
  if (!dims.ok()) return dims.status();
  if (features.has_animation) return FirstAnimationFrame(b, *dims);
  Image image;
  VIGIL_RETURN_IF_ERROR(AllocateImage(dims->width, dims->height, 3, image));
  if (WebPDecodeRGBInto(b.data(), b.size(), image.pixels.data(), image.pixels.size(),
                        dims->width * 3) == nullptr) {
    return Status::Corrupt("webp does not decode (truncated or damaged)");
  }
  return image;
}

}  // namespace vigil::media
