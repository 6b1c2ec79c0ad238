#include "src/match/kernels.h"

#include <bit>

#if defined(__x86_64__)
// GCC 12's AVX-512 intrinsics pass a deliberately undefined source operand
// (`__m512i __Y = __Y;`) that its own -Wuninitialized then flags once inlined.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only group: clang -Werror rejects unknown ones
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#pragma GCC diagnostic pop
#define VIGIL_X86 1
#endif

namespace vigil::match::internal {
namespace {

// The portable and POPCNT versions share one body; inlined into a function
// compiled for "popcnt", std::popcount becomes the instruction.
[[gnu::always_inline]] inline void ScanBody(const Hash256* hashes, uint32_t begin, uint32_t end,
                                            const Hash256& query, int radius,
                                            std::vector<Neighbor>* out) {
  for (uint32_t i = begin; i < end; ++i) {
    const Hash256& h = hashes[i];
    const int d = std::popcount(h.w[0] ^ query.w[0]) + std::popcount(h.w[1] ^ query.w[1]) +
                  std::popcount(h.w[2] ^ query.w[2]) + std::popcount(h.w[3] ^ query.w[3]);
    if (d <= radius) out->push_back({i, d});
  }
}

[[gnu::always_inline]] inline size_t FilterBody(const uint16_t* payload, uint32_t begin,
                                                uint32_t end, uint16_t value, int min_d, int max_d,
                                                uint32_t* out) {
  size_t n = 0;
  for (uint32_t i = begin; i < end; ++i) {
    const int d = std::popcount(static_cast<uint16_t>(payload[i] ^ value));
    if (d >= min_d && d <= max_d) out[n++] = i;
  }
  return n;
}

void ScanPortable(const Hash256* hashes, uint32_t begin, uint32_t end, const Hash256& query,
                  int radius, std::vector<Neighbor>* out) {
  ScanBody(hashes, begin, end, query, radius, out);
}

size_t FilterPortable(const uint16_t* payload, uint32_t begin, uint32_t end, uint16_t value,
                      int min_d, int max_d, uint32_t* out) {
  return FilterBody(payload, begin, end, value, min_d, max_d, out);
}

#if VIGIL_X86

#define VIGIL_TARGET_POPCNT __attribute__((target("popcnt")))
#define VIGIL_TARGET_AVX2 __attribute__((target("avx2,popcnt")))
#define VIGIL_TARGET_AVX512 \
  __attribute__((target("avx512f,avx512bw,avx512vpopcntdq,avx512bitalg,popcnt")))

VIGIL_TARGET_POPCNT void ScanPopcnt(const Hash256* hashes, uint32_t begin, uint32_t end,
                                    const Hash256& query, int radius, std::vector<Neighbor>* out) {
  ScanBody(hashes, begin, end, query, radius, out);
}

VIGIL_TARGET_POPCNT size_t FilterPopcnt(const uint16_t* payload, uint32_t begin, uint32_t end,
                                        uint16_t value, int min_d, int max_d, uint32_t* out) {
  return FilterBody(payload, begin, end, value, min_d, max_d, out);
}

// --- AVX2: nibble-table popcount (Mula), four hashes per step. ---

VIGIL_TARGET_AVX2 inline __m256i NibbleLut() {
  return _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1,
                          2, 2, 3, 2, 3, 3, 4);
}

// Per-byte popcounts of x.
VIGIL_TARGET_AVX2 inline __m256i ByteCounts(__m256i x, __m256i lut) {
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_and_si256(x, low4);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), low4);
  return _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi));
}

// Four u64 partial counts (one per 64-bit word) of hash ^ query.
VIGIL_TARGET_AVX2 inline __m256i HashCounts(const Hash256& h, __m256i q, __m256i lut) {
  const __m256i x =
      _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(h.w.data())), q);
  return _mm256_sad_epu8(ByteCounts(x, lut), _mm256_setzero_si256());
}

