// Text analysis throughput on a synthetic mixed-language corpus.
//
//   BM_RawVectorscan            baseline: hs_scan of the lexicon database over
//                               the raw post bytes (no normalisation, no
//                               boundary checks)
//   BM_RawVectorscanNormalised  the same bare hs_scan over the posts already
//                               normalised: the floor for the next one (the
//                               folded text holds ~1.7x the literal hits)
//   BM_NormalizeAndScan         Normalizer + IndicatorMatcher::Scan over the
//                               same posts (goal: >= 0.5x the baseline's
//                               bytes/s); counter vs_raw = its bytes/s over the
//                               baseline's, both timed in the same process
//   BM_NormalizeOnly            the Normalizer alone
//   BM_Analyze                  the full Analyzer (selectors, phones, scoring),
//                               posts/s; phone answers are cached per
//                               workspace, so repeated numbers are cheap
//   BM_AnalyzeDistinctPhones    the same with each phone number's subscriber
//                               digits re-drawn on every pass: no cache hits
//
// The corpus (~4 MB, posts of ~100-400 bytes) mixes sale-pattern posts,
// appeals, classified ads, news and chatter in Arabic, Kurmanji, Sorani and
// English, with Arabic-Indic digits, diacritics and bidi marks. All synthetic.
#include <benchmark/benchmark.h>
#include <hs/hs.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "vigil/text/analyzer.h"
#include "vigil/text/lexicon.h"
#include "vigil/text/normalize.h"

namespace {

using vigil::text::Analyzer;
using vigil::text::IndicatorMatcher;
using vigil::text::Lexicon;
using vigil::text::NormalizedText;
using vigil::text::Normalizer;
using vigil::text::TermMatch;

constexpr char kLexiconDir[] = VIGIL_SOURCE_DIR "/data/lexicons";
constexpr size_t kCorpusBytes = 4u << 20;

const char* const kTemplates[] = {
    "سبية للبيع عذراء عمرها {age} سنة السعر {price} دولار للتواصل @seller{n}",
    "سَبِيَّةٌ لـــلـــبـــيـــع ‏عُمْرُهَا ١٥ سَنَة، "
    "بسعر "
    "٣٠٠٠ "
    "دولار، "
    "واتساب "
    "٠٧٧٠١٢٣٤٥٦٧",
    "مفقودة: أختي عمرها {age} سنة، اختطفت من سنجار عام 2014، من لديه معلومات يرجى التواصل",
    "سيارة كيا للبيع موديل 2015 السعر {price} دولار للتواصل 0770{n}",
    "تقرير الأمم المتحدة يدين بيع النساء الإيزيديات في عام 2014 ويطالب بمحاسبة المسؤولين",
    "صباح الخير جميعا، اليوم الجو جميل في دهوك والسوق مزدحم، نلتقي بعد الصلاة إن شاء الله",
    "Sabiya for sale, virgin, {age} years old, price ${price}. Contact @market{n}",
    "s@baya f0r sale {age} years old {price}$ serious buyers only, DM t.me/shop{n}",
    "MISSING: my sister, {age} years old, last seen in Sinjar in August 2014. Please share.",
    "Car for sale: Toyota Corolla 2015 model, price ${price}, call +964 750 123 4567",
    "Police arrested a man who sold women and girls in Mosul, the court said on Monday.",
    "Good morning everyone, the meeting is moved to Thursday at the community centre.",
    "Keçikek êzîdî ji bo firotinê, {age} salî, biha {price} dolar, têkilî @seller{n}",
    "Xwişka min winda ye, {age} salî ye. Kî agahî hebe, ji kerema xwe belav bikin.",
    "Erebeyek ji bo firotinê, modela 2015, biha {price} dolar, li Duhokê",
    "Roja we baş be hevalno, îro em ê biçin gundê xwe û şîvê bixwin.",
    "کچێکی ئێزیدی بۆ فرۆشتن، تەمەنی ١٥ ساڵە، نرخی {price} دۆلار، پەیوەندی @seller{n}",
    "خوشکەکەم ون بووە، تەمەنی {age} ساڵە، تکایە هەر زانیارییەک هەیە پەیوەندی بکەن",
    "ئۆتۆمبێل بۆ فرۆشتن، مۆدێلی ٢٠١٥، نرخی {price} دۆلار",
    "بەیانیتان باش، ئەمڕۆ کەشوهەوا خۆشە و بازاڕ قەرەباڵغە لە هەولێر",
};

std::string Fill(std::string t, std::mt19937& rng) {
  auto replace = [&](const std::string& key, const std::string& value) {
    for (size_t p = t.find(key); p != std::string::npos; p = t.find(key, p + value.size())) {
      t.replace(p, key.size(), value);
    }
  };
  replace("{age}", std::to_string(10 + rng() % 10));
  replace("{price}", std::to_string(500 + rng() % 5000));
  replace("{n}", std::to_string(1000 + rng() % 9000));
  return t;
}

// Posts of 1-3 templates each, ~100-400 bytes.
const std::vector<std::string>& Corpus() {
  static const std::vector<std::string> posts = [] {
    std::vector<std::string> p;
    std::mt19937 rng(42);
    size_t total = 0;
    const size_t n = sizeof(kTemplates) / sizeof(kTemplates[0]);
    while (total < kCorpusBytes) {
      std::string post;
      const int parts = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < parts; ++k) {
        if (!post.empty()) post += '\n';
        post += Fill(kTemplates[rng() % n], rng);
      }
      total += post.size();
      p.push_back(std::move(post));
    }
    return p;
  }();
  return posts;
}

