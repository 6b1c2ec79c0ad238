#include "vigil/match/index.h"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <string>

#include "src/match/huge_buffer.h"
#include "src/match/kernels.h"

namespace vigil::match {
namespace {

using internal::FilterFn;
using internal::ScanFn;

constexpr int kSuperchunks = 8;
constexpr uint32_t kBuckets = 1u << 16;
constexpr int kMaxTau = HashIndex::kMaxMihRadius / kSuperchunks;  // 3

// All 16-bit masks with popcount 0..3, grouped by popcount: the keys a query
// half visits in one table. start[k] is the first mask with popcount k.
struct FlipMasks {
  std::array<uint16_t, 697> masks{};
  std::array<int, kMaxTau + 2> start{};
};

constexpr FlipMasks MakeFlipMasks() {
  FlipMasks f;
  int n = 0;
  f.start[0] = n;
  f.masks[n++] = 0;
  f.start[1] = n;
  for (int a = 0; a < 16; ++a) f.masks[n++] = static_cast<uint16_t>(1u << a);
  f.start[2] = n;
  for (int a = 0; a < 16; ++a) {
    for (int b = a + 1; b < 16; ++b) f.masks[n++] = static_cast<uint16_t>((1u << a) | (1u << b));
  }
  f.start[3] = n;
  for (int a = 0; a < 16; ++a) {
    for (int b = a + 1; b < 16; ++b) {
      for (int c = b + 1; c < 16; ++c) {
        f.masks[n++] = static_cast<uint16_t>((1u << a) | (1u << b) | (1u << c));
      }
    }
  }
  f.start[4] = n;
  return f;
}

constexpr FlipMasks kFlips = MakeFlipMasks();
static_assert(kFlips.start[4] == 697);

inline uint32_t Superchunk(const Hash256& h, int j) {
  return static_cast<uint32_t>(h.w[j >> 1] >> (32 * (j & 1)));
}

// One MIH table: the entries of one superchunk sorted by a 16-bit key (one
// half), CSR style, with the other half as a 2-byte payload. With
// sub_bits > 0 each bucket is split further by the payload's top sub_bits
// bits, so a probe that wants the payload exactly reads one sub-bucket.
// A "mirror" table has no ids: its buckets are sorted by payload, and an
// entry found there is located in the primary table of its superchunk.
struct Table {
  int superchunk = 0;
  bool key_is_high = true;
  int sub_bits = 0;
  internal::HugeBuffer<uint32_t> offsets;  // (kBuckets << sub_bits) + 1
  internal::HugeBuffer<uint16_t> payload;  // n + kPayloadPad
  internal::PackedIds ids;                 // n; empty in a mirror

