#include "src/media/formats.h"

#include <gif_lib.h>
#include <png.h>
#include <turbojpeg.h>
#include <webp/decode.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "src/media/codec_util.h"

namespace vigil::media {

Status OverPixelLimit(std::string_view type, uint64_t w, uint64_t h, const Limits& limits) {
  return Status::ResourceExhausted(std::string(type) + " image is " + std::to_string(w) + "x" +
                                   std::to_string(h) + " = " + std::to_string(w * h) +
                                   " pixels, over the limit of " +
                                   std::to_string(limits.max_pixels) + " (max_pixels)");
}

Result<Dimensions> CheckedDimensions(std::string_view type, int64_t w, int64_t h,
                                     const Limits& limits) {
  if (w <= 0 || h <= 0) {
    return Status::Corrupt(std::string(type) + " header has invalid dimensions " +
                           std::to_string(w) + "x" + std::to_string(h));
  }
  const uint64_t uw = static_cast<uint64_t>(w);
  const uint64_t uh = static_cast<uint64_t>(h);
  if (uw > std::numeric_limits<int>::max() || uh > std::numeric_limits<int>::max() ||
      uw * uh > limits.max_pixels) {
    return OverPixelLimit(type, uw, uh, limits);
  }
  return Dimensions{static_cast<int>(w), static_cast<int>(h)};
}

namespace {

// --- JPEG (libjpeg-turbo) ---------------------------------------------------

Result<Dimensions> JpegDimensions(std::span<const uint8_t> b, const Limits& limits) {
  TjHandle tj(tjInitDecompress());
  if (!tj) return Status::Internal("tjInitDecompress failed");
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), b.data(), static_cast<unsigned long>(b.size()), &w, &h,
                          &subsamp, &colorspace) != 0) {
    return Status::Corrupt(std::string("jpeg header does not parse: ") + tjGetErrorStr2(tj.get()));
  }
  return CheckedDimensions("jpeg", w, h, limits);
}

// --- PNG (libpng) -----------------------------------------------------------
// libpng reports errors by longjmp, so everything between setjmp and the
// longjmp is plain C data: no object with a destructor lives in ReadPngHeader.

struct PngSource {
  const uint8_t* data;
  size_t size;
  size_t pos;
  char error[160];
  bool over_user_limit;  // libpng warns, then fails with "Invalid IHDR data"
  png_uint_32 width;     // as claimed by IHDR, even when a later chunk fails
  png_uint_32 height;
};

void PngReadFn(png_structp png, png_bytep out, size_t n) {
  auto* src = static_cast<PngSource*>(png_get_io_ptr(png));
  if (n > src->size - src->pos) png_error(png, "file ends inside the header");
  std::memcpy(out, src->data + src->pos, n);
  src->pos += n;
}

[[noreturn]] void PngErrorFn(png_structp png, png_const_charp msg) {
  auto* src = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(src->error, sizeof src->error, "%s", msg);
  png_longjmp(png, 1);
}

void PngWarningFn(png_structp png, png_const_charp msg) {
  auto* src = static_cast<PngSource*>(png_get_error_ptr(png));
  if (std::strstr(msg, "exceeds user limit") != nullptr) src->over_user_limit = true;
}

// Returns true and sets *w, *h on success; false with src->error set.
bool ReadPngHeader(PngSource* src, png_uint_32 max_side, png_uint_32* w, png_uint_32* h) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, src, PngErrorFn, PngWarningFn);
  if (png == nullptr) {
    std::snprintf(src->error, sizeof src->error, "out of memory");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    std::snprintf(src->error, sizeof src->error, "out of memory");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    src->width = png_get_image_width(png, info);
    src->height = png_get_image_height(png, info);
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, src, PngReadFn);
  png_set_user_limits(png, max_side, max_side);
  png_set_chunk_malloc_max(png, 8u << 20);  // ancillary chunks before IDAT (iCCP, text)
  png_read_info(png, info);
  *w = png_get_image_width(png, info);
  *h = png_get_image_height(png, info);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

