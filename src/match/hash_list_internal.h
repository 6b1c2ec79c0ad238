// Shared pieces of the hash-list readers and writers. Internal to the match
// module.
#ifndef VIGIL_SRC_MATCH_HASH_LIST_INTERNAL_H_
#define VIGIL_SRC_MATCH_HASH_LIST_INTERNAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "vigil/core/status.h"
#include "vigil/match/hash_list.h"

namespace vigil::match::internal {

// Collects entries and per-line errors for one import.
class ImportSink {
 public:
  ImportSink(std::string file, const ImportLimits& limits)
      : file_(std::move(file)), limits_(limits) {}

  void Add(HashEntry entry) { result_.list.entries.push_back(std::move(entry)); }
  void Error(uint64_t line, std::string reason);
  void Unsupported() { ++result_.unsupported; }

  const std::string& file() const { return file_; }
  const ImportLimits& limits() const { return limits_; }
  ImportResult Take() { return std::move(result_); }

 private:
  std::string file_;
  ImportLimits limits_;
  ImportResult result_;
};

Status ImportVicsJson(std::string_view content, ImportSink& sink);
std::string ExportVicsJson(const HashList& list);

}  // namespace vigil::match::internal

#endif  // VIGIL_SRC_MATCH_HASH_LIST_INTERNAL_H_
