// Status and Result<T>: how every public vigil API reports failure.
//
// No exception crosses a module boundary. A function that can fail returns a
// Status (or a Result<T> carrying either a value or a non-OK Status). The
// message is one human-readable line that names what failed and why; the CLI
// prints it as is. Both types are cheap to move and safe to copy between
// threads (they own their data).
#ifndef VIGIL_CORE_STATUS_H_
#define VIGIL_CORE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vigil {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the caller asked for something malformed
  kNotFound,           // a file, record or key does not exist
  kCorrupt,            // input exists but does not parse (bad JSON, truncated zip, ...)
  kUnsupported,        // a format or feature vigil does not handle
  kResourceExhausted,  // a configured limit (size, pixels, nesting, line) was exceeded
  kIoError,            // the operating system or a library failed to read/write
  kInternal,           // a bug in vigil
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corrupt(std::string m) { return {StatusCode::kCorrupt, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corrupt: result.json: message 12: unexpected end of input"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T> holds a T or a non-OK Status. Accessing value() on an error is a
// programming bug (asserted), never a user-input condition.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace vigil

#define VIGIL_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::vigil::Status vigil_status_ = (expr);        \
    if (!vigil_status_.ok()) return vigil_status_; \
  } while (0)

// `VIGIL_ASSIGN_OR_RETURN(T x, Call());` declares x from a Result<T>, or
// returns the Result's Status from the enclosing function.
#define VIGIL_STATUS_CONCAT_INNER_(a, b) a##b
#define VIGIL_STATUS_CONCAT_(a, b) VIGIL_STATUS_CONCAT_INNER_(a, b)
#define VIGIL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
#define VIGIL_ASSIGN_OR_RETURN(lhs, expr) \
  VIGIL_ASSIGN_OR_RETURN_IMPL_(VIGIL_STATUS_CONCAT_(vigil_result_, __LINE__), lhs, expr)

#endif  // VIGIL_CORE_STATUS_H_
