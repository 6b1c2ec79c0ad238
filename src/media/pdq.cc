// PDQ hashing, following ThreatExchange's pdq/cpp/hashing operation for
// operation so that the same luma gives the same floats and the same bits.
//
// Speed comes from the order of the work, not from changing the arithmetic:
//  - every box pass runs 16 columns side by side (one running sum per lane,
//    each lane doing exactly the reference's sequence of adds, subtracts and
//    divides), so the compiler vectorises it; passes along rows first
//    transpose a 16-row block into a small lane-major scratch;
//  - the last row pass only writes the 64 columns the decimation samples, and
//    the last column pass only those 64 columns and 64 rows;
//  - the DCT matrix is built once and both products run lane-parallel with
//    the reference's summation order.
#include "vigil/media/pdq.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

namespace vigil::media {
namespace {

constexpr int kOut = 64;    // side of the decimated image
constexpr int kCoefs = 16;  // DCT coefficients kept per axis
constexpr int kLanes = 16;  // columns filtered together

using Block64 = float[kOut][kOut];
using Block16 = float[kCoefs][kCoefs];

struct DctTables {
  float d[kCoefs][kOut];   // D, 16x64
  float dt[kOut][kCoefs];  // D transposed
};

const DctTables& Dct() {
  static const DctTables tables = [] {
    DctTables t{};
    const double scale = std::sqrt(2.0 / kOut);
    for (int i = 0; i < kCoefs; ++i) {
      for (int j = 0; j < kOut; ++j) {
        const float v = static_cast<float>(
            scale * std::cos(std::numbers::pi / 2 / kOut * (i + 1) * (2 * j + 1)));
        t.d[i][j] = v;
        t.dt[j][i] = v;
      }
    }
    return t;
  }();
  return tables;
}

// Output positions of one box pass that are kept: all of them, or the sorted
// (possibly repeating) positions the decimation samples, stored compactly.
struct Pick {
  const int* at = nullptr;  // nullptr: keep every position
  int count = 0;
};

// One running-box pass of length `n` down kLanes adjacent lanes. Element t of
// lane k is in[t * in_stride + k]. This is the reference's box1DFloat (grow
// the window, slide it, shrink it; divide the float sum by the live count)
// run on 16 vectors at once.
void BoxLanes(const float* __restrict in, size_t in_stride, float* __restrict out,
              size_t out_stride, int n, int window, Pick pick) {
  const int half = (window + 2) / 2;
  const int grow_silent = half - 1;
  const int grow_write = window - half + 1;
  const int slide = n - window;
  const int shrink = half - 1;

  float sum[kLanes] = {};
  int count = 0;
  int next_pick = 0;
  const float* add = in;
  const float* sub = in;
  int o = 0;  // output position
  auto emit = [&](const float* value) {
    if (pick.at == nullptr) {
      float* dst = out + static_cast<size_t>(o) * out_stride;
      for (int k = 0; k < kLanes; ++k) dst[k] = value[k];
    } else {
      while (next_pick < pick.count && pick.at[next_pick] == o) {
        float* dst = out + static_cast<size_t>(next_pick) * out_stride;
        for (int k = 0; k < kLanes; ++k) dst[k] = value[k];
        ++next_pick;
      }
    }
    ++o;
  };
  float v[kLanes];
  for (int t = 0; t < grow_silent; ++t, add += in_stride) {
    for (int k = 0; k < kLanes; ++k) sum[k] += add[k];
    ++count;
  }
  for (int t = 0; t < grow_write; ++t, add += in_stride) {
    ++count;
    const float c = static_cast<float>(count);
    for (int k = 0; k < kLanes; ++k) {
      sum[k] += add[k];
      v[k] = sum[k] / c;
    }
    emit(v);
  }
  {
    const float c = static_cast<float>(count);
    for (int t = 0; t < slide; ++t, add += in_stride, sub += in_stride) {
      for (int k = 0; k < kLanes; ++k) {
        sum[k] += add[k];
        sum[k] -= sub[k];
        v[k] = sum[k] / c;
      }
      emit(v);
    }
  }
  for (int t = 0; t < shrink; ++t, sub += in_stride) {
    --count;
    const float c = static_cast<float>(count);
    for (int k = 0; k < kLanes; ++k) {
      sum[k] -= sub[k];
      v[k] = sum[k] / c;
    }
    emit(v);
  }
}

int OutputCount(int n, Pick pick) { return pick.at == nullptr ? n : pick.count; }

// Row-wise kernels for the streaming column pass: one step of the running box
// for every column of a row, in the reference's order (add, then subtract,
// then divide). 16-wide blocks with restrict pointers so -O2 vectorises them.
void AddRow(float* __restrict sum, const float* __restrict add, int n) {
  int c = 0;
  for (; c + kLanes <= n; c += kLanes) {
    for (int k = 0; k < kLanes; ++k) sum[c + k] += add[c + k];
  }
  for (; c < n; ++c) sum[c] += add[c];
}

// The three steps below run the same per-element sequence as BoxLanes: the
// sum is updated in place, then divided by the live count.
void AddDivRow(float* __restrict sum, const float* __restrict add, float divisor,
               float* __restrict out, int n) {
  int c = 0;
  for (; c + kLanes <= n; c += kLanes) {
    for (int k = 0; k < kLanes; ++k) {
      sum[c + k] += add[c + k];
      out[c + k] = sum[c + k] / divisor;
    }
  }
  for (; c < n; ++c) {
    sum[c] += add[c];
    out[c] = sum[c] / divisor;
  }
}

void AddSubDivRow(float* __restrict sum, const float* __restrict add, const float* __restrict sub,
                  float divisor, float* __restrict out, int n) {
  int c = 0;
  for (; c + kLanes <= n; c += kLanes) {
    for (int k = 0; k < kLanes; ++k) {
      sum[c + k] += add[c + k];
      sum[c + k] -= sub[c + k];
      out[c + k] = sum[c + k] / divisor;
    }
  }
  for (; c < n; ++c) {
    sum[c] += add[c];
    sum[c] -= sub[c];
    out[c] = sum[c] / divisor;
  }
}

void SubDivRow(float* __restrict sum, const float* __restrict sub, float divisor,
               float* __restrict out, int n) {
  int c = 0;
  for (; c + kLanes <= n; c += kLanes) {
    for (int k = 0; k < kLanes; ++k) {
      sum[c + k] -= sub[c + k];
      out[c + k] = sum[c + k] / divisor;
    }
  }
  for (; c < n; ++c) {
    sum[c] -= sub[c];
    out[c] = sum[c] / divisor;
  }
}

// The box pass down columns in streaming form: input rows arrive in order,
// output rows leave as soon as they are complete, and only the last `window`
// input rows are kept (a ring). The arithmetic is BoxLanes' (box1DFloat's).
class ColumnBox {
 public:
  ColumnBox(int cols, int n, int window)
      : cols_(cols),
        n_(n),
        window_(window),
        half_((window + 2) / 2),
        sum_(static_cast<size_t>(cols), 0.0f),
        ring_(static_cast<size_t>(cols) * window) {}

