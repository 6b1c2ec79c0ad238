// Internal to the media module: RAII owners for the codec libraries' handles
// and in-memory readers, shared by the header readers (formats.cc) and the
// decoders (decode_*.cc). Everything here is thread-compatible: one object per
// call, no shared state.
#ifndef VIGIL_SRC_MEDIA_CODEC_UTIL_H_
#define VIGIL_SRC_MEDIA_CODEC_UTIL_H_

#include <gif_lib.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace vigil::media {

// tjhandle from tjInitDecompress()/tjInitCompress(), destroyed with tjDestroy.
struct TjDeleter {
  void operator()(void* h) const { tjDestroy(h); }
};
using TjHandle = std::unique_ptr<void, TjDeleter>;

// Buffers returned by tjAlloc/tjCompress2.
struct TjFreer {
  void operator()(unsigned char* p) const { tjFree(p); }
};

// A GIF read from memory by giflib's input callback.
struct GifSource {
  std::span<const uint8_t> data;
  size_t pos = 0;
};

inline int GifReadFn(GifFileType* gif, GifByteType* out, int n) {
  auto* src = static_cast<GifSource*>(gif->UserData);
  if (n <= 0) return 0;
  const size_t take = std::min(static_cast<size_t>(n), src->data.size() - src->pos);
  std::memcpy(out, src->data.data() + src->pos, take);
  src->pos += take;
  return static_cast<int>(take);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};
using GifFile = std::unique_ptr<GifFileType, GifCloser>;

}  // namespace vigil::media

#endif  // VIGIL_SRC_MEDIA_CODEC_UTIL_H_
