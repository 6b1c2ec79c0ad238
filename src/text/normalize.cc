#include "vigil/text/normalize.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "src/text/unicode_tables.h"
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

bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }

constexpr char LeetLetter(char c) {
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

constexpr bool IsSpacingSeparator(char c) {
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
constexpr uint8_t kComplex = 32;   // single-chunk output not in the table
constexpr uint8_t kHasSpace = 64;  // single-chunk output contains a space

// Fold()'s answer for a code point that becomes white space.
constexpr uint32_t kSpaceOut = 0xFFFFFFFEu;

uint8_t ComputeFlags(const icu::Normalizer2& nfkc_cf, uint32_t cp, icu::UnicodeString& tmp) {
  const auto c = static_cast<UChar32>(cp);
  uint8_t f = 0;
  if (nfkc_cf.hasBoundaryBefore(c)) f |= kBoundaryBefore;
  if (!nfkc_cf.getDecomposition(c, tmp)) f |= kNoMapping;
  if (internal::IsLetter(cp)) f |= kLetter;
  if (IsSpaceLike(cp)) f |= kSpace;
  if (IsDropped(cp)) f |= kDropped;
  return f;
}

using internal::Decode;

// ASCII byte -> its normalised byte, 0 for white space and controls.
constexpr std::array<char, 128> kAsciiOut = [] {
  std::array<char, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if (c <= 0x20 || c == 0x7F) {
      t[c] = 0;
    } else if (c >= 'A' && c <= 'Z') {
      t[c] = static_cast<char>(c + ('a' - 'A'));
    } else {
      t[c] = static_cast<char>(c);
    }
  }
  return t;
}();

constexpr std::array<char, 256> kLeetTable = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = LeetLetter(static_cast<char>(c));
  return t;
}();

constexpr std::array<bool, 256> kSeparatorTable = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = IsSpacingSeparator(static_cast<char>(c));
  return t;
}();

inline char Leet(char c) { return kLeetTable[static_cast<uint8_t>(c)]; }

// Byte length of the well-formed UTF-8 sequence led by `c`.
inline size_t SequenceLength(char c) {
  const auto u = static_cast<uint8_t>(c);
  return u < 0x80 ? 1 : u < 0xE0 ? 2 : u < 0xF0 ? 3 : 4;
}

// The leetspeak run starting at `i` (a leet character after a lower-case
// letter) becomes letters when a lower-case letter follows it. Returns the
// run's end.
size_t RewriteLeetRun(std::string& t, size_t i) {
  size_t j = i;
  while (j < t.size() && Leet(t[j]) != 0) ++j;
  if (j < t.size() && IsAsciiLower(t[j])) {
    for (size_t k = i; k < j; ++k) t[k] = Leet(t[k]);
  }
  return j;
}

}  // namespace

// Writes normalised bytes and their origins straight into the reused
// buffers of a NormalizedText; Finish() trims text_ to what was written.
struct Normalizer::Writer {
  using Origin = NormalizedText::Origin;

  Writer(std::string& text_buf, std::vector<Origin>& origin_buf, size_t initial)
      : text(text_buf), origin(origin_buf) {
    Grow(initial);
  }

  // Makes room for `extra` more bytes.
  void Reserve(size_t extra) {
    if (w + extra > cap) Grow(std::max(w + extra, 2 * cap));
  }

  void Grow(size_t need) {
    if (text.size() < need) text.resize(need);
    if (origin.size() < need) origin.resize(need);
    cap = std::min(text.size(), origin.size());
    t = text.data();
    o = origin.data();
  }

  // Requires Reserve(1).
  void Space(uint32_t b, uint32_t e) {
    if (w == 0) return;
    if (t[w - 1] == ' ') {
      o[w - 1].end = e;
      return;
    }
    Byte(' ', b, e);
  }

  // Requires Reserve(1).
  void Byte(char c, uint32_t b, uint32_t e) {
    t[w] = c;
    o[w] = {b, e};
    ++w;
  }