  uint16_t Key(uint32_t s) const {
    return static_cast<uint16_t>(key_is_high ? s >> 16 : s & 0xffff);
  }
  uint16_t Payload(uint32_t s) const {
    return static_cast<uint16_t>(key_is_high ? s & 0xffff : s >> 16);
  }
  uint32_t FineKey(uint16_t key, uint16_t payload) const {
    return (uint32_t{key} << sub_bits) | (uint32_t{payload} >> (16 - sub_bits));
  }
  uint32_t BucketBegin(uint16_t key) const { return offsets[uint32_t{key} << sub_bits]; }
  uint32_t BucketEnd(uint16_t key) const { return offsets[(uint32_t{key} + 1) << sub_bits]; }
};

// Sub-buckets of ~8-16 entries: splitting smaller buys nothing (a cache
// line holds 32 payloads) and costs 4 bytes of offset per sub-bucket.
int AutoSubBits(size_t n) {
  const size_t per_bucket = n / kBuckets;
  int bits = 0;
  while (bits < 4 && (per_bucket >> (bits + 1)) >= 8) ++bits;
  return bits;
}

Status OutOfMemory(size_t n) {
  return Status::ResourceExhausted("hash index: out of memory building tables for " +
                                   std::to_string(n) + " hashes");
}

// Primary table: keyed by the high half; ids in hash order within a bucket.
Status BuildPrimary(const internal::HugeBuffer<Hash256>& hashes, int superchunk, int sub_bits,
                    Table& t) {
  t.superchunk = superchunk;
  t.key_is_high = true;
  t.sub_bits = sub_bits;
  const uint32_t n = static_cast<uint32_t>(hashes.size());
  const uint32_t fine_buckets = kBuckets << sub_bits;
  if (!t.offsets.Allocate(fine_buckets + 1) || !t.payload.Allocate(n + internal::kPayloadPad) ||
      !t.ids.Allocate(n, n)) {
    return OutOfMemory(n);
  }
  auto fine_key = [&](uint32_t s) { return t.FineKey(t.Key(s), t.Payload(s)); };
  for (uint32_t i = 0; i < n; ++i) ++t.offsets[fine_key(Superchunk(hashes[i], superchunk)) + 1];
  for (uint32_t k = 0; k < fine_buckets; ++k) t.offsets[k + 1] += t.offsets[k];
  std::vector<uint32_t> cursor(t.offsets.data(), t.offsets.data() + fine_buckets);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t s = Superchunk(hashes[i], superchunk);
    const uint32_t pos = cursor[fine_key(s)]++;
    t.payload[pos] = t.Payload(s);
    t.ids.Set(pos, i);
  }
  return Status::Ok();
}

// Mirror table: keyed by the low half, payload = high half, each bucket
// sorted by payload (two counting-sort passes), no ids.
Status BuildMirror(const internal::HugeBuffer<Hash256>& hashes, int superchunk, Table& t) {
  t.superchunk = superchunk;
  t.key_is_high = false;
  t.sub_bits = 0;
  const uint32_t n = static_cast<uint32_t>(hashes.size());
  if (!t.offsets.Allocate(kBuckets + 1) || !t.payload.Allocate(n + internal::kPayloadPad)) {
    return OutOfMemory(n);
  }
  // Pass 1: order by high half. Pass 2 (stable): by low half.
  std::vector<uint32_t> by_high(n);
  {
    std::vector<uint32_t> start(kBuckets + 1, 0);
    for (uint32_t i = 0; i < n; ++i) ++start[(Superchunk(hashes[i], superchunk) >> 16) + 1];
    for (uint32_t k = 0; k < kBuckets; ++k) start[k + 1] += start[k];
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t s = Superchunk(hashes[i], superchunk);
      by_high[start[s >> 16]++] = s;
    }
  }
  for (uint32_t i = 0; i < n; ++i) ++t.offsets[(by_high[i] & 0xffff) + 1];
  for (uint32_t k = 0; k < kBuckets; ++k) t.offsets[k + 1] += t.offsets[k];
  std::vector<uint32_t> cursor(t.offsets.data(), t.offsets.data() + kBuckets);
  for (uint32_t i = 0; i < n; ++i) {
    t.payload[cursor[by_high[i] & 0xffff]++] = static_cast<uint16_t>(by_high[i] >> 16);
  }
  return Status::Ok();
}

bool ByDistanceThenId(const Neighbor& a, const Neighbor& b) {
  return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
}

}  // namespace

std::string_view IndexKindName(IndexKind kind) {
  switch (kind) {
    case IndexKind::kAuto:
      return "auto";
    case IndexKind::kLinear:
      return "linear";
    case IndexKind::kMih:
      return "mih";
    case IndexKind::kMihFast:
      return "mih-fast";
  }
  return "unknown";
}

std::string_view ScanKernelName(ScanKernel kernel) {
  switch (kernel) {
    case ScanKernel::kAuto:
      return "auto";
    case ScanKernel::kPortable:
      return "portable";
    case ScanKernel::kPopcnt:
      return "popcnt";
    case ScanKernel::kAvx2:
      return "avx2";
    case ScanKernel::kAvx512:
      return "avx512";
  }
  return "unknown";
}

std::vector<ScanKernel> SupportedScanKernels() {
  std::vector<ScanKernel> out;
  for (ScanKernel k :
       {ScanKernel::kPortable, ScanKernel::kPopcnt, ScanKernel::kAvx2, ScanKernel::kAvx512}) {
    if (internal::KernelSupported(k)) out.push_back(k);
  }
  return out;
}

