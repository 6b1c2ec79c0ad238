// Popcount kernels behind HashIndex, one per instruction set, chosen at run
// time (__builtin_cpu_supports) so the binary runs on CPUs without AVX.
// Internal to the match module.
#ifndef VIGIL_SRC_MATCH_KERNELS_H_
#define VIGIL_SRC_MATCH_KERNELS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "vigil/core/hash256.h"
#include "vigil/match/index.h"

namespace vigil::match::internal {

// Appends {id, distance} for every id in [begin, end) with
// Distance(hashes[id], query) <= radius, in id order.
using ScanFn = void (*)(const Hash256* hashes, uint32_t begin, uint32_t end, const Hash256& query,
                        int radius, std::vector<Neighbor>* out);

// Writes to out[] every position i in [begin, end) with
// min_d <= popcount(payload[i] ^ value) <= max_d; returns how many. out must
// hold end - begin entries. payload must stay readable for kPayloadPad
// elements past end (vector loads run over; the extra lanes are masked).
using FilterFn = size_t (*)(const uint16_t* payload, uint32_t begin, uint32_t end, uint16_t value,
                            int min_d, int max_d, uint32_t* out);

inline constexpr size_t kPayloadPad = 32;

bool KernelSupported(ScanKernel kernel);
ScanKernel BestKernel();
// Both return nullptr for kAuto or an unsupported kernel.
ScanFn GetScanFn(ScanKernel kernel);
FilterFn GetFilterFn(ScanKernel kernel);

}  // namespace vigil::match::internal

#endif  // VIGIL_SRC_MATCH_KERNELS_H_
