// A target that aborts on an input starting with "crash": ctest checks that
// replay_main fails on it (fuzz_replay_fails_on_crash, WILL_FAIL), so a
// replay test can fail.
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 5 && std::memcmp(data, "crash", 5) == 0) std::abort();
  return 0;
}