struct HashIndex::Impl {
  internal::HugeBuffer<Hash256> hashes;
  IndexKind kind = IndexKind::kLinear;
  ScanKernel kernel = ScanKernel::kPortable;
  size_t linear_max_size = 0;
  ScanFn scan = nullptr;
  FilterFn filter = nullptr;
  // primary[j]: superchunk j keyed by its high half (kMih, kMihFast).
  // mirror[j]: superchunk j keyed by its low half (kMihFast only).
  std::vector<Table> primary;
  std::vector<Table> mirror;

  void LinearSearch(const Hash256& q, std::span<const IdRange> ranges,
                    std::vector<Neighbor>* out) const {
    for (const IdRange& r : ranges) scan(hashes.data(), r.begin, r.end, q, r.radius, out);
  }

  void MihSearch(const Hash256& q, int max_radius, std::span<const IdRange> ranges,
                 std::vector<Neighbor>* out) const;
};

namespace {

// Filter survivors wait in fixed buffers until a batch is verified against the
// full hashes, so a query allocates nothing beyond its output.
constexpr size_t kSurvivorCap = 2048;
constexpr uint32_t kFilterChunk = 1024;
// Bucket reads are independent random accesses: keep this many in flight.
constexpr size_t kAhead = 16;

struct Probe {
  uint32_t begin;
  uint32_t end;
  int8_t min_d;
  int8_t max_d;
  uint16_t key;
};

// The buckets of table t that a query half `qkey` visits: keys within k bits
// for k = 0..max_k, wanting payloads within [min_d, tau - k] of the query's.
size_t CollectProbes(const Table& t, uint16_t qkey, uint16_t qpay, int tau, int max_k, int min_d,
                     std::array<Probe, 697>& probes) {
  size_t n = 0;
  for (int k = 0; k <= max_k; ++k) {
    const int max_d = tau - k;
    if (max_d < min_d) break;
    const bool exact = max_d == 0 && t.sub_bits > 0;  // read one sub-bucket
    for (int m = kFlips.start[k]; m < kFlips.start[k + 1]; ++m) {
      const uint16_t key = static_cast<uint16_t>(qkey ^ kFlips.masks[m]);
      uint32_t b, e;
      if (exact) {
        const uint32_t fine = t.FineKey(key, qpay);
        b = t.offsets[fine];
        e = t.offsets[fine + 1];
      } else {
        b = t.BucketBegin(key);
        e = t.BucketEnd(key);
      }
      if (b != e) {
        probes[n++] = {b, e, static_cast<int8_t>(min_d), static_cast<int8_t>(max_d), key};
      }
    }
  }
  return n;
}

void PrefetchPayload(const Table& t, const Probe& pr) {
  const char* first = reinterpret_cast<const char*>(&t.payload[pr.begin]);
  const char* last = reinterpret_cast<const char*>(&t.payload[pr.end - 1]);
  for (int line = 0; line < 4 && first <= last; ++line, first += 64) __builtin_prefetch(first);
}

}  // namespace

