// Internal to the server: the JSON API as plain functions of a request, so
// that the security checks and the handlers read without HTTP plumbing.
// server.cc turns HTTP into Request and Response into HTTP.
#ifndef VIGIL_SRC_SERVER_API_H_
#define VIGIL_SRC_SERVER_API_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "src/server/sessions.h"
#include "vigil/app/installation.h"

namespace vigil::server {

// The session cookie's name.
inline constexpr std::string_view kSessionCookie = "vigil_session";

struct ApiOptions {
  int64_t idle_seconds = 0, max_age_seconds = 0;
  int login_failures = 0;
  int64_t login_window_seconds = 0;
  int64_t lease_seconds = 0;
  bool secure_cookie = false;
  std::filesystem::path openapi;
};

struct Request {
  std::string method;
  std::vector<std::string> params;  // the path's {parameters}, in order
  std::multimap<std::string, std::string> query;
  std::string body, content_type;
  std::string address;      // the peer's IP address
  std::string token, csrf;  // the session cookie and X-CSRF-Token ("" when absent)
  // One query parameter ("" when absent).
  std::string Query(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

class Api;
// The signed-in caller of a handler (empty account for public routes).
struct Caller {
  std::string account;
  store::Role role = store::Role::kAnalyst;
  std::string token;
  std::string csrf;
};
using Handler = Response (Api::*)(const Request&, const Caller&);

struct ApiRoute {
  std::string method;
  std::string path;  // OpenAPI style: "/api/posts/{ref}"
  // Who may call it; empty: anyone, without a session.
  std::vector<store::Role> roles;
  Handler handler = nullptr;
};

class Api {
 public:
  Api(app::Installation& inst, ApiOptions options);
  const std::vector<ApiRoute>& Routes() const { return routes_; }
  // Checks session, role and CSRF token, then runs the route's handler.
  Response Handle(const ApiRoute& route, const Request& req);

  // Handlers (api.cc), one per route.
  Response Login(const Request&, const Caller&);
  Response Logout(const Request&, const Caller&);
  Response Me(const Request&, const Caller&);
  Response OpenApi(const Request&, const Caller&);
  Response Queue(const Request&, const Caller&);
  Response QueueNext(const Request&, const Caller&);
  Response GetPost(const Request&, const Caller&);
  Response Decide(const Request&, const Caller&);
  Response RecentDecisions(const Request&, const Caller&);
  Response Media(const Request&, const Caller&);
  Response Network(const Request&, const Caller&);
  Response ExportEscalated(const Request&, const Caller&);
  Response NetworkPath(const Request&, const Caller&);
  Response Persons(const Request&, const Caller&);
  Response Person(const Request&, const Caller&);
  Response PersonPhoto(const Request&, const Caller&);
  Response PersonStatus(const Request&, const Caller&);
  Response Sighting(const Request&, const Caller&);
  Response Stats(const Request&, const Caller&);
  Response AuditLog(const Request&, const Caller&);
  Response AuditVerify(const Request&, const Caller&);
  Response Accounts(const Request&, const Caller&);
  Response AddAccount(const Request&, const Caller&);
  Response ChangeAccount(const Request&, const Caller&);

 private:
  int64_t Now() const { return inst_.Now(); }
  // The installation, for one request at a time, acting as `caller`.
  std::unique_lock<std::mutex> Use(const Caller& caller);

  app::Installation& inst_;
  ApiOptions options_;
  std::mutex mu_;
  SessionTable sessions_;
  LoginLimiter limiter_;
  LeaseTable leases_;
  std::vector<ApiRoute> routes_;
};

}  // namespace vigil::server

#endif  // VIGIL_SRC_SERVER_API_H_
