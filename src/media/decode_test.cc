// DecodeImage: every format and pixel layout written by the real encoders
// (TurboJPEG, libpng, libwebp, giflib; BMP by hand), truncation, corruption,
// limits, and a fault loop of truncations and byte flips.
#include "vigil/media/decode.h"

#include <gif_lib.h>
#include <gtest/gtest.h>
#include <png.h>
#include <turbojpeg.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "src/media/media_test_util.h"

namespace vigil::media {
namespace {

using testing::PngHeaderClaiming;

using Bytes = std::vector<uint8_t>;

// A smooth RGB test card: gradients plus a few flat patches.
Bytes Card(int w, int h) {
  Bytes rgb(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &rgb[(static_cast<size_t>(y) * w + x) * 3];
      p[0] = static_cast<uint8_t>(255 * x / std::max(1, w - 1));
      p[1] = static_cast<uint8_t>(255 * y / std::max(1, h - 1));
      p[2] = (x / 8 + y / 8) % 2 ? 200 : 40;
    }
  }
  return rgb;
}

double MeanAbsDiff(const Bytes& a, const Bytes& b) {
  EXPECT_EQ(a.size(), b.size());
  if (a.size() != b.size() || a.empty()) return 1e9;
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::abs(int{a[i]} - int{b[i]});
  return sum / a.size();
}

// --- Encoders -----------------------------------------------------------------

struct TjDeleter {
  void operator()(void* h) const { tjDestroy(h); }
};

Bytes Jpeg(const Bytes& pixels, int w, int h, int pixel_format, int subsamp, int quality = 92) {
  std::unique_ptr<void, TjDeleter> tj(tjInitCompress());
  unsigned char* out = nullptr;
  unsigned long size = 0;
  EXPECT_EQ(
      tjCompress2(tj.get(), pixels.data(), w, 0, h, pixel_format, &out, &size, subsamp, quality, 0),
      0)
      << tjGetErrorStr2(tj.get());
  Bytes jpeg(out, out + size);
  tjFree(out);
  return jpeg;
}

// libpng writer. Only plain data lives between setjmp and the libpng calls;
// the output vector is reached through a pointer.
struct PngSpec {
  int width, height, color_type, bit_depth, interlace;
  const uint8_t* rows;  // packed rows, png_get_rowbytes each
  size_t row_bytes;
  const png_color* palette;
  int palette_size;
  const uint8_t* trans;
  int trans_size;
};

void PngWrite(png_structp png, png_bytep data, size_t n) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + n);
}