size_t CorpusBytes() {
  size_t b = 0;
  for (const auto& p : Corpus()) b += p.size();
  return b;
}

struct Fixture {
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<IndicatorMatcher> matcher;
  std::unique_ptr<Analyzer> analyzer;
};

const Fixture& Get() {
  static const Fixture f = [] {
    Fixture x;
    auto n = Normalizer::Create();
    if (!n.ok()) {
      std::fprintf(stderr, "%s\n", n.status().ToString().c_str());
      std::exit(1);
    }
    x.normalizer = std::make_unique<Normalizer>(std::move(n).value());
    auto lex = Lexicon::Load(kLexiconDir, *x.normalizer);
    if (!lex.ok()) {
      std::fprintf(stderr, "%s\n", lex.status().ToString().c_str());
      std::exit(1);
    }
    auto m = IndicatorMatcher::Compile(std::move(lex).value());
    if (!m.ok()) {
      std::fprintf(stderr, "%s\n", m.status().ToString().c_str());
      std::exit(1);
    }
    x.matcher = std::make_unique<IndicatorMatcher>(std::move(m).value());
    auto a = Analyzer::Create(kLexiconDir);
    if (!a.ok()) {
      std::fprintf(stderr, "%s\n", a.status().ToString().c_str());
      std::exit(1);
    }
    x.analyzer = std::move(a).value();
    return x;
  }();
  return f;
}

int CountMatch(unsigned int, unsigned long long, unsigned long long, unsigned int, void* ctx) {
  ++*static_cast<size_t*>(ctx);
  return 0;
}

// One hs_scan of each post in `posts`, counting every literal hit.
size_t RawScan(const Fixture& f, const std::vector<std::string>& posts, hs_scratch_t* scratch) {
  size_t matches = 0;
  for (const std::string& post : posts) {
    hs_scan(f.matcher->database(), post.data(), static_cast<unsigned>(post.size()), 0, scratch,
            CountMatch, &matches);
  }
  return matches;
}

void BM_RawVectorscan(benchmark::State& state) {
  const Fixture& f = Get();
  auto scratch = f.matcher->NewScratch();
  if (!scratch.ok()) {
    state.SkipWithError("scratch");
    return;
  }
  size_t matches = 0;
  for (auto _ : state) matches += RawScan(f, Corpus(), scratch->get());
  benchmark::DoNotOptimize(matches);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
  state.counters["posts"] = static_cast<double>(Corpus().size());
  state.counters["hits"] = static_cast<double>(matches / state.iterations());
}
BENCHMARK(BM_RawVectorscan)->Unit(benchmark::kMillisecond);

void BM_RawVectorscanNormalised(benchmark::State& state) {
  const Fixture& f = Get();
  auto scratch = f.matcher->NewScratch();
  if (!scratch.ok()) {
    state.SkipWithError("scratch");
    return;
  }
  std::vector<std::string> normalised;
  for (const std::string& post : Corpus()) {
    normalised.push_back(f.normalizer->NormalizeToString(post));
  }
  size_t matches = 0;
  for (auto _ : state) matches += RawScan(f, normalised, scratch->get());
  benchmark::DoNotOptimize(matches);
  // Per raw byte, to compare with the other two.
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
  state.counters["hits"] = static_cast<double>(matches / state.iterations());
}
BENCHMARK(BM_RawVectorscanNormalised)->Unit(benchmark::kMillisecond);

