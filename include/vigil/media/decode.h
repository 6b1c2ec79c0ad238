// Image decoding: the still images vigil hashes, from untrusted bytes to
// 8-bit pixels.
//
// Formats (sniffed from the bytes with SniffType, never from a name):
//   jpeg  libjpeg-turbo; grey, YCbCr/RGB and CMYK/YCCK (Adobe-inverted CMYK,
//         as Photoshop and Pillow write it, is converted to RGB). Optional
//         DCT-domain downscaling (DecodeOptions::min_side).
//   png   libpng; every colour type and bit depth (palette, grey 1..16 bit,
//         grey+alpha, RGB(A) 8/16 bit, interlaced). 16-bit samples are scaled
//         to 8 bits.
//   webp  libwebp; lossy and lossless; animated files give their first frame
//         as composed on the canvas.
//   gif   giflib; the first image, drawn on the logical screen (background
//         colour, local or global colour map, transparent pixels left as
//         background).
//   bmp   read here; 1/4/8-bit palette, 16/24/32-bit (BI_RGB or BI_BITFIELDS),
//         bottom-up and top-down. RLE/JPEG/PNG-compressed BMPs: Unsupported.
// Alpha is dropped, not composited (what the PDQ references do). EXIF
// orientation is not applied (nor do the references; dihedral PDQ hashes
// cover rotations).
//
// Failure modes, as Status codes:
//   Unsupported        a type that is not one of the above (or a BMP
//                      compression this reader lacks)
//   ResourceExhausted  the header's width*height exceeds limits.max_pixels, or
//                      the file is over limits.max_media_bytes — checked
//                      before any pixel buffer is allocated (decompression
//                      bombs)
//                      or DecodeOptions::deadline passed (max_file_seconds)
//   Corrupt            empty input (0 bytes), or the file does not parse or
//                      ends early (truncated)
// Never crashes or throws on any input.
//
// Thread-safety: DecodeImage is pure and may run concurrently on any number
// of threads. The returned Image owns its pixels.
#ifndef VIGIL_MEDIA_DECODE_H_
#define VIGIL_MEDIA_DECODE_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "vigil/core/deadline.h"
#include "vigil/core/limits.h"
#include "vigil/core/status.h"

namespace vigil::media {

// Decoded 8-bit pixels, row-major without padding (width * channels bytes a
// row). channels is 1 (grey, or a JPEG's luma plane) or 3 (RGB).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;
  // Size stored in the file; differs from width x height when a JPEG was
  // decoded at a reduced DCT scale.
  int source_width = 0;
  int source_height = 0;
};

struct DecodeOptions {
  Limits limits;
  // JPEG only: decode at the smallest libjpeg-turbo scaling factor (1/8,
  // 1/4, 3/8, 1/2, ... 1) that keeps both sides >= min_side pixels; images
  // already smaller decode at full size. 0 means always full size. Other
  // formats ignore it (their decoders have no cheap reduced decode).
  int min_side = 0;
  // JPEG only: a colour (YCbCr) JPEG may be returned as its luma plane, one
  // channel. That skips chroma IDCT, upsampling and colour conversion; the
  // plane is JFIF's Y = 0.299R + 0.587G + 0.114B, the same weights PDQ uses.
  bool luma_ok = false;
  // Checked before and after decoding and between PNG rows; once it has
  // passed, DecodeImage returns ResourceExhausted naming max_file_seconds.
  // (A JPEG decodes in one TurboJPEG call, bounded by max_pixels and
  // TJFLAG_LIMITSCANS' 500 progressive scans, so it is checked around it.)
  Deadline deadline;
};

// Decodes the first (or only) frame of an image file. See the file comment
// for formats and failure modes.
Result<Image> DecodeImage(std::span<const uint8_t> bytes, const DecodeOptions& options);

// True for the types DecodeImage handles ("jpeg", "png", "webp", "gif",
// "bmp").
bool IsDecodableImageType(std::string_view type);

}  // namespace vigil::media

#endif  // VIGIL_MEDIA_DECODE_H_
