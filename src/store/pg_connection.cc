#include "src/store/pg_connection.h"

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace vigil::store {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class PgStmt final : public StmtImpl {
 public:
  PgStmt(PgConnection* conn, std::string sql, int params, bool persistent)
      : conn_(conn),
        sql_(std::move(sql)),
        persistent_(persistent),
        returning_(sql_.find("RETURNING") != std::string::npos),
        values_(static_cast<size_t>(params)),
        is_null_(static_cast<size_t>(params), 1),
        binary_(static_cast<size_t>(params), 0) {}

  ~PgStmt() override {
    if (!name_.empty() && prepared_in_ == conn_->generation()) {
      // (Not while statements are in flight: a pipeline takes no plain
      // query. The statement then lives until the connection ends.)
      PGconn* c = conn_->raw();
      if (PQstatus(c) == CONNECTION_OK && !conn_->pipelining()) {
        PQclear(PQexec(c, ("DEALLOCATE " + name_).c_str()));
      }
    }
  }
  PgStmt(const PgStmt&) = delete;
  PgStmt& operator=(const PgStmt&) = delete;

  // Prepares a persistent statement on the server (again after a reconnect).
  int PrepareOnServer() {
    if (const int rc = conn_->Drain(); rc != kDone) return rc;
    PGconn* c = conn_->Live();
    if (c == nullptr) return kFailed;
    name_ = conn_->NextStatementName();
    ResultPtr r(
        PQprepare(c, name_.c_str(), sql_.c_str(), static_cast<int>(values_.size()), nullptr));
    const int rc = conn_->Record(r.get(), false);
    if (rc != kDone) {
      name_.clear();
      return rc;
    }
    prepared_in_ = conn_->generation();
    return kDone;
  }

  void Bind(int i, int64_t v) override { Set(i, std::to_string(v), false); }
  void BindDouble(int i, double v) override {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    Set(i, buf, false);
  }
  // Text goes over as a C string: a NUL byte would silently cut it, so it
  // fails the statement instead (PostgreSQL text cannot hold one).
  void BindText(int i, std::string_view v) override {
    if (v.find('\0') != std::string_view::npos) nul_in_text_ = true;
    Set(i, std::string(v), false);
  }
  void BindBlob(int i, std::string_view v) override { Set(i, std::string(v), true); }
  void BindNull(int i) override {
    if (!InRange(i)) return;
    is_null_[static_cast<size_t>(i - 1)] = 1;
  }

  int SendAhead() override {
    if (nul_in_text_) return RefuseNul();
    if (persistent_ && (name_.empty() || prepared_in_ != conn_->generation())) {
      if (const int rc = PrepareOnServer(); rc != kDone) return rc;
    }
    PGconn* c = conn_->Live();
    if (c == nullptr) return kFailed;
    if (const int rc = conn_->EnterPipeline(c); rc != kDone) return rc;
    Params p = Collect();
    const int sent = persistent_ ? PQsendQueryPrepared(c, name_.c_str(), p.n, p.values.data(),
                                                       p.lengths.data(), p.formats.data(), 0)
                                 : PQsendQueryParams(c, sql_.c_str(), p.n, nullptr, p.values.data(),
                                                     p.lengths.data(), p.formats.data(), 0);
    if (sent == 0) return conn_->RecordError(PQerrorMessage(c), "");
    conn_->SentAhead();
    return kDone;
  }

  int Step() override {
    if (!result_) {
      const int rc = Execute();
      if (rc != kDone) return rc;
      row_ = -1;
    }
    ++row_;
    return row_ < rows_ ? kRow : kDone;
  }

  void Reset() override {
    result_.reset();
    rows_ = 0;
    row_ = -1;
  }

  bool IsNull(int col) const override { return PQgetisnull(result_.get(), row_, col) != 0; }
  int64_t Int(int col) const override {
    return std::strtoll(PQgetvalue(result_.get(), row_, col), nullptr, 10);
  }
  double Double(int col) const override {
    return std::strtod(PQgetvalue(result_.get(), row_, col), nullptr);
  }
  std::string_view Text(int col) const override {
    return std::string_view(PQgetvalue(result_.get(), row_, col),
                            static_cast<size_t>(PQgetlength(result_.get(), row_, col)));
  }
  // bytea in text format: "\x" and two hex digits a byte.
  std::string_view Blob(int col) const override {
    const std::string_view hex = Text(col);
    if (blobs_.size() <= static_cast<size_t>(col)) blobs_.resize(static_cast<size_t>(col) + 1);
    std::string& out = blobs_[static_cast<size_t>(col)];
    out.clear();
    if (hex.size() < 2 || hex[0] != '\\' || hex[1] != 'x') return out;
    out.reserve((hex.size() - 2) / 2);
    for (size_t i = 2; i + 1 < hex.size(); i += 2) {
      const int hi = HexDigit(hex[i]), lo = HexDigit(hex[i + 1]);
      if (hi < 0 || lo < 0) break;
      out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
  }

 private:
  bool InRange(int i) const { return i >= 1 && static_cast<size_t>(i) <= values_.size(); }
  void Set(int i, std::string v, bool binary) {
    if (!InRange(i)) return;  // as SQLite: binding a parameter the SQL lacks does nothing
    const auto k = static_cast<size_t>(i - 1);
    values_[k] = std::move(v);
    is_null_[k] = 0;
    binary_[k] = binary ? 1 : 0;
  }

  struct Params {
    int n = 0;
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
  };
  Params Collect() const {
    Params p;
    const size_t n = values_.size();
    p.n = static_cast<int>(n);
    p.values.resize(n);
    p.lengths.resize(n);
    p.formats.resize(n);
    for (size_t k = 0; k < n; ++k) {
      p.values[k] = is_null_[k] ? nullptr : values_[k].c_str();
      p.lengths[k] = static_cast<int>(values_[k].size());
      p.formats[k] = binary_[k];
    }
    return p;
  }

  int RefuseNul() {
    nul_in_text_ = false;
    return conn_->RecordError("a text value holds a NUL byte, which PostgreSQL cannot store",
                              "22021");
  }

  int Execute() {
    if (nul_in_text_) return RefuseNul();
    if (const int rc = conn_->Drain(); rc != kDone) return rc;
    if (persistent_ && (name_.empty() || prepared_in_ != conn_->generation())) {
      if (const int rc = PrepareOnServer(); rc != kDone) return rc;
    }
    PGconn* c = conn_->Live();
    if (c == nullptr) return kFailed;
    Params p = Collect();
    ResultPtr r(persistent_ ? PQexecPrepared(c, name_.c_str(), p.n, p.values.data(),
                                             p.lengths.data(), p.formats.data(), 0)
                            : PQexecParams(c, sql_.c_str(), p.n, nullptr, p.values.data(),
                                           p.lengths.data(), p.formats.data(), 0));
    const int rc = conn_->Record(r.get(), returning_);
    if (rc != kDone) return rc;
    rows_ = PQresultStatus(r.get()) == PGRES_TUPLES_OK ? PQntuples(r.get()) : 0;
    result_ = std::move(r);
    return kDone;
  }

  PgConnection* conn_;
  const std::string sql_;
  const bool persistent_;
  const bool returning_;
  std::string name_;
  uint64_t prepared_in_ = 0;
  std::vector<std::string> values_;
  std::vector<char> is_null_;
  std::vector<int> binary_;
  ResultPtr result_;
  int rows_ = 0;
  int row_ = -1;
  mutable std::vector<std::string> blobs_;
  bool nul_in_text_ = false;  // since the last run
};

}  // namespace

std::pair<std::string, int> ToDollarParams(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    size_t j = i + 1;
    int n = 0;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
    if (j == i + 1) n = highest + 1;  // a bare ?: the next number, as SQLite counts
    if (n > highest) highest = n;
    out += '$';
    out += std::to_string(n);
    i = j - 1;
  }
  return {std::move(out), highest};
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& url) {
  PGconn* raw = PQconnectdb(url.c_str());
  if (raw == nullptr) return Status::ResourceExhausted("libpq could not allocate a connection");
  std::unique_ptr<PgConnection> conn(new PgConnection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string message = PQerrorMessage(raw);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    if (message.find("does not exist") != std::string::npos &&
        message.find("database") != std::string::npos) {
      return Status::NotFound(message);
    }
    return Status::IoError("cannot connect to PostgreSQL: " + message);
  }
  PQsetClientEncoding(raw, "UTF8");
  // Notices (e.g. "there is no transaction in progress") are not news.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  return conn;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

PGconn* PgConnection::Live() {
  if (PQstatus(conn_) == CONNECTION_OK) return conn_;
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    RecordError(std::string("lost the connection to PostgreSQL and could not reconnect: ") +
                    PQerrorMessage(conn_),
                "08006");
    return nullptr;
  }
  ++generation_;
  PQexitPipelineMode(conn_);  // a new session starts outside any pipeline
  in_pipeline_ = false;
  ahead_.clear();
  PQsetClientEncoding(conn_, "UTF8");
  return conn_;
}

