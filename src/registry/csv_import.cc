// The coordinators' CSV: parsed and checked in full before anything is
// written, so that an import is all or nothing and every problem is listed.
#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "vigil/core/csv.h"
#include "vigil/registry/registry.h"

namespace vigil::registry {
namespace {

constexpr std::string_view kColumns[] = {"case_code",  "names",  "aliases", "sex",
                                         "birth_year", "place",  "date",    "family_contact",
                                         "notes",      "status", "photos"};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t bar = s.find('|', start);
    const std::string item =
        Trim(s.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (!item.empty()) out.push_back(item);
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return out;
}

}  // namespace

Result<std::vector<ImportRow>> ParseRegistryCsv(std::string_view csv, uint64_t max_line_bytes) {
  if (csv.substr(0, 3) == "\xEF\xBB\xBF") csv.remove_prefix(3);  // BOM, as spreadsheets write
  CsvReader reader(csv, max_line_bytes);
  std::vector<std::string> fields;
  uint64_t line = 0;
  std::string error;
  std::vector<std::string> problems;
  std::map<std::string, size_t> col;  // column name → index
  std::vector<ImportRow> rows;
  std::map<std::string, uint64_t> seen;  // case code → line
  bool header = true;
  for (;;) {
    const auto outcome = reader.Next(&fields, &line, &error);
    if (outcome == CsvReader::Outcome::kEnd) break;
    if (outcome == CsvReader::Outcome::kError) {
      problems.push_back("line " + std::to_string(line) + ": " + error);
      if (header) break;
      continue;
    }
    if (header) {
      header = false;
      for (size_t i = 0; i < fields.size(); ++i) {
        const std::string name = Lower(Trim(fields[i]));
        if (std::find(std::begin(kColumns), std::end(kColumns), name) == std::end(kColumns)) {
          problems.push_back("line " + std::to_string(line) + ": unknown column '" + name + "'");
        } else if (!col.emplace(name, i).second) {
          problems.push_back("line " + std::to_string(line) + ": column '" + name + "' twice");
        }
      }
      for (const char* required : {"case_code", "names"}) {
        if (!col.count(required)) {
          problems.push_back("line " + std::to_string(line) + ": missing column '" + required +
                             "'");
        }
      }
      if (!problems.empty()) break;
      continue;
    }
    auto get = [&](const char* name) -> std::string {
      auto it = col.find(name);
      return it != col.end() && it->second < fields.size() ? Trim(fields[it->second]) : "";
    };
    const std::string where = "line " + std::to_string(line) + ": ";
    if (fields.size() != col.size()) {
      problems.push_back(where + std::to_string(fields.size()) + " fields, the header has " +
                         std::to_string(col.size()));
      continue;
    }
    ImportRow row;
    row.line = static_cast<int64_t>(line);
    row.case_code = get("case_code");
    if (!IsValidCaseCode(row.case_code)) {
      problems.push_back(where + "bad case code '" + row.case_code + "'");
      continue;
    }
    if (auto [it, fresh] = seen.emplace(row.case_code, line); !fresh) {
      problems.push_back(where + "case code " + row.case_code + " already on line " +
                         std::to_string(it->second));
      continue;
    }
    row.fields.names = SplitList(get("names"));
    row.fields.aliases = SplitList(get("aliases"));
    row.fields.sex = Lower(get("sex"));
    if (row.fields.sex == "f") row.fields.sex = "female";
    if (row.fields.sex == "m") row.fields.sex = "male";
    if (const std::string by = get("birth_year"); !by.empty()) {
      int y = 0;
      const auto [p, ec] = std::from_chars(by.data(), by.data() + by.size(), y);
      if (ec != std::errc() || p != by.data() + by.size()) {
        problems.push_back(where + "bad birth year '" + by + "'");
        continue;
      }
      row.fields.birth_year = y;
    }
    row.fields.place = get("place");
    row.fields.date = get("date");
    row.fields.family_contact = get("family_contact");
    row.fields.notes = get("notes");
    if (const std::string st = Lower(get("status")); !st.empty()) {
      const auto s = ParseStatus(st);
      if (!s) {
        problems.push_back(where + "unknown status '" + st + "'");
        continue;
      }
      row.status = *s;
    }
    row.photos = SplitList(get("photos"));
    if (Status v = Validate(row.fields); !v.ok()) {
      problems.push_back(where + v.message());
      continue;
    }
    rows.push_back(std::move(row));
  }
  if (header && problems.empty()) problems.push_back("empty file: no header");
  if (!problems.empty()) {
    std::string msg = "registry CSV has " + std::to_string(problems.size()) +
                      (problems.size() == 1 ? " problem" : " problems") + ", nothing imported";
    for (const auto& p : problems) msg += "\n  " + p;
    return Status::InvalidArgument(msg);
  }
  return rows;
}

}  // namespace vigil::registry
