// The review app's HTTP server: plumbing (cpp-httplib), the route table with
// each route's roles, and the security every route goes through (session,
// role, CSRF token, headers). The handlers are in api.cc.
#include "vigil/server/server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>

#include "src/server/api.h"
#include "vigil/core/hex.h"
#include "vigil/evidence/credentials.h"

namespace vigil::server {
namespace {

// Every response: no script but the app's own files, no inline script or
// eval, no framing, no plug-ins; images may be data:/blob: (blurred previews).
const httplib::Headers kSecurityHeaders = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
     "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
     "form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
};

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

// The session token from the Cookie header ("" when none).
std::string CookieToken(const httplib::Request& req) {
  const std::string cookies = req.get_header_value("Cookie");
  const std::string want = std::string(kSessionCookie) + "=";
  size_t pos = 0;
  while (pos < cookies.size()) {
    size_t end = cookies.find(';', pos);
    if (end == std::string::npos) end = cookies.size();
    std::string_view part(cookies.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.substr(0, want.size()) == want) return std::string(part.substr(want.size()));
    pos = end + 1;
  }
  return {};
}

// "/api/posts/{ref}" -> "/api/posts/([^/]+)".
std::string PathRegex(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      i = path.find('}', i);
      out += "([^/]+)";
    } else if (path[i] == '.') {
      out += "\\.";
    } else {
      out += path[i];
    }
  }
  return out;
}

}  // namespace

Status CheckListenAddress(const ServerOptions& o) {
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return Status::InvalidArgument("--tls-cert and --tls-key go together");
  }
  if (!IsLoopback(o.host) && o.tls_cert.empty() && !o.insecure) {
    return Status::InvalidArgument("refusing to listen on " + o.host +
                                   " without TLS: give --tls-cert and --tls-key, or --insecure "
                                   "behind a TLS proxy you trust");
  }
  return Status::Ok();
}

std::string PostRef(const PostKey& key) {
  std::string joined = std::string(PlatformName(key.platform));
  joined += '\0';
  joined += key.channel_id;
  joined += '\0';
  joined += key.external_id;
  return HexEncode({reinterpret_cast<const uint8_t*>(joined.data()), joined.size()});
}

std::optional<PostKey> ParsePostRef(std::string_view ref) {
  if (ref.size() > 4096) return std::nullopt;
  auto bytes = HexDecode(ref);
  if (!bytes) return std::nullopt;
  const std::string s(bytes->begin(), bytes->end());
  const size_t a = s.find('\0');
  const size_t b = a == std::string::npos ? a : s.find('\0', a + 1);
  if (b == std::string::npos || s.find('\0', b + 1) != std::string::npos) return std::nullopt;
  auto platform = PlatformFromName(std::string_view(s).substr(0, a));
  if (!platform) return std::nullopt;
  return PostKey{*platform, s.substr(a + 1, b - a - 1), s.substr(b + 1)};
}

struct Server::Impl {
  app::Installation& inst;
  ServerOptions options;
  std::unique_ptr<httplib::Server> http;
  Api api;
  std::vector<Route> routes;
  bool tls = false;
  // Stop may come before Run has started listening (cpp-httplib's stop()
  // does nothing then): Run does not start after a Stop, and Stop waits
  // until a started Run listens or has ended.
  std::mutex run_mu;
  bool run_started = false, stop_requested = false;
  std::atomic<bool> run_ended{false};

  Impl(app::Installation& i, ServerOptions o)
      : inst(i),
        options(std::move(o)),
        api(i, ApiOptions{options.idle_seconds, options.max_age_seconds, options.login_failures,
                          options.login_window_seconds, options.lease_seconds,
                          !options.tls_cert.empty(), options.openapi}) {}

  void Add(const ApiRoute& r) {
    routes.push_back({r.method, r.path});
    const std::string pattern = PathRegex(r.path);
    auto handler = [this, r](const httplib::Request& req, httplib::Response& res) {
      Dispatch(r, req, res);
    };
    if (r.method == "GET") {
      http->Get(pattern, handler);
    } else if (r.method == "POST") {
      http->Post(pattern, handler);
    } else if (r.method == "PATCH") {
      http->Patch(pattern, handler);
    } else if (r.method == "DELETE") {
      http->Delete(pattern, handler);
    }
  }

