// libFuzzer target for hash-list import, through the public API only. The
// first input byte picks the ListFormat (TE CSV, plain, VICS JSON, vigil
// CSV); the rest is the file. Whatever imports is exported in every format
// and read back, and vigil CSV, documented as a lossless round trip, must
// give back exactly the entries it was given (else abort, as a crash would).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vigil/match/hash_list.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using vigil::match::ListFormat;
  constexpr ListFormat kFormats[] = {ListFormat::kThreatExchangeCsv, ListFormat::kPlain,
                                     ListFormat::kVicsJson, ListFormat::kVigilCsv};
  const ListFormat format = kFormats[data[0] % 4];
  const std::string_view content(reinterpret_cast<const char*>(data) + 1, size - 1);
  vigil::match::ImportLimits limits;
  limits.max_file_bytes = 1 << 20;
  limits.max_line_bytes = 4096;
  limits.max_json_depth = 32;
  limits.max_errors = 16;
  auto imported = vigil::match::ImportHashList(content, format, "fuzz", limits);
  if (!imported.ok()) return 0;
  if (imported->errors.size() > limits.max_errors) std::abort();
  if (imported->errors.size() > imported->error_count) std::abort();
  const vigil::match::HashList& list = imported->list;
  for (const ListFormat out : kFormats) {
    const std::string exported = vigil::match::ExportHashList(list, out);
    auto again = vigil::match::ImportHashList(exported, out, "again");
    if (out != ListFormat::kVigilCsv) continue;
    if (!again.ok() || again->error_count != 0) std::abort();
    if (again->list.entries != list.entries) std::abort();
  }
  return 0;
}
