// Test support (built only with the tests and benches): a plain
// transcription of the PDQ reference algorithm (pdqhashing.cpp,
// downscaling.cpp) — straight loops in the reference's order, no
// reorganisation, a full sort for the median. The yardstick for the
// optimised code (src/media/pdq_test.cc, bit-exact) and the baseline of
// bench/pdq_bench.cc.
#ifndef VIGIL_SRC_TESTING_PDQ_ORACLE_H_
#define VIGIL_SRC_TESTING_PDQ_ORACLE_H_

#include <vector>

#include "vigil/media/pdq.h"

namespace vigil::testing {

// The hash and quality of a `w` x `h` luma image (row-major, 0..255).
// Images under 5 px a side hash to zero. With `coefs`, the 256 DCT
// coefficients before thresholding.
media::PdqHash ReferencePdq(std::vector<float> luma, int w, int h,
                            std::vector<float>* coefs = nullptr);

}  // namespace vigil::testing

#endif  // VIGIL_SRC_TESTING_PDQ_ORACLE_H_