  void Finish() { text.resize(w); }

  std::string& text;
  std::vector<Origin>& origin;
  char* t = nullptr;
  Origin* o = nullptr;
  size_t w = 0;
  size_t cap = 0;
};

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
  n.bmp_.resize(0x10000);
  icu::UnicodeString tmp;
  for (uint32_t cp = 0; cp < 0x10000; ++cp) n.bmp_[cp].flags = ComputeFlags(*nfkc_cf, cp, tmp);
  // Normalize() relies on every ASCII character starting a chunk.
  for (uint32_t cp = 0; cp < 0x80; ++cp) {
    if ((n.bmp_[cp].flags & (kBoundaryBefore | kDropped)) != kBoundaryBefore) {
      return Status::Internal("ICU NFKC_Casefold data: no boundary before ASCII");
    }
  }
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

  // What each code point becomes as a chunk of its own: exactly what
  // NormalizeChunk() emits for it, with ' ' standing for a Space() call.
  std::string in;
  std::string normalised;
  std::string emitted;
  for (uint32_t cp = 0; cp < 0x10000; ++cp) {
    CodePointInfo& info = n.bmp_[cp];
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      info.flags |= kComplex;  // never decoded from UTF-8
      continue;
    }
    if ((info.flags & kDropped) != 0) continue;
    in.clear();
    AppendUtf8(in, cp);
    normalised.clear();
    if ((info.flags & kNoMapping) != 0) {
      normalised = in;
    } else {
      icu::StringByteSink<std::string> sink(&normalised);
      ec = U_ZERO_ERROR;
      nfkc_cf->normalizeUTF8(0, icu::StringPiece(in.data(), in.size()), sink, nullptr, ec);
      if (U_FAILURE(ec)) normalised = in;
    }
    emitted.clear();
    for (size_t k = 0; k < normalised.size();) {
      const uint32_t folded = n.Fold(Decode(normalised, k));
      if (folded == kSpaceOut) {
        emitted.push_back(' ');
      } else if (folded != kDrop) {
        AppendUtf8(emitted, folded);
      }
    }
    if (emitted.size() > sizeof(info.out)) {
      info.flags |= kComplex;
      continue;
    }
    if (emitted.find(' ') != std::string::npos) info.flags |= kHasSpace;
    info.len = static_cast<uint8_t>(emitted.size());
    std::copy(emitted.begin(), emitted.end(), info.out);
  }
  return n;
}

uint8_t Normalizer::Flags(uint32_t cp) const {
  if (cp < 0x10000) return bmp_[cp].flags;
  icu::UnicodeString tmp;
  return ComputeFlags(*nfkc_cf_, cp, tmp);
}

// An NFKC_CF output code point after Vigil's own folding: kSpaceOut, kDrop
// or the code point to write.
uint32_t Normalizer::Fold(uint32_t cp) const {
  if ((Flags(cp) & kSpace) != 0) return kSpaceOut;
  if (cp < 0x80) return cp;
  if (cp >= 0xC0 && cp < 0x250) return latin_base_[cp - 0xC0];
  if (cp >= 0x300 && cp <= 0x36F) return kDrop;  // leftover Latin combining marks
  if (cp >= 0x600 && cp <= 0x6FF) return IsDropped(cp) ? kDrop : FoldArabic(cp);
  if ((Flags(cp) & kDropped) != 0) return kDrop;
  return cp;
}

void Normalizer::EmitFolded(uint32_t cp, uint32_t begin, uint32_t end, Writer& w) const {
  cp = Fold(cp);
  if (cp == kDrop) return;
  w.Reserve(4);
  if (cp == kSpaceOut) {
    w.Space(begin, end);
    return;
  }
  char buf[4];
  size_t len;
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    len = 1;
  } else if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 2;
  } else if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 3;
  } else {
    buf[0] = static_cast<char>(0xF0 | (cp >> 18));
    buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 4;
  }
  for (size_t k = 0; k < len; ++k) w.Byte(buf[k], begin, end);
}