Result<Dimensions> PngDimensions(std::span<const uint8_t> b, const Limits& limits) {
  PngSource src{b.data(), b.size(), 0, {}, false, 0, 0};
  png_uint_32 w = 0, h = 0;
  // One side can be at most max_pixels (the other being 1); libpng's own
  // ceiling is 2^31-1.
  const png_uint_32 max_side =
      static_cast<png_uint_32>(std::min<uint64_t>(limits.max_pixels, 0x7fffffffu));
  if (!ReadPngHeader(&src, max_side, &w, &h)) {
    if (src.over_user_limit) {
      return Status::ResourceExhausted("png image side exceeds " + std::to_string(max_side) +
                                       " pixels (max_pixels " + std::to_string(limits.max_pixels) +
                                       ")");
    }
    // What IHDR claims is over the limit no matter what follows it.
    if (src.width > 0 && src.height > 0 &&
        static_cast<uint64_t>(src.width) * src.height > limits.max_pixels) {
      return OverPixelLimit("png", src.width, src.height, limits);
    }
    return Status::Corrupt(std::string("png header does not parse: ") + src.error);
  }
  return CheckedDimensions("png", w, h, limits);
}

// --- WebP (libwebp) ---------------------------------------------------------

Result<Dimensions> WebpDimensions(std::span<const uint8_t> b, const Limits& limits) {
  int w = 0, h = 0;
  if (!WebPGetInfo(b.data(), b.size(), &w, &h)) {
    return Status::Corrupt("webp header does not parse");
  }
  return CheckedDimensions("webp", w, h, limits);
}

// --- GIF (giflib): the logical screen size ----------------------------------

Result<Dimensions> GifDimensions(std::span<const uint8_t> b, const Limits& limits) {
  GifSource src{b};
  int error = 0;
  GifFile gif(DGifOpen(&src, GifReadFn, &error));
  if (!gif) {
    const char* why = GifErrorString(error);
    return Status::Corrupt(std::string("gif header does not parse: ") +
                           (why != nullptr ? why : "unknown error"));
  }
  return CheckedDimensions("gif", gif->SWidth, gif->SHeight, limits);
}

// --- BMP: header fields, read by hand ---------------------------------------

int32_t LeI32(std::span<const uint8_t> b, size_t at) {
  return static_cast<int32_t>(static_cast<uint32_t>(b[at]) | static_cast<uint32_t>(b[at + 1]) << 8 |
                              static_cast<uint32_t>(b[at + 2]) << 16 |
                              static_cast<uint32_t>(b[at + 3]) << 24);
}

Result<Dimensions> BmpDimensions(std::span<const uint8_t> b, const Limits& limits) {
  if (b.size() < 26) return Status::Corrupt("bmp file ends inside the header");
  const int32_t dib = LeI32(b, 14);
  int64_t w = 0, h = 0;
  if (dib == 12) {  // BITMAPCOREHEADER: unsigned 16-bit sides
    w = b[18] | b[19] << 8;
    h = b[20] | b[21] << 8;
  } else {
    w = LeI32(b, 18);
    h = LeI32(b, 22);
    if (h < 0) h = -h;  // negative height: rows stored top-down
  }
  return CheckedDimensions("bmp", w, h, limits);
}

}  // namespace

Result<Dimensions> ReadDimensions(std::string_view type, std::span<const uint8_t> bytes,
                                  const Limits& limits) {
  if (type == "jpeg") return JpegDimensions(bytes, limits);
  if (type == "png") return PngDimensions(bytes, limits);
  if (type == "webp") return WebpDimensions(bytes, limits);
  if (type == "gif") return GifDimensions(bytes, limits);
  if (type == "bmp") return BmpDimensions(bytes, limits);
  return Dimensions{};
}

}  // namespace vigil::media
