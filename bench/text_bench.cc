// Text analysis throughput on a synthetic mixed-language corpus.
//
//   BM_RawVectorscan     baseline: hs_scan of the lexicon database over the
//                        raw post bytes (no normalisation, no boundary checks)
//   BM_NormalizeAndScan  Normalizer + IndicatorMatcher::Scan over the same
//                        posts (goal: >= 0.5x the baseline's bytes/s)
//   BM_Analyze           the full Analyzer (selectors, phones, scoring), posts/s
//
// The corpus (~4 MB, posts of ~100-400 bytes) mixes sale-pattern posts,
// appeals, classified ads, news and chatter in Arabic, Kurmanji, Sorani and
// English, with Arabic-Indic digits, diacritics and bidi marks. All synthetic.
#include <benchmark/benchmark.h>
#include <hs/hs.h>

#include <cstdio>
#include <cstdlib>
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
    "سَبِيَّةٌ لـــلـــبـــيـــع ‏عُمْرُهَا ١٥ سَنَة، بسعر ٣٠٠٠ دولار، واتساب "
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

void BM_RawVectorscan(benchmark::State& state) {
  const Fixture& f = Get();
  auto scratch = f.matcher->NewScratch();
  if (!scratch.ok()) {
    state.SkipWithError("scratch");
    return;
  }
  size_t matches = 0;
  for (auto _ : state) {
    for (const std::string& post : Corpus()) {
      hs_scan(f.matcher->database(), post.data(), static_cast<unsigned>(post.size()), 0,
              scratch->get(), CountMatch, &matches);
    }
  }
  benchmark::DoNotOptimize(matches);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
  state.counters["posts"] = static_cast<double>(Corpus().size());
}
BENCHMARK(BM_RawVectorscan)->Unit(benchmark::kMillisecond);

void BM_NormalizeAndScan(benchmark::State& state) {
  const Fixture& f = Get();
  auto scratch = f.matcher->NewScratch();
  if (!scratch.ok()) {
    state.SkipWithError("scratch");
    return;
  }
  NormalizedText norm;
  std::vector<TermMatch> matches;
  size_t found = 0;
  for (auto _ : state) {
    for (const std::string& post : Corpus()) {
      f.normalizer->Normalize(post, &norm);
      matches.clear();
      f.matcher->Scan(norm.text(), scratch->get(), &matches);
      found += matches.size();
    }
  }
  benchmark::DoNotOptimize(found);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
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

}  // namespace

BENCHMARK_MAIN();
