// FaceIndex: exact flat search in two passes. Each stored embedding is also
// kept as 128 int8 codes (value / kScale, rounded) with the exact norm of its
// rounding error. Pass 1 streams the codes (128 bytes a row instead of 512)
// and keeps every row whose coarse distance, less the largest rounding error
// any row or the query can have (triangle inequality), is within the
// threshold; pass 2 computes the float distance of just those rows. So the
// result is exactly what a float scan of every row would give. Rows whose
// values do not fit the int8 range (error over kMaxResidual) are kept aside
// and always compared in float. AVX2 (checked at run time) or portable code.
#include <algorithm>
#include <cmath>
#include <limits>

#include "vigil/faces/faces.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define VIGIL_FACES_X86 1
#endif

namespace vigil::faces {
namespace {

// Embedding values lie well within +-0.4; codes cover +-127 * kScale = +-0.5.
constexpr float kScale = 1.0f / 254.0f;
// Rounding alone leaves at most sqrt(128) * kScale / 2 = 0.0223.
constexpr float kMaxResidual = 0.025f;

float SqDistPortable(const float* a, const float* b) {
  float s[8] = {};
  for (int i = 0; i < kEmbeddingDims; i += 8) {
    for (int j = 0; j < 8; ++j) {
      const float d = a[i + j] - b[i + j];
      s[j] += d * d;
    }
  }
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

void CoarsePortable(const int8_t* codes, size_t n, const int8_t* q, int32_t max_sq,
                    std::vector<uint32_t>* out) {
  for (size_t r = 0; r < n; ++r) {
    const int8_t* a = codes + r * kEmbeddingDims;
    int32_t sum = 0;
    for (int i = 0; i < kEmbeddingDims; ++i) {
      const int32_t d = int32_t{a[i]} - q[i];
      sum += d * d;
    }
    if (sum <= max_sq) out->push_back(static_cast<uint32_t>(r));
  }
}

#if VIGIL_FACES_X86
__attribute__((target("avx2,fma"))) float SqDistAvx2(const float* a, const float* b) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  for (int i = 0; i < kEmbeddingDims; i += 16) {
    const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
    acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    acc1 = _mm256_fmadd_ps(d1, d1, acc1);
  }
  const __m256 acc = _mm256_add_ps(acc0, acc1);
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2"))) void CoarseAvx2(const int8_t* codes, size_t n, const int8_t* q,
                                                int32_t max_sq, std::vector<uint32_t>* out) {
  __m256i qv[kEmbeddingDims / 16];
  for (int j = 0; j < kEmbeddingDims / 16; ++j) {
    qv[j] = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 16 * j)));
  }
  for (size_t r = 0; r < n; ++r) {
    const int8_t* a = codes + r * kEmbeddingDims;
    __m256i acc = _mm256_setzero_si256();
    for (int j = 0; j < kEmbeddingDims / 16; ++j) {
      const __m256i v =
          _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + 16 * j)));
      const __m256i d = _mm256_sub_epi16(v, qv[j]);
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(d, d));  // |d| <= 254: no overflow
    }
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    if (_mm_cvtsi128_si32(s) <= max_sq) out->push_back(static_cast<uint32_t>(r));
  }
}

bool HasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}
#endif

float SqDist(const float* a, const float* b) {
#if VIGIL_FACES_X86
  if (HasAvx2()) return SqDistAvx2(a, b);
#endif
  return SqDistPortable(a, b);
}

// Codes for e and the norm of what rounding (and clamping) lost.
float Quantize(const Embedding& e, int8_t* codes) {
  float lost = 0;
  for (int i = 0; i < kEmbeddingDims; ++i) {
    const float c = std::clamp(std::nearbyint(e[i] / kScale), -127.0f, 127.0f);
    codes[i] = static_cast<int8_t>(c);
    const float d = e[i] - c * kScale;
    lost += d * d;
  }
  return std::sqrt(lost);
}

}  // namespace

void FaceIndex::Add(int64_t id, const Embedding& e) {
  const size_t row = ids_.size();
  ids_.push_back(id);
  data_.insert(data_.end(), e.begin(), e.end());
  codes_.resize(codes_.size() + kEmbeddingDims);
  const float lost = Quantize(e, &codes_[row * kEmbeddingDims]);
  if (!(lost <= kMaxResidual)) outliers_.push_back(row);  // also catches NaN
}

void FaceIndex::Reserve(size_t n) {
  ids_.reserve(n);
  data_.reserve(n * kEmbeddingDims);
  codes_.reserve(n * kEmbeddingDims);
}

std::vector<FaceHit> FaceIndex::Search(const Embedding& q, size_t k, float max_distance) const {
  std::vector<FaceHit> hits;
  if (k == 0 || ids_.empty() || !(max_distance >= 0)) return hits;
  int8_t qcodes[kEmbeddingDims];
  const float q_lost = Quantize(q, qcodes);
  // Pass 1: rows whose code distance (in code units) may still be within
  // max_distance once both sides' rounding errors are allowed for.
  const double reach = (static_cast<double>(max_distance) + kMaxResidual + q_lost) / kScale;
  const double reach_sq = std::floor(reach * reach);
  const int32_t max_code_sq = reach_sq >= std::numeric_limits<int32_t>::max()
                                  ? std::numeric_limits<int32_t>::max()
                                  : static_cast<int32_t>(reach_sq);
  std::vector<uint32_t> rows;
#if VIGIL_FACES_X86
  if (HasAvx2()) {
    CoarseAvx2(codes_.data(), ids_.size(), qcodes, max_code_sq, &rows);
  } else {
    CoarsePortable(codes_.data(), ids_.size(), qcodes, max_code_sq, &rows);
  }
#else
  CoarsePortable(codes_.data(), ids_.size(), qcodes, max_code_sq, &rows);
#endif
  rows.insert(rows.end(), outliers_.begin(), outliers_.end());
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  // Pass 2: exact float distances.
  const float max_sq = max_distance * max_distance;
  std::vector<std::pair<float, uint32_t>> found;
  for (uint32_t r : rows) {
    const float d = SqDist(&data_[size_t{r} * kEmbeddingDims], q.data());
    if (d <= max_sq) found.emplace_back(d, r);
  }
  auto less = [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : ids_[a.second] < ids_[b.second];
  };
  const size_t keep = std::min(k, found.size());
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(keep), found.end(),
                    less);
  hits.reserve(keep);
  for (size_t i = 0; i < keep; ++i) {
    hits.push_back({ids_[found[i].second], std::sqrt(found[i].first)});
  }
  return hits;
}

}  // namespace vigil::faces