// CPU seconds used by this thread: the ratio below should not depend on
// what else the machine runs.
double ThreadSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void BM_NormalizeAndScan(benchmark::State& state) {
  const Fixture& f = Get();
  auto scratch = f.matcher->NewScratch();
  if (!scratch.ok()) {
    state.SkipWithError("scratch");
    return;
  }
  // The baseline, timed here too so that the ratio compares runs made under
  // the same machine load: the best of a few passes.
  double raw_seconds = 1e9;
  for (int k = 0; k < 5; ++k) {
    const double start = ThreadSeconds();
    benchmark::DoNotOptimize(RawScan(f, Corpus(), scratch->get()));
    raw_seconds = std::min(raw_seconds, ThreadSeconds() - start);
  }
  NormalizedText norm;
  std::vector<TermMatch> matches;
  size_t found = 0;
  const double start = ThreadSeconds();
  for (auto _ : state) {
    for (const std::string& post : Corpus()) {
      f.normalizer->Normalize(post, &norm);
      matches.clear();
      f.matcher->Scan(norm.text(), scratch->get(), &matches);
      found += matches.size();
    }
  }
  const double seconds = ThreadSeconds() - start;
  benchmark::DoNotOptimize(found);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
  state.counters["vs_raw"] = raw_seconds / (seconds / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_NormalizeAndScan)->Unit(benchmark::kMillisecond);

void BM_NormalizeOnly(benchmark::State& state) {
  const Fixture& f = Get();
  NormalizedText norm;
  for (auto _ : state) {
    for (const std::string& post : Corpus()) f.normalizer->Normalize(post, &norm);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
}
BENCHMARK(BM_NormalizeOnly)->Unit(benchmark::kMillisecond);

void BM_Analyze(benchmark::State& state) {
  const Fixture& f = Get();
  size_t reasons = 0;
  for (auto _ : state) {
    for (const std::string& post : Corpus()) reasons += f.analyzer->Analyze(post).reasons.size();
  }
  benchmark::DoNotOptimize(reasons);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * Corpus().size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
}
BENCHMARK(BM_Analyze)->Unit(benchmark::kMillisecond);

// The corpus with the subscriber part of every phone number re-drawn: in a
// run of digits (spaces allowed inside), digits after the fifth change, so
// country and operator prefixes stay valid while no two copies share a
// number. Prices, ages and years (four digits or fewer) stay as they are.
std::vector<std::string> RedrawPhoneNumbers(std::mt19937& rng) {
  std::vector<std::string> posts = Corpus();
  for (std::string& p : posts) {
    int run = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      const bool arabic_indic = p[i] == '\xD9' && i + 1 < p.size() &&
                                static_cast<uint8_t>(p[i + 1]) >= 0xA0 &&
                                static_cast<uint8_t>(p[i + 1]) <= 0xA9;  // U+0660..U+0669
      if (p[i] >= '0' && p[i] <= '9') {
        if (++run > 5) p[i] = static_cast<char>('0' + rng() % 10);
      } else if (arabic_indic) {
        ++i;
        if (++run > 5) p[i] = static_cast<char>(0xA0 + rng() % 10);
      } else if (p[i] != ' ') {
        run = 0;
      }
    }
  }
  return posts;
}

void BM_AnalyzeDistinctPhones(benchmark::State& state) {
  const Fixture& f = Get();
  // More distinct numbers than one workspace's phone cache holds.
  std::mt19937 rng(7);
  std::vector<std::vector<std::string>> copies;
  for (int k = 0; k < 4; ++k) copies.push_back(RedrawPhoneNumbers(rng));
  size_t reasons = 0;
  size_t pass = 0;
  for (auto _ : state) {
    for (const std::string& post : copies[pass++ % copies.size()]) {
      reasons += f.analyzer->Analyze(post).reasons.size();
    }
  }
  benchmark::DoNotOptimize(reasons);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * Corpus().size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
}
BENCHMARK(BM_AnalyzeDistinctPhones)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
