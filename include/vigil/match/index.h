// HashIndex: exact Hamming-radius search over 256-bit hashes (PDQ).
//
// Given n hashes, Search(q, r) returns every stored hash within Hamming
// distance r of q, with its distance; nothing is approximate. Two structures
// sit behind the one interface:
//
//  * Linear scan: a popcount pass over the packed hashes (AVX-512 VPOPCNTDQ,
//    AVX2 or POPCNT, picked at run time with __builtin_cpu_supports, so the
//    binary runs on CPUs without them; a portable version runs anywhere).
//    No memory beyond the hashes; O(n) per query.
//  * Multi-index hashing (MIH). The 256 bits are cut into 8 "superchunks" of
//    32 bits, each split into a high and a low 16-bit half. Exactness rests on
//    two pigeonhole steps: if d(q, x) <= r then some superchunk j has
//    d_j <= tau = floor(r / 8) (else d >= 8 * (tau + 1) > r), and within it
//    d_hi + d_lo <= tau. A table keyed by one half carries the other half as
//    a 2-byte payload, so a query visits the buckets whose key is within k
//    bits of its own half and keeps only entries whose payload is within
//    tau - k bits, before it touches a full hash; survivors are verified.
//      - kMih: per superchunk one table keyed by the high half, probed at
//        k = 0..tau (697 buckets at r = 31; the 560 with k = tau read only
//        the sub-bucket holding the exact payload).
//      - kMihFast: the same tables probed only at k <= tau / 2 (17 buckets),
//        plus per superchunk a "mirror" keyed by the low half, also probed at
//        k <= tau / 2, since min(d_hi, d_lo) <= tau / 2. The mirror stores
//        payloads only (no ids): a hit names a full superchunk value, which
//        is then looked up in the first table's sub-bucket to get the ids.
//    An entry is reported only from the first superchunk within tau, so no
//    duplicates. MIH serves radius <= 31 (kMaxMihRadius); larger radii fall
//    back to the scan, still exact. Tests check MIH == scan on planted
//    neighbours at every distance 0..31 and on the pigeonhole edge cases.
//
// Memory per hash at n = 10M (ids are 3 bytes below 2^24 hashes, else 4;
// sub-bucket offsets add ~3.4 B): linear 32 B; kMih 32 + 8 x (2 + 3) + 3.4
// = ~79 B; kMihFast 32 + 8 x (2 + 3 + 2) + 3.4 = ~96 B. The target of
// 48 B leaves 16 B for tables, i.e. at most 5 tables of 3-byte ids even with
// no payload. Exactness at r = 31 over m tables needs sum(tau_i + 1) >= 32,
// so 5 tables need tau ~ 6 on ~51-bit chunks: a 16-bit key probed within 6
// bits visits C(16, <=6) = 14,893 of 65,536 buckets per table, more entries
// than a linear scan reads. Exact, fast and <= 48 B do not go together; the
// figures for both layouts are in bench/index_bench.cc.
//
// Ids: an entry's id is its position in the vector given to Build; callers
// keep their own metadata beside it. Lists packed into consecutive id ranges
// can be searched selectively with per-range radii (IdRange).
//
// Thread-safety: immutable after Build; any number of threads may call the
// const methods concurrently. Ownership: the index owns its copy of the
// hashes. Large arrays are advised for transparent huge pages.
#ifndef VIGIL_MATCH_INDEX_H_
#define VIGIL_MATCH_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "vigil/core/hash256.h"
#include "vigil/core/status.h"

namespace vigil::match {

struct Neighbor {
  uint32_t id = 0;   // position of the hash in the vector given to Build
  int distance = 0;  // Hamming distance to the query, 0..256
  friend bool operator==(const Neighbor&, const Neighbor&) = default;
};

// Search only ids in [begin, end), reporting hashes within `radius` (0..256).
struct IdRange {
  uint32_t begin = 0;
  uint32_t end = 0;
  int radius = 0;
};

enum class IndexKind {
  kAuto,     // kLinear below IndexOptions::linear_max_size hashes, else kMihFast
  kLinear,   // popcount scan only
  kMih,      // multi-index hashing, 8 tables: least memory
  kMihFast,  // multi-index hashing, 8 tables + 8 id-less mirrors: ~4x the queries/s
};

// The popcount code path of the linear scan and of the MIH payload filter.
enum class ScanKernel {
  kAuto,      // best the CPU supports
  kPortable,  // plain C++; runs on any x86-64 (or other) CPU
  kPopcnt,    // POPCNT instruction
  kAvx2,      // AVX2 nibble-table popcount (+ POPCNT)
  kAvx512,    // AVX-512 VPOPCNTDQ / BITALG
};

std::string_view IndexKindName(IndexKind kind);
std::string_view ScanKernelName(ScanKernel kernel);
// The kernels this CPU can run, portable first, best last.
std::vector<ScanKernel> SupportedScanKernels();

struct IndexOptions {
  IndexKind kind = IndexKind::kAuto;
  // Below this many hashes the scan is used: kAuto builds no tables, and a
  // search whose ranges select fewer ids scans them even on an MIH index.
  // 0 = always MIH. Measured (BM_Crossover, AVX-512 Xeon): kMihFast overtakes
  // the scan at ~5-10k hashes (2.5 vs 3.6 us at 10k); kMih only at ~100k.
  size_t linear_max_size = 10'000;
  ScanKernel kernel = ScanKernel::kAuto;
  // kMih only: split each 16-bit bucket by this many top payload bits (0..4)
  // so exact-payload probes read a sub-bucket. -1 picks from n (4 at 10M,
  // 0 below ~2M hashes). Costs 4 << bits bytes per bucket per table.
  int mih_sub_bits = -1;
};

class HashIndex {
 public:
  static constexpr int kMaxMihRadius = 31;
  static constexpr int kMaxRadius = 256;

  // Takes the hashes (id = position). Fails with kInvalidArgument for 2^32 or
  // more hashes, kUnsupported for a kernel this CPU lacks.
  static Result<HashIndex> Build(std::vector<Hash256> hashes, const IndexOptions& options = {});

  HashIndex(HashIndex&&) noexcept;
  HashIndex& operator=(HashIndex&&) noexcept;
  ~HashIndex();

  // Replaces *out with every hash within `radius` of `query`, sorted by
  // (distance, id). kInvalidArgument if radius is outside 0..256.
  Status Search(const Hash256& query, int radius, std::vector<Neighbor>* out) const;

  // As above, restricted to the given ranges, each with its own radius. The
  // ranges must be sorted, non-overlapping and within [0, size()); an empty
  // span gives no results.
  Status Search(const Hash256& query, std::span<const IdRange> ranges,
                std::vector<Neighbor>* out) const;

  size_t size() const;
  IndexKind kind() const;  // the resolved kind (never kAuto)
  ScanKernel kernel() const;
  // Heap bytes held: hashes, tables, offsets.
  size_t MemoryBytes() const;

 private:
  struct Impl;
  explicit HashIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::match

#endif  // VIGIL_MATCH_INDEX_H_
