#include "vigil/media/video.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace vigil::media {
namespace {

namespace fs = std::filesystem;

bool HaveFfmpeg() { return std::system("ffmpeg -version >/dev/null 2>&1") == 0; }

std::vector<uint8_t> ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const fs::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// Clips are generated once per test binary with the ffmpeg CLI from lavfi
// sources, in a private temp dir. The sources rotate over time so that each
// second looks different (otherwise a clip and its first half would look
// alike frame for frame and the direction of the match rule would go untested).
class VideoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HaveFfmpeg()) return;
    std::string templ = (fs::temp_directory_path() / "vigil_video_test_XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) return;
    dir_ = templ;
    const std::string spin = "rotate=a=PI*t/4:fillcolor=gray";
    const std::string src = "testsrc2=s=320x240:r=25:d=10," + spin;
    const std::string x264 = " -c:v libx264 -preset veryfast -pix_fmt yuv420p ";
    const std::string vp8 = " -c:v libvpx -b:v 300k -deadline realtime -cpu-used 16 ";
    ok_ = Ffmpeg("-f lavfi -i " + src + x264 + "full.mp4") &&
          Ffmpeg("-i full.mp4 -t 5" + x264 + "half.mp4") &&
          Ffmpeg("-i full.mp4 -vf scale=240:180 -c:v mpeg4 -b:v 150k full_small.avi") &&
          Ffmpeg("-f lavfi -i mandelbrot=s=320x240:r=25,trim=duration=10" + x264 + "other.mp4") &&
          Ffmpeg("-f lavfi -i testsrc2=s=1280x720:r=25:d=4" + x264 + "hd.mp4") &&
          Ffmpeg("-f lavfi -i sine=d=3 -c:a aac audio.m4a") &&
          Ffmpeg("-i half.mp4 -c copy -movflags +faststart half_fast.mp4") &&
          Ffmpeg("-i half.mp4 -c:v mpeg2video -q:v 4 half.ts") &&
          Ffmpeg("-i half.mp4 -c:v mjpeg -q:v 4 half_mjpeg.avi") &&
          Ffmpeg("-i half.mp4" + vp8 + "half.webm") &&
          Ffmpeg("-f lavfi -i testsrc2=s=160x120:r=25:d=3 -f lavfi -i sine=d=3" + x264 +
                 "-c:a aac -shortest tiny.mp4") &&
          Ffmpeg("-i tiny.mp4" + vp8 + "-c:a libvorbis tiny.webm");
  }

  static void TearDownTestSuite() {
    if (dir_.empty()) return;
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }

  static bool Ffmpeg(const std::string& args) {
    const std::string cmd = "cd '" + dir_.string() +
                            "' && ffmpeg -nostdin -hide_banner -loglevel error -y " + args +
                            " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }

  void SetUp() override {
    if (!HaveFfmpeg()) GTEST_SKIP() << "ffmpeg CLI not installed";
    ASSERT_TRUE(ok_) << "could not generate test clips";
  }

  static fs::path Clip(const std::string& name) { return dir_ / name; }

  static VideoHash MustHash(const std::string& name, const VideoOptions& options = {}) {
    Result<VideoHash> h = HashVideo(Clip(name), options);
    EXPECT_TRUE(h.ok()) << name << ": " << h.status().ToString();
    return h.ok() ? std::move(h).value() : VideoHash{};
  }

  static inline fs::path dir_;
  static inline bool ok_ = false;
};

TEST_F(VideoTest, SamplesOneFramePerSecond) {
  const VideoHash h = MustHash("half.mp4");
  ASSERT_EQ(h.frames.size(), 5u);
  for (size_t i = 0; i < h.frames.size(); ++i) {
    EXPECT_NEAR(h.frames[i].timestamp_seconds, static_cast<double>(i), 0.05) << i;
    EXPECT_EQ(h.frames[i].frame_index, static_cast<int64_t>(i) * 25) << i;
    EXPECT_GE(h.frames[i].quality, kPdqMinQuality) << i;
  }
  EXPECT_EQ(h.codec, "h264");
  EXPECT_EQ(h.width, 320);
  EXPECT_EQ(h.height, 240);
  EXPECT_NEAR(h.duration_seconds, 5.0, 0.1);
  EXPECT_EQ(h.decoded_frames, 125);
  EXPECT_EQ(h.decode_errors, 0);
  EXPECT_FALSE(h.truncated);
  EXPECT_EQ(h.rotation, 0);
}