std::string PgConnection::NextStatementName() { return "vigil_" + std::to_string(++statements_); }

int PgConnection::Record(const PGresult* r, bool returning) {
  const ExecStatusType status = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    const char* tuples = PQcmdTuples(const_cast<PGresult*>(r));
    changes_ = tuples != nullptr && *tuples != '\0' ? std::strtoll(tuples, nullptr, 10) : 0;
    if (returning && status == PGRES_TUPLES_OK && PQntuples(r) > 0) {
      last_id_ = std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
    }
    return kDone;
  }
  const char* state = r == nullptr ? nullptr : PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string message = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
  if (message.empty()) message = PQerrorMessage(conn_);
  return RecordError(std::move(message), state != nullptr ? state : "");
}

int PgConnection::RecordError(std::string message, std::string sqlstate) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  if (sqlstate.empty() && PQstatus(conn_) != CONNECTION_OK) sqlstate = "08006";
  error_ = std::move(message);
  sqlstate_ = std::move(sqlstate);
  return sqlstate_ == "23505" ? kDuplicateKey : kFailed;
}

Status PgConnection::Error(std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += error_.empty() ? "unknown PostgreSQL error" : error_;
  if (!sqlstate_.empty()) msg += " (SQLSTATE " + sqlstate_ + ")";
  const std::string_view cls = std::string_view(sqlstate_).substr(0, 2);
  if (cls == "23" || cls == "22" || cls == "42") return Status::InvalidArgument(std::move(msg));
  if (cls == "08" || cls == "57" || cls == "58") return Status::IoError(std::move(msg));
  if (cls == "53" || cls == "54") return Status::ResourceExhausted(std::move(msg));
  if (sqlstate_ == "40001" || sqlstate_ == "40P01" || cls == "55") {
    // Serialization failure, deadlock, lock not available: nothing was kept;
    // the same write may be tried again.
    return Status::ResourceExhausted(msg + " (the write was rolled back and may be retried)");
  }
  if (cls == "XX") return Status::Corrupt(std::move(msg));
  return Status::Internal(std::move(msg));
}

