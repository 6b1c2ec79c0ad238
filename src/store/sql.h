// Internal to the store module: the small SQL driver interface the stores are
// written against, so that one implementation of Store, RegistryStore and
// AccountStore (sql_store.cc, sql_registry.cc, sql_accounts.cc) runs on
// SQLite (sqlite_connection.cc) and PostgreSQL (pg_connection.cc) alike.
//
// SQL is written once, in the dialect both accept: parameters as ?N (or a
// bare ?, numbered as SQLite numbers it), ON CONFLICT with its target, CASE
// instead of two-argument MIN/MAX, "end" quoted. What cannot be shared (the
// month of a timestamp, a JSON array walk, RETURNING id) comes from the
// Connection's dialect methods.
//
// Not thread-safe: a Connection and its statements belong to one thread at a
// time.
#ifndef VIGIL_SRC_STORE_SQL_H_
#define VIGIL_SRC_STORE_SQL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "vigil/core/status.h"

namespace vigil::store {

// What Stmt::Step answers: a row, the end, or (any other value) a failure the
// Connection's Error() describes. kDuplicateKey is the failure of a write that
// would duplicate a primary or unique key.
inline constexpr int kRow = 100;
inline constexpr int kDone = 101;
inline constexpr int kFailed = 1;
inline constexpr int kDuplicateKey = 2;

// One backend's prepared statement. Positions count from 1 (Bind*) and from 0
// (columns). Text and blobs are valid until the next Step or Reset.
class StmtImpl {
 public:
  virtual ~StmtImpl() = default;
  virtual void Bind(int i, int64_t v) = 0;
  virtual void BindDouble(int i, double v) = 0;
  // The bytes must stay valid until the statement is next reset (SQLite
  // binds without a copy).
  virtual void BindText(int i, std::string_view v) = 0;
  virtual void BindBlob(int i, std::string_view v) = 0;
  virtual void BindNull(int i) = 0;
  virtual int Step() = 0;
  // Sends the statement (no result rows) without waiting for its outcome,
  // which the connection collects before the next statement that waits (or
  // the commit) and reports there. Returns kDone, or a failure to send.
  // Backends without pipelining run it at once (the default).
  virtual int SendAhead() {
    int rc;
    while ((rc = Step()) == kRow) {
    }
    Reset();
    return rc;
  }
  // Ends the run (bindings stay): the next Step runs the statement again.
  virtual void Reset() = 0;
  virtual bool IsNull(int col) const = 0;
  virtual int64_t Int(int col) const = 0;
  virtual double Double(int col) const = 0;
  virtual std::string_view Text(int col) const = 0;
  virtual std::string_view Blob(int col) const = 0;
};

class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(std::unique_ptr<StmtImpl> impl) : s_(std::move(impl)) {}

  void Bind(int i, int64_t v) { s_->Bind(i, v); }
  void BindDouble(int i, double v) { s_->BindDouble(i, v); }
  void BindText(int i, std::string_view v) { s_->BindText(i, v); }
  void BindBlob(int i, std::string_view v) { s_->BindBlob(i, v); }
  void BindNull(int i) { s_->BindNull(i); }
  template <typename T>
  void BindOptional(int i, const std::optional<T>& v) {
    if (v) {
      Bind(i, static_cast<int64_t>(*v));
    } else {
      BindNull(i);
    }
  }

  // kRow, kDone or a failure (see above).
  int Step() { return s_->Step(); }
  // Steps to completion and resets; for statements without result rows.
  // `what` names the failure for the Status.
  Status Run(std::string_view what);
  // As Run, for a statement whose outcome (and Changes()) is not needed
  // before the transaction ends: a backend that pipelines (PostgreSQL) sends
  // it and goes on, and a failure surfaces at the next statement that waits
  // for its answer, or at the commit, which then fails; the transaction is
  // lost either way. `what` names it in that failure.
  Status RunAhead(std::string_view what);
  void Reset() { s_->Reset(); }

  bool IsNull(int col) const { return s_->IsNull(col); }
  int64_t Int(int col) const { return s_->Int(col); }
  double Double(int col) const { return s_->Double(col); }
  std::string_view Text(int col) const { return s_->Text(col); }
  std::string String(int col) const { return std::string(Text(col)); }
  std::string_view Blob(int col) const { return s_->Blob(col); }

 private:
  friend class Connection;
  class Connection* conn_ = nullptr;
  std::unique_ptr<StmtImpl> s_;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // `persistent`: kept for the life of the connection (prepared once on the
  // server); otherwise a one-off.
  Result<Stmt> Prepare(std::string_view sql, bool persistent = true);
  // Runs SQL with no result rows (may hold several statements).
  virtual Status Exec(std::string_view sql) = 0;
  // The Status of the last failed call: "<what>: <backend message>", its code
  // mapped from the backend's error.
  virtual Status Error(std::string_view what) = 0;
  // Rows changed by the last statement run.
  virtual int64_t Changes() = 0;
  // The id of the row the last INSERT ... Returning() made.
  virtual int64_t LastInsertId() = 0;
  // True inside a transaction (Database::InTransaction, a read snapshot).
  virtual bool InTransaction() = 0;
  // True when the last failure rolled its transaction back so that another
  // could go on (a deadlock or serialization failure): the same transaction
  // may simply be run again.
  virtual bool LastFailureRetryable() const = 0;

  // Dialect.
  // Appended to an INSERT whose new id LastInsertId() is to give.
  virtual std::string_view ReturningId() const = 0;
  // "YYYY-MM" (UTC) of a column of seconds since the epoch.
  virtual std::string MonthOf(std::string_view column) const = 0;
  // A condition: the JSON array in `column` holds an object whose "lang"
  // equals `param`.
  virtual std::string JsonArrayHasLang(std::string_view column, std::string_view param) const = 0;
  // True when other connections write rows while this one's write
  // transaction is open (row locks, not one database lock): writes then take
  // the rows they share with others in one order.
  virtual bool ConcurrentWriters() const = 0;
  // The name of the statement RunAhead sends next, for its failure.
  virtual void NameNextAhead(std::string_view) {}
  // True when RunAhead really runs ahead (then write code prefers statements
  // whose outcome it need not read back).
  virtual bool Pipelines() const { return false; }
  // Opens a write transaction (SQLite: takes the write lock at once).
  virtual std::string_view BeginWrite() const = 0;

 protected:
  virtual Result<std::unique_ptr<StmtImpl>> PrepareImpl(std::string_view sql, bool persistent) = 0;

  friend class Stmt;
};

// A write: BEGIN ... COMMIT when no transaction is open, or a savepoint
// inside the one already open (Database::InTransaction), which then decides
// for both. Rolled back when destroyed uncommitted.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection* db) : db_(db) {}
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  Status Begin();
  Status Commit();
  // True when this write joined an outer transaction: what it did is only
  // kept if that one commits.
  bool nested() const { return nested_; }

 private:
  Connection* db_;
  bool open_ = false;
  bool nested_ = false;
};

// A read snapshot: every statement between construction and destruction sees
// one state of the database (a transaction, unless one is open already).
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Connection* db);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  const Status& status() const { return status_; }

 private:
  Connection* db_;
  bool open_ = false;
  Status status_;
};

// Resets a statement when it goes out of scope, so that a SELECT abandoned
// half-way does not keep its read open.
class ResetOnExit {
 public:
  explicit ResetOnExit(Stmt& s) : s_(s) {}
  ~ResetOnExit() { s_.Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Stmt& s_;
};

}  // namespace vigil::store

#endif  // VIGIL_SRC_STORE_SQL_H_
