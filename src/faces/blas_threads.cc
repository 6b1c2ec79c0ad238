// OpenBLAS's thread count, for callers that run one face engine per core.
#include "vigil/faces/faces.h"

extern "C" void openblas_set_num_threads(int num_threads);  // libopenblas (cblas.h)

namespace vigil::faces {

void SetBlasThreads(int n) { openblas_set_num_threads(n < 1 ? 1 : n); }

}  // namespace vigil::faces
