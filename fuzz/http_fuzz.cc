// libFuzzer target for the review server, through its public API: each input
// is one raw HTTP/1.1 request, sent over loopback to a server::Server that
// serves a fresh installation (one coordinator account, one registered
// person, no posts). "@SESSION@" and "@CSRF@" in the input become a signed-in
// coordinator's session cookie and CSRF token, so the handlers behind
// sign-in, role and CSRF checks are reached too.
//
// What must hold for any request: an answer comes back (the server neither
// dies nor hangs), it is HTTP/1.1 with a status below 500 (a 500 is an
// exception or a store error a request could provoke), and it carries the
// Content-Security-Policy header. The harness frames each input as one
// complete request (Frame below).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "vigil/app/installation.h"
#include "vigil/server/server.h"

namespace {

namespace fs = std::filesystem;
using namespace vigil;

constexpr char kPassword[] = "fuzz password, not secret";

// Sends `request` to 127.0.0.1:port and returns everything the server
// answers until it closes (or 10 s pass: "" then).
std::string RoundTrip(int port, std::string_view request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) std::abort();
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early on a bad request
    sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buf[16384];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
    answer.append(buf, static_cast<size_t>(n));
  close(fd);
  return answer;
}

struct State {
  std::unique_ptr<app::Installation> inst;
  std::unique_ptr<server::Server> server;
  std::thread thread;
  int port = 0;
  std::string session, csrf;
  fs::path dir;

  void SignIn() {
    const std::string body = std::string(R"({"user":"fuzz","password":")") + kPassword + "\"}";
    const std::string answer =
        RoundTrip(port,
                  "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                  "Content-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body);
    const size_t c = answer.find("vigil_session=");
    const size_t t = answer.find("\"csrf\":\"");
    if (c == std::string::npos || t == std::string::npos) {
      std::fprintf(stderr, "http_fuzz: sign-in failed: %s\n", answer.c_str());
      std::abort();
    }
    session = answer.substr(c, answer.find(';', c) - c);
    csrf = answer.substr(t + 8, answer.find('"', t + 8) - t - 8);
  }
};

State* Init() {
  auto* s = new State;  // lives for the whole fuzzing process
  char tmpl[] = "/tmp/vigil-http-fuzz-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) std::abort();
  s->dir = tmpl;
  app::InstallationOptions o;
  o.db = (fs::path(tmpl) / "vigil.db").string();
  o.create = true;
  o.passphrase = [] { return Result<std::string>(std::string("fuzz passphrase")); };
  o.data_dir = fs::path(VIGIL_SOURCE_DIR) / "data";
  if (!app::InitKeys(o, false).ok()) std::abort();
  auto inst = app::Installation::Open(o);
  if (!inst.ok()) std::abort();
  s->inst = std::move(inst).value();
  if (!s->inst->AddAccount("fuzz", store::Role::kCoordinator, kPassword).ok()) std::abort();
  app::PersonUpdate u;
  u.names = {"Synthetic Person"};
  if (!s->inst->AddPerson("C-1", u.Apply({}), registry::CaseStatus::kMissing, {}).ok()) {
    std::abort();
  }
  server::ServerOptions so;
  so.port = 0;
  so.openapi = fs::path(VIGIL_SOURCE_DIR) / "data" / "openapi.json";
  so.login_failures = 1 << 30;  // the fuzzer's wrong passwords must not lock it out
  auto srv = server::Server::Create(*s->inst, so);
  if (!srv.ok()) std::abort();
  s->server = std::move(srv).value();
  auto url = s->server->Bind();
  if (!url.ok()) std::abort();
  s->port = std::stoi(url->substr(url->rfind(':') + 1));
  s->thread = std::thread([s] { (void)s->server->Run(); });
  s->SignIn();
  // Stop and join the server before the process's static objects go, then
  // remove the installation.
  static State* at_exit = s;
  std::atexit([] {
    at_exit->server->Stop();
    at_exit->thread.join();
    std::error_code ec;
    fs::remove_all(at_exit->dir, ec);
  });
  return s;
}

void Replace(std::string& text, std::string_view from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
    text.replace(at, from.size(), to);
  }
}

// The input as one complete request: its head (request line and headers, up
// to the first blank line) without the framing headers, then
// "Connection: close" and the Content-Length of the rest. Framing is
// cpp-httplib's own (fuzzed upstream); what is fuzzed here is everything the
// server does with a request once it has one. A request the server had to
// wait on would only be timed out.
std::string Frame(std::string input) {
  std::string head, body;
  if (const size_t end = input.find("\r\n\r\n"); end != std::string::npos) {
    head = input.substr(0, end);
    body = input.substr(end + 4);
  } else {
    head = std::move(input);
  }
  std::string out;
  size_t at = 0;
  for (bool first = true; at <= head.size(); first = false) {
    size_t eol = head.find("\r\n", at);
    if (eol == std::string::npos) eol = head.size();
    const std::string line = head.substr(at, eol - at);
    at = eol + 2;
    std::string name = line.substr(0, line.find(':'));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!first &&
        (name == "content-length" || name == "transfer-encoding" || name == "connection")) {
      continue;
    }
    out += line + "\r\n";
  }
  return out + "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static State* state = Init();
  if (size > (64 << 10)) return 0;
  std::string request(reinterpret_cast<const char*>(data), size);
  Replace(request, "@SESSION@", state->session);
  Replace(request, "@CSRF@", state->csrf);
  request = Frame(std::move(request));
  const std::string answer = RoundTrip(state->port, request);
  // Every complete request gets an answer: none means the server hung or died.
  if (answer.rfind("HTTP/1.1 ", 0) != 0) {
    std::fprintf(stderr, "http_fuzz: no HTTP answer: '%s'\n", answer.substr(0, 200).c_str());
    std::abort();
  }
  const int status = std::atoi(answer.c_str() + 9);
  if (status >= 500 || answer.find("Content-Security-Policy: ") == std::string::npos) {
    std::fprintf(stderr, "http_fuzz: bad answer: %s\n", answer.substr(0, 400).c_str());
    std::abort();
  }
  // A request may have signed the session out (or changed its password):
  // sign in again so that the next input reaches the handlers.
  if (request.find("logout") != std::string::npos || request.find('%') != std::string::npos ||
      request.find("password") != std::string::npos) {
    state->SignIn();
  }
  return 0;
}
