// Server: the review app's HTTP server (`vigil serve`) over one
// app::Installation — the JSON API under /api/ and the web front end's
// static files. cpp-httplib stays behind this header.
//
//   server::ServerOptions o;            // 127.0.0.1:8080, no TLS
//   o.port = 0;                         // a free port
//   auto srv = server::Server::Create(*installation, o);
//   auto url = (*srv)->Bind();          // "http://127.0.0.1:41234"
//   std::thread t([&] { (*srv)->Run(); });
//   ...
//   (*srv)->Stop();                     // from any thread or a signal watcher
//
// Security model (README, "The review app"): nothing under /api/ but
// POST /api/login and GET /api/openapi.json answers without a session (401);
// a session is an HttpOnly, SameSite=Strict cookie (Secure under TLS) that
// ends after idle_seconds without use or max_age_seconds after sign-in;
// every state change needs the session's token in X-CSRF-Token (403
// without); each route names the roles that reach it (403 for the others);
// failed sign-ins lock an account name and an address after
// login_failures within login_window_seconds (429). Every response carries
// a strict Content-Security-Policy (no inline script, no eval) and
// nosniff/no-referrer/deny-framing headers; API answers are never cached.
//
// The installation is used by one request at a time (it is single-threaded);
// requests are read, parsed and answered on a small pool of threads.
#ifndef VIGIL_SERVER_SERVER_H_
#define VIGIL_SERVER_SERVER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "vigil/app/installation.h"
#include "vigil/core/status.h"

namespace vigil::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: a free port (Bind says which)
  // PEM files; both or neither. With them the server speaks only HTTPS.
  std::string tls_cert, tls_key;
  // Allows an address other than loopback without TLS.
  bool insecure = false;
  // The built web front end (index.html and its assets); "" = API only.
  std::filesystem::path web_dir;
  // The OpenAPI 3 document served at /api/openapi.json.
  std::filesystem::path openapi;
  int64_t idle_seconds = 30 * 60;
  int64_t max_age_seconds = 12 * 3600;
  int login_failures = 5;
  int64_t login_window_seconds = 15 * 60;
  // How long a reviewer holds a queue item taken with /api/queue/next.
  int64_t lease_seconds = 10 * 60;
  size_t max_body_bytes = 1 << 20;
  int threads = 32;
};

// kInvalidArgument when `host` is not loopback and there is neither TLS nor
// `insecure` (the message says what to add).
Status CheckListenAddress(const ServerOptions& options);

// A route the server registered: method and OpenAPI-style path
// ("/api/posts/{ref}").
struct Route {
  std::string method;
  std::string path;
  friend bool operator==(const Route&, const Route&) = default;
  friend auto operator<=>(const Route&, const Route&) = default;
};

class Server {
 public:
  // kInvalidArgument for bad options (CheckListenAddress, one TLS file
  // without the other); kIoError when the TLS files do not load.
  static Result<std::unique_ptr<Server>> Create(app::Installation& installation,
                                                ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the URL ("http://127.0.0.1:PORT").
  // kIoError when the address is taken or cannot be bound.
  Result<std::string> Bind();
  // Serves until Stop (after Bind); requests in flight are finished.
  Status Run();
  // Ends Run, from any thread, whether or not Run has begun listening yet
  // (a Run that has not started returns at once).
  void Stop();
  std::vector<Route> Routes() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A post's key as one URL path segment (and back): hex of its three parts,
// so channel and post ids may hold any character.
std::string PostRef(const PostKey& key);
std::optional<PostKey> ParsePostRef(std::string_view ref);

}  // namespace vigil::server

#endif  // VIGIL_SERVER_SERVER_H_