// The general case: one normalisation chunk (a code point and everything
// after it up to the next NFKC_CF boundary, without the marks dropped
// anyway) through ICU. Returns where the next chunk starts.
size_t Normalizer::NormalizeChunk(std::string_view original, size_t start, Writer& w) const {
  const size_t n = original.size();
  size_t i = start;
  const uint32_t cp = Decode(original, i);
  if ((Flags(cp) & kDropped) != 0) return i;
  std::string chunk_in;
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
    EmitFolded(cp, b, e, w);
    return i;
  }
  std::string chunk_out;
  icu::StringByteSink<std::string> sink(&chunk_out);
  UErrorCode ec = U_ZERO_ERROR;
  nfkc_cf_->normalizeUTF8(0, icu::StringPiece(chunk_in.data(), chunk_in.size()), sink, nullptr, ec);
  if (U_FAILURE(ec)) chunk_out = chunk_in;
  for (size_t k = 0; k < chunk_out.size();) EmitFolded(Decode(chunk_out, k), b, e, w);
  return i;
}

// The hot loop keeps the output cursor in locals (a store through char*
// could alias a Writer's fields and force reloads) and hands it to the Writer
// only around the slow paths.
#define VIGIL_INLINE __attribute__((always_inline))

void Normalizer::Normalize(std::string_view original, NormalizedText* out) const {
  if (original.size() >= std::numeric_limits<uint32_t>::max()) {
    original = original.substr(0, std::numeric_limits<uint32_t>::max() - 1);
  }
  using Origin = NormalizedText::Origin;
  const size_t n = original.size();
  const auto* s = reinterpret_cast<const uint8_t*>(original.data());
  constexpr size_t kSlack = sizeof(CodePointInfo::out) + 2;
  Writer writer(out->text_, out->origin_, n + kSlack);
  char* t = writer.t;
  Origin* o = writer.o;
  size_t w = 0;
  size_t cap = writer.cap;
  auto reserve = [&](size_t extra) VIGIL_INLINE {
    if (w + extra <= cap) return;
    writer.w = w;
    writer.Reserve(extra);
    t = writer.t;
    o = writer.o;
    cap = writer.cap;
  };
  // The general path for the chunk at `start`; returns where the next begins.
  auto slow_chunk = [&](size_t start) {
    writer.w = w;
    const size_t next = NormalizeChunk(original, start, writer);
    t = writer.t;
    o = writer.o;
    w = writer.w;
    cap = writer.cap;
    return next;
  };
  // Requires reserve(1).
  auto space = [&](uint32_t b, uint32_t e) VIGIL_INLINE {
    if (w == 0) return;
    if (t[w - 1] == ' ') {
      o[w - 1].end = e;
      return;
    }
    t[w] = ' ';
    o[w] = {b, e};
    ++w;
  };

  // The open chunk: a code point whose output waits until we know that the
  // next code point not dropped starts a new chunk (or the text ends).
  const CodePointInfo* pending = nullptr;
  size_t pending_start = 0;
  // Writes the open chunk, which spans [pending_start, end).
  auto flush = [&](size_t end) VIGIL_INLINE {
    const CodePointInfo& info = *pending;
    pending = nullptr;
    const auto b = static_cast<uint32_t>(pending_start);
    const auto e = static_cast<uint32_t>(end);
    reserve(sizeof(info.out));
    if ((info.flags & kHasSpace) != 0) {
      for (size_t k = 0; k < info.len; ++k) {
        if (info.out[k] == ' ') {
          space(b, e);
        } else {
          t[w] = info.out[k];
          o[w] = {b, e};
          ++w;
        }
      }
      return;
    }
    std::memcpy(t + w, info.out, sizeof(info.out));
    const Origin origin{b, e};
    // Most entries are one or two bytes: store two, then any others.
    o[w] = origin;
    o[w + 1] = origin;
    for (size_t k = 2; k < info.len; ++k) o[w + k] = origin;
    w += info.len;
  };

  size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      // ASCII starts a chunk. One followed by ASCII is a chunk of its own:
      // fold it by table. One followed by a non-ASCII byte may take a
      // combining mark, so it stays open.
      if (pending != nullptr) flush(i);
      reserve(n - i);
      for (; i < n && s[i] < 0x80; ++i) {
        if (i + 1 < n && s[i + 1] >= 0x80) {
          pending = &bmp_[s[i]];
          pending_start = i++;
          break;
        }
        const char c = kAsciiOut[s[i]];
        const auto b = static_cast<uint32_t>(i);
        if (c == 0) {
          space(b, b + 1);
        } else {
          t[w] = c;
          o[w] = {b, b + 1};
          ++w;
        }
      }
      continue;
    }
    const size_t start = i;
    const uint32_t cp = Decode(original, i);
    const CodePointInfo* info = cp < 0x10000 ? &bmp_[cp] : nullptr;
    const uint8_t flags = info != nullptr ? info->flags : Flags(cp);
    if ((flags & kDropped) != 0) continue;  // part of the open chunk, if any
    if (pending != nullptr) {
      if ((flags & kBoundaryBefore) == 0) {
        // Combining sequence: ICU composes the chunk.
        i = slow_chunk(pending_start);
        pending = nullptr;
        continue;
      }
      flush(start);
    }
    if (info == nullptr || (flags & kComplex) != 0) {
      i = slow_chunk(start);
      continue;
    }
    pending = info;
    pending_start = start;
  }
  if (pending != nullptr) flush(n);
  if (w > 0 && t[w - 1] == ' ') --w;
  writer.w = w;
  writer.Finish();
  ApplyRewrites(out);
}