TEST_F(VideoTest, BytesAndFileGiveTheSameHashes) {
  const VideoHash from_file = MustHash("half.mp4");
  const std::vector<uint8_t> bytes = ReadAll(Clip("half.mp4"));
  Result<VideoHash> from_bytes = HashVideoBytes(bytes, {});
  ASSERT_TRUE(from_bytes.ok()) << from_bytes.status().ToString();
  ASSERT_EQ(from_bytes->frames.size(), from_file.frames.size());
  for (size_t i = 0; i < from_file.frames.size(); ++i) {
    EXPECT_EQ(from_bytes->frames[i].hash, from_file.frames[i].hash);
  }
}

TEST_F(VideoTest, SameVideoMatchesItself) {
  const VideoHash h = MustHash("full.mp4");
  ASSERT_EQ(h.frames.size(), 10u);
  const VideoMatch m = CompareVideos(h, h);
  EXPECT_DOUBLE_EQ(m.query_match_percent, 100.0);
  EXPECT_DOUBLE_EQ(m.compared_match_percent, 100.0);
  EXPECT_TRUE(IsMatch(m));
}

TEST_F(VideoTest, ReencodedSmallerVideoMatches) {
  const VideoHash full = MustHash("full.mp4");
  const VideoHash small = MustHash("full_small.avi");
  EXPECT_EQ(small.codec, "mpeg4");
  EXPECT_EQ(small.width, 240);
  ASSERT_EQ(small.frames.size(), 10u);
  const VideoMatch m = CompareVideos(small, full);
  EXPECT_GE(m.compared_match_percent, 80.0);
  EXPECT_TRUE(IsMatch(m));
  EXPECT_TRUE(IsMatch(CompareVideos(full, small)));
}

TEST_F(VideoTest, DifferentVideoDoesNotMatch) {
  const VideoHash full = MustHash("full.mp4");
  const VideoHash other = MustHash("other.mp4");
  ASSERT_EQ(other.frames.size(), 10u);
  const VideoMatch m = CompareVideos(other, full);
  EXPECT_GT(m.query_unique_frames, 0);  // compared for real, not filtered away
  EXPECT_GT(m.compared_unique_frames, 0);
  EXPECT_LT(m.compared_match_percent, 20.0);
  EXPECT_FALSE(IsMatch(m));
  EXPECT_FALSE(IsMatch(CompareVideos(full, other)));
}

// The rule reads "80% of the compared (known) video occurs in the query": a
// query containing the whole known clip matches; a query that is only the
// first half of a known video does not.
TEST_F(VideoTest, ClipMatchesOnlyInTheContainedDirection) {
  const VideoHash full = MustHash("full.mp4");
  const VideoHash half = MustHash("half.mp4");

  const VideoMatch full_contains_half = CompareVideos(/*query=*/full, /*compared=*/half);
  EXPECT_GE(full_contains_half.compared_match_percent, 80.0);
  EXPECT_NEAR(full_contains_half.query_match_percent, 50.0, 20.0);
  EXPECT_TRUE(IsMatch(full_contains_half));

  const VideoMatch half_of_full = CompareVideos(/*query=*/half, /*compared=*/full);
  EXPECT_GE(half_of_full.query_match_percent, 80.0);
  EXPECT_LT(half_of_full.compared_match_percent, 80.0);
  EXPECT_FALSE(IsMatch(half_of_full));
}