  // Feeds input row number pushed_ (rows come in order). Returns true when
  // it completed an output row, written to `out`.
  bool Push(const float* row, float* out) {
    const int t = pushed_++;
    float* slot = &ring_[static_cast<size_t>(t % window_) * cols_];
    bool wrote = true;
    if (t < half_ - 1) {  // growing, not yet centred: no output
      AddRow(sum_.data(), row, cols_);
      ++count_;
      wrote = false;
    } else if (t < window_) {  // growing
      ++count_;
      AddDivRow(sum_.data(), row, static_cast<float>(count_), out, cols_);
    } else {  // sliding: the slot holds row t - window, the one leaving
      AddSubDivRow(sum_.data(), row, slot, static_cast<float>(count_), out, cols_);
    }
    std::copy_n(row, cols_, slot);
    return wrote;
  }

  // After all n rows: writes the next of the last half-1 output rows
  // (shrinking window) to `out`; false when none is left.
  bool Drain(float* out) {
    if (drained_ == half_ - 1) return false;
    const int leaving = n_ - window_ + drained_++;
    --count_;
    SubDivRow(sum_.data(), &ring_[static_cast<size_t>(leaving % window_) * cols_],
              static_cast<float>(count_), out, cols_);
    return true;
  }

 private:
  int cols_, n_, window_, half_;
  int pushed_ = 0, drained_ = 0, count_ = 0;
  std::vector<float> sum_;
  std::vector<float> ring_;
};

// Box filter down each column of `in` (rows x cols). `out` has
// OutputCount(rows, pick) rows of `cols` floats.
void BoxDownColumns(const float* in, int rows, int cols, int window, Pick pick, float* out) {
  int c = 0;
  for (; c + kLanes <= cols; c += kLanes) {
    BoxLanes(in + c, cols, out + c, cols, rows, window, pick);
  }
  if (c == cols) return;
  // Last partial group: through a padded copy.
  const int tail = cols - c;
  const int out_rows = OutputCount(rows, pick);
  std::vector<float> src(static_cast<size_t>(rows) * kLanes, 0.0f);
  std::vector<float> dst(static_cast<size_t>(out_rows) * kLanes);
  for (int r = 0; r < rows; ++r) {
    std::copy_n(in + static_cast<size_t>(r) * cols + c, tail,
                &src[static_cast<size_t>(r) * kLanes]);
  }
  BoxLanes(src.data(), kLanes, dst.data(), kLanes, rows, window, pick);
  for (int r = 0; r < out_rows; ++r) {
    std::copy_n(&dst[static_cast<size_t>(r) * kLanes], tail,
                out + static_cast<size_t>(r) * cols + c);
  }
}

// Lane-major transposes between `count` (<= 16) separate rows and a
// cols x 16 scratch: lanes[c * 16 + k] is rows[k][c]. Pure data movement, so
// they cannot change a result. On x86 they move 4x4 blocks through SSE
// registers; elsewhere, and at the edges, one float at a time. Columns go in
// tiles of 64 so the scratch lines touched stay in L1.
constexpr int kTile = 64;

void GatherLanes(const float* const* rows, int count, int cols, float* lanes) {
  for (int c0 = 0; c0 < cols; c0 += kTile) {
    const int c1 = std::min(cols, c0 + kTile);
    int k = 0;
#if defined(__SSE2__)
    for (; k + 4 <= count; k += 4) {
      int c = c0;
      for (; c + 4 <= c1; c += 4) {
        __m128 r0 = _mm_loadu_ps(rows[k] + c);
        __m128 r1 = _mm_loadu_ps(rows[k + 1] + c);
        __m128 r2 = _mm_loadu_ps(rows[k + 2] + c);
        __m128 r3 = _mm_loadu_ps(rows[k + 3] + c);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        float* dst = lanes + static_cast<size_t>(c) * kLanes + k;
        _mm_storeu_ps(dst, r0);
        _mm_storeu_ps(dst + kLanes, r1);
        _mm_storeu_ps(dst + 2 * kLanes, r2);
        _mm_storeu_ps(dst + 3 * kLanes, r3);
      }
      for (; c < c1; ++c) {
        for (int j = 0; j < 4; ++j) lanes[static_cast<size_t>(c) * kLanes + k + j] = rows[k + j][c];
      }
    }
#endif
    for (; k < count; ++k) {
      for (int c = c0; c < c1; ++c) lanes[static_cast<size_t>(c) * kLanes + k] = rows[k][c];
    }
  }
}

void ScatterLanes(const float* lanes, int count, int cols, float* const* rows) {
  for (int c0 = 0; c0 < cols; c0 += kTile) {
    const int c1 = std::min(cols, c0 + kTile);
    int k = 0;
#if defined(__SSE2__)
    for (; k + 4 <= count; k += 4) {
      int c = c0;
      for (; c + 4 <= c1; c += 4) {
        const float* src = lanes + static_cast<size_t>(c) * kLanes + k;
        __m128 r0 = _mm_loadu_ps(src);
        __m128 r1 = _mm_loadu_ps(src + kLanes);
        __m128 r2 = _mm_loadu_ps(src + 2 * kLanes);
        __m128 r3 = _mm_loadu_ps(src + 3 * kLanes);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        _mm_storeu_ps(rows[k] + c, r0);
        _mm_storeu_ps(rows[k + 1] + c, r1);
        _mm_storeu_ps(rows[k + 2] + c, r2);
        _mm_storeu_ps(rows[k + 3] + c, r3);
      }
      for (; c < c1; ++c) {
        for (int j = 0; j < 4; ++j) rows[k + j][c] = lanes[static_cast<size_t>(c) * kLanes + k + j];
      }
    }
#endif
    for (; k < count; ++k) {
      for (int c = c0; c < c1; ++c) rows[k][c] = lanes[static_cast<size_t>(c) * kLanes + k];
    }
  }
}

// Box filter along rows, up to 16 at a time: the rows are transposed into a
// lane-major scratch so the pass runs as BoxLanes, then transposed back.
// Scratch is kept between calls.
class RowBox {
 public:
  RowBox(int cols, int window, Pick pick)
      : cols_(cols),
        window_(window),
        pick_(pick),
        out_cols_(OutputCount(cols, pick)),
        src_(static_cast<size_t>(cols) * kLanes, 0.0f),
        dst_(static_cast<size_t>(out_cols_) * kLanes) {}