VIGIL_TARGET_AVX2 void ScanAvx2(const Hash256* hashes, uint32_t begin, uint32_t end,
                                const Hash256& query, int radius, std::vector<Neighbor>* out) {
  const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(query.w.data()));
  const __m256i lut = NibbleLut();
  const __m128i limit = _mm_set1_epi16(static_cast<int16_t>(radius + 1));
  uint32_t i = begin;
  for (; i + 4 <= end; i += 4) {
    const __m256i c0 = HashCounts(hashes[i], q, lut);
    const __m256i c1 = HashCounts(hashes[i + 1], q, lut);
    const __m256i c2 = HashCounts(hashes[i + 2], q, lut);
    const __m256i c3 = HashCounts(hashes[i + 3], q, lut);
    // Pack the four hashes' partials into 16-bit fields, then add the four
    // 64-bit lanes: field e of lane 0 ends up as hash i+e's distance.
    __m256i p =
        _mm256_or_si256(_mm256_or_si256(c0, _mm256_slli_epi64(c1, 16)),
                        _mm256_or_si256(_mm256_slli_epi64(c2, 32), _mm256_slli_epi64(c3, 48)));
    p = _mm256_add_epi16(p, _mm256_permute4x64_epi64(p, 0x4E));
    p = _mm256_add_epi16(p, _mm256_shuffle_epi32(p, 0x4E));
    const __m128i sums = _mm256_castsi256_si128(p);
    const int hit = _mm_movemask_epi8(_mm_cmpgt_epi16(limit, sums)) & 0xff;
    if (hit == 0) continue;
    const uint64_t packed = static_cast<uint64_t>(_mm_cvtsi128_si64(sums));
    for (uint32_t e = 0; e < 4; ++e) {
      const int d = static_cast<int>((packed >> (16 * e)) & 0xffff);
      if (d <= radius) out->push_back({i + e, d});
    }
  }
  ScanBody(hashes, i, end, query, radius, out);
}

VIGIL_TARGET_AVX2 size_t FilterAvx2(const uint16_t* payload, uint32_t begin, uint32_t end,
                                    uint16_t value, int min_d, int max_d, uint32_t* out) {
  const __m256i lut = NibbleLut();
  const __m256i v = _mm256_set1_epi16(static_cast<int16_t>(value));
  const __m256i lo_bound = _mm256_set1_epi16(static_cast<int16_t>(min_d - 1));
  const __m256i hi_bound = _mm256_set1_epi16(static_cast<int16_t>(max_d + 1));
  const __m256i byte_mask = _mm256_set1_epi16(0x00ff);
  size_t n = 0;
  for (uint32_t i = begin; i < end; i += 16) {
    const __m256i x =
        _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(payload + i)), v);
    const __m256i b = ByteCounts(x, lut);
    const __m256i c = _mm256_add_epi16(_mm256_and_si256(b, byte_mask), _mm256_srli_epi16(b, 8));
    const __m256i in =
        _mm256_and_si256(_mm256_cmpgt_epi16(c, lo_bound), _mm256_cmpgt_epi16(hi_bound, c));
    uint32_t bits = static_cast<uint32_t>(_mm256_movemask_epi8(in));
    const uint32_t valid = end - i;
    if (valid < 16) bits &= (1u << (2 * valid)) - 1;
    while (bits != 0) {  // two bits per 16-bit lane
      out[n++] = i + (static_cast<uint32_t>(std::countr_zero(bits)) >> 1);
      bits &= bits - 1;
      bits &= bits - 1;
    }
  }
  return n;
}

// --- AVX-512: VPOPCNTDQ for hashes (two per register), BITALG for payloads. ---

VIGIL_TARGET_AVX512 void ScanAvx512(const Hash256* hashes, uint32_t begin, uint32_t end,
                                    const Hash256& query, int radius, std::vector<Neighbor>* out) {
  const __m512i q =
      _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(query.w.data())));
  const __m512i limit = _mm512_set1_epi16(static_cast<int16_t>(radius));
  uint32_t i = begin;
  for (; i + 8 <= end; i += 8) {
    const __m512i* p = reinterpret_cast<const __m512i*>(hashes + i);
    const __m512i z0 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p), q));
    const __m512i z1 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 1), q));
    const __m512i z2 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 2), q));
    const __m512i z3 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 3), q));
    // Register k holds hashes i+2k (lanes 0-3) and i+2k+1 (lanes 4-7). Pack
    // into 16-bit fields and sum lanes 0-3 and 4-7: field k of lane 0 is the
    // distance of hash i+2k, field k of lane 4 that of hash i+2k+1.
    __m512i s =
        _mm512_or_si512(_mm512_or_si512(z0, _mm512_slli_epi64(z1, 16)),
                        _mm512_or_si512(_mm512_slli_epi64(z2, 32), _mm512_slli_epi64(z3, 48)));
    s = _mm512_add_epi16(s, _mm512_shuffle_i64x2(s, s, 0xB1));
    s = _mm512_add_epi16(s, _mm512_shuffle_epi32(s, _MM_PERM_BADC));
    uint32_t hit = _mm512_cmple_epu16_mask(s, limit) & 0x000F000Fu;
    if (hit == 0) continue;
    alignas(64) uint16_t fields[32];
    _mm512_store_si512(reinterpret_cast<__m512i*>(fields), s);
    // Report in id order: hash i+e is field e/2 of lane 0 (even e) or lane 4.
    for (uint32_t e = 0; e < 8; ++e) {
      const uint32_t bit = (e & 1) ? 16 + (e >> 1) : (e >> 1);
      if (hit & (1u << bit)) out->push_back({i + e, fields[bit]});
    }
  }
  ScanBody(hashes, i, end, query, radius, out);
}