void HashIndex::Impl::MihSearch(const Hash256& q, int max_radius, std::span<const IdRange> ranges,
                                std::vector<Neighbor>* out) const {
  const int tau = max_radius / kSuperchunks;
  const bool fast = kind == IndexKind::kMihFast;
  // kMih probes the high half at k = 0..tau. kMihFast probes each half at
  // k = 0..tau/2 (min(d_hi, d_lo) <= tau/2); its mirror keeps only entries
  // whose high half is more than tau/2 away, the rest being the primary's.
  const int half = tau / 2;

  std::array<Probe, 697> probes;
  std::array<uint32_t, kSurvivorCap> survivors;  // positions in `primary[j]`
  std::array<uint32_t, kSurvivorCap> survivor_ids;
  size_t n_survivors = 0;

  // Verifies the batch. An entry is reported only from the first superchunk
  // within tau of the query, so one found by several tables appears once.
  auto flush = [&](const Table& t) {
    for (size_t s = 0; s < n_survivors; ++s) __builtin_prefetch(t.ids.Address(survivors[s]));
    for (size_t s = 0; s < n_survivors; ++s) {
      survivor_ids[s] = t.ids[survivors[s]];
      __builtin_prefetch(&hashes[survivor_ids[s]]);
    }
    for (size_t s = 0; s < n_survivors; ++s) {
      const uint32_t id = survivor_ids[s];
      const Hash256& h = hashes[id];
      const int d = Distance(q, h);
      if (d > max_radius) continue;
      bool earlier = false;
      for (int j = 0; j < t.superchunk && !earlier; ++j) {
        earlier = std::popcount(Superchunk(q, j) ^ Superchunk(h, j)) <= tau;
      }
      if (earlier) continue;
      auto it = std::upper_bound(ranges.begin(), ranges.end(), id,
                                 [](uint32_t v, const IdRange& r) { return v < r.begin; });
      if (it == ranges.begin()) continue;
      --it;
      if (id < it->end && d <= it->radius) out->push_back({id, d});
    }
    n_survivors = 0;
  };

  auto add_survivors = [&](const Table& t, const uint16_t* payload, uint32_t b, uint32_t e,
                           uint16_t value, int min_d, int max_d) {
    for (; b < e; b += kFilterChunk) {
      const uint32_t chunk_end = std::min(e, b + kFilterChunk);
      if (n_survivors + (chunk_end - b) > kSurvivorCap) flush(t);
      n_survivors +=
          filter(payload, b, chunk_end, value, min_d, max_d, survivors.data() + n_survivors);
    }
  };

  for (int j = 0; j < kSuperchunks; ++j) {
    const Table& p = primary[j];
    const uint32_t s = Superchunk(q, j);
    const uint16_t q_hi = static_cast<uint16_t>(s >> 16);
    const uint16_t q_lo = static_cast<uint16_t>(s & 0xffff);

    size_t n = CollectProbes(p, q_hi, q_lo, tau, fast ? half : tau, 0, probes);
    for (size_t i = 0; i < std::min(kAhead, n); ++i) PrefetchPayload(p, probes[i]);
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) PrefetchPayload(p, probes[i + kAhead]);
      add_survivors(p, p.payload.data(), probes[i].begin, probes[i].end, q_lo, probes[i].min_d,
                    probes[i].max_d);
    }
    if (!fast) {
      flush(p);
      continue;
    }

    // Mirror: each hit is a superchunk value (hi, lo); the primary's
    // sub-bucket for it holds the ids. Equal values sit together in a mirror
    // bucket (sorted by payload), so only the first of a run is looked up,
    // and the primary lookup returns every entry with that value.
    const Table& m = mirror[j];
    n = CollectProbes(m, q_lo, q_hi, tau, half, half + 1, probes);
    std::array<uint32_t, kFilterChunk> hits;
    for (size_t i = 0; i < std::min(kAhead, n); ++i) PrefetchPayload(m, probes[i]);
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) PrefetchPayload(m, probes[i + kAhead]);
      const Probe& pr = probes[i];
      for (uint32_t b = pr.begin; b < pr.end; b += kFilterChunk) {
        const uint32_t e = std::min(pr.end, b + kFilterChunk);
        const size_t n_hits = filter(m.payload.data(), b, e, q_hi, pr.min_d, pr.max_d, hits.data());
        for (size_t h = 0; h < n_hits; ++h) {
          const uint32_t pos = hits[h];
          const uint16_t hi = m.payload[pos];
          if (pos > pr.begin && m.payload[pos - 1] == hi) continue;
          const uint32_t fine = p.FineKey(hi, pr.key);
          add_survivors(p, p.payload.data(), p.offsets[fine], p.offsets[fine + 1], pr.key, 0, 0);
        }
      }
    }
    flush(p);
  }
}

HashIndex::HashIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HashIndex::HashIndex(HashIndex&&) noexcept = default;
HashIndex& HashIndex::operator=(HashIndex&&) noexcept = default;
HashIndex::~HashIndex() = default;

