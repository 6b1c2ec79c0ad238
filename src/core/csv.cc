#include "vigil/core/csv.h"

namespace vigil {

void CsvReader::SkipToLineEnd() {
  while (pos_ < data_.size() && data_[pos_] != '\n') ++pos_;
  if (pos_ < data_.size()) {
    ++pos_;
    ++line_;
  }
}

CsvReader::Outcome CsvReader::Next(std::vector<std::string>* fields, uint64_t* line,
                                   std::string* error) {
  fields->clear();
  // Skip blank lines (LF or CRLF).
  while (pos_ < data_.size() && (data_[pos_] == '\n' || data_[pos_] == '\r')) {
    if (data_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= data_.size()) return Outcome::kEnd;
  *line = line_;
  const size_t start = pos_;
  std::string field;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the current field began with a quote
  auto fail = [&](std::string why) {
    *error = std::move(why);
    fields->clear();
    SkipToLineEnd();
    return Outcome::kError;
  };
  while (true) {
    if (pos_ - start > max_record_bytes_) {
      return fail("record longer than " + std::to_string(max_record_bytes_) + " bytes");
    }
    if (pos_ >= data_.size()) {
      if (quoted) return fail("unterminated quoted field");
      fields->push_back(std::move(field));
      return Outcome::kRecord;
    }
    const char c = data_[pos_];
    if (quoted) {
      ++pos_;
      if (c == '"') {
        if (pos_ < data_.size() && data_[pos_] == '"') {
          field += '"';
          ++pos_;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_;
        field += c;
      }
      continue;
    }
    if (c == ',') {
      fields->push_back(std::move(field));
      field.clear();
      was_quoted = false;
      ++pos_;
    } else if (c == '\n' || c == '\r') {
      fields->push_back(std::move(field));
      if (c == '\r' && pos_ + 1 < data_.size() && data_[pos_ + 1] == '\n') ++pos_;
      ++pos_;
      ++line_;
      return Outcome::kRecord;
    } else if (c == '"') {
      if (!field.empty() || was_quoted) return fail("quote inside an unquoted field");
      quoted = true;
      was_quoted = true;
      ++pos_;
    } else {
      if (was_quoted) return fail("text after a closing quote");
      field += c;
      ++pos_;
    }
  }
}

void AppendCsvField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace vigil
