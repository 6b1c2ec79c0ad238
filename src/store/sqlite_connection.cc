#include "src/store/sqlite_connection.h"

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

namespace {

class SqliteStmt final : public StmtImpl {
 public:
  explicit SqliteStmt(sqlite3_stmt* s) : s_(s) {}
  ~SqliteStmt() override { sqlite3_finalize(s_); }
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;

  void Bind(int i, int64_t v) override { sqlite3_bind_int64(s_, i, v); }
  void BindDouble(int i, double v) override { sqlite3_bind_double(s_, i, v); }
  void BindText(int i, std::string_view v) override {
    sqlite3_bind_text(s_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void BindBlob(int i, std::string_view v) override {
    sqlite3_bind_blob(s_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void BindNull(int i) override { sqlite3_bind_null(s_, i); }
  int Step() override {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return kRow;
    if (rc == SQLITE_DONE) return kDone;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) return kDuplicateKey;
    return kFailed;
  }
  void Reset() override { sqlite3_reset(s_); }
  bool IsNull(int col) const override { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  int64_t Int(int col) const override { return sqlite3_column_int64(s_, col); }
  double Double(int col) const override { return sqlite3_column_double(s_, col); }
  std::string_view Text(int col) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p == nullptr ? std::string_view()
                        : std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(s_, col)));
  }
  std::string_view Blob(int col) const override {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
    return p == nullptr ? std::string_view()
                        : std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(s_, col)));
  }

 private:
  sqlite3_stmt* s_;
};

}  // namespace

Status SqliteConnection::Error(std::string_view what) {
  return SqliteError(sqlite3_extended_errcode(db_.get()), what, sqlite3_errmsg(db_.get()));
}

Status SqliteConnection::Exec(std::string_view sql) {
  const std::string nul_terminated(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_.get(), nul_terminated.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string detail = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return SqliteError(sqlite3_extended_errcode(db_.get()), "sqlite", detail);
  }
  return Status::Ok();
}

Result<std::unique_ptr<StmtImpl>> SqliteConnection::PrepareImpl(std::string_view sql,
                                                                bool persistent) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  auto stmt = std::make_unique<SqliteStmt>(raw);
  if (rc != SQLITE_OK) return Error("prepare");
  return std::unique_ptr<StmtImpl>(std::move(stmt));
}

std::string SqliteConnection::MonthOf(std::string_view column) const {
  return "strftime('%Y-%m', " + std::string(column) + ", 'unixepoch')";
}

std::string SqliteConnection::JsonArrayHasLang(std::string_view column,
                                               std::string_view param) const {
  return "EXISTS (SELECT 1 FROM json_each(" + std::string(column) +
         ") r WHERE json_extract(r.value, '$.lang') = " + std::string(param) + ")";
}

}  // namespace vigil::store
