// Near-duplicate clustering: groups hashes so that any two within `threshold`
// bits end up in the same cluster (single linkage: clusters are the connected
// components of the "within threshold" graph, so a chain a~b~c joins a and c
// even when d(a, c) > threshold).
//
// Neighbours come from a HashIndex (MIH above its crossover size), so the
// cost is n queries, not n^2 comparisons, for thresholds <= 31; larger
// thresholds fall back to the scan and are quadratic.
//
// Thread-safety: a pure function of its arguments.
#ifndef VIGIL_MATCH_CLUSTER_H_
#define VIGIL_MATCH_CLUSTER_H_

#include <cstdint>
#include <vector>

#include "vigil/core/hash256.h"
#include "vigil/core/status.h"
#include "vigil/match/index.h"

namespace vigil::match {

struct Clustering {
  // cluster[i] is the cluster of input i; clusters are numbered 0.. in order
  // of their first member, so cluster[0] == 0.
  std::vector<uint32_t> cluster;
  uint32_t cluster_count = 0;
};

// kInvalidArgument for a threshold outside 0..256; index errors pass through.
Result<Clustering> ClusterHashes(const std::vector<Hash256>& hashes, int threshold,
                                 const IndexOptions& options = {});

}  // namespace vigil::match

#endif  // VIGIL_MATCH_CLUSTER_H_
