// vigil's hash index against FAISS on the same data: exact radius-31 PDQ
// lookups among 10M hashes on one core (CPU 0, one OpenMP thread).
//
//   BM_FaissMultiHashQuery  IndexBinaryMultiHash(256, nhash=16, b=16), nflip=1:
//                           what HMA runs (pdq_faiss_matcher.py); range_search
//                           with radius 32 because FAISS keeps d < radius
//   BM_FaissFlatQuery       IndexBinaryFlat range_search: FAISS's scan
//   BM_VigilMihFastQuery    vigil HashIndex, kMihFast
//   BM_VigilMihQuery        vigil HashIndex, kMih
//
// Same haystack and queries as index_bench.cc (uniform random hashes, seed 42,
// planted near-matches for half of 1,000 queries); VIGIL_BENCH_HASHES sets n.
// The comparison compiles only with VIGIL_HAVE_FAISS, which bench/CMakeLists.txt
// defines (and links faiss) when find_package(faiss) succeeds (Debian:
// libfaiss-dev); otherwise this is a stub that says so, so the *_bench.cc glob
// builds everywhere.
#ifndef VIGIL_HAVE_FAISS
#include <cstdio>

int main() {
  std::puts("faiss_bench: built without FAISS (install libfaiss-dev and reconfigure)");
  return 0;
}
#else
#include <benchmark/benchmark.h>
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <omp.h>
#include <sched.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "src/testing/hashes.h"
#include "vigil/match/index.h"

namespace vigil::match {
namespace {

constexpr int kQueries = 1000;
constexpr int kRadius = 31;

// index_bench.cc's data, so both benches see the same haystack.
using Dataset = testing::HashDataset;
size_t HaystackSize() { return testing::BenchHaystackSize(); }

const Dataset& Data() {
  static const Dataset d = testing::MakeHashDataset(HaystackSize(), kQueries);
  return d;
}

// Hamming distance does not care about bit order, so the words' bytes are
// FAISS's codes as they lie in memory.
const uint8_t* Codes(const Hash256* h) { return reinterpret_cast<const uint8_t*>(h->w.data()); }

template <typename Index>
struct FaissBuilt {
  std::unique_ptr<Index> index;
  double build_s = 0;
};

template <typename Index, typename Make>
const FaissBuilt<Index>& GetFaiss(Make make) {
  static const FaissBuilt<Index> built = [&] {
    FaissBuilt<Index> b;
    const Dataset& d = Data();
    const auto t0 = std::chrono::steady_clock::now();
    b.index = make();
    b.index->add(static_cast<faiss::Index::idx_t>(d.hashes.size()), Codes(d.hashes.data()));
    b.build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return b;
  }();
  return built;
}

template <typename Index>
void RunFaiss(benchmark::State& state, const FaissBuilt<Index>& b, double bytes_per_hash) {
  const Dataset& d = Data();
  size_t q = 0, hits = 0, done = 0;
  for (auto _ : state) {
    faiss::RangeSearchResult result(1);
    b.index->range_search(1, Codes(&d.queries[q]), kRadius + 1, &result);
    hits += result.lims[1];
    q = (q + 1) % d.queries.size();
    ++done;
  }
  state.SetItemsProcessed(static_cast<int64_t>(done));
  state.counters["build_s"] = b.build_s;
  state.counters["bytes_per_hash"] = bytes_per_hash;
  state.counters["hits_per_query"] = done ? static_cast<double>(hits) / done : 0.0;
}

void BM_FaissMultiHashQuery(benchmark::State& state) {
  const auto& b = GetFaiss<faiss::IndexBinaryMultiHash>([] {
    auto index = std::make_unique<faiss::IndexBinaryMultiHash>(256, 16, 16);
    index->nflip = kRadius / 16;
    return index;
  });
  // 32 B codes + 8 B id per entry per map (bucket overhead not counted).
  RunFaiss(state, b, 32.0 + 16 * 8.0);
}
BENCHMARK(BM_FaissMultiHashQuery)->Unit(benchmark::kMicrosecond);

void BM_FaissFlatQuery(benchmark::State& state) {
  const auto& b = GetFaiss<faiss::IndexBinaryFlat>(
      [] { return std::make_unique<faiss::IndexBinaryFlat>(256); });
  RunFaiss(state, b, 32.0);
}
BENCHMARK(BM_FaissFlatQuery)->Unit(benchmark::kMillisecond);

void RunVigil(benchmark::State& state, IndexKind kind) {
  const Dataset& d = Data();
  IndexOptions o;
  o.kind = kind;
  const auto t0 = std::chrono::steady_clock::now();
  Result<HashIndex> index = HashIndex::Build(d.hashes, o);
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!index.ok()) {
    state.SkipWithError(index.status().ToString().c_str());
    return;
  }
  std::vector<Neighbor> out;
  size_t q = 0, hits = 0, done = 0;
  for (auto _ : state) {
    if (!index->Search(d.queries[q], kRadius, &out).ok()) std::abort();
    hits += out.size();
    q = (q + 1) % d.queries.size();
    ++done;
  }
  state.SetItemsProcessed(static_cast<int64_t>(done));
  state.counters["build_s"] = build_s;
  state.counters["bytes_per_hash"] =
      static_cast<double>(index->MemoryBytes()) / static_cast<double>(index->size());
  state.counters["hits_per_query"] = done ? static_cast<double>(hits) / done : 0.0;
}

void BM_VigilMihFastQuery(benchmark::State& state) { RunVigil(state, IndexKind::kMihFast); }
BENCHMARK(BM_VigilMihFastQuery)->Unit(benchmark::kMicrosecond)->Iterations(20'000);

void BM_VigilMihQuery(benchmark::State& state) { RunVigil(state, IndexKind::kMih); }
BENCHMARK(BM_VigilMihQuery)->Unit(benchmark::kMicrosecond)->Iterations(5'000);

}  // namespace
}  // namespace vigil::match

int main(int argc, char** argv) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  sched_setaffinity(0, sizeof(one), &one);
  omp_set_num_threads(1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

#endif  // VIGIL_HAVE_FAISS
