// Test helpers for the evidence module (header-only; not in the library).
#ifndef VIGIL_SRC_EVIDENCE_TEST_UTIL_H_
#define VIGIL_SRC_EVIDENCE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "src/testing/temp_dir.h"

namespace vigil::evidence::testing {

using vigil::testing::Slurp;
using vigil::testing::Spit;
using vigil::testing::TempDir;

inline bool AnyContains(const std::vector<std::string>& problems, const std::string& needle) {
  for (const std::string& p : problems) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}

inline std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += s + "\n";
  return out;
}

}  // namespace vigil::evidence::testing

#endif  // VIGIL_SRC_EVIDENCE_TEST_UTIL_H_
