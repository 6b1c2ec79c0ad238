#include "vigil/text/normalize.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <limits>

#include "vigil/core/utf8.h"

namespace vigil::text {
namespace {

constexpr uint32_t kDrop = 0xFFFFFFFFu;

// Marks removed before NFKC. Dropping the Arabic combining hamza/madda here
// gives the same result as composing (ا + U+0654 -> أ) and folding (أ -> ا).
bool IsDropped(uint32_t cp) {
  if (cp < 0x00AD) return false;
  if (cp == 0x00AD || cp == 0x061C || cp == 0x0640 || cp == 0x0670 || cp == 0x2060 ||
      cp == 0xFEFF) {
    return true;
  }
  if (cp >= 0x064B && cp <= 0x065F) return true;  // harakat, hamza/madda marks
  if (cp >= 0x0610 && cp <= 0x061A) return true;  // Quranic honorifics
  if (cp >= 0x06D6 && cp <= 0x06DC) return true;  // Quranic annotation
  if (cp >= 0x06DF && cp <= 0x06E8) return true;
  if (cp >= 0x06EA && cp <= 0x06ED) return true;
  if (cp >= 0x200B && cp <= 0x200F) return true;  // zero-width, LRM/RLM
  if (cp >= 0x202A && cp <= 0x202E) return true;  // bidi embeddings
  if (cp >= 0x2066 && cp <= 0x2069) return true;  // bidi isolates
  return false;
}

// Arabic-script folding applied after NFKC. Returns the replacement code
// point, or `cp` itself.
uint32_t FoldArabic(uint32_t cp) {
  if (cp >= 0x0660 && cp <= 0x0669) return '0' + (cp - 0x0660);
  if (cp >= 0x06F0 && cp <= 0x06F9) return '0' + (cp - 0x06F0);
  switch (cp) {
    case 0x0622:
    case 0x0623:
    case 0x0625:
    case 0x0671:
    case 0x0672:
    case 0x0673:
      return 0x0627;  // alef variants
    case 0x0624:
    case 0x06C6:
    case 0x06C7:
      return 0x0648;  // waw with hamza, Sorani o/u
    case 0x0626:
    case 0x0649:
    case 0x06CC:
    case 0x06CE:
    case 0x06D0:
      return 0x064A;  // yeh variants, alef maqsura, Sorani ê
    case 0x06A9:
    case 0x06AA:
      return 0x0643;  // keheh -> kaf
    case 0x0629:
    case 0x06D5:
    case 0x06BE:
    case 0x06C0:
    case 0x06C1:
      return 0x0647;  // teh marbuta, Sorani ae, heh variants
    case 0x06B5:
      return 0x0644;  // Sorani velarised lam
    case 0x0695:
      return 0x0631;  // Sorani trilled reh
    case 0x066B:
      return '.';
    case 0x066C:
    case 0x060C:
      return ',';
    case 0x061B:
      return ';';
    case 0x061F:
      return '?';
    case 0x066A:
      return '%';
    default:
      return cp;
  }
}

bool IsSpaceLike(uint32_t cp) {
  if (cp < 0x80) return cp <= 0x20 || cp == 0x7F;
  return cp == 0x85 || u_isUWhiteSpace(static_cast<UChar32>(cp)) ||
         u_charType(static_cast<UChar32>(cp)) == U_CONTROL_CHAR;
}

bool IsLetterCp(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  return u_isalpha(static_cast<UChar32>(cp));
}

bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }

char LeetLetter(char c) {
  switch (c) {
    case '0':
      return 'o';
    case '1':
      return 'i';
    case '3':
      return 'e';
    case '4':
    case '@':
      return 'a';
    case '5':
    case '$':
      return 's';
    case '7':
      return 't';
    default:
      return 0;
  }
}

bool IsSpacingSeparator(char c) {
  return c == '.' || c == '-' || c == '_' || c == '*' || c == ' ' || c == '/' || c == '+' ||
         c == '|' || c == '~' || c == ',';
}

// Flags per BMP code point, precomputed from ICU so the hot loop makes no
// virtual calls.
constexpr uint8_t kBoundaryBefore = 1;  // NFKC_CF has a boundary before cp
constexpr uint8_t kNoMapping = 2;       // cp normalises to itself when alone
constexpr uint8_t kLetter = 4;
constexpr uint8_t kSpace = 8;
constexpr uint8_t kDropped = 16;

uint8_t ComputeFlags(const icu::Normalizer2& nfkc_cf, uint32_t cp, icu::UnicodeString& tmp) {
  const auto c = static_cast<UChar32>(cp);
  uint8_t f = 0;
  if (nfkc_cf.hasBoundaryBefore(c)) f |= kBoundaryBefore;
  if (!nfkc_cf.getDecomposition(c, tmp)) f |= kNoMapping;
  if (IsLetterCp(cp)) f |= kLetter;
  if (IsSpaceLike(cp)) f |= kSpace;
  if (IsDropped(cp)) f |= kDropped;
  return f;
}

// DecodeUtf8 with the one- and two-byte cases (ASCII, Arabic script) inline.
inline uint32_t Decode(std::string_view s, size_t& i) {
  const auto c = static_cast<uint8_t>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  if (c >= 0xC2 && c <= 0xDF && i + 1 < s.size() &&
      (static_cast<uint8_t>(s[i + 1]) & 0xC0) == 0x80) {
    const uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<uint8_t>(s[i + 1]) & 0x3Fu);
    i += 2;
    return cp;
  }
  return DecodeUtf8(s, i);
}