  void Dispatch(const ApiRoute& r, const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    Request in;
    in.method = req.method;
    in.params.assign(req.matches.begin() + 1, req.matches.end());
    for (const auto& [k, v] : req.params) in.query.emplace(k, v);
    in.body = req.body;
    in.content_type = req.get_header_value("Content-Type");
    in.address = req.remote_addr;
    in.token = CookieToken(req);
    in.csrf = req.get_header_value("X-CSRF-Token");
    Response out = api.Handle(r, in);
    res.status = out.status;
    for (const auto& [k, v] : out.headers) res.set_header(k, v);
    res.set_content(std::move(out.body), out.content_type);
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::Create(app::Installation& installation,
                                               ServerOptions options) {
  VIGIL_RETURN_IF_ERROR(CheckListenAddress(options));
  auto impl = std::make_unique<Impl>(installation, std::move(options));
  const ServerOptions& o = impl->options;
  if (!o.tls_cert.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
    if (!ssl->is_valid()) {
      return Status::IoError("cannot load the TLS certificate " + o.tls_cert + " and key " +
                             o.tls_key);
    }
    impl->http = std::move(ssl);
    impl->tls = true;
  } else {
    impl->http = std::make_unique<httplib::Server>();
  }
  httplib::Server& http = *impl->http;
  const int threads = o.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(o.max_body_bytes);
  http.set_read_timeout(10, 0);
  http.set_write_timeout(30, 0);
  http.set_keep_alive_timeout(30);
  // Headers and body go out in separate writes: with Nagle's algorithm each
  // answer waited ~40 ms for the client's delayed ACK (serve_bench: every
  // route, static files too, at 43 ms median).
  http.set_tcp_nodelay(true);
  http.set_default_headers(kSecurityHeaders);
  for (const ApiRoute& r : impl->api.Routes()) impl->Add(r);
  if (!o.web_dir.empty()) {
    if (!http.set_mount_point("/", o.web_dir.string())) {
      return Status::NotFound("no web front end at " + o.web_dir.string());
    }
  }
  // Errors without a body (no route, too large, ...) get a JSON one.
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* what = res.status == 404   ? "no such route"
                       : res.status == 413 ? "request body too large"
                       : res.status == 405 ? "method not allowed"
                                           : "bad request";
    if (req.path.rfind("/api/", 0) == 0 || res.status != 404) {
      res.set_content(std::string("{\"error\":\"") + what + "\"}", "application/json");
    }
  });
  http.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        std::fprintf(stderr, "vigil serve: %s %s: internal error: %s\n", req.method.c_str(),
                     req.path.c_str(), what.c_str());
        res.status = 500;
        res.set_content("{\"error\":\"internal error\"}", "application/json");
      });
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    // The path only: query strings may hold search terms.
    std::fprintf(stderr, "vigil serve: %s %s %d\n", req.method.c_str(), req.path.c_str(),
                 res.status);
  });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<std::string> Server::Bind() {
  const ServerOptions& o = impl_->options;
  int port = o.port;
  if (port == 0) {
    port = impl_->http->bind_to_any_port(o.host);
    if (port <= 0) return Status::IoError("cannot bind to " + o.host);
  } else if (!impl_->http->bind_to_port(o.host, port)) {
    return Status::IoError("cannot bind to " + o.host + ":" + std::to_string(port) +
                           " (taken, or not an address of this machine)");
  }
  const std::string host =
      o.host.find(':') != std::string::npos && o.host.front() != '[' ? "[" + o.host + "]" : o.host;
  return std::string(impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

Status Server::Run() {
  {
    std::lock_guard lock(impl_->run_mu);
    if (impl_->stop_requested) return Status::Ok();
    impl_->run_started = true;
  }
  const bool listened = impl_->http->listen_after_bind();
  impl_->run_ended = true;
  if (!listened) return Status::IoError("the server stopped listening");
  return Status::Ok();
}

void Server::Stop() {
  {
    std::lock_guard lock(impl_->run_mu);
    impl_->stop_requested = true;
    if (!impl_->run_started) return;
  }
  while (!impl_->http->is_running() && !impl_->run_ended) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->http->stop();
}

std::vector<Route> Server::Routes() const { return impl_->routes; }

}  // namespace vigil::server