bool WritePngC(const PngSpec* spec, Bytes* out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (info == nullptr) return false;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, PngWrite, nullptr);
  png_set_IHDR(png, info, spec->width, spec->height, spec->bit_depth, spec->color_type,
               spec->interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (spec->palette != nullptr) png_set_PLTE(png, info, spec->palette, spec->palette_size);
  if (spec->trans != nullptr) png_set_tRNS(png, info, spec->trans, spec->trans_size, nullptr);
  png_write_info(png, info);
  const int passes = png_set_interlace_handling(png);
  for (int pass = 0; pass < passes; ++pass) {
    for (int y = 0; y < spec->height; ++y) {
      png_write_row(png, spec->rows + static_cast<size_t>(y) * spec->row_bytes);
    }
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

Bytes WritePng(const PngSpec& spec) {
  Bytes out;
  EXPECT_TRUE(WritePngC(&spec, &out));
  return out;
}

struct GifSink {
  Bytes bytes;
};

int GifWrite(GifFileType* gif, const GifByteType* data, int n) {
  auto* sink = static_cast<GifSink*>(gif->UserData);
  sink->bytes.insert(sink->bytes.end(), data, data + n);
  return n;
}

struct GifFrame {
  int left, top, width, height;
  bool interlace;
  int transparent;                      // -1: none
  std::vector<GifColorType> local_map;  // a power-of-two count (giflib)
  std::vector<uint8_t> indices;         // width*height, row-major (display order)
};

// Screen of w x h with a 4-colour global map, background index `bg`.
Bytes WriteGif(int w, int h, int bg, const std::vector<GifFrame>& frames) {
  GifSink sink;
  int error = 0;
  GifFileType* gif = EGifOpen(&sink, GifWrite, &error);
  EXPECT_NE(gif, nullptr);
  const GifColorType global[4] = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
  ColorMapObject* gmap = GifMakeMapObject(4, global);
  EGifSetGifVersion(gif, true);
  EXPECT_EQ(EGifPutScreenDesc(gif, w, h, 8, bg, gmap), GIF_OK);
  for (const GifFrame& f : frames) {
    if (f.transparent >= 0) {
      const GifByteType gce[4] = {1, 0, 0, static_cast<GifByteType>(f.transparent)};
      EXPECT_EQ(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, gce), GIF_OK);
    }
    ColorMapObject* lmap =
        f.local_map.empty()
            ? nullptr
            : GifMakeMapObject(static_cast<int>(f.local_map.size()), f.local_map.data());
    // giflib 5.2.1's EGifPutImageDesc keeps a copy of a local colour map in
    // gif->Image.ColorMap, and a later frame without one overwrites it with
    // NULL without freeing it (nor does EGifCloseFile free the last one).
    GifFreeMapObject(gif->Image.ColorMap);
    gif->Image.ColorMap = nullptr;
    EXPECT_EQ(EGifPutImageDesc(gif, f.left, f.top, f.width, f.height, f.interlace, lmap), GIF_OK);
    GifFreeMapObject(lmap);
    std::vector<int> order;
    if (f.interlace) {
      for (int pass = 0; pass < 4; ++pass) {
        static constexpr int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
        for (int y = kStart[pass]; y < f.height; y += kStep[pass]) order.push_back(y);
      }
    } else {
      for (int y = 0; y < f.height; ++y) order.push_back(y);
    }
    for (int y : order) {
      std::vector<GifPixelType> line(f.indices.begin() + y * f.width,
                                     f.indices.begin() + (y + 1) * f.width);
      EXPECT_EQ(EGifPutLine(gif, line.data(), f.width), GIF_OK);
    }
  }
  GifFreeMapObject(gmap);
  GifFreeMapObject(gif->Image.ColorMap);  // the last frame's copy (see above)
  gif->Image.ColorMap = nullptr;
  EXPECT_EQ(EGifCloseFile(gif, &error), GIF_OK);
  return sink.bytes;
}

void PutLe(Bytes& b, size_t at, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// BMP with a 40-byte info header. `pixel_rows` are the stored rows (already
// padded, in file order); `extra` (masks, palette) follows the header.
Bytes WriteBmp(int w, int h, int bpp, uint32_t compression, const Bytes& extra,
               const Bytes& pixel_rows, uint32_t colours_used = 0) {
  // Sized once (growing it by insert trips GCC 12 -O3's -Warray-bounds).
  Bytes b(54 + extra.size() + pixel_rows.size(), 0);
  b[0] = 'B';
  b[1] = 'M';
  PutLe(b, 10, static_cast<uint32_t>(54 + extra.size()), 4);
  PutLe(b, 14, 40, 4);
  PutLe(b, 18, static_cast<uint32_t>(w), 4);
  PutLe(b, 22, static_cast<uint32_t>(h), 4);
  PutLe(b, 26, 1, 2);
  PutLe(b, 28, static_cast<uint32_t>(bpp), 2);
  PutLe(b, 30, compression, 4);
  PutLe(b, 46, colours_used, 4);
  std::copy(extra.begin(), extra.end(), b.begin() + 54);
  std::copy(pixel_rows.begin(), pixel_rows.end(),
            b.begin() + 54 + static_cast<ptrdiff_t>(extra.size()));
  PutLe(b, 2, static_cast<uint32_t>(b.size()), 4);
  return b;
}

Result<Image> Decode(const Bytes& b, DecodeOptions options = {}) { return DecodeImage(b, options); }

// --- JPEG -----------------------------------------------------------------------

TEST(DecodeJpeg, RgbGreyAndLuma) {
  const Bytes card = Card(64, 48);
  const Bytes jpeg = Jpeg(card, 64, 48, TJPF_RGB, TJSAMP_444, 95);
  Result<Image> rgb = Decode(jpeg);
  ASSERT_TRUE(rgb.ok()) << rgb.status().ToString();
  EXPECT_EQ(rgb->width, 64);
  EXPECT_EQ(rgb->height, 48);
  EXPECT_EQ(rgb->channels, 3);
  EXPECT_LT(MeanAbsDiff(rgb->pixels, card), 4.0);

  DecodeOptions luma;
  luma.luma_ok = true;
  Result<Image> y = Decode(jpeg, luma);
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->channels, 1);
  // The Y plane is JFIF luma: compare with 0.299R + 0.587G + 0.114B.
  Bytes expect(64 * 48);
  for (size_t i = 0; i < expect.size(); ++i) {
    expect[i] = static_cast<uint8_t>(0.299 * card[3 * i] + 0.587 * card[3 * i + 1] +
                                     0.114 * card[3 * i + 2] + 0.5);
  }
  EXPECT_LT(MeanAbsDiff(y->pixels, expect), 3.0);

  Bytes grey(64 * 48);
  for (size_t i = 0; i < grey.size(); ++i) grey[i] = static_cast<uint8_t>(i % 251);
  Result<Image> g = Decode(Jpeg(grey, 64, 48, TJPF_GRAY, TJSAMP_GRAY));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->channels, 1);
}

