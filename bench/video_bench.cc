// vPDQ video hashing throughput on a synthetic 1280x720 25 fps H.264 clip.
//
//   BM_DecodeOnly  baseline: libavformat + libavcodec decode every frame of
//                  the clip, one thread, no conversion, no hashing
//   BM_HashVideo   HashVideo on the same file (decode, 1 fps sampling,
//                  RGB shrink to 512 px, PDQ); goal: >= 0.9x the baseline
//
// Counters: decoded frames/s and hashed (kept) frames/s. The clip is made
// with the ffmpeg CLI (testsrc2, libx264 defaults) in a temp dir at start-up.
#include <benchmark/benchmark.h>
#include <unistd.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "vigil/media/video.h"

namespace {

namespace fs = std::filesystem;

constexpr int kSeconds = 20;

// The clip, generated once and removed at exit.
class Clip {
 public:
  Clip() {
    std::string templ = (fs::temp_directory_path() / "vigil_video_bench_XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) return;
    dir_ = templ;
    path_ = dir_ / "hd.mp4";
    const std::string cmd =
        "ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "
        "testsrc2=s=1280x720:r=25:d=" +
        std::to_string(kSeconds) + " -c:v libx264 -pix_fmt yuv420p '" + path_.string() +
        "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) path_.clear();
  }
  ~Clip() {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path dir_;
  fs::path path_;
};

const Clip& TheClip() {
  static const Clip clip;
  return clip;
}

struct FormatCloser {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct CodecFreer {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct PacketFreer {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct FrameFreer {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};

// Decoded frame count, or -1.
int64_t DecodeAll(const fs::path& path) {
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0) return -1;
  std::unique_ptr<AVFormatContext, FormatCloser> fmt(raw);
  if (avformat_find_stream_info(fmt.get(), nullptr) < 0) return -1;
  const AVCodec* decoder = nullptr;
  const int index = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
  if (index < 0) return -1;
  std::unique_ptr<AVCodecContext, CodecFreer> codec(avcodec_alloc_context3(decoder));
  avcodec_parameters_to_context(codec.get(), fmt->streams[index]->codecpar);
  codec->thread_count = 1;
  if (avcodec_open2(codec.get(), decoder, nullptr) < 0) return -1;
  std::unique_ptr<AVPacket, PacketFreer> packet(av_packet_alloc());
  std::unique_ptr<AVFrame, FrameFreer> frame(av_frame_alloc());
  int64_t frames = 0;
  auto drain = [&] {
    while (avcodec_receive_frame(codec.get(), frame.get()) == 0) {
      ++frames;
      av_frame_unref(frame.get());
    }
  };
  while (av_read_frame(fmt.get(), packet.get()) >= 0) {
    if (packet->stream_index == index) avcodec_send_packet(codec.get(), packet.get());
    av_packet_unref(packet.get());
    drain();
  }
  avcodec_send_packet(codec.get(), nullptr);
  drain();
  return frames;
}

void BM_DecodeOnly(benchmark::State& state) {
  if (TheClip().path().empty()) return state.SkipWithError("ffmpeg CLI could not make the clip");
  av_log_set_level(AV_LOG_QUIET);
  int64_t frames = 0;
  for (auto _ : state) {
    const int64_t n = DecodeAll(TheClip().path());
    if (n < 0) return state.SkipWithError("decode failed");
    frames += n;
  }
  state.counters["decoded_fps"] = benchmark::Counter(frames, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeOnly)->Unit(benchmark::kMillisecond);

void BM_HashVideo(benchmark::State& state) {
  if (TheClip().path().empty()) return state.SkipWithError("ffmpeg CLI could not make the clip");
  int64_t frames = 0;
  int64_t hashed = 0;
  for (auto _ : state) {
    vigil::Result<vigil::media::VideoHash> h = vigil::media::HashVideo(TheClip().path(), {});
    if (!h.ok()) return state.SkipWithError(h.status().ToString().c_str());
    frames += h->decoded_frames;
    hashed += static_cast<int64_t>(h->frames.size());
  }
  state.counters["decoded_fps"] = benchmark::Counter(frames, benchmark::Counter::kIsRate);
  state.counters["hashed_fps"] = benchmark::Counter(hashed, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_HashVideo)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
