#include "src/testing/sqlite_tables.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>

namespace vigil::testing {
namespace {

// Appends every result row of `sql` to `rows`.
void Rows(sqlite3* db, const std::string& sql, std::vector<std::string>& rows) {
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      const auto* t = sqlite3_column_text(s, c);
      row += t == nullptr ? "NULL"
                          : std::string(reinterpret_cast<const char*>(t),
                                        static_cast<size_t>(sqlite3_column_bytes(s, c)));
      row += '\x1f';
    }
    rows.push_back(std::move(row));
  }
  EXPECT_EQ(rc, SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db);
  sqlite3_finalize(s);
}

}  // namespace

TableDump DumpTables(const std::filesystem::path& path, const std::vector<std::string>& only) {
  TableDump dump;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK) << path;
  std::vector<std::string> tables = only;
  if (tables.empty()) {
    Rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
         tables);
    for (std::string& t : tables) t.pop_back();  // the '\x1f'
    Rows(db, "SELECT type, name, sql FROM sqlite_master", dump["sqlite_master"]);
    Rows(db, "PRAGMA user_version", dump["user_version"]);
    Rows(db, "PRAGMA application_id", dump["application_id"]);
  }
  for (const std::string& t : tables) Rows(db, "SELECT * FROM \"" + t + "\"", dump[t]);
  for (auto& [table, rows] : dump) std::sort(rows.begin(), rows.end());
  sqlite3_close(db);
  return dump;
}

std::string QueryText(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK) << path;
  sqlite3_stmt* s = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK) {
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const auto* t = sqlite3_column_text(s, 0);
      if (t != nullptr) out += reinterpret_cast<const char*>(t);
    }
    EXPECT_EQ(rc, SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db);
  } else {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

std::string IntegrityCheck(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    out = std::string("open: ") + sqlite3_errmsg(db);
  } else {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
      out += reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

}  // namespace vigil::testing
