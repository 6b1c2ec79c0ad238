// Inline UTF-8 decoding and a letter test for the text module's hot loops
// (internal to src/text).
#ifndef VIGIL_SRC_TEXT_UNICODE_TABLES_H_
#define VIGIL_SRC_TEXT_UNICODE_TABLES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/core/utf8.h"

namespace vigil::text::internal {

// DecodeUtf8 with the well-formed one-, two- and three-byte cases inline;
// same result and same advance for every input.
inline uint32_t Decode(std::string_view s, size_t& i) {
  const auto c = static_cast<uint8_t>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  const size_t left = s.size() - i;
  if (c >= 0xC2 && c <= 0xDF && left >= 2) {
    const auto c1 = static_cast<uint8_t>(s[i + 1]);
    if ((c1 & 0xC0) == 0x80) {
      i += 2;
      return ((c & 0x1Fu) << 6) | (c1 & 0x3Fu);
    }
  } else if (c >= 0xE0 && c <= 0xEF && left >= 3) {
    const auto c1 = static_cast<uint8_t>(s[i + 1]);
    const auto c2 = static_cast<uint8_t>(s[i + 2]);
    const uint32_t cp = ((c & 0x0Fu) << 12) | ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu);
    if ((c1 & 0xC0) == 0x80 && (c2 & 0xC0) == 0x80 && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
      i += 3;
      return cp;
    }
  }
  return DecodeUtf8(s, i);
}

// u_isalpha() for the BMP as bits.
std::array<uint64_t, 0x10000 / 64> BuildBmpLetterBits();
bool IsSupplementaryLetter(uint32_t cp);

// Built once (thread-safe) on first use; inline so that callers pay a guard
// check, not a call.
inline const uint64_t* BmpLetterBits() {
  static const std::array<uint64_t, 0x10000 / 64> kBits = BuildBmpLetterBits();
  return kBits.data();
}

// ASCII letters and ICU's alphabetic code points.
inline bool IsLetter(uint32_t cp) {
  if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  if (cp < 0x10000) return ((BmpLetterBits()[cp >> 6] >> (cp & 63)) & 1) != 0;
  return IsSupplementaryLetter(cp);
}

}  // namespace vigil::text::internal

#endif  // VIGIL_SRC_TEXT_UNICODE_TABLES_H_
