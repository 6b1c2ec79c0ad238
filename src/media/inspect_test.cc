#include "vigil/media/inspect.h"

#include <gtest/gtest.h>
#include <png.h>
#include <stdlib.h>
#include <turbojpeg.h>
#include <webp/encode.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "src/media/media_test_util.h"
#include "vigil/core/hash256.h"
#include "vigil/media/pdq.h"
#include "vigil/media/video.h"

namespace vigil::media {
namespace {

using testing::PngHeaderClaiming;

using Bytes = std::vector<uint8_t>;

Bytes FromString(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::vector<uint8_t> Gradient(int w, int h) {
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 7);
  return rgb;
}

Bytes MakeJpeg(int w, int h) {
  std::unique_ptr<void, int (*)(tjhandle)> tj(tjInitCompress(), tjDestroy);
  std::vector<uint8_t> rgb = Gradient(w, h);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  EXPECT_EQ(tjCompress2(tj.get(), rgb.data(), w, 0, h, TJPF_RGB, &out, &size, TJSAMP_420, 90, 0),
            0);
  Bytes jpeg(out, out + size);
  tjFree(out);
  return jpeg;
}

Bytes MakePng(int w, int h) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = w;
  image.height = h;
  image.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> rgb = Gradient(w, h);
  png_alloc_size_t size = 0;
  EXPECT_TRUE(png_image_write_to_memory(&image, nullptr, &size, 0, rgb.data(), 0, nullptr));
  Bytes png(size);
  EXPECT_TRUE(png_image_write_to_memory(&image, png.data(), &size, 0, rgb.data(), 0, nullptr));
  png.resize(size);
  return png;
}

Bytes MakeWebp(int w, int h) {
  std::vector<uint8_t> rgb = Gradient(w, h);
  uint8_t* out = nullptr;
  const size_t size = WebPEncodeRGB(rgb.data(), w, h, w * 3, 80, &out);
  EXPECT_GT(size, 0u);
  Bytes webp(out, out + size);
  WebPFree(out);
  return webp;
}

void PutLe(Bytes& b, size_t at, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// 24-bit BMP with w x |h| pixels of grey ramp (|h| > 0 means bottom-up).
// Absurd sizes keep only 16 pixel bytes (header-only tests).
Bytes MakeBmp(int32_t w, int32_t h) {
  const int64_t stride = (int64_t{w} * 3 + 3) / 4 * 4;
  const int64_t rows = h < 0 ? -int64_t{h} : h;
  const int64_t pixel_bytes = w > 0 && stride * rows < (1 << 20) ? stride * rows : 16;
  Bytes b(54 + static_cast<size_t>(pixel_bytes), 0);
  for (size_t i = 54; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i * 13);
  b[0] = 'B';
  b[1] = 'M';
  PutLe(b, 2, static_cast<uint32_t>(b.size()), 4);
  PutLe(b, 10, 54, 4);
  PutLe(b, 14, 40, 4);
  PutLe(b, 18, static_cast<uint32_t>(w), 4);
  PutLe(b, 22, static_cast<uint32_t>(h), 4);
  PutLe(b, 26, 1, 2);
  PutLe(b, 28, 24, 2);
  return b;
}

// A 1x1 GIF89a with its logical screen widened to 3x2.
Bytes MakeGif() {
  return {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x03, 0x00, 0x02, 0x00, 0x80, 0x00, 0x00, 0xff, 0xff,
          0xff, 0x00, 0x00, 0x00, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
          0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};
}

class InspectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vigil_media_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Write(const std::string& name, const Bytes& b) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return path;
  }

  std::filesystem::path dir_;
  Limits limits_;
};

