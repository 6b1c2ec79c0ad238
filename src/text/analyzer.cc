#include "vigil/text/analyzer.h"

#include <hs/hs.h>

#include <algorithm>
#include <mutex>
#include <utility>

#include "src/text/phone_cache.h"
#include "vigil/text/lexicon.h"
#include "vigil/text/normalize.h"
#include "vigil/text/selectors.h"

namespace vigil::text {

std::string_view CategoryName(Category c) {
  switch (c) {
    case Category::kSaleOffer:
      return "sale_offer";
    case Category::kSaleRequest:
      return "sale_request";
    case Category::kAppeal:
      return "appeal";
    case Category::kOther:
      return "other";
  }
  return "other";
}

std::optional<Category> CategoryFromName(std::string_view name) {
  for (Category c :
       {Category::kSaleOffer, Category::kSaleRequest, Category::kAppeal, Category::kOther}) {
    if (CategoryName(c) == name) return c;
  }
  return std::nullopt;
}

namespace {

// Indicator counts for one post, from reasons and selectors.
struct Signals {
  int person = 0, descriptor = 0, sale = 0, request = 0, price = 0, auction = 0, contact = 0,
      appeal = 0, goods = 0, news = 0;
  int price_selectors = 0, age_selectors = 0, contact_selectors = 0;
};

// The Signals counter a reason of class `klass` adds to; null for classes
// the scorer reads through selectors only (currency, age).
int Signals::*CounterFor(std::string_view klass) {
  if (klass == "person") return &Signals::person;
  if (klass == "descriptor") return &Signals::descriptor;
  if (klass == "sale") return &Signals::sale;
  if (klass == "request") return &Signals::request;
  if (klass == "price") return &Signals::price;
  if (klass == "auction") return &Signals::auction;
  if (klass == "contact") return &Signals::contact;
  if (klass == "appeal") return &Signals::appeal;
  if (klass == "goods") return &Signals::goods;
  if (klass == "news") return &Signals::news;
  return nullptr;
}

// `counters[e]` is CounterFor(class of lexicon entry e); `matches` are the
// reasons' matches, one for one.
Signals Count(const Analysis& a, const std::vector<TermMatch>& matches,
              const std::vector<int Signals::*>& counters) {
  Signals s;
  for (const TermMatch& m : matches) {
    if (int Signals::*counter = counters[m.entry]) ++(s.*counter);
  }
  for (const Selector& sel : a.selectors) {
    if (sel.kind == "price")
      ++s.price_selectors;
    else if (sel.kind == "age")
      ++s.age_selectors;
    else
      ++s.contact_selectors;
  }
  return s;
}

double Clamp(double v) { return std::clamp(v, 0.0, 1.0); }

// The scoring rules; see the header comment of Score in analyzer.h.
void Score(const Signals& s, Analysis* a) {
  const int people = s.person + s.descriptor;
  const int offer = s.sale + s.auction + s.price + s.price_selectors;
  const int trade_words = s.sale + s.auction + s.request;
  const bool has_contact = s.contact + s.contact_selectors > 0;
  const double boosts = 0.1 * (s.age_selectors > 0) + 0.1 * (s.descriptor > 0) +
                        0.05 * has_contact + 0.05 * (s.person > 1);
  const double residual = Clamp(0.05 * people + 0.03 * offer + 0.03 * s.request);

  if (s.appeal > 0 && s.appeal >= trade_words && s.appeal > s.news) {
    a->category = Category::kAppeal;
    a->score = Clamp(0.5 + 0.1 * std::min(s.appeal, 3) + 0.1 * (people > 0));
    return;
  }
  if (s.news > 0 && s.news >= trade_words + s.price_selectors) {
    a->category = Category::kOther;
    a->score = std::min(0.3, residual);
    return;
  }
  if (people == 0 || (s.goods > 0 && s.goods >= people)) {
    a->category = Category::kOther;
    a->score = std::min(0.3, residual);
    return;
  }
  const double damp = 0.15 * (s.news > 0) + 0.15 * (s.goods > 0);
  if (s.request > 0 && s.request >= s.sale + s.auction) {
    a->category = Category::kSaleRequest;
    a->score = Clamp(0.5 + 0.1 * std::min(s.request, 2) + boosts - damp);
    return;
  }
  if (offer > 0) {
    a->category = Category::kSaleOffer;
    a->score = Clamp(0.45 + 0.1 * std::min(offer, 3) + 0.1 * (s.auction > 0) + boosts - damp);
    return;
  }
  a->category = Category::kOther;
  a->score = std::min(0.3, residual + 0.05 * (s.age_selectors > 0) + 0.05 * has_contact);
}

// Per-thread working memory, pooled so Analyze() allocates little.
struct Workspace {
  HsScratchPtr scratch;
  NormalizedText normalised;
  std::vector<TermMatch> matches;
  PhoneCache phones;
};

class AnalyzerImpl final : public Analyzer {
 public:
  AnalyzerImpl(Normalizer normalizer, IndicatorMatcher matcher)
      : normalizer_(std::move(normalizer)), matcher_(std::move(matcher)) {
    for (const LexiconEntry& e : matcher_.lexicon().entries()) {
      counters_.push_back(CounterFor(e.klass));
    }
  }

