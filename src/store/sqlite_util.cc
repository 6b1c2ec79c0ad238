#include "src/store/sqlite_util.h"

namespace vigil::store {

Status SqliteError(int rc, std::string_view what, std::string_view detail) {
  std::string msg(what);
  msg += ": ";
  msg += detail;
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::Corrupt(std::move(msg));
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_LOCKED:
    case SQLITE_PERM:
      return Status::IoError(std::move(msg));
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
      return Status::InvalidArgument(std::move(msg));
    case SQLITE_BUSY:
      // The busy handler waited its whole timeout for another connection.
      return Status::ResourceExhausted(
          msg + " (another process kept its write transaction open past the busy timeout)");
    case SQLITE_NOMEM:
      return Status::ResourceExhausted(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

Status SqliteError(sqlite3* db, std::string_view what) {
  return SqliteError(sqlite3_extended_errcode(db), what, sqlite3_errmsg(db));
}

Status Exec(sqlite3* db, std::string_view sql) {
  const std::string nul_terminated(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, nul_terminated.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string detail = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return SqliteError(sqlite3_extended_errcode(db), "sqlite", detail);
  }
  return Status::Ok();
}

Result<Stmt> Stmt::Prepare(sqlite3* db, std::string_view sql, bool persistent) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  Stmt stmt;
  stmt.s_.reset(raw);
  if (rc != SQLITE_OK) return SqliteError(db, "prepare");
  return stmt;
}

Status Stmt::Run(std::string_view what) {
  int rc;
  while ((rc = Step()) == SQLITE_ROW) {
  }
  Status s = rc == SQLITE_DONE ? Status::Ok() : SqliteError(db(), what);
  Reset();
  return s;
}

WriteTransaction::~WriteTransaction() {
  if (!open_) return;
  // A failed rollback leaves SQLite to roll back on close; the caller's
  // status is the news.
  if (nested_) {
    sqlite3_exec(db_, "ROLLBACK TO vigil_write; RELEASE vigil_write", nullptr, nullptr, nullptr);
  } else {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Status WriteTransaction::Begin() {
  nested_ = sqlite3_get_autocommit(db_) == 0;
  VIGIL_RETURN_IF_ERROR(Exec(db_, nested_ ? "SAVEPOINT vigil_write" : "BEGIN IMMEDIATE"));
  open_ = true;
  return Status::Ok();
}

Status WriteTransaction::Commit() {
  VIGIL_RETURN_IF_ERROR(Exec(db_, nested_ ? "RELEASE vigil_write" : "COMMIT"));
  open_ = false;
  return Status::Ok();
}

}  // namespace vigil::store
