// BMP, read by hand: BITMAPCOREHEADER (12 bytes) and BITMAPINFOHEADER and
// its successors (40, 52, 56, 108, 124 bytes); uncompressed palette images
// (1/4/8 bit) and 16/24/32-bit pixels, with BI_BITFIELDS masks for 16 and 32.
// Every offset is checked against the file size in 64-bit arithmetic.
#include <bit>
#include <cstdint>
#include <string>

#include "src/media/decoders.h"
#include "src/media/formats.h"

namespace vigil::media {
namespace {

constexpr uint32_t kBiRgb = 0;
constexpr uint32_t kBiBitfields = 3;
constexpr uint32_t kBiAlphaBitfields = 6;

uint32_t U16(std::span<const uint8_t> b, size_t at) { return b[at] | b[at + 1] << 8; }

uint32_t U32(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint32_t>(b[at]) | static_cast<uint32_t>(b[at + 1]) << 8 |
         static_cast<uint32_t>(b[at + 2]) << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}

// Extracts one colour channel selected by `mask` and widens it to 8 bits.
class Channel {
 public:
  explicit Channel(uint32_t mask)
      : mask_(mask),
        shift_(mask == 0 ? 0 : std::countr_zero(mask)),
        bits_(std::popcount(mask)),
        max_(bits_ >= 32 ? 0xffffffffu : (1u << bits_) - 1) {}
  bool contiguous() const { return mask_ == 0 || (mask_ >> shift_) == max_; }
  uint8_t Get(uint32_t px) const {
    if (mask_ == 0) return 0;
    const uint32_t v = (px & mask_) >> shift_;
    if (bits_ >= 8) return static_cast<uint8_t>(v >> (bits_ - 8));
    return static_cast<uint8_t>((v * 255 + max_ / 2) / max_);
  }

 private:
  uint32_t mask_;
  int shift_;
  int bits_;
  uint32_t max_;
};

}  // namespace

Result<Image> DecodeBmp(std::span<const uint8_t> b, const DecodeOptions& options) {
  if (b.size() < 18) return Status::Corrupt("bmp file ends inside the header");
  const uint64_t data_at = U32(b, 10);
  const uint32_t dib = U32(b, 14);
  int64_t w = 0, h = 0;
  uint32_t bpp = 0, compression = kBiRgb, palette_used = 0;
  size_t palette_at = 14 + static_cast<size_t>(dib);
  size_t palette_entry = 4;
  uint32_t masks[3] = {0, 0, 0};
  if (dib == 12) {
    if (b.size() < 26) return Status::Corrupt("bmp file ends inside the header");
    w = U16(b, 18);
    h = U16(b, 20);
    bpp = U16(b, 24);
    palette_entry = 3;
  } else if (dib >= 40) {
    if (b.size() < 14 + static_cast<uint64_t>(dib) || dib > 4096) {
      return Status::Corrupt("bmp file ends inside the header");
    }
    w = static_cast<int32_t>(U32(b, 18));
    h = static_cast<int32_t>(U32(b, 22));
    bpp = U16(b, 28);
    compression = U32(b, 30);
    palette_used = U32(b, 46);
    if (compression == kBiBitfields || compression == kBiAlphaBitfields) {
      // Masks sit in the header from v2 (52 bytes) on, else right after it.
      const size_t at = 54;
      if (b.size() < at + 12) return Status::Corrupt("bmp file ends inside the colour masks");
      masks[0] = U32(b, at);
      masks[1] = U32(b, at + 4);
      masks[2] = U32(b, at + 8);
      if (dib == 40) palette_at += compression == kBiAlphaBitfields ? 16 : 12;
    }
  } else {
    return Status::Unsupported("bmp header of " + std::to_string(dib) + " bytes");
  }
  const bool top_down = h < 0;
  if (top_down) h = -h;
  Result<Dimensions> dims = CheckedDimensions("bmp", w, h, options.limits);
  if (!dims.ok()) return dims.status();
  const int width = dims->width;
  const int height = dims->height;

  const bool palette = bpp == 1 || bpp == 4 || bpp == 8;
  const bool masked = compression == kBiBitfields || compression == kBiAlphaBitfields;
  if (!((palette && compression == kBiRgb) || (bpp == 24 && compression == kBiRgb) ||
        ((bpp == 16 || bpp == 32) && (compression == kBiRgb || masked)))) {
    return Status::Unsupported("bmp with " + std::to_string(bpp) +
                               " bits a pixel and compression " + std::to_string(compression));
  }
  if (bpp == 16 && !masked) {
    masks[0] = 0x7c00;
    masks[1] = 0x03e0;
    masks[2] = 0x001f;
  } else if (bpp == 32 && !masked) {
    masks[0] = 0xff0000;
    masks[1] = 0x00ff00;
    masks[2] = 0x0000ff;
  }
  const Channel red(masks[0]), green(masks[1]), blue(masks[2]);
  if (!red.contiguous() || !green.contiguous() || !blue.contiguous()) {
    return Status::Corrupt("bmp colour masks are not contiguous bit runs");
  }

  uint8_t table[256][3] = {};
  uint32_t colours = 0;
  if (palette) {
    colours = palette_used != 0 ? palette_used : 1u << bpp;
    if (colours > (1u << bpp)) colours = 1u << bpp;
    if (palette_at + static_cast<uint64_t>(colours) * palette_entry > b.size()) {
      return Status::Corrupt("bmp file ends inside the colour table");
    }
    for (uint32_t i = 0; i < colours; ++i) {
      const size_t at = palette_at + i * palette_entry;
      table[i][0] = b[at + 2];  // stored B, G, R
      table[i][1] = b[at + 1];
      table[i][2] = b[at];
    }
  }

  const uint64_t stride = (static_cast<uint64_t>(bpp) * width + 31) / 32 * 4;
  if (data_at > b.size() || stride * height > b.size() - data_at) {
    return Status::Corrupt("bmp pixel data is truncated (" + std::to_string(b.size()) +
                           " bytes, needs " + std::to_string(data_at + stride * height) + ")");
  }
  Image image;
  VIGIL_RETURN_IF_ERROR(AllocateImage(width, height, 3, image));
  for (int y = 0; y < height; ++y) {
    const uint8_t* src = b.data() + data_at + stride * static_cast<uint64_t>(y);
    const int out_y = top_down ? y : height - 1 - y;
    uint8_t* dst = image.pixels.data() + static_cast<size_t>(out_y) * width * 3;
    for (int x = 0; x < width; ++x, dst += 3) {
      if (palette) {
        const int per_byte = 8 / static_cast<int>(bpp);
        const int shift = 8 - static_cast<int>(bpp) * (x % per_byte + 1);
        const uint32_t index = (src[x / per_byte] >> shift) & ((1u << bpp) - 1);
        if (index < colours) {
          dst[0] = table[index][0];
          dst[1] = table[index][1];
          dst[2] = table[index][2];
        }
      } else if (bpp == 24) {
        dst[0] = src[3 * x + 2];
        dst[1] = src[3 * x + 1];
        dst[2] = src[3 * x];
      } else {
        const uint32_t px = bpp == 16 ? U16({src, stride}, 2 * static_cast<size_t>(x))
                                      : U32({src, stride}, 4 * static_cast<size_t>(x));
        dst[0] = red.Get(px);
        dst[1] = green.Get(px);
        dst[2] = blue.Get(px);
      }
    }
  }
  return image;
}

}  // namespace vigil::media