TEST(DecodeJpeg, DctScaling) {
  const Bytes jpeg = Jpeg(Card(1280, 960), 1280, 960, TJPF_RGB, TJSAMP_420, 85);
  struct Case {
    int min_side, w, h;
  };
  for (const Case& c : {Case{0, 1280, 960}, Case{256, 480, 360}, Case{128, 320, 240},
                        Case{100, 160, 120}, Case{960, 1280, 960}, Case{2000, 1280, 960}}) {
    SCOPED_TRACE(c.min_side);
    DecodeOptions o;
    o.min_side = c.min_side;
    Result<Image> img = Decode(jpeg, o);
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->width, c.w);
    EXPECT_EQ(img->height, c.h);
    EXPECT_EQ(img->source_width, 1280);
    EXPECT_EQ(img->source_height, 960);
    EXPECT_EQ(img->pixels.size(), static_cast<size_t>(c.w) * c.h * 3);
  }
}

TEST(DecodeJpeg, CmykIsConvertedToRgb) {
  // Adobe convention: stored values are inverted ink, so storing (R, G, B,
  // 255) must come back as (R, G, B).
  const Bytes card = Card(48, 32);
  Bytes cmyk(48 * 32 * 4);
  for (size_t i = 0; i < 48 * 32; ++i) {
    cmyk[4 * i] = card[3 * i];
    cmyk[4 * i + 1] = card[3 * i + 1];
    cmyk[4 * i + 2] = card[3 * i + 2];
    cmyk[4 * i + 3] = 255;
  }
  const Bytes jpeg = Jpeg(cmyk, 48, 32, TJPF_CMYK, TJSAMP_444, 95);
  Result<Image> img = Decode(jpeg);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->channels, 3);
  EXPECT_LT(MeanAbsDiff(img->pixels, card), 4.0);
  // luma_ok cannot be honoured for CMYK: still RGB.
  DecodeOptions luma;
  luma.luma_ok = true;
  luma.min_side = 16;
  img = Decode(jpeg, luma);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->channels, 3);
  EXPECT_EQ(img->width, 24);
}

