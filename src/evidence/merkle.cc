#include "vigil/evidence/merkle.h"

#include <algorithm>
#include <array>
#include <bit>

namespace vigil::evidence {
namespace {

size_t SplitPoint(size_t n) {  // largest power of two < n, for n > 1
  return std::bit_floor(n - 1);
}

void Path(size_t m, std::span<const Digest> d, std::vector<Digest>& out) {
  const size_t n = d.size();
  if (n <= 1) return;
  const size_t k = SplitPoint(n);
  if (m < k) {
    Path(m, d.subspan(0, k), out);
    out.push_back(MerkleRoot(d.subspan(k)));
  } else {
    Path(m - k, d.subspan(k), out);
    out.push_back(MerkleRoot(d.subspan(0, k)));
  }
}

void SubProof(size_t m, std::span<const Digest> d, bool b, std::vector<Digest>& out) {
  const size_t n = d.size();
  if (m == n) {
    if (!b) out.push_back(MerkleRoot(d));
    return;
  }
  const size_t k = SplitPoint(n);
  if (m <= k) {
    SubProof(m, d.subspan(0, k), b, out);
    out.push_back(MerkleRoot(d.subspan(k)));
  } else {
    SubProof(m - k, d.subspan(k), false, out);
    out.push_back(MerkleRoot(d.subspan(0, k)));
  }
}

}  // namespace

Digest MerkleLeafHash(std::string_view data) {
  Sha256Stream h;
  h.Update(std::string_view("\0", 1));
  h.Update(data);
  return h.Final();
}

Digest MerkleNodeHash(const Digest& left, const Digest& right) {
  std::array<uint8_t, 65> buf;
  buf[0] = 1;
  std::copy(left.begin(), left.end(), buf.begin() + 1);
  std::copy(right.begin(), right.end(), buf.begin() + 33);
  return Sha256(buf);
}

Digest MerkleRoot(std::span<const Digest> leaves) {
  const size_t n = leaves.size();
  if (n == 0) return Sha256(std::string_view());
  if (n == 1) return leaves[0];
  const size_t k = SplitPoint(n);
  return MerkleNodeHash(MerkleRoot(leaves.subspan(0, k)), MerkleRoot(leaves.subspan(k)));
}

std::vector<Digest> InclusionProof(size_t index, std::span<const Digest> leaves) {
  std::vector<Digest> out;
  if (index < leaves.size()) Path(index, leaves, out);
  return out;
}

std::vector<Digest> ConsistencyProof(size_t m, std::span<const Digest> leaves) {
  std::vector<Digest> out;
  if (m > 0 && m <= leaves.size()) SubProof(m, leaves, true, out);
  return out;
}

bool VerifyInclusion(size_t index, size_t size, const Digest& leaf, std::span<const Digest> proof,
                     const Digest& root) {
  if (index >= size) return false;
  size_t fn = index, sn = size - 1;
  Digest r = leaf;
  for (const Digest& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = MerkleNodeHash(p, r);
      if (!(fn & 1)) {
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(size_t size1, size_t size2, const Digest& root1, const Digest& root2,
                       std::span<const Digest> proof) {
  if (size1 == 0 || size1 > size2) return false;
  if (size1 == size2) return proof.empty() && root1 == root2;
  if (proof.empty()) return false;
  std::vector<Digest> path(proof.begin(), proof.end());
  if (std::has_single_bit(size1)) path.insert(path.begin(), root1);
  size_t fn = size1 - 1, sn = size2 - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Digest& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = MerkleNodeHash(c, fr);
      sr = MerkleNodeHash(c, sr);
      if (!(fn & 1)) {
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = MerkleNodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == root1 && sr == root2 && sn == 0;
}

}  // namespace vigil::evidence
