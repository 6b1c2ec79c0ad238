#include "vigil/match/index.h"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <string>

#include "kernels.h"

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

// One MIH table: the entries sorted by a 16-bit key (one half of a
// superchunk), CSR style, with the other half beside each id.
struct Table {
  int superchunk = 0;
  bool key_is_high = true;
  std::vector<uint32_t> offsets;  // kBuckets + 1
  std::vector<uint16_t> payload;  // size n + kPayloadPad
  std::vector<uint32_t> ids;      // size n

  uint16_t Key(uint32_t s) const {
    return static_cast<uint16_t>(key_is_high ? s >> 16 : s & 0xffff);
  }
  uint16_t Payload(uint32_t s) const {
    return static_cast<uint16_t>(key_is_high ? s & 0xffff : s >> 16);
  }
};

Table BuildTable(const std::vector<Hash256>& hashes, int superchunk, bool key_is_high) {
  Table t;
  t.superchunk = superchunk;
  t.key_is_high = key_is_high;
  const uint32_t n = static_cast<uint32_t>(hashes.size());
  t.offsets.assign(kBuckets + 1, 0);
  for (uint32_t i = 0; i < n; ++i) ++t.offsets[t.Key(Superchunk(hashes[i], superchunk)) + 1];
  for (uint32_t k = 0; k < kBuckets; ++k) t.offsets[k + 1] += t.offsets[k];
  std::vector<uint32_t> cursor(t.offsets.begin(), t.offsets.end() - 1);
  t.payload.assign(n + internal::kPayloadPad, 0);
  t.ids.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t s = Superchunk(hashes[i], superchunk);
    const uint32_t pos = cursor[t.Key(s)]++;
    t.payload[pos] = t.Payload(s);
    t.ids[pos] = i;
  }
  return t;
}

template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
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
  std::vector<Hash256> hashes;
  IndexKind kind = IndexKind::kLinear;
  ScanKernel kernel = ScanKernel::kPortable;
  size_t linear_max_size = 0;
  ScanFn scan = nullptr;
  FilterFn filter = nullptr;
  // kMih: table j is superchunk j keyed by its high half. kMihFast: tables
  // 2j and 2j+1 are superchunk j keyed by its high and its low half.
  std::vector<Table> tables;

  void LinearSearch(const Hash256& q, std::span<const IdRange> ranges,
                    std::vector<Neighbor>* out) const {
    for (const IdRange& r : ranges) scan(hashes.data(), r.begin, r.end, q, r.radius, out);
  }

  void MihSearch(const Hash256& q, int max_radius, std::span<const IdRange> ranges,
                 std::vector<Neighbor>* out) const;
};

namespace {

// Survivors of the payload filter wait here (positions in one table) until a
// batch is verified against the full hashes; fixed size, so a query never
// allocates beyond its output.
constexpr size_t kSurvivorCap = 2048;
constexpr uint32_t kFilterChunk = 1024;

struct Probe {
  uint32_t begin;
  uint32_t end;
  int8_t min_d;
  int8_t max_d;
};

}  // namespace

void HashIndex::Impl::MihSearch(const Hash256& q, int max_radius, std::span<const IdRange> ranges,
                                std::vector<Neighbor>* out) const {
  const int tau = max_radius / kSuperchunks;
  const bool fast = kind == IndexKind::kMihFast;
  // kMih probes the high half at k = 0..tau; kMihFast probes each half at
  // k = 0..tau/2, and its low-keyed table keeps only entries whose high half
  // is more than tau/2 away (the rest are the high-keyed table's).
  const int half = tau / 2;

  std::array<Probe, 697> probes;
  std::array<uint32_t, kSurvivorCap> survivors;
  std::array<uint32_t, kSurvivorCap> survivor_ids;
  size_t n_survivors = 0;

  // Reports an entry only from the first superchunk within tau, so an entry
  // found by several tables is reported once.
  auto flush = [&](const Table& t) {
    for (size_t s = 0; s < n_survivors; ++s) __builtin_prefetch(&t.ids[survivors[s]]);
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

  auto run_table = [&](const Table& t, int max_k, int min_payload_d) {
    const uint32_t s = Superchunk(q, t.superchunk);
    const uint16_t qkey = t.Key(s);
    const uint16_t qpay = t.Payload(s);
    size_t n_probes = 0;
    for (int k = 0; k <= max_k; ++k) {
      const int max_d = tau - k;
      if (max_d < min_payload_d) break;
      for (int m = kFlips.start[k]; m < kFlips.start[k + 1]; ++m) {
        const uint32_t key = static_cast<uint16_t>(qkey ^ kFlips.masks[m]);
        const uint32_t b = t.offsets[key];
        const uint32_t e = t.offsets[key + 1];
        if (b == e) continue;
        probes[n_probes++] = {b, e, static_cast<int8_t>(min_payload_d), static_cast<int8_t>(max_d)};
      }
    }
    constexpr size_t kAhead = 8;
    for (size_t p = 0; p < std::min(kAhead, n_probes); ++p) {
      __builtin_prefetch(&t.payload[probes[p].begin]);
    }
    for (size_t p = 0; p < n_probes; ++p) {
      if (p + kAhead < n_probes) {
        const uint16_t* ahead = &t.payload[probes[p + kAhead].begin];
        __builtin_prefetch(ahead);
        __builtin_prefetch(ahead + 32);
        __builtin_prefetch(ahead + 64);
      }
      const Probe& pr = probes[p];
      for (uint32_t b = pr.begin; b < pr.end; b += kFilterChunk) {
        const uint32_t e = std::min(pr.end, b + kFilterChunk);
        if (n_survivors + (e - b) > kSurvivorCap) flush(t);
        n_survivors += filter(t.payload.data(), b, e, qpay, pr.min_d, pr.max_d,
                              survivors.data() + n_survivors);
      }
    }
    flush(t);
  };

  for (int j = 0; j < kSuperchunks; ++j) {
    if (fast) {
      run_table(tables[2 * j], half, 0);
      run_table(tables[2 * j + 1], half, half + 1);
    } else {
      run_table(tables[j], tau, 0);
    }
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
    impl->kind = hashes.size() < options.linear_max_size ? IndexKind::kLinear : IndexKind::kMih;
  }
  impl->hashes = std::move(hashes);
  impl->hashes.shrink_to_fit();
  if (impl->kind == IndexKind::kMih) {
    impl->tables.reserve(kSuperchunks);
    for (int j = 0; j < kSuperchunks; ++j)
      impl->tables.push_back(BuildTable(impl->hashes, j, true));
  } else if (impl->kind == IndexKind::kMihFast) {
    impl->tables.reserve(2 * kSuperchunks);
    for (int j = 0; j < kSuperchunks; ++j) {
      impl->tables.push_back(BuildTable(impl->hashes, j, true));
      impl->tables.push_back(BuildTable(impl->hashes, j, false));
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
const Hash256& HashIndex::hash(uint32_t id) const { return impl_->hashes[id]; }
IndexKind HashIndex::kind() const { return impl_->kind; }
ScanKernel HashIndex::kernel() const { return impl_->kernel; }

size_t HashIndex::MemoryBytes() const {
  size_t bytes = VectorBytes(impl_->hashes);
  for (const Table& t : impl_->tables) {
    bytes += VectorBytes(t.offsets) + VectorBytes(t.payload) + VectorBytes(t.ids);
  }
  return bytes;
}

}  // namespace vigil::match