  Status Warm() {
    auto ws = NewWorkspace();
    if (!ws.ok()) return ws.status();
    pool_.push_back(std::move(ws).value());
    return Status::Ok();
  }

  Analysis Analyze(std::string_view text) const override {
    std::unique_ptr<Workspace> ws = Acquire();
    Analysis a;
    if (ws == nullptr) return a;  // scratch allocation failed: nothing found
    normalizer_.Normalize(text, &ws->normalised);
    ws->matches.clear();
    matcher_.Scan(ws->normalised.text(), ws->scratch.get(), &ws->matches);
    const auto& entries = matcher_.lexicon().entries();
    a.reasons.reserve(ws->matches.size());
    for (const TermMatch& m : ws->matches) {
      const LexiconEntry& e = entries[m.entry];
      a.reasons.push_back({e.klass, e.term, e.lang, ws->normalised.ToOriginal(m.begin, m.end)});
    }
    ExtractContacts(text, ws->normalised, &ws->phones, &a.selectors);
    ExtractAmounts(ws->normalised, ws->matches, matcher_.lexicon(), &a.selectors);
    const Signals signals = Count(a, ws->matches, counters_);
    Release(std::move(ws));
    Score(signals, &a);
    return a;
  }

 private:
  Result<std::unique_ptr<Workspace>> NewWorkspace() const {
    auto scratch = matcher_.NewScratch();
    if (!scratch.ok()) return scratch.status();
    auto ws = std::make_unique<Workspace>();
    ws->scratch = std::move(scratch).value();
    return ws;
  }

  std::unique_ptr<Workspace> Acquire() const {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!pool_.empty()) {
        auto ws = std::move(pool_.back());
        pool_.pop_back();
        return ws;
      }
    }
    auto ws = NewWorkspace();
    return ws.ok() ? std::move(ws).value() : nullptr;
  }

  void Release(std::unique_ptr<Workspace> ws) const {
    std::lock_guard<std::mutex> lock(mu_);
    pool_.push_back(std::move(ws));
  }

  Normalizer normalizer_;
  IndicatorMatcher matcher_;
  std::vector<int Signals::*> counters_;  // per lexicon entry
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<Workspace>> pool_;
};

}  // namespace

Result<std::unique_ptr<Analyzer>> Analyzer::Create(const std::filesystem::path& lexicon_dir) {
  auto normalizer = Normalizer::Create();
  if (!normalizer.ok()) return normalizer.status();
  auto lexicon = Lexicon::Load(lexicon_dir, *normalizer);
  if (!lexicon.ok()) return lexicon.status();
  auto matcher = IndicatorMatcher::Compile(std::move(lexicon).value());
  if (!matcher.ok()) return matcher.status();
  auto impl =
      std::make_unique<AnalyzerImpl>(std::move(normalizer).value(), std::move(matcher).value());
  VIGIL_RETURN_IF_ERROR(impl->Warm());
  return std::unique_ptr<Analyzer>(std::move(impl));
}

}  // namespace vigil::text