#undef VIGIL_INLINE

bool Normalizer::SpacedLetterAt(std::string_view t, size_t p) const {
  const size_t n = t.size();
  if (p == 0 || p + 2 >= n || !kSeparatorTable[static_cast<uint8_t>(t[p])]) return false;
  const size_t after = p + 1 + SequenceLength(t[p + 1]);
  if (after >= n || t[after] != t[p]) return false;
  size_t k = p + 1;
  if ((Flags(Decode(t, k)) & kLetter) == 0) return false;
  // The code point before p, and the one before that.
  auto start_before = [&](size_t pos) {
    size_t b = pos - 1;
    while (b > 0 && (static_cast<uint8_t>(t[b]) & 0xC0) == 0x80) --b;
    return b;
  };
  const size_t l0 = start_before(p);
  k = l0;
  if ((Flags(Decode(t, k)) & kLetter) == 0) return false;
  if (l0 == 0) return true;
  k = start_before(l0);
  return (Flags(Decode(t, k)) & kLetter) == 0;
}

void Normalizer::ApplyRewrites(NormalizedText* out) const {
  std::string& text = out->text_;
  const std::string_view t = text;
  const size_t n = t.size();
  // Leetspeak runs start where a leet character follows a lower-case
  // letter; rewriting one run never creates or removes another start, so
  // the starts found here stay valid unless letter spacing moves bytes.
  std::array<uint32_t, 32> leet_starts;
  size_t leet_count = 0;
  bool leet_overflow = false;
  auto note_leet = [&](size_t p) {
    if (leet_count < leet_starts.size()) {
      leet_starts[leet_count++] = static_cast<uint32_t>(p);
    } else {
      leet_overflow = true;
    }
  };
  bool spacing = false;
  size_t p = 1;
#if defined(__SSE2__)
  // Sixteen positions at a time: leet starts exactly, letter spacing as a
  // superset ("s L s" with L one code point) checked by SpacedLetterAt().
  auto load = [&](size_t at) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(t.data() + at));
  };
  auto splat = [](char c) { return _mm_set1_epi8(c); };
  // Unsigned lo <= x <= hi per byte.
  auto in_range = [&](__m128i x, char lo, char hi) {
    const __m128i d = _mm_sub_epi8(x, splat(lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(d, splat(static_cast<char>(hi - lo))), d);
  };
  for (; p + 3 + sizeof(__m128i) <= n; p += sizeof(__m128i)) {
    const __m128i c = load(p);
    const __m128i digit_leet =
        _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(c, splat('2')), _mm_cmpeq_epi8(c, splat('6'))),
                         in_range(c, '0', '7'));
    const __m128i leet = _mm_or_si128(
        digit_leet, _mm_or_si128(_mm_cmpeq_epi8(c, splat('@')), _mm_cmpeq_epi8(c, splat('$'))));
    auto leet_mask = static_cast<uint32_t>(
        _mm_movemask_epi8(_mm_and_si128(leet, in_range(load(p - 1), 'a', 'z'))));
    for (; leet_mask != 0; leet_mask &= leet_mask - 1) note_leet(p + __builtin_ctz(leet_mask));
    if (spacing) continue;
    const __m128i sep = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(c, splat(' ')), _mm_cmpeq_epi8(c, splat('_'))),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(c, splat('|')), _mm_cmpeq_epi8(c, splat('~'))),
                     in_range(c, '*', '/')));
    const __m128i next = load(p + 1);
    const __m128i next_ascii = _mm_cmpgt_epi8(next, splat(-1));
    const __m128i next_two = _mm_cmpeq_epi8(_mm_and_si128(next, splat(static_cast<char>(0xE0))),
                                            splat(static_cast<char>(0xC0)));
    const __m128i next_long = in_range(next, static_cast<char>(0xE0), static_cast<char>(0xFF));
    const __m128i same_after =
        _mm_or_si128(_mm_or_si128(_mm_and_si128(next_ascii, _mm_cmpeq_epi8(load(p + 2), c)),
                                  _mm_and_si128(next_two, _mm_cmpeq_epi8(load(p + 3), c))),
                     next_long);
    auto sep_mask = static_cast<uint32_t>(_mm_movemask_epi8(_mm_and_si128(sep, same_after)));
    for (; sep_mask != 0 && !spacing; sep_mask &= sep_mask - 1) {
      spacing = SpacedLetterAt(t, p + __builtin_ctz(sep_mask));
    }
  }
