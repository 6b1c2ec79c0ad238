#include "vigil/match/cluster.h"

#include <numeric>
#include <string>

namespace vigil::match {
namespace {

// Union-find with path halving and union by size.
class DisjointSets {
 public:
  explicit DisjointSets(size_t n) : parent_(n), size_(n, 1) {
    std::iota(parent_.begin(), parent_.end(), 0u);
  }
  uint32_t Find(uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void Union(uint32_t a, uint32_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return;
    if (size_[a] < size_[b]) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
  }

 private:
  std::vector<uint32_t> parent_;
  std::vector<uint32_t> size_;
};

}  // namespace

Result<Clustering> ClusterHashes(const std::vector<Hash256>& hashes, int threshold,
                                 const IndexOptions& options) {
  if (threshold < 0 || threshold > HashIndex::kMaxRadius) {
    return Status::InvalidArgument("cluster: threshold " + std::to_string(threshold) +
                                   " outside 0..256");
  }
  Result<HashIndex> index = HashIndex::Build(hashes, options);
  if (!index.ok()) return index.status();
  const uint32_t n = static_cast<uint32_t>(hashes.size());
  DisjointSets sets(n);
  std::vector<Neighbor> near;
  for (uint32_t i = 0; i < n; ++i) {
    // Pairs are symmetric: only ids after i need joining (earlier ones saw i).
    const IdRange later{i + 1, n, threshold};
    VIGIL_RETURN_IF_ERROR(index->Search(hashes[i], std::span<const IdRange>(&later, 1), &near));
    for (const Neighbor& nb : near) sets.Union(i, nb.id);
  }
  Clustering out;
  out.cluster.resize(n);
  std::vector<uint32_t> number(n, UINT32_MAX);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t& c = number[sets.Find(i)];
    if (c == UINT32_MAX) c = out.cluster_count++;
    out.cluster[i] = c;
  }
  return out;
}

}  // namespace vigil::match
