// Test support (built only with the tests): an SQLite database file's rows as
// text, for the tests of the SQLite backend's own mechanics (fault loops,
// crash and migration tests). Backend-neutral tests compare what the Store
// interface answers instead (src/store/store_test.cc).
#ifndef VIGIL_SRC_TESTING_SQLITE_TABLES_H_
#define VIGIL_SRC_TESTING_SQLITE_TABLES_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vigil::testing {

// table -> its rows, each row its columns as text joined by '\x1f' ("NULL"
// for a null), sorted.
using TableDump = std::map<std::string, std::vector<std::string>>;

// Every row of every table (or of `tables` only), read-only. With every
// table, also the schema (sqlite_master), user_version and application_id.
// A failure is a test failure (EXPECT).
TableDump DumpTables(const std::filesystem::path& db, const std::vector<std::string>& tables = {});

// Runs `sql` (read-write) and returns the first column of every result row,
// concatenated; a failure is a test failure.
std::string QueryText(const std::filesystem::path& db, const std::string& sql);

// PRAGMA integrity_check ("ok" for a sound file), or why it could not run.
std::string IntegrityCheck(const std::filesystem::path& db);

}  // namespace vigil::testing

#endif  // VIGIL_SRC_TESTING_SQLITE_TABLES_H_
