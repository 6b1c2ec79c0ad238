#include "src/text/unicode_tables.h"

#include <unicode/uchar.h>

namespace vigil::text::internal {

std::array<uint64_t, 0x10000 / 64> BuildBmpLetterBits() {
  std::array<uint64_t, 0x10000 / 64> bits{};
  for (uint32_t cp = 0; cp < 0x10000; ++cp) {
    const bool letter = cp < 0x80 ? ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
                                  : u_isalpha(static_cast<UChar32>(cp)) != 0;
    if (letter) bits[cp >> 6] |= uint64_t{1} << (cp & 63);
  }
  return bits;
}

bool IsSupplementaryLetter(uint32_t cp) { return u_isalpha(static_cast<UChar32>(cp)) != 0; }

}  // namespace vigil::text::internal
