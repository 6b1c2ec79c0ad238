// Internal to the store module: RAII handles for the SQLite C API and the
// mapping of SQLite result codes to vigil Status codes. Not thread-safe: each
// object belongs to the connection that made it, used by one thread at a time.
#ifndef VIGIL_SRC_STORE_SQLITE_UTIL_H_
#define VIGIL_SRC_STORE_SQLITE_UTIL_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/core/status.h"

namespace vigil::store {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

// Status for a failed call on `db`: the code mapped from sqlite3_extended_errcode,
// the message "<what>: <sqlite message>".
Status SqliteError(sqlite3* db, std::string_view what);
Status SqliteError(int rc, std::string_view what, std::string_view detail);

// Runs SQL with no result rows (may hold several statements).
Status Exec(sqlite3* db, std::string_view sql);

// A prepared statement. Bind* take positions from 1; text is bound without a
// copy (SQLITE_STATIC), so the bytes must outlive the next Reset().
class Stmt {
 public:
  Stmt() = default;
  // `persistent` hints SQLite that the statement is cached for the life of
  // the connection.
  static Result<Stmt> Prepare(sqlite3* db, std::string_view sql, bool persistent = true);

  void Bind(int i, int64_t v) { sqlite3_bind_int64(s_.get(), i, v); }
  void BindDouble(int i, double v) { sqlite3_bind_double(s_.get(), i, v); }
  void BindText(int i, std::string_view v) {
    sqlite3_bind_text(s_.get(), i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                      SQLITE_STATIC);
  }
  void BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(s_.get(), i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                      SQLITE_STATIC);
  }
  void BindNull(int i) { sqlite3_bind_null(s_.get(), i); }
  template <typename T>
  void BindOptional(int i, const std::optional<T>& v) {
    if (v) {
      Bind(i, static_cast<int64_t>(*v));
    } else {
      BindNull(i);
    }
  }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(s_.get()); }
  // Steps to completion and resets; for statements without result rows.
  Status Run(std::string_view what);
  void Reset() { sqlite3_reset(s_.get()); }

  bool IsNull(int col) const { return sqlite3_column_type(s_.get(), col) == SQLITE_NULL; }
  int64_t Int(int col) const { return sqlite3_column_int64(s_.get(), col); }
  double Double(int col) const { return sqlite3_column_double(s_.get(), col); }
  std::string_view Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_.get(), col));
    return p == nullptr
               ? std::string_view()
               : std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(s_.get(), col)));
  }
  std::string String(int col) const { return std::string(Text(col)); }
  std::string_view Blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s_.get(), col));
    return p == nullptr
               ? std::string_view()
               : std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(s_.get(), col)));
  }
  sqlite3* db() const { return sqlite3_db_handle(s_.get()); }

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, Finalizer> s_;
};

// Resets a statement when it goes out of scope, so that a SELECT abandoned
// half-way does not keep its read transaction open.
class ResetOnExit {
 public:
  explicit ResetOnExit(Stmt& s) : s_(s) {}
  ~ResetOnExit() { s_.Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Stmt& s_;
};

// A write: BEGIN IMMEDIATE ... COMMIT on a connection in autocommit mode
// (waiting, through the busy timeout, for another connection's write to
// end), or a savepoint inside the transaction already open
// (Database::InTransaction), which then decides for both. Rolled back when
// destroyed uncommitted.
class WriteTransaction {
 public:
  explicit WriteTransaction(sqlite3* db) : db_(db) {}
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  Status Begin();
  Status Commit();
  // True when this write joined an outer transaction: what it did is only
  // kept if that one commits.
  bool nested() const { return nested_; }

 private:
  sqlite3* db_;
  bool open_ = false;
  bool nested_ = false;
};

}  // namespace vigil::store

#endif  // VIGIL_SRC_STORE_SQLITE_UTIL_H_
