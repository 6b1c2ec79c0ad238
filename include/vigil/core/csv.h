// RFC 4180 CSV records over an in-memory buffer, with a per-record size limit
// and recovery after a malformed record. Used by the hash-list and registry
// importers.
#ifndef VIGIL_CORE_CSV_H_
#define VIGIL_CORE_CSV_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

class CsvReader {
 public:
  enum class Outcome { kRecord, kError, kEnd };

  CsvReader(std::string_view data, uint64_t max_record_bytes)
      : data_(data), max_record_bytes_(max_record_bytes) {}

  // Reads the next record into *fields. *line is the 1-based line the record
  // starts on. On kError, *error says why and the reader has skipped to the
  // next line break outside the bad part, so reading can continue. Blank lines
  // are skipped.
  Outcome Next(std::vector<std::string>* fields, uint64_t* line, std::string* error);

 private:
  void SkipToLineEnd();

  std::string_view data_;
  uint64_t max_record_bytes_;
  size_t pos_ = 0;
  uint64_t line_ = 1;
};

// Quotes a field when it holds a comma, quote, CR or LF.
void AppendCsvField(std::string& out, std::string_view field);

}  // namespace vigil

#endif  // VIGIL_CORE_CSV_H_
