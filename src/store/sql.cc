#include "src/store/sql.h"

namespace vigil::store {

Status Stmt::Run(std::string_view what) {
  int rc;
  while ((rc = Step()) == kRow) {
  }
  Status s = rc == kDone ? Status::Ok() : conn_->Error(what);
  Reset();
  return s;
}

Status Stmt::RunAhead(std::string_view what) {
  conn_->NameNextAhead(what);
  const int rc = s_->SendAhead();
  return rc == kDone ? Status::Ok() : conn_->Error(what);
}

Result<Stmt> Connection::Prepare(std::string_view sql, bool persistent) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<StmtImpl> impl, PrepareImpl(sql, persistent));
  Stmt stmt(std::move(impl));
  stmt.conn_ = this;
  return stmt;
}

WriteTransaction::~WriteTransaction() {
  if (!open_) return;
  // A failed rollback leaves the backend to roll back when the connection
  // closes; the caller's status is the news.
  (void)db_->Exec(nested_ ? "ROLLBACK TO vigil_write; RELEASE vigil_write" : "ROLLBACK");
}

Status WriteTransaction::Begin() {
  nested_ = db_->InTransaction();
  VIGIL_RETURN_IF_ERROR(db_->Exec(nested_ ? "SAVEPOINT vigil_write" : db_->BeginWrite()));
  open_ = true;
  return Status::Ok();
}

Status WriteTransaction::Commit() {
  VIGIL_RETURN_IF_ERROR(db_->Exec(nested_ ? "RELEASE vigil_write" : "COMMIT"));
  open_ = false;
  return Status::Ok();
}

ReadSnapshot::ReadSnapshot(Connection* db) : db_(db) {
  if (db_->InTransaction()) return;
  status_ = db_->Exec("BEGIN");
  open_ = status_.ok();
}

ReadSnapshot::~ReadSnapshot() {
  if (open_) (void)db_->Exec("COMMIT");
}

}  // namespace vigil::store