#endif
  for (; p < n; ++p) {
    if (Leet(t[p]) != 0 && IsAsciiLower(t[p - 1])) note_leet(p);
    if (!spacing && kSeparatorTable[static_cast<uint8_t>(t[p])]) spacing = SpacedLetterAt(t, p);
  }
  if (spacing && UndoLetterSpacing(out)) {
    if (leet_count > 0) UndoLeetspeak(out, 1);
    return;
  }
  if (leet_overflow) {
    UndoLeetspeak(out, leet_starts[0]);
    return;
  }
  for (size_t k = 0; k < leet_count; ++k) RewriteLeetRun(text, leet_starts[k]);
}

// Only called when SpacedLetterAt() found the start of a possible run.
// Returns whether any separator was removed.
bool Normalizer::UndoLetterSpacing(NormalizedText* out) const {
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
  if (removed.empty()) return false;
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
  return true;
}

// `from` >= 1: no leetspeak run starts before it.
void Normalizer::UndoLeetspeak(NormalizedText* out, size_t from) const {
  std::string& t = out->text_;
  for (size_t i = from; i < t.size(); ++i) {
    if (Leet(t[i]) != 0 && IsAsciiLower(t[i - 1])) i = RewriteLeetRun(t, i);
  }
}

std::string Normalizer::NormalizeToString(std::string_view original) const {
  NormalizedText t;
  Normalize(original, &t);
  return t.text_;
}

}  // namespace vigil::text
