// Faces: embedding time per face, detection time per megapixel, flat search
// over 100,000 and 1,000,000 registry embeddings. One core (pinned to CPU 0,
// OpenBLAS limited to one thread). Prints each figure beside its same-run
// baseline: one-chip-at-a-time embedding for the batched one, a plain scalar
// loop for the search.
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "vigil/faces/faces.h"
#include "vigil/media/decode.h"

extern "C" void openblas_set_num_threads(int);

namespace {

using vigil::faces::Embedding;
using vigil::faces::FaceEngine;
using vigil::faces::FaceHit;
using vigil::faces::FaceIndex;
using vigil::faces::kEmbeddingDims;
namespace fs = std::filesystem;

// CPU time of this (single-threaded) process: the development machine is
// shared, and wall-clock time there mostly measures the other jobs.
double Now() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// Median of `reps` timings of f(), in seconds.
template <typename F>
double Median(int reps, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const double s = Now();
    f();
    t.push_back(Now() - s);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// sigma 0.06: random pairs ~0.96 apart, as different people's faces are
// (0.8-1.1). sigma 0.04 puts every pair near 0.64, just past the threshold:
// the worst case for the int8 pre-filter.
Embedding Random(std::mt19937& rng, float sigma) {
  std::normal_distribution<float> n(0.0f, sigma);
  Embedding e;
  for (float& v : e) v = n(rng);
  return e;
}

// The baseline: what one would write first.
std::vector<FaceHit> ScalarSearch(const std::vector<Embedding>& rows, const Embedding& q, size_t k,
                                  float max_distance) {
  std::vector<FaceHit> hits;
  for (size_t r = 0; r < rows.size(); ++r) {
    float sum = 0;
    for (int i = 0; i < kEmbeddingDims; ++i) sum += (rows[r][i] - q[i]) * (rows[r][i] - q[i]);
    const float d = std::sqrt(sum);
    if (d <= max_distance) hits.push_back({static_cast<int64_t>(r), d});
  }
  std::sort(hits.begin(), hits.end(),
            [](const FaceHit& a, const FaceHit& b) { return a.distance < b.distance; });
  if (hits.size() > k) hits.resize(k);
  return hits;
}

void Search(size_t n, float sigma) {
  std::mt19937 rng(42);
  std::vector<Embedding> rows(n);
  FaceIndex index;
  index.Reserve(n);
  for (size_t i = 0; i < n; ++i) {
    rows[i] = Random(rng, sigma);
    index.Add(static_cast<int64_t>(i), rows[i]);
  }
  std::vector<Embedding> queries(n >= 1'000'000 ? 20 : 200);
  for (size_t i = 0; i < queries.size(); ++i) {
    queries[i] = rows[(i * 7919) % n];
    queries[i][0] += 0.1f;
  }
  size_t sink = 0;
  const double simd = Median(3,
                             [&] {
                               for (const auto& q : queries) sink += index.Search(q, 5).size();
                             }) /
                      static_cast<double>(queries.size());
  const double scalar = Median(3,
                               [&] {
                                 for (const auto& q : queries)
                                   sink += ScalarSearch(rows, q, 5, 0.6f).size();
                               }) /
                        static_cast<double>(queries.size());
  std::printf(
      "search %zu embeddings (sigma %.2f, k=5, <= 0.6): FaceIndex %.3f ms/query, scalar "
      "loop %.3f ms/query (%.1fx)%s\n",
      n, sigma, simd * 1e3, scalar * 1e3, scalar / simd, sink ? "" : " (no hits?)");
}

}  // namespace

int main() {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0) std::perror("sched_setaffinity (continuing)");
  openblas_set_num_threads(1);

  auto loaded =
      FaceEngine::Load(vigil::faces::DefaultModelDir(fs::path(VIGIL_SOURCE_DIR) / "data"));
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
    return 1;
  }
  FaceEngine& engine = **loaded;

  // Embedding: chips of noise cost what faces cost (the net has no branches).
  std::mt19937 rng(1);
  std::vector<std::vector<uint8_t>> chips(32, std::vector<uint8_t>(150 * 150 * 3));
  for (auto& c : chips) {
    for (auto& v : c) v = static_cast<uint8_t>(rng());
  }
  (void)engine.EmbedChips(std::span(chips).first(2));  // warm-up
  const double batched = Median(3, [&] { (void)engine.EmbedChips(chips); }) / chips.size();
  const double single = Median(3,
                               [&] {
                                 for (size_t i = 0; i < 8; ++i)
                                   (void)engine.EmbedChips(std::span(chips).subspan(i, 1));
                               }) /
                        8;
  std::printf("embedding: %.1f ms/face in batches of 16, %.1f ms/face one at a time\n",
              batched * 1e3, single * 1e3);

  // Detection alone: a 1-megapixel picture without faces (noise on a ramp).
  vigil::media::Image plain{1000, 1000, 3, std::vector<uint8_t>(3'000'000), 1000, 1000};
  for (size_t i = 0; i < plain.pixels.size(); ++i) {
    plain.pixels[i] = static_cast<uint8_t>((i / 3 % 1000) / 4 + rng() % 32);
  }
  for (int up : {0, 1}) {
    vigil::faces::FaceOptions o;
    o.upsample = up;
    const double t = Median(3, [&] { (void)engine.Detect(plain, o); });
    std::printf("detection (no faces, upsample %d): %.0f ms/megapixel\n", up, t * 1e3);
  }
  // Whole pipeline on the group photos, if the shared fixtures are here.
  const fs::path scenes = fs::path(VIGIL_SHARED_TESTDATA) / "faces" / "_multi_face_scenes";
  if (fs::exists(scenes)) {
    double seconds = 0, megapixels = 0;
    size_t n_faces = 0;
    for (const auto& f : fs::directory_iterator(scenes)) {
      std::ifstream in(f.path(), std::ios::binary);
      const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
      auto image = vigil::media::DecodeImage(bytes, {});
      if (!image.ok()) continue;
      size_t found = 0;
      seconds += Median(3, [&] {
        auto faces = engine.Detect(*image);
        found = faces.ok() ? faces->size() : 0;
      });
      n_faces += found;
      megapixels += image->width * image->height / 1e6;
    }
    std::printf(
        "group photos (detect + landmarks + embed, upsample 1): %.0f ms/megapixel, "
        "%zu faces in %.1f MP\n",
        seconds * 1e3 / megapixels, n_faces, megapixels);
  }

  Search(100'000, 0.06f);
  Search(100'000, 0.04f);
  Search(1'000'000, 0.06f);
  return 0;
}
