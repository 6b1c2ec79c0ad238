// Repost matching of a new video against the videos already in the store
// (SeenMedia::Match, which `vigil scan` runs on its writer thread).
//
//   brute force  baseline: vPDQ comparison (CompareVideos) with every stored
//                video, as SeenMedia did before it used the frame index
//   frame index  the stored frames' HashIndex picks the videos sharing a
//                frame within the radius; vPDQ runs on those only
//
// Stored videos have 10 random frame hashes each; half the queries are
// near-copies of a stored video (every frame a few bits off), half unrelated.
// Both modes must report the same matches (checked). Prints new videos/s for
// each store size; single-threaded, as the writer thread is.
//
// Memory: SeenMedia holds every stored photo's PDQ and its 8 orientations
// for the whole scan. --photos=N stores N photos, loads them and prints the
// heap bytes SeenMedia::Load kept per photo (glibc mallinfo2), beside the
// floor of the same run: the 9 hashes and the file's SHA-256 as bare bytes.
//
//   seen_media_bench [--stored=1000,10000,100000] [--queries=N] [--photos=N]
#include <malloc.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "src/testing/hashes.h"
#include "vigil/scan/media_matching.h"
#include "vigil/store/database.h"
#include "vigil/store/store.h"

namespace {

namespace fs = std::filesystem;
using vigil::Hash256;
using Clock = std::chrono::steady_clock;

constexpr int kFrames = 10;
constexpr int kRadius = 31;

std::string Sha(int64_t id) {
  std::string s = std::to_string(id);
  return std::string(64 - s.size(), '0') + s;
}

std::vector<vigil::media::VideoFrameHash> Frames(const std::vector<Hash256>& hashes) {
  std::vector<vigil::media::VideoFrameHash> out;
  for (size_t i = 0; i < hashes.size(); ++i) {
    out.push_back({static_cast<int64_t>(i * 25), static_cast<double>(i), hashes[i], 90});
  }
  return out;
}

struct Run {
  double seconds = 0;
  std::vector<std::vector<vigil::store::MediaMatch>> matches;
};

Run MatchAll(const vigil::scan::SeenMedia& seen,
             const std::vector<vigil::scan::MediaProbe>& queries) {
  Run run;
  run.matches.resize(queries.size());
  vigil::media::MediaInfo info;
  info.sha256 = Sha(-1);
  const auto start = Clock::now();
  for (size_t q = 0; q < queries.size(); ++q) {
    seen.Match(info, queries[q], kRadius, &run.matches[q]);
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return run;
}

// Writes `n` posts of one media file each into a new store at `db`;
// fill(id, media) describes file `id` (its sha256 and `matched` are set).
template <typename Fill>
bool WriteStore(const fs::path& db, int n, Fill&& fill) {
  auto store = vigil::store::Open(db.string());
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return false;
  }
  std::vector<vigil::store::ScanRecord> batch;
  for (int id = 0; id < n; ++id) {
    vigil::store::ScanRecord& r = batch.emplace_back();
    r.post.channel.id = "c";
    r.post.external_id = std::to_string(id);
    r.post.media.emplace_back();
    auto& m = r.media.emplace_back();
    m.info.emplace();
    m.info->sha256 = Sha(id);
    m.matched = true;
    fill(id, m);
    if (batch.size() == 1000 || id + 1 == n) {
      if (vigil::Status s = (*store)->posts().Write(batch); !s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        return false;
      }
      batch.clear();
    }
  }
  return true;
}

int Bench(int stored, int queries, const fs::path& dir) {
  std::mt19937_64 rng(stored);
  const fs::path db = dir / ("seen_" + std::to_string(stored) + ".db");
  std::vector<std::vector<Hash256>> videos;
  const bool written = WriteStore(db, stored, [&](int, vigil::store::MediaResult& m) {
    std::vector<Hash256>& v = videos.emplace_back();
    m.info->type = "mp4";
    for (int f = 0; f < kFrames; ++f) {
      v.push_back(vigil::testing::RandomHash(rng));
      m.frames.push_back({f * 25, static_cast<double>(f), v.back().ToHex(), 90});
    }
  });
  if (!written) return 1;
  auto store = vigil::store::Open(db.string());
  if (!store.ok()) return 1;
  const auto load_start = Clock::now();
  auto loaded = vigil::scan::SeenMedia::Load((*store)->posts());
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
    return 1;
  }
  const double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
  vigil::scan::SeenMedia seen = std::move(loaded).value();