TEST(DecodeJpeg, TruncatedAndCorrupt) {
  const Bytes jpeg = Jpeg(Card(256, 256), 256, 256, TJPF_RGB, TJSAMP_420);
  Bytes cut(jpeg.begin(), jpeg.begin() + jpeg.size() / 2);
  Result<Image> r = Decode(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << r.status().ToString();
  EXPECT_NE(r.status().message().find("jpeg"), std::string::npos);

  cut.assign(jpeg.begin(), jpeg.begin() + 40);  // inside the tables
  EXPECT_EQ(Decode(cut).status().code(), StatusCode::kCorrupt);
}

// --- PNG --------------------------------------------------------------------------

TEST(DecodePng, EveryLayout) {
  const int w = 13, h = 11;  // odd sizes: sub-byte rows end mid-byte
  const Bytes card = Card(w, h);
  Bytes grey(w * h);
  for (size_t i = 0; i < grey.size(); ++i) grey[i] = card[3 * i];

  {  // 16-bit RGB: v * 257 scales back to v exactly
    Bytes rows(static_cast<size_t>(w) * h * 6);
    for (size_t i = 0; i < card.size(); ++i) {
      rows[2 * i] = card[i];
      rows[2 * i + 1] = card[i];
    }
    PngSpec s{w,
              h,
              PNG_COLOR_TYPE_RGB,
              16,
              PNG_INTERLACE_NONE,
              rows.data(),
              static_cast<size_t>(w) * 6,
              nullptr,
              0,
              nullptr,
              0};
    Result<Image> img = Decode(WritePng(s));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->channels, 3);
    EXPECT_EQ(img->pixels, card);
  }
  {  // RGBA 8-bit, interlaced: alpha dropped, Adam7 reassembled
    Bytes rows(static_cast<size_t>(w) * h * 4);
    for (size_t i = 0; i < static_cast<size_t>(w) * h; ++i) {
      std::memcpy(&rows[4 * i], &card[3 * i], 3);
      rows[4 * i + 3] = static_cast<uint8_t>(i);
    }
    PngSpec s{w,
              h,
              PNG_COLOR_TYPE_RGBA,
              8,
              PNG_INTERLACE_ADAM7,
              rows.data(),
              static_cast<size_t>(w) * 4,
              nullptr,
              0,
              nullptr,
              0};
    Result<Image> img = Decode(WritePng(s));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->channels, 3);
    EXPECT_EQ(img->pixels, card);
  }
  {  // grey + alpha 8-bit
    Bytes rows(static_cast<size_t>(w) * h * 2);
    for (size_t i = 0; i < grey.size(); ++i) rows[2 * i] = grey[i], rows[2 * i + 1] = 7;
    PngSpec s{w,
              h,
              PNG_COLOR_TYPE_GRAY_ALPHA,
              8,
              PNG_INTERLACE_NONE,
              rows.data(),
              static_cast<size_t>(w) * 2,
              nullptr,
              0,
              nullptr,
              0};
    Result<Image> img = Decode(WritePng(s));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->channels, 1);
    EXPECT_EQ(img->pixels, grey);
  }
  {  // grey 16-bit, interlaced
    Bytes rows(static_cast<size_t>(w) * h * 2);
    for (size_t i = 0; i < grey.size(); ++i) rows[2 * i] = rows[2 * i + 1] = grey[i];
    PngSpec s{w,
              h,
              PNG_COLOR_TYPE_GRAY,
              16,
              PNG_INTERLACE_ADAM7,
              rows.data(),
              static_cast<size_t>(w) * 2,
              nullptr,
              0,
              nullptr,
              0};
    Result<Image> img = Decode(WritePng(s));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->channels, 1);
    EXPECT_EQ(img->pixels, grey);
  }
  {  // grey 1-bit: 0 and 255
    const size_t row_bytes = (w + 7) / 8;
    Bytes rows(row_bytes * h, 0);
    Bytes expect(w * h);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const bool on = (x + y) % 3 == 0;
        if (on) rows[y * row_bytes + x / 8] |= static_cast<uint8_t>(0x80 >> (x % 8));
        expect[y * w + x] = on ? 255 : 0;
      }
    }
    PngSpec s{
        w,       h, PNG_COLOR_TYPE_GRAY, 1, PNG_INTERLACE_NONE, rows.data(), row_bytes, nullptr, 0,
        nullptr, 0};
    Result<Image> img = Decode(WritePng(s));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->pixels, expect);
  }
  const png_color palette[4] = {{10, 20, 30}, {200, 0, 0}, {0, 200, 0}, {0, 0, 200}};
  const uint8_t trans[4] = {255, 0, 128, 255};
  for (int depth : {8, 2}) {  // palette + tRNS, 8-bit and 2-bit indices
    SCOPED_TRACE(depth);
    const size_t row_bytes = (static_cast<size_t>(w) * depth + 7) / 8;
    Bytes rows(row_bytes * h, 0);
    Bytes expect(static_cast<size_t>(w) * h * 3);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const int index = (x * 3 + y) % 4;
        if (depth == 8) {
          rows[y * row_bytes + x] = static_cast<uint8_t>(index);
        } else {
          rows[y * row_bytes + x / 4] |= static_cast<uint8_t>(index << (6 - 2 * (x % 4)));
        }
        uint8_t* e = &expect[(static_cast<size_t>(y) * w + x) * 3];
        e[0] = palette[index].red;
        e[1] = palette[index].green;
        e[2] = palette[index].blue;
      }
    }
    PngSpec s{w,
              h,
              PNG_COLOR_TYPE_PALETTE,
              depth,
              PNG_INTERLACE_NONE,
              rows.data(),
              row_bytes,
              palette,
              4,
              trans,
              4};
    Result<Image> img = Decode(WritePng(s));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->channels, 3);
    EXPECT_EQ(img->pixels, expect);
  }
}