TEST_F(VideoTest, DisplayRotationIsApplied) {
  // The 5.1 mov muxer turns the legacy "rotate=90" tag into a matrix the
  // ffmpeg CLI displays as a 90 degree counter-clockwise turn (transpose=cclock).
  ASSERT_TRUE(Ffmpeg("-i half.mp4 -c copy -metadata:s:v:0 rotate=90 rotated.mp4"));
  ASSERT_TRUE(Ffmpeg("-i half.mp4 -vf transpose=cclock -c:v libx264 -preset veryfast turned.mp4"));
  const VideoHash rotated = MustHash("rotated.mp4");
  const VideoHash turned = MustHash("turned.mp4");
  const VideoHash half = MustHash("half.mp4");
  EXPECT_EQ(rotated.rotation, 270);
  EXPECT_TRUE(IsMatch(CompareVideos(rotated, turned)));
  EXPECT_FALSE(IsMatch(CompareVideos(rotated, half)));

  VideoOptions raw;
  raw.autorotate = false;
  const VideoHash unrotated = MustHash("rotated.mp4", raw);
  EXPECT_EQ(unrotated.rotation, 0);
  EXPECT_TRUE(IsMatch(CompareVideos(unrotated, half)));
}

TEST_F(VideoTest, OtherContainersAndStartOffsets) {
  // MPEG-TS starts its clock at 1.4 s; MJPEG decodes to full-range yuvj.
  const VideoHash half = MustHash("half.mp4");
  for (const char* name : {"half.ts", "half_mjpeg.avi", "half.webm"}) {
    const VideoHash h = MustHash(name);
    ASSERT_EQ(h.frames.size(), 5u) << name;
    EXPECT_NEAR(h.frames[0].timestamp_seconds, 0.0, 0.05) << name;
    EXPECT_NEAR(h.frames[4].timestamp_seconds, 4.0, 0.05) << name;
    const VideoMatch m = CompareVideos(h, half);
    EXPECT_DOUBLE_EQ(m.compared_match_percent, 100.0) << name;
  }
}

TEST_F(VideoTest, TruncatedFilesAreCorrupt) {
  for (const char* name : {"half.mp4", "half_fast.mp4", "half.webm", "half_mjpeg.avi"}) {
    std::vector<uint8_t> bytes = ReadAll(Clip(name));
    bytes.resize(bytes.size() / 2);
    const fs::path cut = Clip(std::string("cut_") + name);
    WriteAll(cut, bytes);
    Result<VideoHash> h = HashVideo(cut, {});
    ASSERT_FALSE(h.ok()) << name;
    EXPECT_EQ(h.status().code(), StatusCode::kCorrupt) << name << ": " << h.status().ToString();

    // Frames before the cut are kept when asked (moov-less mp4 has none).
    VideoOptions partial;
    partial.allow_truncated = true;
    Result<VideoHash> p = HashVideo(cut, partial);
    if (std::string(name) != "half.mp4") {
      ASSERT_TRUE(p.ok()) << name << ": " << p.status().ToString();
      EXPECT_TRUE(p->truncated);
      EXPECT_GE(p->frames.size(), 1u);
      EXPECT_LT(p->frames.size(), 5u);
    }
  }
}

// Complete files whose audio outlasts the video are not mistaken for
// truncated ones.
TEST_F(VideoTest, AudioLongerThanVideoIsComplete) {
  for (const char* name : {"long_audio.mp4", "long_audio.mkv"}) {
    ASSERT_TRUE(
        Ffmpeg(std::string("-i half.mp4 -f lavfi -i sine=d=9 -map 0:v -map 1:a -c:v copy ") +
               "-c:a aac " + name));
    const VideoHash h = MustHash(name);
    EXPECT_EQ(h.frames.size(), 5u) << name;
    EXPECT_FALSE(h.truncated) << name;
    EXPECT_NEAR(h.duration_seconds, 9.0, 0.2) << name;
  }
}

