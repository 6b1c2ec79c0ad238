// Store write throughput. BM_StoreWrite writes text-only ScanRecords (two
// reasons, one selector each) through Store::Write in batches of 1000;
// BM_SqliteRawInsert is the baseline: the same columns bound into a plain
// prepared INSERT on a bare table, same transaction size, same pragmas.
// BM_StoreRewrite writes batches already stored (a resumed scan). Rates are
// per wall-clock second (UseRealTime): WAL writes and checkpoints count.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "src/testing/temp_dir.h"
#include "vigil/store/database.h"
#include "vigil/store/store.h"

namespace vigil::store {
namespace {

constexpr int kBatch = 1000;

using vigil::testing::TempDir;

ScanRecord Record(int i) {
  ScanRecord r;
  r.post.platform = Platform::kTelegram;
  r.post.channel = {"-100" + std::to_string(i % 20), "Channel " + std::to_string(i % 20),
                    "public_channel"};
  r.post.external_id = std::to_string(i);
  r.post.author = {"Seller " + std::to_string(i % 300), "user" + std::to_string(i % 300)};
  r.post.time = 1'700'000'000 + i * 37;
  r.post.time_is_utc = true;
  r.post.local_time = "2023-11-14T22:13:20";
  r.post.text = "للبيع بنت عمر ١٦ سنة السعر ٥٠٠٠ دولار للتواصل +964750" + std::to_string(i % 5000) +
                " message " + std::to_string(i);
  r.post.source_file = "/exports/chat/result.json";
  r.post.source_item = "message " + std::to_string(i);
  r.analysis.category = i % 3 == 0 ? text::Category::kSaleOffer : text::Category::kOther;
  r.analysis.score = 0.8;
  r.analysis.reasons = {{"sale", "للبيع", "ar", {0, 10}}, {"age", "عمر", "ar", {20, 26}}};
  r.analysis.selectors = {{"phone", "+964750" + std::to_string(i % 5000), {80, 95}}};
  return r;
}

std::vector<ScanRecord> Batch(int first) {
  std::vector<ScanRecord> batch;
  batch.reserve(kBatch);
  for (int i = first; i < first + kBatch; ++i) batch.push_back(Record(i));
  return batch;
}

void BM_StoreWrite(benchmark::State& state) {
  TempDir dir;
  auto store = vigil::store::Open((dir.path() / "bench.db").string());
  if (!store.ok()) return state.SkipWithError(store.status().ToString().c_str());
  int next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<ScanRecord> batch = Batch(next);
    next += kBatch;
    state.ResumeTiming();
    Status s = (*store)->posts().Write(batch);
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_StoreWrite)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();

void BM_StoreRewrite(benchmark::State& state) {
  TempDir dir;
  auto store = vigil::store::Open((dir.path() / "bench.db").string());
  if (!store.ok()) return state.SkipWithError(store.status().ToString().c_str());
  const std::vector<ScanRecord> batch = Batch(0);
  if (!(*store)->posts().Write(batch).ok()) return state.SkipWithError("first write failed");
  for (auto _ : state) {
    Status s = (*store)->posts().Write(batch);
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_StoreRewrite)->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();

void BM_SqliteRawInsert(benchmark::State& state) {
  TempDir dir;
  sqlite3* db = nullptr;
  const std::string path = (dir.path() / "raw.db").string();
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return state.SkipWithError("open");
  sqlite3_exec(db,
               "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
               "CREATE TABLE t (platform, channel_id, external_id, channel_title, channel_type, "
               "author_name, author_id, time, time_is_utc, local_time, utc_offset_minutes, text, "
               "entities, forwarded_from, reply_to, edited, service, source_file, source_item, "
               "category, score, reasons, first_seen)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                     "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
                     -1, &insert, nullptr);
  const std::string reasons = R"([{"class":"sale","term":"للبيع","lang":"ar","begin":0,"end":10},)"
                              R"({"class":"age","term":"عمر","lang":"ar","begin":20,"end":26}])";
  auto text = [&](int i, const std::string& s) {
    sqlite3_bind_text(insert, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  };
  int next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<ScanRecord> batch = Batch(next);
    next += kBatch;
    state.ResumeTiming();
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (const ScanRecord& r : batch) {
      const Post& p = r.post;
      sqlite3_bind_text(insert, 1, "telegram", -1, SQLITE_STATIC);
      text(2, p.channel.id);
      text(3, p.external_id);
      text(4, p.channel.title);
      text(5, p.channel.type);
      text(6, p.author.name);
      text(7, p.author.id);
      sqlite3_bind_int64(insert, 8, p.time);
      sqlite3_bind_int(insert, 9, p.time_is_utc);
      text(10, p.local_time);
      sqlite3_bind_null(insert, 11);
      text(12, p.text);
      sqlite3_bind_text(insert, 13, "[]", 2, SQLITE_STATIC);
      text(14, p.forwarded_from);
      text(15, p.reply_to);
      sqlite3_bind_int(insert, 16, p.edited);
      sqlite3_bind_int(insert, 17, p.service);
      text(18, p.source_file);
      text(19, p.source_item);
      sqlite3_bind_text(insert, 20, "sale_offer", -1, SQLITE_STATIC);
      sqlite3_bind_double(insert, 21, r.analysis.score);
      text(22, reasons);
      sqlite3_bind_int64(insert, 23, 1'700'000'000);
      if (sqlite3_step(insert) != SQLITE_DONE) return state.SkipWithError(sqlite3_errmsg(db));
      sqlite3_reset(insert);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  sqlite3_finalize(insert);
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_SqliteRawInsert)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();

}  // namespace
}  // namespace vigil::store

BENCHMARK_MAIN();
