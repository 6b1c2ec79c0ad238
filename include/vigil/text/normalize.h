// Text normalisation for indicator matching, with an offset map back to the
// original bytes.
//
// Normalize() turns post text into the one form the lexicons are written in:
//   * Unicode NFKC + case folding (ICU NFKC_Casefold); Latin diacritics are
//     stripped (ê -> e, ş -> s, ı -> i) because Kurmanji is often typed
//     without them;
//   * Arabic-script folding: harakat (U+064B..065F), superscript alef U+0670,
//     Quranic marks and tatweel U+0640 dropped; أ إ آ ٱ -> ا, ؤ -> و, ئ -> ي,
//     ى ی -> ي, ک -> ك, ة ە -> ه (and the Sorani letters ێ ۆ ڵ ڕ to their
//     Arabic bases, so Arabic-keyboard spellings match);
//   * Arabic-Indic and Persian digits -> ASCII digits;
//   * bidi controls, zero-width characters and soft hyphens dropped; every
//     run of white space becomes one ' ';
//   * letter-spacing undone: "ل.ل.ب.ي.ع" -> "للبيع", "s.a.l.e" -> "sale",
//     "s a l e" -> "sale" (3+ single letters with the same separator, 4+
//     when the separator is a space, so ordinary words are never glued);
//   * leetspeak inside Latin words: a run of 0 1 3 4 5 7 @ $ with ASCII
//     letters on both sides becomes o i e a s t a s ("s@baya" -> "sabaya",
//     "f0r" -> "for"); "$500" and "@handle" are left alone.
//
// Every byte of the output carries the byte range [begin, end) of the
// original text it came from, so a match in normalised text maps back to an
// exact original span.
//
// Thread-safety: a Normalizer is immutable after Create(); Normalize() may be
// called from many threads at once as long as each uses its own
// NormalizedText.
#ifndef VIGIL_TEXT_NORMALIZE_H_
#define VIGIL_TEXT_NORMALIZE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/text/analyzer.h"

// ICU's versioned namespace; only a forward declaration leaks out.
#include <unicode/uversion.h>
U_NAMESPACE_BEGIN
class Normalizer2;
U_NAMESPACE_END

namespace vigil::text {

// Normalised text plus, for each of its bytes, the original byte range.
// Reusable: Normalize() overwrites it and keeps its capacity.
class NormalizedText {
 public:
  const std::string& text() const { return text_; }
  size_t size() const { return text_.size(); }

  // The original span that normalised bytes [begin, end) came from.
  // Requires begin < end <= size().
  Span ToOriginal(size_t begin, size_t end) const {
    return {origin_[begin].begin, origin_[end - 1].end};
  }

  struct Origin {
    uint32_t begin;
    uint32_t end;
  };

 private:
  friend class Normalizer;
  std::string text_;
  // One per byte of text_, then stale entries: it keeps its high-water size
  // so that reuse writes into it without refilling.
  std::vector<Origin> origin_;
};

class Normalizer {
 public:
  // Loads ICU's NFKC_Casefold data. Fails (kInternal) only when ICU's data is
  // missing from the installation.
  static Result<Normalizer> Create();

  // Normalises `original` into `*out`. Ill-formed UTF-8 is read as U+FFFD per
  // bad byte. Inputs longer than 4 GiB are truncated (offsets are 32-bit);
  // callers enforce far smaller limits.
  void Normalize(std::string_view original, NormalizedText* out) const;

  // Convenience for tests and lexicon loading: the normalised string only.
  std::string NormalizeToString(std::string_view original) const;

 private:
  // What one BMP code point becomes when it forms a normalisation chunk on
  // its own, precomputed from ICU at Create() so the hot loop makes no ICU
  // calls. `out` holds the folded UTF-8 output, ' ' standing for "emit a
  // space" (runs collapse at write time).
  struct CodePointInfo {
    uint8_t flags = 0;
    uint8_t len = 0;
    char out[6] = {};
  };
  struct Writer;

  Normalizer() = default;
  uint8_t Flags(uint32_t cp) const;
  uint32_t Fold(uint32_t cp) const;
  void EmitFolded(uint32_t cp, uint32_t begin, uint32_t end, Writer& w) const;
  size_t NormalizeChunk(std::string_view original, size_t start, Writer& w) const;
  void ApplyRewrites(NormalizedText* out) const;
  bool SpacedLetterAt(std::string_view t, size_t p) const;
  bool UndoLetterSpacing(NormalizedText* out) const;
  void UndoLeetspeak(NormalizedText* out, size_t from) const;

  const icu::Normalizer2* nfkc_cf_ = nullptr;  // owned by ICU
  // Indexed by BMP code point: NFKC_CF boundary-before, no-mapping, letter,
  // space and dropped bits plus the single-chunk output.
  std::vector<CodePointInfo> bmp_;
  // Latin-1 Supplement and Latin Extended-A/B (U+00C0..U+024F) with
  // diacritics removed, computed from ICU's NFD once.
  std::array<char16_t, 0x250 - 0xC0> latin_base_{};
};

}  // namespace vigil::text

#endif  // VIGIL_TEXT_NORMALIZE_H_
