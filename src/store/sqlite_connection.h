// Internal to the store module: the SQLite driver behind Connection (sql.h),
// and the mapping of SQLite result codes to vigil Status codes.
#ifndef VIGIL_SRC_STORE_SQLITE_CONNECTION_H_
#define VIGIL_SRC_STORE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "src/store/sql.h"
#include "vigil/core/status.h"

namespace vigil::store {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

// Status for a failed call: the code mapped from SQLite's (extended) result
// code, the message "<what>: <detail>".
Status SqliteError(int rc, std::string_view what, std::string_view detail);

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(DbPtr db) : db_(std::move(db)) {}

  Status Exec(std::string_view sql) override;
  Status Error(std::string_view what) override;
  int64_t Changes() override { return sqlite3_changes64(db_.get()); }
  int64_t LastInsertId() override { return sqlite3_last_insert_rowid(db_.get()); }
  bool InTransaction() override { return sqlite3_get_autocommit(db_.get()) == 0; }
  // SQLite's writers wait their turn (busy timeout) instead.
  bool LastFailureRetryable() const override { return false; }
  std::string_view ReturningId() const override { return ""; }  // last_insert_rowid
  std::string MonthOf(std::string_view column) const override;
  std::string JsonArrayHasLang(std::string_view column, std::string_view param) const override;
  std::string_view BeginWrite() const override { return "BEGIN IMMEDIATE"; }
  bool ConcurrentWriters() const override { return false; }  // one writer at a time

  sqlite3* get() const { return db_.get(); }

 protected:
  Result<std::unique_ptr<StmtImpl>> PrepareImpl(std::string_view sql, bool persistent) override;

 private:
  DbPtr db_;
};

}  // namespace vigil::store

#endif  // VIGIL_SRC_STORE_SQLITE_CONNECTION_H_
