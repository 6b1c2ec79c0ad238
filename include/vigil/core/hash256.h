// Hash256: a 256-bit perceptual hash (PDQ) as a strong type.
//
// Bit k (0..255) lives in word k / 64 at position k % 64. The byte form is the
// 256-bit number most significant byte first, and the hex form is those bytes
// in hex (vigil/core/hex.h) — the form PDQ's reference prints (16-bit words
// w[15]..w[0]), so bit 255 is the top bit of the first hex digit. Plain value
// type.
#ifndef VIGIL_CORE_HASH256_H_
#define VIGIL_CORE_HASH256_H_

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vigil {

struct Hash256 {
  std::array<uint64_t, 4> w{};

  bool Bit(int k) const { return (w[k >> 6] >> (k & 63)) & 1u; }
  void SetBit(int k) { w[k >> 6] |= uint64_t{1} << (k & 63); }
  int Weight() const {
    return std::popcount(w[0]) + std::popcount(w[1]) + std::popcount(w[2]) + std::popcount(w[3]);
  }
  friend int Distance(const Hash256& a, const Hash256& b) {
    return std::popcount(a.w[0] ^ b.w[0]) + std::popcount(a.w[1] ^ b.w[1]) +
           std::popcount(a.w[2] ^ b.w[2]) + std::popcount(a.w[3] ^ b.w[3]);
  }
  friend bool operator==(const Hash256&, const Hash256&) = default;
  friend auto operator<=>(const Hash256&, const Hash256&) = default;

  // Byte i holds bits 255-8i .. 248-8i.
  std::array<uint8_t, 32> ToBytes() const;
  static Hash256 FromBytes(std::span<const uint8_t, 32> bytes);
  // 64 lower-case hex digits: HexEncode(ToBytes()).
  std::string ToHex() const;
  // Accepts exactly 64 hex digits (either case); nullopt otherwise.
  static std::optional<Hash256> FromHex(std::string_view hex);
};
static_assert(sizeof(Hash256) == 32, "Hash256 is 32 bytes");

}  // namespace vigil

#endif  // VIGIL_CORE_HASH256_H_