// Emits normalised code points with their original ranges.
class Emitter {
 public:
  Emitter(std::string& text, std::vector<NormalizedText::Origin>& origin)
      : text_(text), origin_(origin) {}

  void Space(uint32_t b, uint32_t e) {
    if (text_.empty()) return;
    if (text_.back() == ' ') {
      origin_.back().end = e;
      return;
    }
    Byte(' ', b, e);
  }

  void Byte(char c, uint32_t b, uint32_t e) {
    text_.push_back(c);
    origin_.push_back({b, e});
  }

  void CodePoint(uint32_t cp, uint32_t b, uint32_t e) {
    const size_t before = text_.size();
    AppendUtf8(text_, cp);
    for (size_t k = before; k < text_.size(); ++k) origin_.push_back({b, e});
  }

 private:
  std::string& text_;
  std::vector<NormalizedText::Origin>& origin_;
};

}  // namespace

Result<Normalizer> Normalizer::Create() {
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(ec);
  if (U_FAILURE(ec) || nfkc_cf == nullptr) {
    return Status::Internal(std::string("ICU NFKC_Casefold data unavailable: ") + u_errorName(ec));
  }
  ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(ec);
  if (U_FAILURE(ec) || nfd == nullptr) {
    return Status::Internal(std::string("ICU NFD data unavailable: ") + u_errorName(ec));
  }
  Normalizer n;
  n.nfkc_cf_ = nfkc_cf;
  n.bmp_flags_.resize(0x10000);
  icu::UnicodeString tmp;
  for (uint32_t cp = 0; cp < 0x10000; ++cp) n.bmp_flags_[cp] = ComputeFlags(*nfkc_cf, cp, tmp);
  for (uint32_t cp = 0xC0; cp < 0x250; ++cp) {
    char16_t base = static_cast<char16_t>(cp);
    icu::UnicodeString d;
    if (nfd->getDecomposition(static_cast<UChar32>(cp), d) && d.length() >= 2) {
      const UChar32 first = d.char32At(0);
      bool marks_only = true;
      for (int32_t k = 1; k < d.length(); ++k) {
        if (d.charAt(k) < 0x300 || d.charAt(k) > 0x36F) marks_only = false;
      }
      if (marks_only && first < 0x250) base = static_cast<char16_t>(first);
    }
    n.latin_base_[cp - 0xC0] = base;
  }
  n.latin_base_[0x131 - 0xC0] = u'i';  // dotless i (Turkish, Kurmanji keyboards)
  n.latin_base_[0x111 - 0xC0] = u'd';
  n.latin_base_[0x142 - 0xC0] = u'l';
  n.latin_base_[0xF8 - 0xC0] = u'o';
  return n;
}

uint8_t Normalizer::Flags(uint32_t cp) const {
  if (cp < 0x10000) return bmp_flags_[cp];
  icu::UnicodeString tmp;
  return ComputeFlags(*nfkc_cf_, cp, tmp);
}

uint32_t Normalizer::Fold(uint32_t cp) const {
  if (cp < 0x80) return cp;
  if (cp >= 0xC0 && cp < 0x250) return latin_base_[cp - 0xC0];
  if (cp >= 0x300 && cp <= 0x36F) return kDrop;  // leftover Latin combining marks
  if (cp >= 0x600 && cp <= 0x6FF) return IsDropped(cp) ? kDrop : FoldArabic(cp);
  if ((Flags(cp) & kDropped) != 0) return kDrop;
  return cp;
}

