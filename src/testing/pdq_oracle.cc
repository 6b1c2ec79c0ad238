#include "src/testing/pdq_oracle.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>

namespace vigil::testing {

namespace {

void Box1D(const float* in, float* out, int n, int stride, int window) {
  const int half = (window + 2) / 2;
  int li = 0, ri = 0, oi = 0, count = 0;
  float sum = 0.0f;
  for (int i = 0; i < half - 1; ++i, ri += stride) {
    sum += in[ri];
    ++count;
  }
  for (int i = 0; i < window - half + 1; ++i, ri += stride, oi += stride) {
    sum += in[ri];
    ++count;
    out[oi] = sum / count;
  }
  for (int i = 0; i < n - window; ++i, li += stride, ri += stride, oi += stride) {
    sum += in[ri];
    sum -= in[li];
    out[oi] = sum / count;
  }
  for (int i = 0; i < half - 1; ++i, li += stride, oi += stride) {
    sum -= in[li];
    --count;
    out[oi] = sum / count;
  }
}

}  // namespace

media::PdqHash ReferencePdq(std::vector<float> a, int w, int h, std::vector<float>* coefs) {
  if (w < 5 || h < 5) return {};
  std::vector<float> b(a.size());
  const int wr = (w + 127) / 128, wc = (h + 127) / 128;
  float small[64][64];
  if (w == 64 && h == 64) {
    std::copy(a.begin(), a.end(), &small[0][0]);
  } else {
    for (int pass = 0; pass < 2; ++pass) {
      for (int r = 0; r < h; ++r) Box1D(&a[r * w], &b[r * w], w, 1, wr);
      for (int c = 0; c < w; ++c) Box1D(&b[c], &a[c], h, w, wc);
    }
    for (int i = 0; i < 64; ++i) {
      const int ini = static_cast<int>(((i + 0.5) * h) / 64);
      for (int j = 0; j < 64; ++j) {
        small[i][j] = a[ini * w + static_cast<int>(((j + 0.5) * w) / 64)];
      }
    }
  }
  int grad = 0;
  for (int i = 0; i < 63; ++i) {
    for (int j = 0; j < 64; ++j) {
      grad += std::abs(static_cast<int>(((small[i][j] - small[i + 1][j]) * 100) / 255));
    }
  }
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 63; ++j) {
      grad += std::abs(static_cast<int>(((small[i][j] - small[i][j + 1]) * 100) / 255));
    }
  }
  float d[16][64];
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 64; ++j) {
      d[i][j] = static_cast<float>(std::sqrt(2.0 / 64) *
                                   std::cos(std::numbers::pi / 2 / 64 * (i + 1) * (2 * j + 1)));
    }
  }
  float t[16][64], dct[16][16];
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 64; ++j) {
      float s = 0.0f;
      for (int k = 0; k < 64; ++k) s += d[i][k] * small[k][j];
      t[i][j] = s;
    }
  }
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 16; ++j) {
      float s = 0.0f;
      for (int k = 0; k < 64; ++k) s += t[i][k] * d[j][k];
      dct[i][j] = s;
    }
  }
  std::vector<float> sorted(&dct[0][0], &dct[0][0] + 256);
  if (coefs != nullptr) *coefs = sorted;
  std::sort(sorted.begin(), sorted.end());
  const float median = sorted[127];  // Torben's (n+1)/2-th smallest
  media::PdqHash out;
  out.quality = std::min(grad / 90, 100);
  for (int k = 0; k < 256; ++k) {
    if (dct[k / 16][k % 16] > median) out.hash.SetBit(k);
  }
  return out;
}

}  // namespace vigil::testing