TEST_F(InspectTest, KnownHashVectors) {
  Result<MediaInfo> r = Inspect(FromString("abc"), limits_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(r->md5, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(r->size, 3u);
  EXPECT_EQ(r->type, "unknown");
  EXPECT_EQ(r->mime, "application/octet-stream");
  EXPECT_EQ(r->width, 0);
  EXPECT_EQ(r->pdq, "");
}

TEST_F(InspectTest, ImagesMadeByTheLibraries) {
  struct Case {
    Bytes bytes;
    std::string type, mime;
    int w, h;
  };
  const Case cases[] = {
      {MakeJpeg(7, 5), "jpeg", "image/jpeg", 7, 5},
      {MakePng(9, 4), "png", "image/png", 9, 4},
      {MakeWebp(6, 3), "webp", "image/webp", 6, 3},
      {MakeGif(), "gif", "image/gif", 3, 2},
      {MakeBmp(11, 13), "bmp", "image/bmp", 11, 13},
      {MakeBmp(11, -13), "bmp", "image/bmp", 11, 13},  // top-down rows
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type);
    Result<MediaInfo> r = Inspect(c.bytes, limits_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->type, c.type);
    EXPECT_EQ(r->mime, c.mime);
    EXPECT_EQ(r->width, c.w);
    EXPECT_EQ(r->height, c.h);
    EXPECT_EQ(r->size, c.bytes.size());
    // The file path gives the same answer as the in-memory bytes.
    Result<MediaInfo> f = InspectFile(Write("img." + c.type, c.bytes), limits_);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(f->sha256, r->sha256);
    EXPECT_EQ(f->md5, r->md5);
    EXPECT_EQ(f->type, r->type);
    EXPECT_EQ(f->width, r->width);
    EXPECT_EQ(f->height, r->height);
    // Either a hash or the reason there is none.
    EXPECT_NE(r->pdq.empty(), r->pdq_error.empty()) << r->pdq_error;
    EXPECT_EQ(f->pdq, r->pdq);
    if (c.w < 5 || c.h < 5) {
      EXPECT_NE(r->pdq_error.find("too small for PDQ"), std::string::npos) << r->pdq_error;
    }
  }
}

TEST_F(InspectTest, PdqOfImages) {
  const std::pair<std::string, Bytes> images[] = {{"jpeg", MakeJpeg(320, 240)},
                                                  {"png", MakePng(97, 64)},
                                                  {"webp", MakeWebp(120, 90)},
                                                  {"bmp", MakeBmp(40, -30)}};
  for (const auto& [type, bytes] : images) {
    SCOPED_TRACE(type);
    Result<MediaInfo> r = Inspect(bytes, limits_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->type, type);
    EXPECT_EQ(r->pdq.size(), 64u) << r->pdq_error;
    EXPECT_TRUE(Hash256::FromHex(r->pdq).has_value());
    EXPECT_GE(r->pdq_quality, 0);
    EXPECT_LE(r->pdq_quality, 100);
    EXPECT_EQ(r->pdq_error, "");
    Result<MediaInfo> f = InspectFile(Write("img", bytes), limits_);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(f->pdq, r->pdq);
    EXPECT_EQ(f->pdq_quality, r->pdq_quality);
    // The rotations/mirrors come from the same decode: the first is the PDQ,
    // and they are what PdqDihedralFromImageBytes gives.
    ASSERT_EQ(r->pdq_dihedral.size(), 8u);
    EXPECT_EQ(r->pdq_dihedral[0].ToHex(), r->pdq);
    auto dihedral = PdqDihedralFromImageBytes(bytes, limits_);
    ASSERT_TRUE(dihedral.ok());
    EXPECT_TRUE(
        std::equal(r->pdq_dihedral.begin(), r->pdq_dihedral.end(), dihedral->hashes.begin()));
  }
  // Not an image: no hash and no error.
  Result<MediaInfo> r = Inspect(FromString("%PDF-1.4 hello"), limits_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->pdq, "");
  EXPECT_EQ(r->pdq_error, "");
}

TEST_F(InspectTest, PdqOfAReferencePhoto) {
  // pytx (the reference maths on full-resolution pixels) gives this hash;
  // Inspect's fast path stays within a few bits of it.
  const auto path =
      std::filesystem::path(VIGIL_SHARED_TESTDATA) / "pdq/pdq/data/bridge-mods/aaa-orig.jpg";
  Result<MediaInfo> r = InspectFile(path, limits_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto want =
      Hash256::FromHex("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22");
  const auto got = Hash256::FromHex(r->pdq);
  ASSERT_TRUE(got.has_value()) << r->pdq_error;
  EXPECT_LE(Distance(*got, *want), 8);
  EXPECT_EQ(r->pdq_quality, 100);
}

TEST_F(InspectTest, UndecodableImageStillInspected) {
  Bytes jpeg = MakeJpeg(256, 256);
  jpeg.resize(jpeg.size() * 3 / 5);  // header intact, scan data cut
  Result<MediaInfo> r = Inspect(jpeg, limits_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->type, "jpeg");
  EXPECT_EQ(r->width, 256);
  EXPECT_EQ(r->sha256.size(), 64u);
  EXPECT_EQ(r->pdq, "");
  EXPECT_EQ(r->pdq_quality, -1);
  EXPECT_NE(r->pdq_error.find("corrupt"), std::string::npos) << r->pdq_error;
  EXPECT_NE(r->pdq_error.find("jpeg"), std::string::npos) << r->pdq_error;
  Result<MediaInfo> f = InspectFile(Write("cut.jpg", jpeg), limits_);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->pdq_error, r->pdq_error);
}

TEST_F(InspectTest, TypeComesFromBytesNotName) {
  Result<MediaInfo> r = InspectFile(Write("photo.jpg", MakeWebp(4, 4)), limits_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->type, "webp");
  EXPECT_EQ(r->mime, "image/webp");
  EXPECT_EQ(r->width, 4);
}

TEST_F(InspectTest, TruncatedJpegIsCorrupt) {
  Bytes jpeg = MakeJpeg(16, 16);
  jpeg.resize(40);  // inside the quantisation tables, before the frame header
  Result<MediaInfo> r = Inspect(jpeg, limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << r.status().ToString();
  EXPECT_NE(r.status().message().find("jpeg"), std::string::npos);
}

TEST_F(InspectTest, CorruptHeaders) {
  Bytes png = MakePng(4, 4);
  png[20] ^= 0xff;  // IHDR height byte: CRC no longer matches
  Bytes gif = MakeGif();
  gif.resize(8);  // inside the logical screen descriptor
  using namespace std::string_literals;
  for (const Bytes& b : {png, MakeBmp(0, 5), FromString("RIFF\x10\0\0\0WEBPVP8 garbage"s), gif}) {
    Result<MediaInfo> r = Inspect(b, limits_);
    ASSERT_FALSE(r.ok()) << r->type;
    EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << r.status().ToString();
  }
}

TEST_F(InspectTest, PixelLimit) {
  Result<MediaInfo> r = Inspect(PngHeaderClaiming(100000, 100000), limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("100000x100000"), std::string::npos);
  EXPECT_NE(r.status().message().find("max_pixels"), std::string::npos);

  // A side longer than max_pixels trips libpng's own user limit.
  r = Inspect(PngHeaderClaiming(200'000'000, 1), limits_);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();

  Limits tight;
  tight.max_pixels = 20;
  for (const Bytes& b : {MakeJpeg(5, 5), MakeWebp(5, 5), MakeBmp(5, 5)}) {
    r = Inspect(b, tight);
    EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  }
  EXPECT_TRUE(Inspect(MakeJpeg(5, 4), tight).ok());
}

TEST_F(InspectTest, EmptyMissingAndTooBig) {
  Result<MediaInfo> r = InspectFile(Write("empty.jpg", {}), limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("empty (0 bytes)"), std::string::npos);
  EXPECT_NE(r.status().message().find("empty.jpg"), std::string::npos);

  r = InspectFile(dir_ / "nope.png", limits_);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("nope.png"), std::string::npos);

  r = InspectFile(dir_, limits_);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);

  Limits small;
  small.max_media_bytes = 10;
  r = InspectFile(Write("big.bin", Bytes(11, 'x')), small);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("max_media_bytes"), std::string::npos);
  EXPECT_EQ(Inspect(Bytes(11, 'x'), small).status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(InspectFile(Write("ok.bin", Bytes(10, 'x')), small).ok());
  EXPECT_EQ(Inspect(Bytes{}, limits_).status().code(), StatusCode::kCorrupt);
}

