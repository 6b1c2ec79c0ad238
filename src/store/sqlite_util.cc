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
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PERM:
      return Status::IoError(std::move(msg));
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
      return Status::InvalidArgument(std::move(msg));
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

}  // namespace vigil::store
