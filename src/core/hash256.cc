#include "vigil/core/hash256.h"

#include "vigil/core/hex.h"

namespace vigil {

std::array<uint8_t, 32> Hash256::ToBytes() const {
  std::array<uint8_t, 32> out;
  for (int i = 0; i < 32; ++i) {
    const int low_bit = 248 - 8 * i;
    out[i] = static_cast<uint8_t>(w[low_bit >> 6] >> (low_bit & 63));
  }
  return out;
}

Hash256 Hash256::FromBytes(std::span<const uint8_t, 32> bytes) {
  Hash256 h;
  for (int i = 0; i < 32; ++i) {
    const int low_bit = 248 - 8 * i;
    h.w[low_bit >> 6] |= uint64_t{bytes[i]} << (low_bit & 63);
  }
  return h;
}

std::string Hash256::ToHex() const { return HexEncode(ToBytes()); }

std::optional<Hash256> Hash256::FromHex(std::string_view hex) {
  std::array<uint8_t, 32> bytes;
  if (!HexDecodeTo(hex, bytes)) return std::nullopt;
  return FromBytes(bytes);
}

}  // namespace vigil
