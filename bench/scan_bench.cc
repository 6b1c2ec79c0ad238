// End-to-end scan throughput: a text-only Telegram export into SQLite, the
// whole pipeline (read, analyse, write) pinned to ONE core, beside the reader
// alone over the same file (the floor: parsing cost with nothing else).
//
//   build/bench/scan_bench [--posts=N]     (default 200000 posts)
#include <benchmark/benchmark.h>
#include <sched.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "vigil/ingest/reader.h"
#include "vigil/scan/scan.h"

namespace {

namespace fs = std::filesystem;

int g_posts = 200000;

const char* kTexts[] = {
    "Meeting tomorrow at the usual place, bring the documents.",
    "For sale: girl, 15 years old. Price 2000 dollars. Contact @demo_seller",
    "للبيع خراف عمرها سنتين السعر ٣٠٠ دولار",
    "مفقودة: أختي عمرها ١٦ سنة، فقدت في سنجار. الرجاء المساعدة",
    "Toyota Corolla 2015 for sale, price 9000 dollars, call 0770 123 4567",
    "Keçikek ji bo firotinê, 16 salî, biha 1500 dolar",
    "The weather in Duhok is cold this week; roads to the mountain are closed.",
};

const fs::path& Export() {
  static const fs::path path = [] {
    fs::path dir = fs::temp_directory_path() / "vigil_scan_bench";
    fs::create_directories(dir);
    fs::path file = dir / ("result_" + std::to_string(g_posts) + ".json");
    if (fs::exists(file)) return file;
    std::ofstream out(file);
    out << "{\"name\":\"Bench Channel\",\"type\":\"public_channel\",\"id\":777,\"messages\":[\n";
    for (int i = 0; i < g_posts; ++i) {
      const long t = 1400000000L + i * 37L;
      out << (i ? ",\n" : "") << "{\"id\":" << i + 1
          << ",\"type\":\"message\",\"date\":\"2014-05-13T20:33:20\",\"date_unixtime\":\"" << t
          << "\",\"from\":\"Author " << i % 50 << "\",\"from_id\":\"user" << 1000 + i % 50
          << "\",\"text\":\"" << kTexts[i % 7] << " #" << i << "\"}";
    }
    out << "\n]}\n";
    return file;
  }();
  return path;
}

void PinToOneCore() {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  sched_setaffinity(0, sizeof set, &set);
}

class CountingSink : public vigil::ingest::PostSink {
 public:
  vigil::Status OnPost(vigil::Post&&) override {
    ++posts;
    return vigil::Status::Ok();
  }
  void OnError(const vigil::ingest::IngestError&) override { ++errors; }
  int64_t posts = 0, errors = 0;
};

// Baseline: parsing the export alone.
void BM_ReadTelegramOnly(benchmark::State& state) {
  PinToOneCore();
  const fs::path& file = Export();
  int64_t total = 0;
  for (auto _ : state) {
    std::vector<vigil::ingest::IngestError> errors;
    auto readers = vigil::ingest::OpenReaders(file, {}, errors);
    CountingSink sink;
    for (auto& r : readers) (void)r->Read(sink);
    if (sink.posts != g_posts) state.SkipWithError("reader lost posts");
    total += sink.posts;
  }
  state.SetItemsProcessed(total);
  state.counters["posts/s"] =
      benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}

// The target: read + normalise + indicators + selectors + score + SQLite.
void BM_ScanTelegramToSqlite(benchmark::State& state) {
  PinToOneCore();
  const fs::path& file = Export();
  vigil::scan::ScanOptions options;
  options.lexicon_dir = fs::path(VIGIL_SOURCE_DIR) / "data" / "lexicons";
  options.threads = 1;
  options.batch_size = 1000;
  int64_t total = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string db = (fs::temp_directory_path() / "vigil_scan_bench" / "bench.db").string();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);
    state.ResumeTiming();
    auto summary = vigil::scan::RunScan({file}, options, db, nullptr);
    if (!summary.ok()) {
      state.SkipWithError(summary.status().ToString().c_str());
      return;
    }
    total += summary->posts;
  }
  state.SetItemsProcessed(total);
  state.counters["posts/s"] =
      benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_ReadTelegramOnly)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_ScanTelegramToSqlite)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--posts=", 0) == 0) g_posts = std::atoi(a.c_str() + 8);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
