// PDQ throughput on 1280x960 JPEGs, decode included, one core.
//
//   BM_PdqFast        DCT-scaled luma decode (kPdqFastMinSide) + PDQ: what
//                     Inspect runs.
//   BM_PdqFullDecode  full-resolution RGB decode + vigil's PDQ maths.
//   BM_PdqReferenceMethod  the baseline: full-resolution RGB decode, a float
//                     luma buffer, and the reference's maths as it is written
//                     (full-size buffers, strided column passes), as
//                     src/testing/pdq_oracle.cc transcribes it. Same hashes
//                     as vigil's maths, bit for bit.
// Breakdowns: decode alone at both settings, PDQ maths alone on a full-size
// luma buffer and on a 1/4-scale one, and the fast path at other min_side
// values (the speed side of the drift/speed trade-off in pdq.h).
//
// The 50 inputs are synthetic photo-like images (gradients, soft blobs,
// edges, mild noise) compressed by TurboJPEG at quality 85, 4:2:0, so no
// fixture is needed. The process pins itself to CPU 0.
#include <benchmark/benchmark.h>
#include <sched.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <random>
#include <vector>

#include "src/testing/pdq_oracle.h"
#include "vigil/media/decode.h"
#include "vigil/media/pdq.h"

namespace {

using vigil::Limits;
using vigil::Result;
using vigil::media::DecodeImage;
using vigil::media::DecodeOptions;
using vigil::media::Image;
using vigil::media::PdqFromImage;
using vigil::media::PdqFromImageBytes;
using vigil::media::PdqHash;

constexpr int kWidth = 1280;
constexpr int kHeight = 960;
constexpr int kImages = 50;

struct TjDeleter {
  void operator()(void* h) const { tjDestroy(h); }
};

std::vector<uint8_t> MakeJpeg(int seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  std::normal_distribution<float> noise(0, 6);
  std::vector<uint8_t> rgb(static_cast<size_t>(kWidth) * kHeight * 3);
  struct Blob {
    float x, y, r, c[3];
  };
  std::vector<Blob> blobs(12);
  for (Blob& b : blobs)
    b = {u(rng) * kWidth,
         u(rng) * kHeight,
         40 + u(rng) * 250,
         {u(rng) * 255, u(rng) * 255, u(rng) * 255}};
  const float gx = u(rng) * 0.2f, gy = u(rng) * 0.2f, edge = u(rng) * kWidth;
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      float c[3] = {gx * x + 30, gy * y + 40, 0.1f * (x + y) * (gx + gy) + 20};
      for (const Blob& b : blobs) {
        const float d2 = ((x - b.x) * (x - b.x) + (y - b.y) * (y - b.y)) / (b.r * b.r);
        const float w = std::exp(-d2);
        for (int k = 0; k < 3; ++k) c[k] = c[k] * (1 - w) + b.c[k] * w;
      }
      if (x > edge) c[0] += 40;  // one hard edge
      for (int k = 0; k < 3; ++k) {
        const float v = c[k] + noise(rng);
        rgb[(static_cast<size_t>(y) * kWidth + x) * 3 + k] =
            static_cast<uint8_t>(std::fmin(255.f, std::fmax(0.f, v)));
      }
    }
  }
  std::unique_ptr<void, TjDeleter> tj(tjInitCompress());
  unsigned char* out = nullptr;
  unsigned long size = 0;
  if (tjCompress2(tj.get(), rgb.data(), kWidth, 0, kHeight, TJPF_RGB, &out, &size, TJSAMP_420, 85,
                  0) != 0) {
    std::fprintf(stderr, "tjCompress2: %s\n", tjGetErrorStr2(tj.get()));
    std::abort();
  }
  std::vector<uint8_t> jpeg(out, out + size);
  tjFree(out);
  return jpeg;
}

const std::vector<std::vector<uint8_t>>& Jpegs() {
  static const std::vector<std::vector<uint8_t>> jpegs = [] {
    std::vector<std::vector<uint8_t>> v;
    size_t bytes = 0;
    for (int i = 0; i < kImages; ++i) {
      v.push_back(MakeJpeg(i + 1));
      bytes += v.back().size();
    }
    std::fprintf(stderr, "%d synthetic %dx%d JPEGs, mean %zu KiB\n", kImages, kWidth, kHeight,
                 bytes / kImages / 1024);
    return v;
  }();
  return jpegs;
}

