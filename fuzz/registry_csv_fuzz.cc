// libFuzzer target for the registry's CSV import (the lists coordinators
// keep), through the public API. Whatever parses must hold what an import
// relies on — valid unique case codes, fields that pass Validate — and a
// refusal must say why; anything else aborts, as a crash would.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

#include "vigil/registry/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view csv(reinterpret_cast<const char*>(data), size);
  auto rows = vigil::registry::ParseRegistryCsv(csv, 4096);
  if (!rows.ok()) {
    if (rows.status().message().empty()) std::abort();
    return 0;
  }
  std::set<std::string> codes;
  for (const auto& r : *rows) {
    if (!vigil::registry::IsValidCaseCode(r.case_code)) std::abort();
    if (!codes.insert(r.case_code).second) std::abort();
    if (!vigil::registry::Validate(r.fields).ok()) std::abort();
    if (r.line < 2) std::abort();  // line 1 is the header
  }
  return 0;
}
