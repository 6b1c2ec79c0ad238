// HashIndex: exact Hamming-radius search over 256-bit hashes (PDQ).
//
// Given n hashes, Search(q, r) returns every stored hash within Hamming
// distance r of q, with its distance; nothing is approximate. Two structures
// sit behind the one interface:
//
//  * Linear scan: a popcount pass over the packed hashes (AVX-512 VPOPCNTDQ,
//    AVX2 or POPCNT, picked at run time from what the CPU has; a portable
//    version runs anywhere). No memory beyond the hashes; O(n) per query.
//  * Multi-index hashing (MIH). The 256 bits are cut into 8 "superchunks" of
//    32 bits, each split into a high and a low 16-bit half. Exactness rests on
//    two pigeonhole steps: if d(q, x) <= r then some superchunk j has
//    d_j <= tau = floor(r / 8) (else d >= 8 * (tau + 1) > r), and within it
//    d_hi + d_lo <= tau. Each table is keyed by one 16-bit half and carries the
//    other half as a 2-byte payload, so a query visits the buckets whose key
//    is within k bits of the query's half and keeps only the entries whose
//    payload is within tau - k bits, before it ever touches a full hash.
//      - kMih (compact): one table per superchunk, keyed by the high half,
//        probing k = 0..tau (697 buckets per table at r = 31).
//      - kMihFast: two tables per superchunk (keyed by each half); each probes
//        k <= tau / 2 (17 buckets at r = 31) since min(d_hi, d_lo) <= tau / 2.
//        Twice the table memory, far fewer bucket visits.
//    A candidate is reported only from the first superchunk that qualifies,
//    so results carry no duplicates. MIH serves radius <= 31 (kMaxMihRadius);
//    larger radii fall back to the linear scan, still exact.
//
// Memory (n hashes): linear 32 B/hash; kMih 32 + 8 x (2 B payload + 4 B id)
// = 80 B/hash; kMihFast 32 + 16 x 6 = 128 B/hash (plus 256 KiB of bucket
// offsets per table). Ids are 4 bytes, so n < 2^32.
//
// Ids: an entry's id is its position in the vector given to Build; callers
// keep their own metadata beside it. Lists packed into consecutive id ranges
// can be searched selectively with per-range radii (IdRange).
//
// Thread-safety: immutable after Build; any number of threads may call the
// const methods concurrently. Ownership: the index owns its copy of the hashes.
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
  kAuto,     // kLinear below IndexOptions::linear_max_size hashes, else kMih
  kLinear,   // popcount scan only
  kMih,      // compact multi-index hashing, 8 tables
  kMihFast,  // multi-index hashing, 16 tables
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
  // Crossover, measured with bench/index_bench.cc (BM_Crossover*): below it the
  // scan beats MIH. kAuto builds no tables below it, and a search whose ranges
  // select fewer ids than this scans them even on an MIH index. 0 = always MIH.
  size_t linear_max_size = 20'000;
  ScanKernel kernel = ScanKernel::kAuto;
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
  const Hash256& hash(uint32_t id) const;
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