void Normalizer::Normalize(std::string_view original, NormalizedText* out) const {
  if (original.size() >= std::numeric_limits<uint32_t>::max()) {
    original = original.substr(0, std::numeric_limits<uint32_t>::max() - 1);
  }
  std::string& text = out->text_;
  text.clear();
  out->origin_.clear();
  text.reserve(original.size() + 8);
  out->origin_.reserve(original.size() + 8);
  Emitter emit(text, out->origin_);

  auto emit_cp = [&](uint32_t cp, uint32_t b, uint32_t e) {
    if ((Flags(cp) & kSpace) != 0) {
      emit.Space(b, e);
      return;
    }
    cp = Fold(cp);
    if (cp == kDrop) return;
    if (cp < 0x80) {
      emit.Byte(static_cast<char>(cp), b, e);
    } else {
      emit.CodePoint(cp, b, e);
    }
  };

  std::string chunk_in;
  std::string chunk_out;
  const size_t n = original.size();
  size_t i = 0;
  while (i < n) {
    const auto c = static_cast<uint8_t>(original[i]);
    if (c < 0x80 && (i + 1 == n || static_cast<uint8_t>(original[i + 1]) < 0x80)) {
      const auto b = static_cast<uint32_t>(i);
      if (c <= 0x20 || c == 0x7F) {
        emit.Space(b, b + 1);
      } else if (c >= 'A' && c <= 'Z') {
        emit.Byte(static_cast<char>(c + ('a' - 'A')), b, b + 1);
      } else {
        emit.Byte(static_cast<char>(c), b, b + 1);
      }
      ++i;
      continue;
    }
    // One normalisation chunk: a code point and everything after it up to
    // the next NFKC_CF boundary, without the marks we drop anyway.
    const size_t start = i;
    const uint32_t cp = Decode(original, i);
    if ((Flags(cp) & kDropped) != 0) continue;
    chunk_in.clear();
    AppendUtf8(chunk_in, cp);
    bool single = true;
    while (i < n) {
      size_t j = i;
      const uint32_t next = Decode(original, j);
      const uint8_t f = Flags(next);
      if ((f & kDropped) != 0) {
        i = j;
        continue;
      }
      if ((f & kBoundaryBefore) != 0) break;
      AppendUtf8(chunk_in, next);
      single = false;
      i = j;
    }
    const auto b = static_cast<uint32_t>(start);
    const auto e = static_cast<uint32_t>(i);
    if (single && (Flags(cp) & kNoMapping) != 0) {
      emit_cp(cp, b, e);
      continue;
    }
    chunk_out.clear();
    icu::StringByteSink<std::string> sink(&chunk_out);
    UErrorCode ec = U_ZERO_ERROR;
    nfkc_cf_->normalizeUTF8(0, icu::StringPiece(chunk_in.data(), chunk_in.size()), sink, nullptr,
                            ec);
    if (U_FAILURE(ec)) chunk_out = chunk_in;
    for (size_t k = 0; k < chunk_out.size();) emit_cp(Decode(chunk_out, k), b, e);
  }
  if (!text.empty() && text.back() == ' ') {
    text.pop_back();
    out->origin_.pop_back();
  }
  UndoLetterSpacing(out);
  UndoLeetspeak(out);
}

void Normalizer::UndoLetterSpacing(NormalizedText* out) const {
  std::string& t = out->text_;
  const size_t n = t.size();
  // A single letter at `pos`: its byte length, or 0 when `pos` does not
  // start a one-letter token.
  auto single_letter = [&](size_t pos) -> size_t {
    if (pos >= n) return 0;
    size_t k = pos;
    if ((Flags(Decode(t, k)) & kLetter) == 0) return 0;
    if (k < n) {
      size_t m = k;
      if ((Flags(Decode(t, m)) & kLetter) != 0) return 0;
    }
    return k - pos;
  };
  std::vector<size_t> removed;
  bool prev_letter = false;
  size_t pos = 0;
  while (pos < n) {
    size_t k = pos;
    const bool letter = (Flags(Decode(t, k)) & kLetter) != 0;
    if (!letter || prev_letter) {
      prev_letter = letter;
      pos = k;
      continue;
    }
    const size_t len = single_letter(pos);
    if (len == 0 || pos + len >= n || !IsSpacingSeparator(t[pos + len])) {
      prev_letter = true;
      pos = k;
      continue;
    }
    const char sep = t[pos + len];
    const size_t first_removed = removed.size();
    size_t count = 1;
    size_t cur = pos + len;  // at a separator
    size_t last_end = cur;
    while (cur < n && t[cur] == sep) {
      const size_t l = single_letter(cur + 1);
      if (l == 0) break;
      removed.push_back(cur);
      ++count;
      last_end = cur + 1 + l;
      cur = last_end;
    }
    if (count < (sep == ' ' ? 4u : 3u)) removed.resize(first_removed);
    prev_letter = true;
    pos = last_end;
  }
  if (removed.empty()) return;
  size_t w = 0;
  size_t r_idx = 0;
  for (size_t r = 0; r < n; ++r) {
    if (r_idx < removed.size() && removed[r_idx] == r) {
      ++r_idx;
      continue;
    }
    t[w] = t[r];
    out->origin_[w] = out->origin_[r];
    ++w;
  }
  t.resize(w);
  out->origin_.resize(w);
}

void Normalizer::UndoLeetspeak(NormalizedText* out) const {
  std::string& t = out->text_;
  const size_t n = t.size();
  for (size_t i = 1; i < n; ++i) {
    if (LeetLetter(t[i]) == 0 || !IsAsciiLower(t[i - 1])) continue;
    size_t j = i;
    while (j < n && LeetLetter(t[j]) != 0) ++j;
    if (j < n && IsAsciiLower(t[j])) {
      for (size_t k = i; k < j; ++k) t[k] = LeetLetter(t[k]);
    }
    i = j;
  }
}

std::string Normalizer::NormalizeToString(std::string_view original) const {
  NormalizedText t;
  Normalize(original, &t);
  return t.text_;
}

}  // namespace vigil::text
