// Indicator lexicons and the one Vectorscan database compiled from them.
//
// Lexicon files live in data/lexicons/, one per language, named <lang>.txt
// (ar, en, kmr, ckb). UTF-8, one entry per line:
//
//   class<TAB>term[<TAB>attribute]
//
// Blank lines and lines starting with '#' are ignored. `class` is one of
// kLexiconClasses. `term` is written naturally (any case, diacritics, hamza
// forms); it is normalised with the same Normalizer as the posts. A trailing
// '*' lets any letters follow the term (a stem: "firot*" matches "firotinê");
// a leading '*' lets any letters precede it. Otherwise a term matches on word
// boundaries, except that Arabic-script terms also match after an attached
// clitic (و ف ب ل ك ال وال بال لل ...) and before a pronoun/plural suffix
// (ها ه هم ات ...). The attribute is required for two classes and refused
// for the others:
//   currency  ISO 4217 code of the currency the term names ("USD"),
//   age       "pre" when the number follows the term ("عمرها 15", "age 15"),
//             "post" when it precedes it ("15 years old", "15 سنة").
//
// Thread-safety: Lexicon and IndicatorMatcher are immutable after creation;
// IndicatorMatcher::Scan is safe from many threads, each with its own
// Scratch.
#ifndef VIGIL_TEXT_LEXICON_H_
#define VIGIL_TEXT_LEXICON_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/text/normalize.h"

struct hs_database;
struct hs_scratch;

namespace vigil::text {

// person, descriptor, sale, request, price, currency, age, auction, contact,
// appeal, goods, news.
const std::vector<std::string_view>& LexiconClasses();

struct LexiconEntry {
  std::string klass;
  std::string term;  // normalised, without the '*' markers
  std::string lang;  // file stem: ar, en, kmr, ckb
  std::string attribute;
  bool any_prefix = false;
  bool any_suffix = false;
  std::string origin;  // "en.txt:12", for messages
};

class Lexicon {
 public:
  // Loads every *.txt file in `dir` in name order. Fails with kNotFound when
  // the folder is missing or holds no lexicon, kCorrupt naming "file:line"
  // for a malformed entry.
  static Result<Lexicon> Load(const std::filesystem::path& dir, const Normalizer& normalizer);

  // Parses one file's contents. `file_name` ("en.txt") gives the language
  // and is used in error messages. Appends to the lexicon; an entry with the
  // same class and normalised term as an earlier one is skipped.
  Status AddFile(std::string_view file_name, std::string_view contents,
                 const Normalizer& normalizer);

  const std::vector<LexiconEntry>& entries() const { return entries_; }

 private:
  std::vector<LexiconEntry> entries_;
};

// One lexicon entry found in normalised text: [begin, end) are byte offsets
// into the normalised text.
struct TermMatch {
  uint32_t entry = 0;  // index into Lexicon::entries()
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct HsDatabaseDeleter {
  void operator()(hs_database* db) const;
};
struct HsScratchDeleter {
  void operator()(hs_scratch* s) const;
};
using HsScratchPtr = std::unique_ptr<hs_scratch, HsScratchDeleter>;

class IndicatorMatcher {
 public:
  // Compiles every entry into one block-mode literal database. Fails with
  // kInvalidArgument naming the offending entry when Vectorscan refuses it,
  // or when the lexicon is empty.
  static Result<IndicatorMatcher> Compile(Lexicon lexicon);

  // Scratch space for one thread; allocate once per thread and reuse.
  Result<HsScratchPtr> NewScratch() const;

  // Appends to *out the entries found in `normalised` (text produced by
  // Normalizer), in order of position, boundary rules applied, and a match
  // lying inside a longer one dropped. Never fails on any input: a
  // Vectorscan error yields no matches.
  void Scan(std::string_view normalised, hs_scratch* scratch, std::vector<TermMatch>* out) const;

  const Lexicon& lexicon() const { return lexicon_; }
  // The compiled database, for benchmarks that compare against a raw scan.
  const hs_database* database() const { return db_.get(); }

 private:
  // Per entry, what Scan's boundary rules need.
  struct EntryBounds {
    uint32_t size = 0;         // bytes of the normalised term
    bool check_left = false;   // starts with a letter, no leading '*'
    bool check_right = false;  // ends with a letter, no trailing '*'
    bool arabic = false;       // Arabic script: clitics and suffixes allowed
  };
  struct ScanContext;
  static int OnMatch(unsigned int id, unsigned long long from, unsigned long long to,
                     unsigned int flags, void* ctx);

  IndicatorMatcher() = default;
  Lexicon lexicon_;
  std::vector<EntryBounds> bounds_;  // parallel to lexicon_.entries()
  std::unique_ptr<hs_database, HsDatabaseDeleter> db_;
};

}  // namespace vigil::text

#endif  // VIGIL_TEXT_LEXICON_H_
