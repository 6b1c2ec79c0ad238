#include "vigil/text/lexicon.h"

#include <hs/hs.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <system_error>

#include "src/text/unicode_tables.h"
#include "vigil/core/utf8.h"

namespace vigil::text {
namespace {

using internal::Decode;
using internal::IsLetter;

// Code point ending just before byte `pos`; `*start` receives its offset.
uint32_t DecodeBefore(std::string_view s, size_t pos, size_t* start) {
  size_t b = pos - 1;
  while (b > 0 && pos - b < 4 && (static_cast<uint8_t>(s[b]) & 0xC0) == 0x80) --b;
  size_t k = b;
  const uint32_t cp = Decode(s, k);
  *start = b;
  return cp;
}

bool IsArabicScript(std::string_view term) {
  if (term.empty()) return false;
  const auto c = static_cast<uint8_t>(term[0]);
  return c >= 0xD8 && c <= 0xDB;  // U+0600..U+06FF lead bytes
}

// A short string as one integer (its bytes, zero-padded) plus its length,
// so set membership is a few integer compares.
struct PackedWord {
  uint64_t bytes = 0;
  size_t size = 0;
};

constexpr PackedWord Pack(std::string_view s) {
  PackedWord w;
  w.size = s.size();
  for (size_t k = 0; k < s.size() && k < 8; ++k) {
    w.bytes |= uint64_t{static_cast<uint8_t>(s[k])} << (8 * k);
  }
  return w;
}

template <size_t N>
constexpr std::array<PackedWord, N> PackAll(const std::array<std::string_view, N>& words) {
  std::array<PackedWord, N> packed{};
  for (size_t k = 0; k < N; ++k) packed[k] = Pack(words[k]);
  return packed;
}

template <size_t N>
bool Contains(const std::array<PackedWord, N>& set, std::string_view s) {
  if (s.size() > 8) return false;
  const PackedWord w = Pack(s);
  for (const PackedWord& e : set) {
    if (e.bytes == w.bytes && e.size == w.size) return true;
  }
  return false;
}

// Attached clitics and suffixes, in normalised spelling (ة -> ه, ە -> ه,
// ی -> ي, ک -> ك). None is longer than 8 bytes.
constexpr auto kArabicPrefixes =
    PackAll<20>({"و",   "ف",  "ب",   "ل",   "ك",  "س",  "ال", "وال", "بال", "فال",
                 "كال", "لل", "ولل", "فلل", "وب", "ول", "فب", "فل",  "وك",  "وس"});
constexpr auto kArabicSuffixes = PackAll<29>(
    {// Arabic pronouns and plurals
     "ه", "ها", "هم", "هن", "هما", "ي", "نا", "ك", "كم", "ات", "ين", "ون", "ان", "تان", "تين",
     // Sorani definite/indefinite/plural/pronoun suffixes
     "هكه", "هكان", "كه", "كان", "يك", "يكي", "هك", "يان", "مان", "ش", "يش", "هش", "ت", "م"});

bool IsArabicPrefix(std::string_view p) { return Contains(kArabicPrefixes, p); }
bool IsArabicSuffix(std::string_view s) { return Contains(kArabicSuffixes, s); }

// Called once a letter precedes an Arabic-script term: is it an attached
// clitic?
bool ArabicPrefixOk(std::string_view text, size_t begin, size_t prev_start) {
  size_t word_start = prev_start;
  for (int letters = 1; word_start > 0 && letters <= 4; ++letters) {
    size_t s = 0;
    if (!IsLetter(DecodeBefore(text, word_start, &s))) break;
    word_start = s;
  }
  if (word_start > 0) {
    size_t s = 0;
    if (IsLetter(DecodeBefore(text, word_start, &s))) return false;
  }
  return IsArabicPrefix(text.substr(word_start, begin - word_start));
}

// Called once a letter follows an Arabic-script term at `end`, the letter
// ending at `k`: is it a pronoun/plural suffix?
bool ArabicSuffixOk(std::string_view text, size_t end, size_t k) {
  size_t word_end = k;
  for (int letters = 1; word_end < text.size() && letters <= 4; ++letters) {
    size_t m = word_end;
    if (!IsLetter(Decode(text, m))) break;
    word_end = m;
  }
  if (word_end < text.size()) {
    size_t m = word_end;
    if (IsLetter(Decode(text, m))) return false;
  }
  return IsArabicSuffix(text.substr(end, word_end - end));
}

}  // namespace

struct IndicatorMatcher::ScanContext {
  const EntryBounds* bounds;
  std::string_view text;
  std::vector<TermMatch>* out;
};

int IndicatorMatcher::OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
                              unsigned int /*flags*/, void* ctx) {
  auto* c = static_cast<ScanContext*>(ctx);
  const IndicatorMatcher::EntryBounds& e = c->bounds[id];
  const std::string_view text = c->text;
  const size_t begin = to - e.size;
  if (e.check_left && begin > 0) {
    size_t prev_start = 0;
    if (IsLetter(DecodeBefore(text, begin, &prev_start)) &&
        (!e.arabic || !ArabicPrefixOk(text, begin, prev_start))) {
      return 0;
    }
  }
  if (e.check_right && to < text.size()) {
    size_t k = to;
    if (IsLetter(Decode(text, k)) && (!e.arabic || !ArabicSuffixOk(text, to, k))) return 0;
  }
  c->out->push_back({id, static_cast<uint32_t>(begin), static_cast<uint32_t>(to)});
  return 0;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool IsIsoCode(std::string_view s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

void HsDatabaseDeleter::operator()(hs_database* db) const { hs_free_database(db); }
void HsScratchDeleter::operator()(hs_scratch* s) const { hs_free_scratch(s); }

const std::vector<std::string_view>& LexiconClasses() {
  static const std::vector<std::string_view> kClasses = {
      "person", "descriptor", "sale",    "request", "price", "currency",
      "age",    "auction",    "contact", "appeal",  "goods", "news"};
  return kClasses;
}

Status Lexicon::AddFile(std::string_view file_name, std::string_view contents,
                        const Normalizer& normalizer) {
  const std::string lang = std::filesystem::path(file_name).stem().string();
  std::set<std::string> seen;
  for (const LexiconEntry& e : entries_) seen.insert(e.klass + '\t' + e.term);
  const auto& classes = LexiconClasses();
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= contents.size()) {
    size_t nl = contents.find('\n', pos);
    if (nl == std::string_view::npos) nl = contents.size();
    const std::string_view line = Trim(contents.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    auto fail = [&](const std::string& why) {
      return Status::Corrupt("lexicon " + std::string(file_name) + ":" + std::to_string(line_no) +
                             ": " + why);
    };
    if (!IsValidUtf8(line)) return fail("not valid UTF-8");
    std::vector<std::string_view> fields;
    for (size_t b = 0;;) {
      const size_t tab = line.find('\t', b);
      fields.push_back(Trim(line.substr(b, tab == std::string_view::npos ? tab : tab - b)));
      if (tab == std::string_view::npos) break;
      b = tab + 1;
    }
    if (fields.size() < 2 || fields.size() > 3) {
      return fail("expected class<TAB>term[<TAB>attribute]");
    }
    LexiconEntry e;
    e.klass = std::string(fields[0]);
    if (std::find(classes.begin(), classes.end(), fields[0]) == classes.end()) {
      return fail("unknown class '" + e.klass + "'");
    }
    std::string_view raw = fields[1];
    if (!raw.empty() && raw.front() == '*') {
      e.any_prefix = true;
      raw.remove_prefix(1);
    }
    if (!raw.empty() && raw.back() == '*') {
      e.any_suffix = true;
      raw.remove_suffix(1);
    }
    if (raw.empty()) return fail("empty term");
    e.term = normalizer.NormalizeToString(raw);
    if (e.term.empty()) return fail("term '" + std::string(raw) + "' normalises to nothing");
    const std::string_view attr = fields.size() == 3 ? fields[2] : std::string_view();
    if (e.klass == "currency") {
      if (!IsIsoCode(attr)) return fail("currency needs an ISO 4217 code as attribute");
    } else if (e.klass == "age") {
      if (attr != "pre" && attr != "post") return fail("age needs attribute 'pre' or 'post'");
    } else if (!attr.empty()) {
      return fail("class '" + e.klass + "' takes no attribute");
    }
    e.attribute = std::string(attr);
    e.lang = lang;
    e.origin = std::filesystem::path(file_name).filename().string() + ":" + std::to_string(line_no);
    if (!seen.insert(e.klass + '\t' + e.term).second) continue;
    entries_.push_back(std::move(e));
  }
  return Status::Ok();
}

Result<Lexicon> Lexicon::Load(const std::filesystem::path& dir, const Normalizer& normalizer) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::NotFound("lexicon folder " + dir.string() + " does not exist");
  }
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".txt" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return Status::IoError("reading " + dir.string() + ": " + ec.message());
  if (files.empty()) return Status::NotFound("no *.txt lexicon in " + dir.string());
  std::sort(files.begin(), files.end());
  Lexicon lexicon;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return Status::IoError("cannot open " + f.string());
    const std::string contents((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    if (in.bad()) return Status::IoError("cannot read " + f.string());
    VIGIL_RETURN_IF_ERROR(lexicon.AddFile(f.string(), contents, normalizer));
  }
  return lexicon;
}

Result<IndicatorMatcher> IndicatorMatcher::Compile(Lexicon lexicon) {
  const auto& entries = lexicon.entries();
  if (entries.empty()) return Status::InvalidArgument("lexicon has no entries");
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> ids;
  std::vector<unsigned> flags(entries.size(), 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    exprs.push_back(entries[i].term.data());
    lens.push_back(entries[i].term.size());
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  const hs_error_t rc = hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                                             static_cast<unsigned>(entries.size()), HS_MODE_BLOCK,
                                             nullptr, &db, &err);
  if (rc != HS_SUCCESS) {
    std::string msg = "compiling lexicon database";
    if (err != nullptr) {
      if (err->expression >= 0 && static_cast<size_t>(err->expression) < entries.size()) {
        msg += " at " + entries[err->expression].origin;
      }
      msg += std::string(": ") + (err->message ? err->message : "unknown error");
      hs_free_compile_error(err);
    }
    return Status::InvalidArgument(msg);
  }
  IndicatorMatcher m;
  m.bounds_.reserve(entries.size());
  for (const LexiconEntry& e : entries) {
    // A boundary is checked only where the term begins (ends) with a letter
    // and has no '*' there.
    size_t k = 0;
    size_t last = 0;
    EntryBounds b;
    b.size = static_cast<uint32_t>(e.term.size());
    b.check_left = !e.any_prefix && IsLetter(Decode(e.term, k));
    b.check_right = !e.any_suffix && IsLetter(DecodeBefore(e.term, e.term.size(), &last));
    b.arabic = IsArabicScript(e.term);
    m.bounds_.push_back(b);
  }
  m.lexicon_ = std::move(lexicon);
  m.db_.reset(db);
  return m;
}

Result<HsScratchPtr> IndicatorMatcher::NewScratch() const {
  hs_scratch_t* s = nullptr;
  if (hs_alloc_scratch(db_.get(), &s) != HS_SUCCESS) {
    return Status::ResourceExhausted("cannot allocate Vectorscan scratch");
  }
  return HsScratchPtr(s);
}

void IndicatorMatcher::Scan(std::string_view normalised, hs_scratch* scratch,
                            std::vector<TermMatch>* out) const {
  const size_t first = out->size();
  ScanContext ctx{bounds_.data(), normalised, out};
  if (normalised.empty() || normalised.size() > 0xFFFFFFFFu) return;
  if (hs_scan(db_.get(), normalised.data(), static_cast<unsigned>(normalised.size()), 0, scratch,
              OnMatch, &ctx) != HS_SUCCESS) {
    out->resize(first);
    return;
  }
  auto begin = out->begin() + static_cast<std::ptrdiff_t>(first);
  std::sort(begin, out->end(), [](const TermMatch& a, const TermMatch& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end > b.end;
    return a.entry < b.entry;
  });
  // Drop a match that lies inside a longer one ("sale" inside "for sale",
  // "بيع" inside "للبيع"); keep equal spans (one term in two classes).
  uint32_t max_begin = 0;
  uint32_t max_end = 0;
  bool any = false;
  auto w = begin;
  for (auto r = begin; r != out->end(); ++r) {
    if (any && r->end <= max_end && !(r->begin == max_begin && r->end == max_end)) continue;
    if (!any || r->end > max_end) {
      max_begin = r->begin;
      max_end = r->end;
      any = true;
    }
    *w++ = *r;
  }
  out->erase(w, out->end());
}

}  // namespace vigil::text
