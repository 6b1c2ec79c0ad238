// Internal to the store module: the PostgreSQL driver (libpq) behind
// Connection (sql.h).
//
// Statements: ?N and bare ? become $N; text goes over in text format, blobs
// in binary; results come back in text format (bytea decoded here).
// Persistent statements are prepared once on the server (and deallocated
// when destroyed); the others run as one-off parameterised queries.
//
// A dropped connection (server restarted, backend terminated) fails the call
// that met it with kIoError; the next call reconnects (PQreset) and prepares
// its statement again, so the caller retries its transaction and goes on.
#ifndef VIGIL_SRC_STORE_PG_CONNECTION_H_
#define VIGIL_SRC_STORE_PG_CONNECTION_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/store/sql.h"
#include "vigil/core/status.h"

namespace vigil::store {

// `sql` with ?N and bare ? as $N (outside quotes), and the highest N.
std::pair<std::string, int> ToDollarParams(std::string_view sql);

class PgConnection final : public Connection {
 public:
  // Connects to `url` (a libpq connection URI). kNotFound when the database
  // does not exist; kIoError when the server cannot be reached or refuses.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& url);
  ~PgConnection() override;

  Status Exec(std::string_view sql) override;
  Status Error(std::string_view what) override;
  int64_t Changes() override { return changes_; }
  int64_t LastInsertId() override { return last_id_; }
  bool InTransaction() override;
  bool LastFailureRetryable() const override {
    return sqlstate_ == "40001" || sqlstate_ == "40P01";
  }
  std::string_view ReturningId() const override { return " RETURNING id"; }
  std::string MonthOf(std::string_view column) const override;
  std::string JsonArrayHasLang(std::string_view column, std::string_view param) const override;
  std::string_view BeginWrite() const override { return "BEGIN"; }
  bool ConcurrentWriters() const override { return true; }
  bool Pipelines() const override { return true; }
  void NameNextAhead(std::string_view what) override { next_ahead_ = what; }

  // For the statements: the raw connection, reconnected first when it was
  // lost (false when that fails; Error() says why).
  PGconn* Live();
  PGconn* raw() const { return conn_; }
  // Bumped by every reconnection: statements prepared before it are gone.
  uint64_t generation() const { return generation_; }
  std::string NextStatementName();
  // Records the outcome of a statement: rows changed and (with `returning`)
  // the id it returned, or the error. Returns Step's answer for a failure
  // (kFailed, kDuplicateKey) or kDone.
  int Record(const PGresult* r, bool returning);
  int RecordError(std::string message, std::string sqlstate);
  // Statements sent ahead (StmtImpl::SendAhead): the pipeline is entered
  // before the first, and drained (sync, every outcome read, the first
  // failure recorded) before anything that waits for an answer. Returns
  // kDone or the first failure.
  int EnterPipeline(PGconn* c);
  void SentAhead();
  int Drain();
  bool pipelining() const { return in_pipeline_; }

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}

  Result<std::unique_ptr<StmtImpl>> PrepareImpl(std::string_view sql, bool persistent) override;

  PGconn* conn_;
  uint64_t generation_ = 0;
  uint64_t statements_ = 0;
  int64_t changes_ = 0;
  int64_t last_id_ = 0;
  std::string error_, sqlstate_;
  bool in_pipeline_ = false;
  int keep_ = kDone;                // a failure met while draining early, for the next waiter
  std::vector<std::string> ahead_;  // names of the statements sent ahead, in order
  std::string next_ahead_;
};

}  // namespace vigil::store

#endif  // VIGIL_SRC_STORE_PG_CONNECTION_H_