// max_file_seconds: a file on disk whose time is up is refused while it is
// hashed; in memory (already hashed) the PDQ decode is refused and says why.
TEST_F(InspectTest, FileTimeLimit) {
  const Bytes jpeg = MakeJpeg(256, 256);
  Limits none;
  none.max_file_seconds = 0;
  Result<MediaInfo> r = InspectFile(Write("late.jpg", jpeg), none);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("late.jpg"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("max_file_seconds"), std::string::npos);

  r = Inspect(jpeg, none);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sha256.size(), 64u);
  EXPECT_EQ(r->pdq, "");
  EXPECT_NE(r->pdq_error.find("max_file_seconds"), std::string::npos) << r->pdq_error;

  // The same file with its time: hashed and PDQ'd; an explicit deadline wins.
  r = InspectFile(Write("in-time.jpg", jpeg), limits_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->pdq.empty());
  r = InspectFile(Write("in-time.jpg", jpeg), none, Deadline::In(3600));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->pdq.empty());
}

// A JPEG whose frame header lies beyond the first MiB (many big APP segments)
// is still measured, and the streamed hashes match the in-memory ones.
TEST_F(InspectTest, LargeFileHeaderBeyondHead) {
  Bytes small = MakeJpeg(8, 6);
  Bytes big(small.begin(), small.begin() + 2);  // SOI
  for (int i = 0; i < 40; ++i) {
    big.insert(big.end(), {0xFF, 0xEF, 0xFF, 0xFF});  // APP15, 65535 bytes with the length
    big.insert(big.end(), 65533, static_cast<uint8_t>(i));
  }
  big.insert(big.end(), small.begin() + 2, small.end());
  ASSERT_GT(big.size(), 2u << 20);
  Result<MediaInfo> mem = Inspect(big, limits_);
  ASSERT_TRUE(mem.ok()) << mem.status().ToString();
  Result<MediaInfo> file = InspectFile(Write("big.jpg", big), limits_);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->width, 8);
  EXPECT_EQ(file->height, 6);
  EXPECT_EQ(file->sha256, mem->sha256);
  EXPECT_EQ(file->md5, mem->md5);
  EXPECT_EQ(file->size, big.size());
}