Result<HashIndex> HashIndex::Build(std::vector<Hash256> hashes, const IndexOptions& options) {
  if (hashes.size() >= std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("hash index: " + std::to_string(hashes.size()) +
                                   " hashes; at most 2^32 - 1 fit 4-byte ids");
  }
  auto impl = std::make_unique<Impl>();
  impl->kernel = options.kernel == ScanKernel::kAuto ? internal::BestKernel() : options.kernel;
  impl->scan = internal::GetScanFn(impl->kernel);
  impl->filter = internal::GetFilterFn(impl->kernel);
  if (impl->scan == nullptr || impl->filter == nullptr) {
    return Status::Unsupported("hash index: this CPU cannot run the " +
                               std::string(ScanKernelName(impl->kernel)) + " kernel");
  }
  impl->linear_max_size = options.linear_max_size;
  impl->kind = options.kind;
  if (impl->kind == IndexKind::kAuto) {
    impl->kind = hashes.size() < options.linear_max_size ? IndexKind::kLinear : IndexKind::kMihFast;
  }
  if (!impl->hashes.Allocate(hashes.size())) {
    return Status::ResourceExhausted("hash index: out of memory for " +
                                     std::to_string(hashes.size()) + " hashes");
  }
  std::copy(hashes.begin(), hashes.end(), impl->hashes.data());
  hashes = {};
  if (impl->kind == IndexKind::kMih || impl->kind == IndexKind::kMihFast) {
    const int sub_bits = options.mih_sub_bits >= 0 ? std::min(options.mih_sub_bits, 4)
                                                   : AutoSubBits(impl->hashes.size());
    impl->primary.resize(kSuperchunks);
    for (int j = 0; j < kSuperchunks; ++j) {
      VIGIL_RETURN_IF_ERROR(BuildPrimary(impl->hashes, j, sub_bits, impl->primary[j]));
    }
  }
  if (impl->kind == IndexKind::kMihFast) {
    impl->mirror.resize(kSuperchunks);
    for (int j = 0; j < kSuperchunks; ++j) {
      VIGIL_RETURN_IF_ERROR(BuildMirror(impl->hashes, j, impl->mirror[j]));
    }
  }
  return HashIndex(std::move(impl));
}

Status HashIndex::Search(const Hash256& query, int radius, std::vector<Neighbor>* out) const {
  const IdRange all{0, static_cast<uint32_t>(impl_->hashes.size()), radius};
  return Search(query, std::span<const IdRange>(&all, 1), out);
}

Status HashIndex::Search(const Hash256& query, std::span<const IdRange> ranges,
                         std::vector<Neighbor>* out) const {
  out->clear();
  const size_t n = impl_->hashes.size();
  int max_radius = -1;
  size_t selected = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const IdRange& r = ranges[i];
    if (r.radius < 0 || r.radius > kMaxRadius) {
      return Status::InvalidArgument("hash index: radius " + std::to_string(r.radius) +
                                     " outside 0..256");
    }
    if (r.begin > r.end || r.end > n || (i > 0 && r.begin < ranges[i - 1].end)) {
      return Status::InvalidArgument("hash index: id ranges must be sorted, disjoint and below " +
                                     std::to_string(n));
    }
    max_radius = std::max(max_radius, r.radius);
    selected += r.end - r.begin;
  }
  if (selected == 0) return Status::Ok();
  // The scan is exact at any radius and cheaper when few ids are selected.
  if (impl_->kind == IndexKind::kLinear || max_radius > kMaxMihRadius ||
      selected < impl_->linear_max_size) {
    impl_->LinearSearch(query, ranges, out);
  } else {
    impl_->MihSearch(query, max_radius, ranges, out);
  }
  std::sort(out->begin(), out->end(), ByDistanceThenId);
  return Status::Ok();
}

size_t HashIndex::size() const { return impl_->hashes.size(); }
IndexKind HashIndex::kind() const { return impl_->kind; }
ScanKernel HashIndex::kernel() const { return impl_->kernel; }

size_t HashIndex::MemoryBytes() const {
  size_t bytes = impl_->hashes.bytes();
  for (const std::vector<Table>* tables : {&impl_->primary, &impl_->mirror}) {
    for (const Table& t : *tables) bytes += t.offsets.bytes() + t.payload.bytes() + t.ids.bytes();
  }
  return bytes;
}

}  // namespace vigil::match
