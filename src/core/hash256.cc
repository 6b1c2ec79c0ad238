#include "vigil/core/hash256.h"

namespace vigil {

std::string Hash256::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (int i = 0; i < 64; ++i) {  // digit i holds bits 255-4i .. 252-4i
    const int low_bit = 252 - 4 * i;
    out[i] = kDigits[(w[low_bit >> 6] >> (low_bit & 63)) & 0xF];
  }
  return out;
}

std::optional<Hash256> Hash256::FromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Hash256 h;
  for (int i = 0; i < 64; ++i) {
    const char c = hex[i];
    uint64_t v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    const int low_bit = 252 - 4 * i;
    h.w[low_bit >> 6] |= v << (low_bit & 63);
  }
  return h;
}

}  // namespace vigil