  int out_cols() const { return out_cols_; }

  // Filters rows[0..count) (count <= 16) into out[k] (out_cols() floats each).
  void Run(const float* const* rows, int count, float* const* out) {
    GatherLanes(rows, count, cols_, src_.data());
    BoxLanes(src_.data(), kLanes, dst_.data(), kLanes, cols_, window_, pick_);
    ScatterLanes(dst_.data(), count, out_cols_, out);
  }

 private:
  int cols_, window_;
  Pick pick_;
  int out_cols_;
  std::vector<float> src_;
  std::vector<float> dst_;
};

// Reference: (old + 2*new - 1) / (2*new) with new = 64.
int JaroszWindow(int side) { return (side + 2 * kOut - 1) / (2 * kOut); }

// Decimation centres: (int)((i + 0.5) * side / 64), in double as the
// reference computes them.
void Centres(int side, int (&at)[kOut]) {
  for (int i = 0; i < kOut; ++i) at[i] = static_cast<int>(((i + 0.5) * side) / kOut);
}

// Two Jarosz passes (rows, columns, rows, columns) and decimation to 64x64,
// the reference's passes streamed so that no full-size intermediate exists:
// luma rows are fetched 16 at a time (`source(y, scratch)` returns row y,
// either its own storage or `scratch` filled), box-filtered along the row,
// fed to the streaming column box, whose output rows are box-filtered along
// the row again keeping only the 64 sampled columns; the last column pass
// runs on that height x 64 strip for the 64 sampled rows. Working memory is
// about (window + 48) rows plus height x 64 floats.
template <typename Source>
void Downsample(int width, int height, const Source& source, Block64& out) {
  if (width == kOut && height == kOut) {  // already 64x64 (video frames): no filter
    std::vector<float> scratch(kOut);
    for (int y = 0; y < kOut; ++y) std::copy_n(source(y, scratch.data()), kOut, out[y]);
    return;
  }
  const int along_rows = JaroszWindow(width);
  const int along_cols = JaroszWindow(height);
  int row_at[kOut];
  int col_at[kOut];
  Centres(height, row_at);
  Centres(width, col_at);

  const size_t w = static_cast<size_t>(width);
  std::vector<float> fetched(kLanes * w);  // luma rows a source had to fill
  std::vector<float> pass1(kLanes * w);
  std::vector<float> pass2(kLanes * w);
  std::vector<float> pass3(static_cast<size_t>(height) * kOut);
  RowBox first(width, along_rows, {});
  RowBox third(width, along_rows, {col_at, kOut});
  ColumnBox second(width, height, along_cols);
  const float* in_rows[kLanes];
  float* out_rows[kLanes];
  int pass2_rows = 0;  // complete rows waiting in pass2
  int pass3_rows = 0;

  auto flush_pass2 = [&] {
    for (int k = 0; k < pass2_rows; ++k) {
      in_rows[k] = &pass2[k * w];
      out_rows[k] = &pass3[static_cast<size_t>(pass3_rows + k) * kOut];
    }
    third.Run(in_rows, pass2_rows, out_rows);
    pass3_rows += pass2_rows;
    pass2_rows = 0;
  };
  for (int y0 = 0; y0 < height; y0 += kLanes) {
    const int count = std::min(kLanes, height - y0);
    for (int k = 0; k < count; ++k) {
      in_rows[k] = source(y0 + k, &fetched[k * w]);
      out_rows[k] = &pass1[k * w];
    }
    first.Run(in_rows, count, out_rows);
    for (int k = 0; k < count; ++k) {
      if (second.Push(&pass1[k * w], &pass2[pass2_rows * w]) && ++pass2_rows == kLanes) {
        flush_pass2();
      }
    }
  }
  while (second.Drain(&pass2[pass2_rows * w])) {
    if (++pass2_rows == kLanes) flush_pass2();
  }
  flush_pass2();
  BoxDownColumns(pass3.data(), height, kOut, along_cols, {row_at, kOut}, &out[0][0]);
}

// Reference quality: sum of |int((u - v) * 100 / 255)| over vertical and
// horizontal neighbours, / 90, capped at 100.
int Quality(const Block64& a) {
  int sum = 0;
  for (int i = 0; i + 1 < kOut; ++i) {
    for (int j = 0; j < kOut; ++j) {
      const int d = static_cast<int>(((a[i][j] - a[i + 1][j]) * 100) / 255);
      sum += std::abs(d);
    }
  }
  for (int i = 0; i < kOut; ++i) {
    for (int j = 0; j + 1 < kOut; ++j) {
      const int d = static_cast<int>(((a[i][j] - a[i][j + 1]) * 100) / 255);
      sum += std::abs(d);
    }
  }
  return std::min(sum / 90, 100);
}

// B = D A Dᵀ. Each element is summed over k in ascending order from 0.0f, as
// in the reference; the loops run across j so they vectorise.
void Dct16(const Block64& a, Block16& b) {
  const DctTables& dct = Dct();
  float t[kCoefs][kOut];
  for (int i = 0; i < kCoefs; ++i) {
    float row[kOut] = {};
    for (int k = 0; k < kOut; ++k) {
      const float d = dct.d[i][k];
      for (int j = 0; j < kOut; ++j) row[j] += d * a[k][j];
    }
    std::copy_n(row, kOut, t[i]);
  }
  for (int i = 0; i < kCoefs; ++i) {
    float row[kCoefs] = {};
    for (int k = 0; k < kOut; ++k) {
      const float x = t[i][k];
      for (int j = 0; j < kCoefs; ++j) row[j] += x * dct.dt[k][j];
    }
    std::copy_n(row, kCoefs, b[i]);
  }
}

// Torben's median: the (n+1)/2-th smallest value, found by bisecting on value
// without reordering. Returns an element of `m`.
float TorbenMedian(const float* m, int n) {
  float lo = m[0];
  float hi = m[0];
  for (int i = 1; i < n; ++i) {
    lo = std::min(lo, m[i]);
    hi = std::max(hi, m[i]);
  }
  const int half = (n + 1) / 2;
  for (;;) {
    const float guess = (lo + hi) / 2;
    int less = 0;
    int greater = 0;
    int equal = 0;
    float max_below = lo;
    float min_above = hi;
    for (int i = 0; i < n; ++i) {
      if (m[i] < guess) {
        ++less;
        max_below = std::max(max_below, m[i]);
      } else if (m[i] > guess) {
        ++greater;
        min_above = std::min(min_above, m[i]);
      } else {
        ++equal;
      }
    }
    if (less <= half && greater <= half) {
      if (less >= half) return max_below;
      if (less + equal >= half) return guess;
      return min_above;
    }
    if (less > greater) {
      hi = max_below;
    } else {
      lo = min_above;
    }
  }
}

Hash256 ToBits(const Block16& b) {
  const float median = TorbenMedian(&b[0][0], kCoefs * kCoefs);
  Hash256 h;
  for (int i = 0; i < kCoefs; ++i) {
    for (int j = 0; j < kCoefs; ++j) {
      if (b[i][j] > median) h.SetBit(i * kCoefs + j);
    }
  }
  return h;
}

// The 16x16 DCT of a rotated or flipped image, from the original's: cosines
// of odd frequency index change sign under reversal, and a transpose swaps the
// axes. i is the vertical and j the horizontal frequency index; coefficient
// (i, j) has frequency (i + 1, j + 1), so reversing an axis negates even i (j).
enum class Dihedral { kOrig, kRot90, kRot180, kRot270, kFlipX, kFlipY, kFlipPlus1, kFlipMinus1 };

void Transform(const Block16& a, Dihedral d, Block16& out) {
  for (int i = 0; i < kCoefs; ++i) {
    for (int j = 0; j < kCoefs; ++j) {
      const bool i_even = (i & 1) == 0;
      const bool j_even = (j & 1) == 0;
      const float v = a[i][j];
      switch (d) {
        case Dihedral::kOrig:
          out[i][j] = v;
          break;
        case Dihedral::kRot90:  // counter-clockwise: transpose, then reverse rows
          out[j][i] = j_even ? -v : v;
          break;
        case Dihedral::kRot180:
          out[i][j] = (i_even != j_even) ? -v : v;
          break;
        case Dihedral::kRot270:  // clockwise: transpose, then reverse columns
          out[j][i] = i_even ? -v : v;
          break;
        case Dihedral::kFlipX:  // rows reversed (mirror about the horizontal axis)
          out[i][j] = i_even ? -v : v;
          break;
        case Dihedral::kFlipY:  // columns reversed
          out[i][j] = j_even ? -v : v;
          break;
        case Dihedral::kFlipPlus1:  // transpose
          out[j][i] = v;
          break;
        case Dihedral::kFlipMinus1:  // anti-transpose
          out[j][i] = (i_even != j_even) ? -v : v;
          break;
      }
    }
  }
}

// The shared front half: luma rows -> 64x64 -> quality and 16x16 DCT.
template <typename Source>
void DctOf(int width, int height, const Source& source, Block16& dct, int& quality) {
  Block64 small;
  Downsample(width, height, source, small);
  quality = Quality(small);
  Dct16(small, dct);
}

bool Hashable(int width, int height) { return width >= kPdqMinSide && height >= kPdqMinSide; }

PdqHash HashOf(const Block16& dct, int quality) { return {ToBits(dct), quality}; }

PdqDihedral DihedralOf(const Block16& dct, int quality) {
  PdqDihedral out;
  out.quality = quality;
  for (int d = 0; d < 8; ++d) {
    Block16 t;
    Transform(dct, static_cast<Dihedral>(d), t);
    out.hashes[d] = ToBits(t);
  }
  return out;
}

// Rows of a caller's luma buffer, used in place.
struct LumaRows {
  const float* luma;
  size_t width;
  const float* operator()(int y, float* /*scratch*/) const { return luma + y * width; }
};

// Rows of a decoded image, converted to luma on the fly: grey as is, RGB by
// RgbToLuma.
struct ImageRows {
  const Image& image;
  const float* operator()(int y, float* scratch) const {
    const size_t w = static_cast<size_t>(image.width);
    const uint8_t* row = image.pixels.data() + y * w * image.channels;
    if (image.channels == 3) {
      RgbToLuma({row, w * 3}, image.width, 1, {scratch, w});
    } else {
      for (size_t x = 0; x < w; ++x) scratch[x] = row[x];
    }
    return scratch;
  }
};

bool LumaOk(std::span<const float> luma, int width, int height) {
  return Hashable(width, height) &&
         luma.size() >= static_cast<size_t>(width) * static_cast<size_t>(height);
}

bool ImageOk(const Image& image) {
  return Hashable(image.width, image.height) && (image.channels == 1 || image.channels == 3) &&
         image.pixels.size() >= static_cast<size_t>(image.width) * image.height * image.channels;
}

}  // namespace

PdqHash PdqFromLuma(std::span<const float> luma, int width, int height) {
  if (!LumaOk(luma, width, height)) return PdqHash{};
  Block16 dct;
  int quality = 0;
  DctOf(width, height, LumaRows{luma.data(), static_cast<size_t>(width)}, dct, quality);
  return HashOf(dct, quality);
}

PdqDihedral PdqDihedralFromLuma(std::span<const float> luma, int width, int height) {
  if (!LumaOk(luma, width, height)) return PdqDihedral{};
  Block16 dct;
  int quality = 0;
  DctOf(width, height, LumaRows{luma.data(), static_cast<size_t>(width)}, dct, quality);
  return DihedralOf(dct, quality);
}

PdqHash PdqFromImage(const Image& image) {
  if (!ImageOk(image)) return PdqHash{};
  Block16 dct;
  int quality = 0;
  DctOf(image.width, image.height, ImageRows{image}, dct, quality);
  return HashOf(dct, quality);
}

PdqDihedral PdqDihedralFromImage(const Image& image) {
  if (!ImageOk(image)) return PdqDihedral{};
  Block16 dct;
  int quality = 0;
  DctOf(image.width, image.height, ImageRows{image}, dct, quality);
  return DihedralOf(dct, quality);
}

void RgbToLuma(std::span<const uint8_t> rgb, int width, int height, std::span<float> luma) {
  constexpr float kR = 0.299f;
  constexpr float kG = 0.587f;
  constexpr float kB = 0.114f;
  const size_t n = std::min(
      {static_cast<size_t>(width) * static_cast<size_t>(height), rgb.size() / 3, luma.size()});
  const uint8_t* p = rgb.data();
  float* y = luma.data();
  for (size_t i = 0; i < n; ++i) y[i] = kR * p[3 * i] + kG * p[3 * i + 1] + kB * p[3 * i + 2];
}

}  // namespace vigil::media
