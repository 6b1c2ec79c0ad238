// GIF through giflib: records are read until the first image; only that
// image's rows are decoded (no DGifSlurp, so later frames cost nothing).
#include <gif_lib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "src/media/codec_util.h"
#include "src/media/decoders.h"
#include "src/media/formats.h"

namespace vigil::media {
namespace {

Status GifError(const char* what, int code) {
  const char* why = GifErrorString(code);
  return Status::Corrupt(std::string("gif ") + what + ": " +
                         (why != nullptr ? why : "unknown error"));
}

// Graphic control extension: bit 0 of the packed byte flags a transparent
// colour index, stored in the fourth byte.
int TransparentIndex(const GifByteType* ext) {
  if (ext == nullptr || ext[0] < 4 || (ext[1] & 1) == 0) return -1;
  return ext[4];
}

}  // namespace

Result<Image> DecodeGif(std::span<const uint8_t> b, const DecodeOptions& options) {
  GifSource src{b};
  int error = 0;
  GifFile gif(DGifOpen(&src, GifReadFn, &error));
  if (!gif) return GifError("header does not parse", error);
  Result<Dimensions> dims = CheckedDimensions("gif", gif->SWidth, gif->SHeight, options.limits);
  if (!dims.ok()) return dims.status();

  int transparent = -1;
  for (;;) {
    GifRecordType record;
    if (DGifGetRecordType(gif.get(), &record) == GIF_ERROR) {
      return GifError("does not parse", gif->Error);
    }
    if (record == TERMINATE_RECORD_TYPE) return Status::Corrupt("gif has no image");
    if (record == EXTENSION_RECORD_TYPE) {
      int ext_code = 0;
      GifByteType* ext = nullptr;
      if (DGifGetExtension(gif.get(), &ext_code, &ext) == GIF_ERROR) {
        return GifError("extension does not parse", gif->Error);
      }
      if (ext_code == GRAPHICS_EXT_FUNC_CODE) transparent = TransparentIndex(ext);
      while (ext != nullptr) {
        if (DGifGetExtensionNext(gif.get(), &ext) == GIF_ERROR) {
          return GifError("extension does not parse", gif->Error);
        }
      }
      continue;
    }
    if (record == IMAGE_DESC_RECORD_TYPE) break;
  }
  if (DGifGetImageDesc(gif.get()) == GIF_ERROR) {
    return GifError("image descriptor does not parse", gif->Error);
  }
  const GifImageDesc& desc = gif->Image;
  Result<Dimensions> frame =
      CheckedDimensions("gif frame", desc.Width, desc.Height, options.limits);
  if (!frame.ok()) return frame.status();
  const ColorMapObject* map = desc.ColorMap != nullptr ? desc.ColorMap : gif->SColorMap;
  auto colour = [map](int index, uint8_t* out) {
    if (map != nullptr && index < map->ColorCount) {
      const GifColorType& c = map->Colors[index];
      out[0] = c.Red;
      out[1] = c.Green;
      out[2] = c.Blue;
    } else if (map == nullptr) {  // no colour map at all: indices as grey
      out[0] = out[1] = out[2] = static_cast<uint8_t>(index);
    } else {
      out[0] = out[1] = out[2] = 0;
    }
  };

  Image image;
  VIGIL_RETURN_IF_ERROR(AllocateImage(dims->width, dims->height, 3, image));
  if (gif->SColorMap != nullptr && gif->SBackGroundColor < gif->SColorMap->ColorCount) {
    const GifColorType& c = gif->SColorMap->Colors[gif->SBackGroundColor];
    for (size_t i = 0; i < image.pixels.size(); i += 3) {
      image.pixels[i] = c.Red;
      image.pixels[i + 1] = c.Green;
      image.pixels[i + 2] = c.Blue;
    }
  }

  // Rows arrive in pass order when interlaced.
  std::vector<int> row_order;
  row_order.reserve(static_cast<size_t>(desc.Height));
  if (desc.Interlace) {
    static constexpr int kStart[] = {0, 4, 2, 1};
    static constexpr int kStep[] = {8, 8, 4, 2};
    for (int pass = 0; pass < 4; ++pass) {
      for (int y = kStart[pass]; y < desc.Height; y += kStep[pass]) row_order.push_back(y);
    }
  } else {
    for (int y = 0; y < desc.Height; ++y) row_order.push_back(y);
  }
  std::vector<GifPixelType> line(static_cast<size_t>(desc.Width));
  for (int y : row_order) {
    if (DGifGetLine(gif.get(), line.data(), desc.Width) == GIF_ERROR) {
      return GifError("image data does not decode", gif->Error);
    }
    const int cy = desc.Top + y;
    if (cy < 0 || cy >= dims->height) continue;  // frame larger than the screen: clipped
    uint8_t* row = image.pixels.data() + static_cast<size_t>(cy) * dims->width * 3;
    for (int x = 0; x < desc.Width; ++x) {
      const int cx = desc.Left + x;
      if (cx < 0 || cx >= dims->width || line[x] == transparent) continue;
      colour(line[x], row + static_cast<size_t>(cx) * 3);
    }
  }
  return image;
}

}  // namespace vigil::media