TEST(DecodePng, BombsTruncationAndDamage) {
  Result<Image> r = Decode(PngHeaderClaiming(100000, 100000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("100000x100000"), std::string::npos);
  EXPECT_NE(r.status().message().find("max_pixels"), std::string::npos);
  r = Decode(PngHeaderClaiming(200'000'000, 1));
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  // Within limits but no IDAT: corrupt, not a crash or a grey image.
  r = Decode(PngHeaderClaiming(10, 10));
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << r.status().ToString();

  const Bytes card = Card(64, 64);
  PngSpec s{64,      64, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, card.data(), 64 * 3, nullptr, 0,
            nullptr, 0};
  const Bytes png = WritePng(s);
  Bytes cut(png.begin(), png.begin() + png.size() * 2 / 3);
  r = Decode(cut);
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << r.status().ToString();
  EXPECT_NE(r.status().message().find("png"), std::string::npos);
  Bytes damaged = png;
  damaged[png.size() / 2] ^= 0x55;  // inside IDAT: CRC mismatch
  r = Decode(damaged);
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << r.status().ToString();
}

// --- WebP -------------------------------------------------------------------------

TEST(DecodeWebp, LossyLosslessAnimatedTruncated) {
  const int w = 40, h = 30;
  const Bytes card = Card(w, h);
  uint8_t* out = nullptr;
  size_t size = WebPEncodeLosslessRGB(card.data(), w, h, w * 3, &out);
  ASSERT_GT(size, 0u);
  const Bytes lossless(out, out + size);
  WebPFree(out);
  size = WebPEncodeRGB(card.data(), w, h, w * 3, 90, &out);
  ASSERT_GT(size, 0u);
  const Bytes lossy(out, out + size);
  WebPFree(out);

  Result<Image> img = Decode(lossless);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->pixels, card);
  img = Decode(lossy);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->width, w);
  EXPECT_LT(MeanAbsDiff(img->pixels, card), 8.0);

  // Two frames, red then blue: the first comes back.
  WebPAnimEncoderOptions anim_opts;
  ASSERT_TRUE(WebPAnimEncoderOptionsInit(&anim_opts));
  std::unique_ptr<WebPAnimEncoder, void (*)(WebPAnimEncoder*)> enc(
      WebPAnimEncoderNew(w, h, &anim_opts), WebPAnimEncoderDelete);
  ASSERT_TRUE(enc);
  WebPConfig config;
  ASSERT_TRUE(WebPConfigInit(&config));
  config.lossless = 1;
  int timestamp = 0;
  for (uint32_t argb : {0xffff0000u, 0xff0000ffu}) {
    WebPPicture pic;
    ASSERT_TRUE(WebPPictureInit(&pic));
    pic.use_argb = 1;
    pic.width = w;
    pic.height = h;
    ASSERT_TRUE(WebPPictureAlloc(&pic));
    for (int i = 0; i < w * h; ++i) pic.argb[i] = argb;
    EXPECT_TRUE(WebPAnimEncoderAdd(enc.get(), &pic, timestamp, &config));
    WebPPictureFree(&pic);
    timestamp += 100;
  }
  EXPECT_TRUE(WebPAnimEncoderAdd(enc.get(), nullptr, timestamp, nullptr));
  WebPData data;
  WebPDataInit(&data);
  ASSERT_TRUE(WebPAnimEncoderAssemble(enc.get(), &data));
  const Bytes animated(data.bytes, data.bytes + data.size);
  WebPDataClear(&data);
  img = Decode(animated);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  ASSERT_EQ(img->pixels.size(), static_cast<size_t>(w) * h * 3);
  EXPECT_EQ(img->pixels[0], 255);
  EXPECT_EQ(img->pixels[2], 0);

  for (const Bytes* b : {&lossless, &lossy, &animated}) {
    Bytes cut(b->begin(), b->begin() + b->size() * 2 / 3);
    Result<Image> r = Decode(cut);
    EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << r.status().ToString();
  }
}

// --- GIF ----------------------------------------------------------------------------