// More in flight than this and the pipeline is drained on the spot: the
// server's answers must never fill the socket while this side still sends.
constexpr size_t kMaxAhead = 512;

int PgConnection::EnterPipeline(PGconn* c) {
  if (in_pipeline_) return kDone;
  if (PQenterPipelineMode(c) != 1) return RecordError(PQerrorMessage(c), "");
  in_pipeline_ = true;
  return kDone;
}

void PgConnection::SentAhead() {
  ahead_.push_back(std::move(next_ahead_));
  next_ahead_.clear();
  if (ahead_.size() >= kMaxAhead) {
    // A failure stays recorded for the next statement that waits: Drain
    // keeps the first one until then.
    keep_ = Drain();
  }
}

int PgConnection::Drain() {
  if (!in_pipeline_) {
    const int kept = keep_;
    keep_ = kDone;
    return kept;
  }
  int rc = keep_;
  keep_ = kDone;
  PGconn* c = conn_;
  if (PQpipelineSync(c) != 1) rc = RecordError(PQerrorMessage(c), "");
  for (size_t i = 0; i < ahead_.size(); ++i) {
    PGresult* r = PQgetResult(c);
    if (r == nullptr) {
      if (rc == kDone) rc = RecordError(PQerrorMessage(c), "");
      break;
    }
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_PIPELINE_ABORTED &&
        rc == kDone) {
      rc = Record(r, false);
      error_ = "(" + ahead_[i] + ", sent ahead) " + error_;
    }
    PQclear(r);
    while ((r = PQgetResult(c)) != nullptr) PQclear(r);  // each answer ends with a null
  }
  // The sync's own answer, then out of pipeline mode.
  for (int guard = 0; guard < 4; ++guard) {
    PGresult* r = PQgetResult(c);
    if (r == nullptr) break;
    const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    if (sync) break;
  }
  if (PQexitPipelineMode(c) != 1 && rc == kDone) rc = RecordError(PQerrorMessage(c), "");
  in_pipeline_ = false;
  ahead_.clear();
  return rc;
}

Status PgConnection::Exec(std::string_view sql) {
  if (Drain() != kDone) return Error("postgresql");
  PGconn* c = Live();
  if (c == nullptr) return Error("postgresql");
  ResultPtr r(PQexec(c, std::string(sql).c_str()));
  if (Record(r.get(), false) != kDone) return Error("postgresql");
  return Status::Ok();
}

bool PgConnection::InTransaction() {
  const PGTransactionStatusType s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

std::string PgConnection::MonthOf(std::string_view column) const {
  return "to_char(to_timestamp(" + std::string(column) + ") AT TIME ZONE 'UTC', 'YYYY-MM')";
}

std::string PgConnection::JsonArrayHasLang(std::string_view column, std::string_view param) const {
  return "EXISTS (SELECT 1 FROM jsonb_array_elements(" + std::string(column) +
         "::jsonb) r WHERE r->>'lang' = " + std::string(param) + ")";
}

Result<std::unique_ptr<StmtImpl>> PgConnection::PrepareImpl(std::string_view sql, bool persistent) {
  auto [text, params] = ToDollarParams(sql);
  auto stmt = std::make_unique<PgStmt>(this, std::move(text), params, persistent);
  if (persistent && stmt->PrepareOnServer() != kDone) return Error("prepare");
  return std::unique_ptr<StmtImpl>(std::move(stmt));
}

}  // namespace vigil::store
