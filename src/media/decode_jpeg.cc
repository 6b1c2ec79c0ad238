// JPEG through TurboJPEG.
//
// Reduced-size decoding: libjpeg-turbo can run a smaller inverse DCT per
// 8x8 block (scaling factors n/8), so a 1/4-scale decode reads the entropy
// data once but skips most of the IDCT, upsampling and colour work and
// allocates 1/16 of the pixels. DecodeOptions::min_side picks the smallest
// factor that keeps both sides at least that long.
#include <turbojpeg.h>

#include <cstring>
#include <string>

#include "src/media/codec_util.h"
#include "src/media/decoders.h"
#include "src/media/formats.h"

namespace vigil::media {
namespace {

tjscalingfactor ChooseScale(int width, int height, int min_side) {
  tjscalingfactor best{1, 1};
  if (min_side <= 0) return best;
  int count = 0;
  const tjscalingfactor* factors = tjGetScalingFactors(&count);
  if (factors == nullptr) return best;
  for (int i = 0; i < count; ++i) {
    const tjscalingfactor f = factors[i];
    if (f.num > f.denom) continue;  // never upscale
    if (TJSCALED(width, f) < min_side || TJSCALED(height, f) < min_side) continue;
    // Smaller num/denom: compare cross-multiplied.
    if (f.num * best.denom < best.num * f.denom) best = f;
  }
  return best;
}

// libjpeg reports truncation as a warning and fills the missing rows with
// grey; vigil treats it as corrupt. Other warnings (stray bytes before a
// marker, common from some cameras) leave a usable image.
bool IsFatalWarning(const char* message) {
  return message != nullptr && std::strstr(message, "Premature end") != nullptr;
}

}  // namespace

Result<Image> DecodeJpeg(std::span<const uint8_t> b, const DecodeOptions& options) {
  TjHandle tj(tjInitDecompress());
  if (!tj) return Status::Internal("tjInitDecompress failed");
  const auto size = static_cast<unsigned long>(b.size());
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), b.data(), size, &w, &h, &subsamp, &colorspace) != 0) {
    return Status::Corrupt(std::string("jpeg header does not parse: ") + tjGetErrorStr2(tj.get()));
  }
  Result<Dimensions> dims = CheckedDimensions("jpeg", w, h, options.limits);
  if (!dims.ok()) return dims.status();

  const tjscalingfactor scale = ChooseScale(w, h, options.min_side);
  const int sw = TJSCALED(w, scale);
  const int sh = TJSCALED(h, scale);
  const bool cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;
  const bool gray = colorspace == TJCS_GRAY || (options.luma_ok && !cmyk);
  const int pixel_format = cmyk ? TJPF_CMYK : gray ? TJPF_GRAY : TJPF_RGB;
  const int channels = gray ? 1 : 3;

  Image image;
  // CMYK is decoded 4 bytes a pixel, then packed to RGB in place.
  VIGIL_RETURN_IF_ERROR(AllocateImage(sw, sh, cmyk ? 4 : channels, image));
  if (tjDecompress2(tj.get(), b.data(), size, image.pixels.data(), sw, 0, sh, pixel_format,
                    TJFLAG_LIMITSCANS) != 0) {
    const char* why = tjGetErrorStr2(tj.get());
    if (tjGetErrorCode(tj.get()) != TJERR_WARNING || IsFatalWarning(why)) {
      return Status::Corrupt(std::string("jpeg does not decode: ") + why);
    }
  }
  if (cmyk) {
    // Adobe-style inverted CMYK (what Photoshop and Pillow store): the stored
    // values are 255-C etc., so R = (255-C)(255-K)/255 = c*k/255. Pixel i is
    // written at 3i, never ahead of the 4i it is read from.
    const size_t n = static_cast<size_t>(sw) * sh;
    uint8_t* p = image.pixels.data();
    for (size_t i = 0; i < n; ++i) {
      const unsigned k = p[4 * i + 3];
      for (int c = 0; c < 3; ++c) {
        p[3 * i + c] = static_cast<uint8_t>((p[4 * i + c] * k + 127) / 255);
      }
    }
    image.pixels.resize(n * 3);
    image.channels = 3;
  }
  image.source_width = w;
  image.source_height = h;
  return image;
}

}  // namespace vigil::media