void HashBytes(benchmark::State& state, bool fast) {
  const auto& jpegs = Jpegs();
  const Limits limits;
  size_t i = 0;
  for (auto _ : state) {
    Result<PdqHash> h = PdqFromImageBytes(jpegs[i++ % jpegs.size()], limits, fast);
    if (!h.ok()) state.SkipWithError(h.status().ToString().c_str());
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_PdqFast(benchmark::State& state) { HashBytes(state, true); }
void BM_PdqFullDecode(benchmark::State& state) { HashBytes(state, false); }
BENCHMARK(BM_PdqFast)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PdqFullDecode)->Unit(benchmark::kMillisecond);

void BM_PdqReferenceMethod(benchmark::State& state) {
  const auto& jpegs = Jpegs();
  size_t i = 0;
  for (auto _ : state) {
    Result<Image> image = DecodeImage(jpegs[i++ % jpegs.size()], DecodeOptions{});
    if (!image.ok()) state.SkipWithError(image.status().ToString().c_str());
    std::vector<float> luma(static_cast<size_t>(image->width) * image->height);
    vigil::media::RgbToLuma(image->pixels, image->width, image->height, luma);
    benchmark::DoNotOptimize(vigil::testing::ReferencePdq(luma, image->width, image->height).hash);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PdqReferenceMethod)->Unit(benchmark::kMillisecond);

// Fast path at other min_side values: arg = min_side.
void BM_PdqScaled(benchmark::State& state) {
  const auto& jpegs = Jpegs();
  DecodeOptions options;
  options.min_side = static_cast<int>(state.range(0));
  options.luma_ok = true;
  size_t i = 0;
  for (auto _ : state) {
    Result<Image> image = DecodeImage(jpegs[i++ % jpegs.size()], options);
    if (!image.ok()) state.SkipWithError(image.status().ToString().c_str());
    benchmark::DoNotOptimize(PdqFromImage(*image));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PdqScaled)
    ->Arg(64)
    ->Arg(128)
    ->Arg(256)
    ->Arg(360)
    ->Arg(480)
    ->Arg(960)
    ->Unit(benchmark::kMillisecond);

void Decode(benchmark::State& state, int min_side, bool luma_ok) {
  const auto& jpegs = Jpegs();
  DecodeOptions options;
  options.min_side = min_side;
  options.luma_ok = luma_ok;
  size_t i = 0;
  for (auto _ : state) {
    Result<Image> image = DecodeImage(jpegs[i++ % jpegs.size()], options);
    benchmark::DoNotOptimize(image);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_DecodeFast(benchmark::State& state) { Decode(state, vigil::media::kPdqFastMinSide, true); }
void BM_DecodeFull(benchmark::State& state) { Decode(state, 0, false); }
BENCHMARK(BM_DecodeFast)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeFull)->Unit(benchmark::kMillisecond);

// PDQ maths alone on an already-decoded luma buffer; arg = divisor of
// 1280x960.
void BM_PdqMaths(benchmark::State& state) {
  const int w = kWidth / static_cast<int>(state.range(0));
  const int h = kHeight / static_cast<int>(state.range(0));
  std::vector<float> luma(static_cast<size_t>(w) * h);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0, 255);
  for (float& v : luma) v = u(rng);
  for (auto _ : state) {
    benchmark::DoNotOptimize(vigil::media::PdqFromLuma(luma, w, h));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PdqMaths)->Arg(1)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0) std::perror("sched_setaffinity (continuing)");
  // Build the inputs before any timing, and check that the baseline computes
  // the same hashes as vigil.
  for (size_t i = 0; i < 3; ++i) {
    Result<Image> image = DecodeImage(Jpegs()[i], DecodeOptions{});
    std::vector<float> luma(static_cast<size_t>(image->width) * image->height);
    vigil::media::RgbToLuma(image->pixels, image->width, image->height, luma);
    if (vigil::testing::ReferencePdq(luma, image->width, image->height).hash !=
        PdqFromImage(*image).hash) {
      std::fprintf(stderr, "baseline and vigil disagree on image %zu\n", i);
      return 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