// Fault injection: every cut point and a spread of damaged bytes give a
// value, never a crash (run under ASan in CI), and any hash that comes back
// is well formed.
TEST_F(VideoTest, DamagedFilesGiveValues) {
  std::mt19937 rng(7);
  for (const char* name : {"tiny.mp4", "tiny.webm"}) {
    const std::vector<uint8_t> clean = ReadAll(Clip(name));
    ASSERT_FALSE(clean.empty());
    for (int i = 0; i < 40; ++i) {
      std::vector<uint8_t> bytes = clean;
      if (i < 20) {
        bytes.resize(bytes.size() * i / 20);
      } else {
        for (int k = 0; k < 8; ++k) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
      }
      VideoOptions o;
      o.allow_truncated = (i % 2) == 0;
      Result<VideoHash> h = HashVideoBytes(bytes, o);
      if (!h.ok()) {
        EXPECT_NE(h.status().code(), StatusCode::kInternal) << name << " #" << i;
        EXPECT_FALSE(h.status().message().empty());
        continue;
      }
      EXPECT_FALSE(h->frames.empty()) << name << " #" << i;
      EXPECT_LE(h->frames.size(), 4u) << name << " #" << i;
      for (size_t f = 1; f < h->frames.size(); ++f) {
        EXPECT_GT(h->frames[f].timestamp_seconds, h->frames[f - 1].timestamp_seconds);
        EXPECT_GT(h->frames[f].frame_index, h->frames[f - 1].frame_index);
      }
    }
  }
}

TEST_F(VideoTest, RandomBytesAreRefused) {
  std::mt19937 rng(42);
  std::vector<uint8_t> noise(64 * 1024);
  for (uint8_t& b : noise) b = static_cast<uint8_t>(rng());
  Result<VideoHash> h = HashVideoBytes(noise, {});
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kUnsupported) << h.status().ToString();
}

TEST_F(VideoTest, AudioOnlyIsUnsupported) {
  Result<VideoHash> h = HashVideo(Clip("audio.m4a"), {});
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kUnsupported) << h.status().ToString();
  EXPECT_NE(h.status().message().find("no video stream"), std::string::npos);
}

TEST_F(VideoTest, ImagesAndPlaylistsAreNotVideos) {
  ASSERT_TRUE(Ffmpeg("-f lavfi -i testsrc2=s=64x64:d=1 -frames:v 1 still.png"));
  const std::string playlist = "ffconcat version 1.0\nfile '" + Clip("half.mp4").string() + "'\n";
  WriteAll(Clip("list.ffconcat"), std::vector<uint8_t>(playlist.begin(), playlist.end()));
  const std::string hls = "#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXTINF:5,\n" +
                          Clip("half.ts").string() + "\n#EXT-X-ENDLIST\n";
  WriteAll(Clip("list.m3u8"), std::vector<uint8_t>(hls.begin(), hls.end()));
  for (const char* name : {"still.png", "list.ffconcat", "list.m3u8"}) {
    Result<VideoHash> h = HashVideo(Clip(name), {});
    ASSERT_FALSE(h.ok()) << name;
    EXPECT_EQ(h.status().code(), StatusCode::kUnsupported) << name << ": " << h.status().ToString();
  }
}