TEST(DecodeGif, FirstFrameOnTheScreen) {
  // Screen 10x8, background green (index 2). Frame 1: 4x3 at (2,1), local
  // map, interlaced, index 0 transparent. Frame 2 (ignored): all red.
  GifFrame first{2, 1, 4, 3, true, 0, {{0, 0, 0}, {9, 9, 9}, {250, 250, 0}, {1, 1, 1}}, {}};
  for (int i = 0; i < 12; ++i) first.indices.push_back(static_cast<uint8_t>(i % 3));
  GifFrame second{0, 0, 10, 8, false, -1, {}, std::vector<uint8_t>(80, 1)};
  const Bytes gif = WriteGif(10, 8, 2, {first, second});
  Result<Image> img = Decode(gif);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  ASSERT_EQ(img->width, 10);
  ASSERT_EQ(img->height, 8);
  auto px = [&](int x, int y) {
    const uint8_t* p = &img->pixels[(static_cast<size_t>(y) * 10 + x) * 3];
    return std::vector<int>{p[0], p[1], p[2]};
  };
  EXPECT_EQ(px(0, 0), (std::vector<int>{0, 255, 0}));  // background
  EXPECT_EQ(px(2, 1), (std::vector<int>{0, 255, 0}));  // index 0: transparent
  EXPECT_EQ(px(3, 1), (std::vector<int>{9, 9, 9}));
  EXPECT_EQ(px(4, 1), (std::vector<int>{250, 250, 0}));
  // Row 2 of the frame (display order) = indices 8..11 = 2,0,1,2.
  EXPECT_EQ(px(2, 3), (std::vector<int>{250, 250, 0}));
  EXPECT_EQ(px(4, 3), (std::vector<int>{9, 9, 9}));

  Bytes cut(gif.begin(), gif.begin() + 40);
  Result<Image> r = Decode(cut);
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << r.status().ToString();
}

// Every prefix of a GIF whose frames have local colour maps (the allocations
// giflib makes while reading) either fails as corrupt or, once the first
// frame is whole, decodes; `make test-asan` adds that none leaks or reads past
// the end.
TEST(DecodeGif, EveryTruncationFailsCleanly) {
  GifFrame first{1, 1, 8, 6, true, 3, {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}}, {}};
  for (int i = 0; i < 48; ++i) first.indices.push_back(static_cast<uint8_t>(i * 7 % 4));
  GifFrame second{0, 0, 10, 8, false, -1, first.local_map, std::vector<uint8_t>(80, 2)};
  const Bytes gif = WriteGif(10, 8, 1, {first, second});
  ASSERT_TRUE(Decode(gif).ok());
  int failed = 0;
  for (size_t n = 0; n < gif.size(); ++n) {
    const Bytes cut(gif.begin(), gif.begin() + static_cast<ptrdiff_t>(n));
    Result<Image> r = Decode(cut);
    if (r.ok()) {
      EXPECT_EQ(r->width, 10) << n << " bytes";
      EXPECT_EQ(r->height, 8) << n << " bytes";
    } else {
      ++failed;
      if (n >= 6) {  // shorter than the signature: not recognised as a GIF at all
        EXPECT_EQ(r.status().code(), StatusCode::kCorrupt)
            << n << " bytes: " << r.status().ToString();
      }
    }
  }
  EXPECT_GE(failed, 40);  // everything up to the first frame's last pixel
}

// --- BMP ------------------------------------------------------------------------------