TEST(SniffTypeTest, MagicBytes) {
  using namespace std::string_literals;
  const std::pair<std::string, std::string> cases[] = {
      {"\xFF\xD8\xFF\xE0"s, "jpeg"},
      {"\x89PNG\r\n\x1a\n"s, "png"},
      {"GIF87a"s, "gif"},
      {"RIFF\0\0\0\0WEBPVP8 "s, "webp"},
      {"RIFF\0\0\0\0WAVEfmt "s, "wav"},
      {"BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0"s, "bmp"},
      {"BMW is a car"s, "unknown"},
      {"II*\0"s, "tiff"},
      {"MM\0*"s, "tiff"},
      {"\0\0\0\x18"
       "ftypheic\0\0\0\0mif1heic"s,
       "heic"},
      {"\0\0\0\x1c"
       "ftypmif1\0\0\0\0mif1avifmiaf"s,
       "avif"},
      {"\0\0\0\x1c"
       "ftypavif\0\0\0\0avifmif1miaf"s,
       "avif"},
      {"\0\0\0\x14"
       "ftypqt  \0\0\0\0qt  "s,
       "mov"},
      {"\0\0\0\x18"
       "ftypisom\0\0\0\0isomiso2"s,
       "mp4"},
      {"\0\0\0\x18"
       "ftypmp42\0\0\0\0mp42isom"s,
       "mp4"},
      {"\x1A\x45\xDF\xA3\x9f\x42\x86\x81\x01\x42\x82\x84webm"s, "webm"},
      {"\x1A\x45\xDF\xA3\xa3\x42\x86\x81\x01\x42\x82\x88matroska"s, "mkv"},
      {"OggS\0\x02"s, "ogg"},
      {"ID3\x04\0"s, "mp3"},
      {"\xFF\xFB\x90\x64"s, "mp3"},
      {"\xFF\xF1\x50\x80"s, "unknown"},  // ADTS AAC, not MP3
      {"%PDF-1.7"s, "pdf"},
      {"PK\x03\x04"s, "zip"},
      {"PK\x05\x06"s, "zip"},
      {"hello"s, "unknown"},
      {""s, "unknown"},
      {"FLV\x01\x05\0\0\0\x09"s, "flv"},
      {"FLV\x02"s, "unknown"},
      {"DKIF\0\0\x20\0VP80"s, "ivf"},
      {"\x30\x26\xB2\x75\x8E\x66\xCF\x11\xA6\xD9\x00\xAA\x00\x62\xCE\x6C"s, "asf"},
      {"\x30\x26\xB2\x75\x8E\x66\xCF\x11\xA6\xD9\x00\xAA\x00\x62\xCE\x6D"s, "unknown"},
  };
  for (const auto& [bytes, type] : cases) {
    EXPECT_EQ(SniffType(FromString(bytes)), type) << bytes;
  }
}