TEST_F(VideoTest, EmptyAndMissingFiles) {
  WriteAll(Clip("empty.mp4"), {});
  Result<VideoHash> empty = HashVideo(Clip("empty.mp4"), {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(HashVideoBytes({}, {}).status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(HashVideo(Clip("missing.mp4"), {}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(HashVideo(dir_, {}).status().code(), StatusCode::kIoError);
}

TEST_F(VideoTest, LimitsAreEnforced) {
  VideoOptions o;
  o.limits.max_pixels = 320 * 240 - 1;
  EXPECT_EQ(HashVideo(Clip("half.mp4"), o).status().code(), StatusCode::kResourceExhausted);

  o = {};
  o.limits.max_media_bytes = 1000;
  EXPECT_EQ(HashVideo(Clip("half.mp4"), o).status().code(), StatusCode::kResourceExhausted);

  o = {};
  o.max_seconds = 3;
  EXPECT_EQ(HashVideo(Clip("half.mp4"), o).status().code(), StatusCode::kResourceExhausted);

  o = {};
  o.max_frames = 30;
  EXPECT_EQ(HashVideo(Clip("half.mp4"), o).status().code(), StatusCode::kResourceExhausted);

  o = {};
  o.time_budget = std::chrono::milliseconds(0);
  Result<VideoHash> late = HashVideo(Clip("half.mp4"), o);
  EXPECT_EQ(late.status().code(), StatusCode::kResourceExhausted) << late.status().ToString();
  EXPECT_NE(late.status().message().find("time budget"), std::string::npos);

  o.time_budget = std::chrono::milliseconds::max();  // no budget at all
  EXPECT_TRUE(HashVideo(Clip("half.mp4"), o).ok());
}

TEST_F(VideoTest, HashesHdClip) {
  const auto start = std::chrono::steady_clock::now();
  const VideoHash h = MustHash("hd.mp4");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(h.width, 1280);
  EXPECT_EQ(h.frames.size(), 4u);
  RecordProperty("decoded_frames_per_second", std::to_string(h.decoded_frames / seconds));
  std::fprintf(stderr,
               "hd.mp4: %lld frames decoded, %zu hashed in %.3f s (%.0f decoded frames/s)\n",
               static_cast<long long>(h.decoded_frames), h.frames.size(), seconds,
               h.decoded_frames / seconds);
}

// Matching rules on hand-made hashes: no FFmpeg needed.
VideoFrameHash Frame(int bits_set, int quality = 100, int offset = 0) {
  VideoFrameHash f;
  for (int i = 0; i < bits_set; ++i) f.hash.SetBit((offset + i) % 256);
  f.quality = quality;
  return f;
}

TEST(VideoMatchTest, DistanceThresholdIsInclusive) {
  const std::vector<VideoFrameHash> a = {Frame(0)};
  EXPECT_DOUBLE_EQ(CompareVideos(a, std::vector{Frame(31)}).compared_match_percent, 100.0);
  EXPECT_DOUBLE_EQ(CompareVideos(a, std::vector{Frame(32)}).compared_match_percent, 0.0);
  EXPECT_DOUBLE_EQ(CompareVideos(a, std::vector{Frame(32)}, 32).compared_match_percent, 100.0);
}

TEST(VideoMatchTest, LowQualityFramesAreSkippedAndDuplicatesCountOnce) {
  const std::vector<VideoFrameHash> query = {Frame(0)};
  // Compared: 3 copies of a matching frame (one unique), one non-matching
  // frame, one low-quality frame that is ignored.
  const std::vector<VideoFrameHash> compared = {Frame(0), Frame(0), Frame(0), Frame(100, 100, 50),
                                                Frame(0, 49)};
  const VideoMatch m = CompareVideos(query, compared);
  EXPECT_EQ(m.compared_unique_frames, 2);
  EXPECT_EQ(m.query_unique_frames, 1);
  EXPECT_DOUBLE_EQ(m.compared_match_percent, 50.0);
  EXPECT_DOUBLE_EQ(m.query_match_percent, 100.0);
  EXPECT_FALSE(IsMatch(m));
  EXPECT_TRUE(IsMatch(m, 50.0));
}

TEST(VideoMatchTest, EmptyOrUnusableSidesNeverMatch) {
  const std::vector<VideoFrameHash> good = {Frame(0)};
  const std::vector<VideoFrameHash> poor = {Frame(0, 10)};
  const VideoMatch m = CompareVideos(good, poor);
  EXPECT_EQ(m.compared_unique_frames, 0);
  EXPECT_DOUBLE_EQ(m.query_match_percent, 0.0);
  EXPECT_FALSE(IsMatch(m));
  const std::vector<VideoFrameHash> none;
  EXPECT_FALSE(IsMatch(CompareVideos(none, none)));
  EXPECT_FALSE(IsMatch(CompareVideos(none, good)));
  EXPECT_TRUE(IsMatch(CompareVideos(good, good)));
}

TEST(VideoMatchTest, EightyPercentOfComparedIsTheBoundary) {
  std::vector<VideoFrameHash> compared;
  for (int i = 0; i < 5; ++i) compared.push_back(Frame(100, 100, i * 51));
  const std::vector<VideoFrameHash> four(compared.begin(), compared.begin() + 4);
  const std::vector<VideoFrameHash> three(compared.begin(), compared.begin() + 3);
  EXPECT_DOUBLE_EQ(CompareVideos(four, compared).compared_match_percent, 80.0);
  EXPECT_TRUE(IsMatch(CompareVideos(four, compared)));
  EXPECT_FALSE(IsMatch(CompareVideos(three, compared)));
}

}  // namespace
}  // namespace vigil::media
