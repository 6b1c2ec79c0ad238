// Text analysis: normalise a post's text, find indicator terms from the
// lexicons, extract selectors (phones, handles, links, prices, ages, wallets)
// and score the post into a category with the reasons shown.
//
// An Analyzer is built once from the lexicon folder (data/lexicons) and is
// immutable afterwards: Analyze() is safe to call from many threads at once
// (each call uses its own scratch space).
#ifndef VIGIL_TEXT_ANALYZER_H_
#define VIGIL_TEXT_ANALYZER_H_

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"

namespace vigil::text {

enum class Category { kSaleOffer, kSaleRequest, kAppeal, kOther };
// "sale_offer", "sale_request", "appeal", "other".
std::string_view CategoryName(Category c);
// Inverse of CategoryName; nullopt for an unknown name.
std::optional<Category> CategoryFromName(std::string_view name);

// A byte range [begin, end) in the ORIGINAL (un-normalised) UTF-8 text.
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// One indicator term found in the text.
struct Reason {
  std::string klass;  // indicator class: person, sale, request, price, age, appeal, negative, ...
  std::string term;   // the lexicon entry that matched (normalised form)
  std::string lang;   // ar, en, kmr, ckb
  Span span;          // where in the original text
};

struct Selector {
  std::string kind;   // phone, handle, url, email, price, age, wallet
  std::string value;  // canonical: E.164 for phones, lower-case handle with '@', ...
  Span span;
};

// Scoring (src/text/analyzer.cc), from the counts of reasons per class and
// of selectors; first rule that applies wins:
//   1. appeal >= sale+auction+request and appeal > news -> kAppeal (family
//      appeals stay appeals even with an age, a phone or "she was sold"; a
//      news item that mentions "the missing" is news);
//   2. news >= sale+auction+request+prices       -> kOther (reports, arrests,
//      condemnations of sales);
//   3. no person/descriptor, or goods >= persons -> kOther (cars, sheep,
//      phones, flats, clothes with prices and ages);
//   4. request > 0 and request >= sale+auction   -> kSaleRequest;
//   5. sale+auction+price words+price selectors > 0 -> kSaleOffer;
//   6. otherwise kOther.
// `score` is the strength of the evidence for the category: >= 0.5 for the
// three flagged categories (base + signals, + age selector, + descriptor such
// as "virgin", + contact, - news/goods context), <= 0.3 for kOther.
struct Analysis {
  Category category = Category::kOther;
  double score = 0;  // 0..1
  std::vector<Reason> reasons;
  std::vector<Selector> selectors;
};

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  // Builds an analyzer from every lexicon file in `lexicon_dir`. Fails with a
  // message naming the file and line of a bad lexicon entry.
  static Result<std::unique_ptr<Analyzer>> Create(const std::filesystem::path& lexicon_dir);
  // Never fails: ill-formed UTF-8 is read as U+FFFD; an internal Vectorscan
  // error yields no reasons. `text` is the post as posted (UTF-8); every span
  // in the result is a byte range of `text`.
  virtual Analysis Analyze(std::string_view text) const = 0;
};

}  // namespace vigil::text

#endif  // VIGIL_TEXT_ANALYZER_H_