  std::vector<vigil::scan::MediaProbe> probes(queries);
  std::uniform_int_distribution<int> pick(0, stored - 1), bits(0, 12);
  for (int q = 0; q < queries; ++q) {
    std::vector<Hash256> h;
    const auto& source = videos[pick(rng)];
    for (int f = 0; f < kFrames; ++f) {
      h.push_back(q % 2 == 0 ? vigil::testing::FlipBits(source[f], bits(rng), rng)
                             : vigil::testing::RandomHash(rng));
    }
    probes[q].frames = Frames(h);
  }
  const Run indexed = MatchAll(seen, probes);
  seen.set_video_candidates_from_index(false);
  const Run brute = MatchAll(seen, probes);
  if (indexed.matches != brute.matches) {
    std::fprintf(stderr, "stored=%d: frame index and brute force disagree\n", stored);
    return 1;
  }
  size_t found = 0;
  for (const auto& m : indexed.matches) found += m.size();
  const double idx_rate = queries / indexed.seconds, brute_rate = queries / brute.seconds;
  std::printf(
      "%9d stored videos | %5d queries (%zu matches) | frame index %10.0f videos/s"
      " | brute force %9.1f videos/s | %7.0fx | load %.2f s\n",
      stored, queries, found, idx_rate, brute_rate, idx_rate / brute_rate, load_s);
  std::fflush(stdout);
  fs::remove(db);
  return 0;
}

int PhotoMemory(int photos, const fs::path& dir) {
  std::mt19937_64 rng(photos);
  const fs::path db = dir / ("photos_" + std::to_string(photos) + ".db");
  const bool written = WriteStore(db, photos, [&](int, vigil::store::MediaResult& m) {
    m.info->type = "jpeg";
    for (int k = 0; k < 8; ++k) m.info->pdq_dihedral.push_back(vigil::testing::RandomHash(rng));
    m.info->pdq = m.info->pdq_dihedral[0].ToHex();
    m.info->pdq_quality = 90;
  });
  if (!written) return 1;
  auto store = vigil::store::Open(db.string());
  if (!store.ok()) return 1;
  malloc_trim(0);
  const size_t before = mallinfo2().uordblks;
  auto loaded = vigil::scan::SeenMedia::Load((*store)->posts());
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
    return 1;
  }
  const size_t after = mallinfo2().uordblks;
  const double per_photo = static_cast<double>(after - before) / photos;
  const double floor = 9 * sizeof(Hash256) + 32;
  std::printf(
      "%9d stored photos | SeenMedia %7.0f B/photo | floor (9 hashes + SHA-256) %4.0f B/photo"
      " | %.1fx\n",
      photos, per_photo, floor, per_photo / floor);
  std::fflush(stdout);
  fs::remove(db);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {1000, 10000, 100000};
  int queries = 0;  // 0: about 2 s of brute force per size
  int photos = 100000;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--stored=", 0) == 0) {
      sizes.clear();
      std::stringstream list(arg.substr(9));
      for (std::string n; std::getline(list, n, ',');) sizes.push_back(std::stoi(n));
    } else if (arg.rfind("--queries=", 0) == 0) {
      queries = std::stoi(arg.substr(10));
    } else if (arg.rfind("--photos=", 0) == 0) {
      photos = std::stoi(arg.substr(9));
    } else if (arg.rfind("--benchmark_", 0) == 0) {
      // scripts/bench passes Google Benchmark's flags to every bench.
    } else {
      std::fprintf(stderr, "usage: %s [--stored=N,N,...] [--queries=N] [--photos=N]\n", argv[0]);
      return 2;
    }
  }
  std::string tmpl = (fs::temp_directory_path() / "vigil_seen_media_bench_XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return 1;
  int rc = 0;
  for (const int n : sizes) {
    if (n <= 0) continue;
    const int q = queries > 0 ? queries : std::max(20, std::min(400, 4'000'000 / n));
    rc |= Bench(n, q, tmpl);
  }
  if (photos > 0) rc |= PhotoMemory(photos, tmpl);
  fs::remove_all(tmpl);
  return rc;
}