VIGIL_TARGET_AVX512 size_t FilterAvx512(const uint16_t* payload, uint32_t begin, uint32_t end,
                                        uint16_t value, int min_d, int max_d, uint32_t* out) {
  const __m512i v = _mm512_set1_epi16(static_cast<int16_t>(value));
  const __m512i lo = _mm512_set1_epi16(static_cast<int16_t>(min_d));
  const __m512i hi = _mm512_set1_epi16(static_cast<int16_t>(max_d));
  size_t n = 0;
  for (uint32_t i = begin; i < end; i += 32) {
    const uint32_t valid = end - i;
    const __mmask32 m = valid >= 32 ? ~__mmask32{0} : (__mmask32{1} << valid) - 1;
    const __m512i c =
        _mm512_popcnt_epi16(_mm512_xor_si512(_mm512_maskz_loadu_epi16(m, payload + i), v));
    uint32_t bits = _mm512_mask_cmple_epu16_mask(_mm512_mask_cmpge_epu16_mask(m, c, lo), c, hi);
    while (bits != 0) {
      out[n++] = i + static_cast<uint32_t>(std::countr_zero(bits));
      bits &= bits - 1;
    }
  }
  return n;
}

#endif  // VIGIL_X86

}  // namespace

bool KernelSupported(ScanKernel kernel) {
#if VIGIL_X86
  __builtin_cpu_init();
  switch (kernel) {
    case ScanKernel::kAuto:
    case ScanKernel::kPortable:
      return true;
    case ScanKernel::kPopcnt:
      return __builtin_cpu_supports("popcnt");
    case ScanKernel::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
    case ScanKernel::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("avx512bitalg") &&
             __builtin_cpu_supports("popcnt");
  }
  return false;
#else
  return kernel == ScanKernel::kAuto || kernel == ScanKernel::kPortable;
#endif
}

ScanKernel BestKernel() {
  static const ScanKernel best = [] {
    for (ScanKernel k : {ScanKernel::kAvx512, ScanKernel::kAvx2, ScanKernel::kPopcnt}) {
      if (KernelSupported(k)) return k;
    }
    return ScanKernel::kPortable;
  }();
  return best;
}

ScanFn GetScanFn(ScanKernel kernel) {
  if (kernel == ScanKernel::kAuto || !KernelSupported(kernel)) return nullptr;
  switch (kernel) {
    case ScanKernel::kPortable:
      return &ScanPortable;
#if VIGIL_X86
    case ScanKernel::kPopcnt:
      return &ScanPopcnt;
    case ScanKernel::kAvx2:
      return &ScanAvx2;
    case ScanKernel::kAvx512:
      return &ScanAvx512;
#endif
    default:
      return nullptr;
  }
}

FilterFn GetFilterFn(ScanKernel kernel) {
  if (kernel == ScanKernel::kAuto || !KernelSupported(kernel)) return nullptr;
  switch (kernel) {
    case ScanKernel::kPortable:
      return &FilterPortable;
#if VIGIL_X86
    case ScanKernel::kPopcnt:
      return &FilterPopcnt;
    case ScanKernel::kAvx2:
      return &FilterAvx2;
    case ScanKernel::kAvx512:
      return &FilterAvx512;
#endif
    default:
      return nullptr;
  }
}

}  // namespace vigil::match::internal