TEST(DecodeBmp, Variants) {
  const int w = 5, h = 3;  // rows need padding at 24 and 8 bits
  const Bytes card = Card(w, h);
  auto stored_rows = [&](int bpp, bool top_down, auto pixel) {
    const size_t stride = (static_cast<size_t>(bpp) * w + 31) / 32 * 4;
    Bytes rows(stride * h, 0);
    for (int y = 0; y < h; ++y) {
      const int src_y = top_down ? y : h - 1 - y;
      for (int x = 0; x < w; ++x) pixel(&rows[y * stride], x, &card[(src_y * w + x) * 3]);
    }
    return rows;
  };
  auto bgr = [](uint8_t* row, int x, const uint8_t* rgb) {
    row[3 * x] = rgb[2], row[3 * x + 1] = rgb[1], row[3 * x + 2] = rgb[0];
  };
  auto bgrx = [](uint8_t* row, int x, const uint8_t* rgb) {
    row[4 * x] = rgb[2], row[4 * x + 1] = rgb[1], row[4 * x + 2] = rgb[0], row[4 * x + 3] = 0;
  };
  struct Case {
    std::string name;
    Bytes file;
  };
  Bytes masks(12);
  PutLe(masks, 0, 0x00ff0000, 4);
  PutLe(masks, 4, 0x0000ff00, 4);
  PutLe(masks, 8, 0x000000ff, 4);
  Bytes top_down = WriteBmp(w, -h, 24, 0, {}, stored_rows(24, true, bgr));
  const Case cases[] = {
      {"24 bottom-up", WriteBmp(w, h, 24, 0, {}, stored_rows(24, false, bgr))},
      {"24 top-down", top_down},
      {"32 BI_RGB", WriteBmp(w, h, 32, 0, {}, stored_rows(32, false, bgrx))},
      {"32 BITFIELDS", WriteBmp(w, h, 32, 3, masks, stored_rows(32, false, bgrx))},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<Image> img = Decode(c.file);
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->width, w);
    EXPECT_EQ(img->height, h);
    EXPECT_EQ(img->pixels, card);
  }

  // 8- and 4-bit palettes: index = (x + y) % 3 (display coordinates).
  const uint8_t colours[3][3] = {{1, 2, 3}, {200, 100, 50}, {7, 250, 9}};
  Bytes palette;
  for (const auto& c : colours) palette.insert(palette.end(), {c[2], c[1], c[0], 0});
  Bytes expect(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) std::memcpy(&expect[(y * w + x) * 3], colours[(x + y) % 3], 3);
  }
  for (int bpp : {8, 4, 1}) {
    SCOPED_TRACE(bpp);
    const size_t stride = (static_cast<size_t>(bpp) * w + 31) / 32 * 4;
    Bytes rows(stride * h, 0);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const int index = bpp == 1 ? (x + y) % 2 : (x + y) % 3;
        const int per_byte = 8 / bpp;
        rows[(h - 1 - y) * stride + x / per_byte] |=
            static_cast<uint8_t>(index << (8 - bpp * (x % per_byte + 1)));
        if (bpp == 1) std::memcpy(&expect[(y * w + x) * 3], colours[index], 3);
      }
    }
    Bytes pal(palette.begin(), palette.begin() + (bpp == 1 ? 8 : 12));
    Result<Image> img = Decode(WriteBmp(w, h, bpp, 0, pal, rows, bpp == 1 ? 2 : 3));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->pixels, expect);
  }

  // 16-bit 5-6-5 BITFIELDS: white and pure red.
  Bytes m565(12);
  PutLe(m565, 0, 0xf800, 4);
  PutLe(m565, 4, 0x07e0, 4);
  PutLe(m565, 8, 0x001f, 4);
  Bytes rows16(4, 0);
  PutLe(rows16, 0, 0xffff, 2);
  PutLe(rows16, 2, 0xf800, 2);
  Result<Image> img = Decode(WriteBmp(2, 1, 16, 3, m565, rows16));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->pixels, (Bytes{255, 255, 255, 255, 0, 0}));

  // Truncated pixel data, RLE, absurd size.
  Bytes cut(top_down.begin(), top_down.end() - 4);
  EXPECT_EQ(Decode(cut).status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(Decode(WriteBmp(w, h, 8, 1, palette, Bytes(64, 0))).status().code(),
            StatusCode::kUnsupported);
  Result<Image> big = Decode(WriteBmp(100000, 100000, 24, 0, {}, {}));
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted) << big.status().ToString();
}

// --- Any format ---------------------------------------------------------------------------

TEST(DecodeImage, EmptyUnknownAndTooLarge) {
  Result<Image> r = Decode({});
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("empty"), std::string::npos);
  r = Decode(Bytes{'%', 'P', 'D', 'F', '-', '1'});
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported) << r.status().ToString();
  DecodeOptions tiny;
  tiny.limits.max_media_bytes = 10;
  r = Decode(Jpeg(Card(8, 8), 8, 8, TJPF_RGB, TJSAMP_444), tiny);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  DecodeOptions few_pixels;
  few_pixels.limits.max_pixels = 63;
  r = Decode(Jpeg(Card(8, 8), 8, 8, TJPF_RGB, TJSAMP_444), few_pixels);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