// A transport stream is told by its sync byte repeating every 188 bytes (192
// in M2TS); one 'G' at the start, as in a text file, is not enough.
TEST(SniffTypeTest, TransportStreamNeedsRepeatedSyncBytes) {
  auto packets = [](size_t n, size_t stride, size_t first) {
    Bytes b(first + n * stride, 0xFF);
    for (size_t i = 0; i < n; ++i) b[first + i * stride] = 0x47;
    return b;
  };
  EXPECT_EQ(SniffType(packets(5, 188, 0)), "ts");
  EXPECT_EQ(SniffType(packets(3, 188, 0)), "ts");
  EXPECT_EQ(SniffType(packets(5, 192, 4)), "ts");
  EXPECT_EQ(SniffType(packets(2, 188, 0)), "unknown");  // too short to tell
  Bytes broken = packets(5, 188, 0);
  broken[4 * 188] = 'x';
  EXPECT_EQ(SniffType(broken), "unknown");
  std::string text = "Good morning. This is a text file starting with G.\n";
  while (text.size() < 4096) text += "Nothing here lines up with a transport stream.\n";
  EXPECT_EQ(SniffType(FromString(text)), "unknown");
  EXPECT_EQ(SniffType(FromString("G")), "unknown");
}

// The containers FFmpeg is allowed to open are recognised from real files,
// so that they are hashed: each is made by the ffmpeg CLI at test time.
TEST(InspectVideoTest, SniffsAndHashesEveryAllowedContainer) {
  if (std::system("ffmpeg -version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no ffmpeg CLI";
  std::string tmpl = (std::filesystem::temp_directory_path() / "vigil_inspect_XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::filesystem::path dir = tmpl;
  const std::string src = "-f lavfi -i testsrc2=s=160x120:r=10:d=2 ";
  const struct {
    std::string file, args, type, mime;
  } cases[] = {
      {"clip.flv", "-c:v flv", "flv", "video/x-flv"},
      {"clip.ts", "-c:v mpeg2video", "ts", "video/mp2t"},
      {"clip.wmv", "-c:v wmv2", "asf", "video/x-ms-asf"},
      {"clip.ivf", "-c:v libvpx -deadline realtime", "ivf", "video/x-ivf"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string cmd = "cd '" + dir.string() +
                            "' && ffmpeg -nostdin -hide_banner -loglevel error -y " + src + c.args +
                            " " + c.file + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    Result<MediaInfo> info = InspectFile(dir / c.file, Limits{});
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->type, c.type);
    EXPECT_EQ(info->mime, c.mime);
    ASSERT_TRUE(IsVideoType(info->type));
    Result<VideoHash> video = HashVideo(dir / c.file, VideoOptions{});
    ASSERT_TRUE(video.ok()) << video.status().ToString();
    ASSERT_FALSE(video->frames.empty());
    EXPECT_GE(video->frames[0].quality, kPdqMinQuality);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::media