// Limits::max_file_seconds reaches the decoders through DecodeOptions::deadline:
// a file whose time is up is refused, in every format, naming the limit.
TEST(DecodeImage, StopsWhenTheFilesTimeIsUp) {
  const Bytes card = Card(48, 40);
  PngSpec s{48,      40, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, card.data(), 48 * 3, nullptr, 0,
            nullptr, 0};
  uint8_t* out = nullptr;
  const size_t webp_size = WebPEncodeRGB(card.data(), 48, 40, 48 * 3, 80, &out);
  const Bytes webp(out, out + webp_size);
  WebPFree(out);
  GifFrame frame{0, 0, 48, 40, false, -1, {}, {}};
  frame.indices.assign(48 * 40, 1);
  const std::vector<std::pair<std::string, Bytes>> files = {
      {"jpeg", Jpeg(card, 48, 40, TJPF_RGB, TJSAMP_420)},
      {"png", WritePng(s)},
      {"webp", webp},
      {"gif", WriteGif(48, 40, 0, {frame})},
      {"bmp", WriteBmp(48, 40, 24, 0, {}, Bytes(48 * 3 * 40, 0x42))},
  };
  for (const auto& [type, file] : files) {
    DecodeOptions in_time;
    in_time.deadline = Deadline::In(3600);
    ASSERT_TRUE(Decode(file, in_time).ok()) << type;
    DecodeOptions late;
    late.deadline = Deadline::In(0);
    Result<Image> r = Decode(file, late);
    EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << type;
    EXPECT_NE(r.status().message().find("max_file_seconds"), std::string::npos) << type;
    EXPECT_NE(r.status().message().find(type + " decode"), std::string::npos) << type;
  }

  // A large PNG is stopped between rows: 1 ms is far less than decoding
  // 4000x4000 pixels takes (tens of ms), whenever the clock runs out.
  const Bytes zero_row(4000, 0);
  PngSpec big{
      4000,    4000, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, zero_row.data(), 0, nullptr, 0,
      nullptr, 0};
  const Bytes big_png = WritePng(big);
  ASSERT_TRUE(Decode(big_png).ok());
  DecodeOptions one_ms;
  one_ms.deadline = Deadline::In(0.001);
  Result<Image> r = Decode(big_png, one_ms);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("max_file_seconds"), std::string::npos);
}

// Fault loop: every format, cut at many lengths and with bytes flipped. Each
// attempt must return (an image or a clean error), never crash, never report
// an internal error.
TEST(DecodeImage, TruncationsAndFlipsNeverCrash) {
  const Bytes card = Card(48, 40);
  PngSpec s{
      48,      40, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7, card.data(), 48 * 3, nullptr, 0,
      nullptr, 0};
  uint8_t* out = nullptr;
  const size_t webp_size = WebPEncodeRGB(card.data(), 48, 40, 48 * 3, 80, &out);
  const Bytes webp(out, out + webp_size);
  WebPFree(out);
  GifFrame frame{0, 0, 48, 40, true, -1, {}, {}};
  for (int i = 0; i < 48 * 40; ++i) frame.indices.push_back(static_cast<uint8_t>(i % 4));
  Bytes bmp_rows(48 * 3 * 40, 0x42);
  const std::vector<Bytes> files = {
      Jpeg(card, 48, 40, TJPF_RGB, TJSAMP_420), WritePng(s), webp, WriteGif(48, 40, 0, {frame}),
      WriteBmp(48, 40, 24, 0, {}, bmp_rows),
  };
  std::mt19937 rng(11);
  int attempts = 0;
  for (const Bytes& file : files) {
    for (size_t len = 0; len < file.size(); len += 1 + file.size() / 41) {
      Result<Image> r = Decode(Bytes(file.begin(), file.begin() + len));
      EXPECT_NE(r.status().code(), StatusCode::kInternal) << r.status().ToString();
      ++attempts;
    }
    for (int i = 0; i < 60; ++i) {
      Bytes damaged = file;
      for (int k = 0; k < 4; ++k) damaged[rng() % damaged.size()] ^= static_cast<uint8_t>(rng());
      Result<Image> r = Decode(damaged);
      EXPECT_NE(r.status().code(), StatusCode::kInternal) << r.status().ToString();
      if (r.ok()) {
        EXPECT_EQ(r->pixels.size(),
                  static_cast<size_t>(r->width) * r->height * static_cast<size_t>(r->channels));
      }
      ++attempts;
    }
  }
  EXPECT_GT(attempts, 400);
}

}  // namespace
}  // namespace vigil::media
