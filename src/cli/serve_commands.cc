// vigil serve, vigil user: the review app's server and its accounts.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "src/cli/commands.h"
#include "vigil/core/json_writer.h"
#include "vigil/server/server.h"
#include "vigil/store/database.h"

namespace vigil::cli {

namespace fs = std::filesystem;

namespace {

volatile std::sig_atomic_t g_signal = 0;

struct UserArgs {
  InstallationArgs inst;
  std::string name;
  std::string role;
  bool password_stdin = false;
  bool json = false;
};

// The password: the first line of stdin (--password-stdin), so that it
// never shows in a process list or a shell history.
Result<std::string> ReadPassword(const UserArgs& a) {
  if (!a.password_stdin) {
    return Status::InvalidArgument("give the password on stdin with --password-stdin");
  }
  std::string line;
  if (!std::getline(std::cin, line)) return Status::InvalidArgument("no password on stdin");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int RunUserAdd(const UserArgs& a, const Context& ctx) {
  const auto role = store::RoleFromName(a.role);
  if (!role) {
    std::cerr << "vigil user add: --role is admin, coordinator, analyst or auditor\n";
    return kExitUsage;
  }
  auto password = ReadPassword(a);
  if (!password.ok()) return Fail(ctx, "user add", password.status().message());
  auto inst = OpenInstallation(a.inst, "user add", /*create=*/true);
  if (!inst.ok()) return Fail(ctx, "user add", inst.status().ToString());
  const Status s = (*inst)->AddAccount(a.name, *role, *password);
  if (!s.ok()) return Fail(ctx, "user add", s.ToString());
  std::cerr << "added " << a.role << " " << a.name << "\n";
  return kExitOk;
}

int RunUserList(const UserArgs& a, const Context& ctx) {
  auto inst = OpenInstallation(a.inst, "user list", /*create=*/false);
  if (!inst.ok()) return Fail(ctx, "user list", inst.status().ToString());
  auto accounts = (*inst)->ListAccounts();
  if (!accounts.ok()) return Fail(ctx, "user list", accounts.status().ToString());
  if (a.json) {
    JsonWriter w;
    w.BeginArray();
    for (const auto& x : *accounts) {
      w.BeginObject().Key("name").String(x.name).Key("role").String(store::RoleName(x.role));
      w.Key("disabled").Bool(x.disabled).Key("created").Int(x.created).EndObject();
    }
    w.EndArray();
    std::cout << w.str() << "\n";
    return kExitOk;
  }
  for (const auto& x : *accounts) {
    std::cout << x.name << "\t" << store::RoleName(x.role) << (x.disabled ? "\tdisabled" : "")
              << "\n";
  }
  return kExitOk;
}

int RunUserDisable(const UserArgs& a, const Context& ctx, bool disabled) {
  const char* command = disabled ? "user disable" : "user enable";
  auto inst = OpenInstallation(a.inst, command, /*create=*/false);
  if (!inst.ok()) return Fail(ctx, command, inst.status().ToString());
  const Status s = (*inst)->SetAccountDisabled(a.name, disabled);
  if (!s.ok()) return Fail(ctx, command, s.ToString());
  std::cerr << (disabled ? "disabled " : "enabled ") << a.name
            << (disabled ? " (its sessions in a running server end)" : "") << "\n";
  return kExitOk;
}

int RunUserPasswd(const UserArgs& a, const Context& ctx) {
  auto password = ReadPassword(a);
  if (!password.ok()) return Fail(ctx, "user passwd", password.status().message());
  auto inst = OpenInstallation(a.inst, "user passwd", /*create=*/false);
  if (!inst.ok()) return Fail(ctx, "user passwd", inst.status().ToString());
  const Status s = (*inst)->SetAccountPassword(a.name, *password);
  if (!s.ok()) return Fail(ctx, "user passwd", s.ToString());
  std::cerr << "set a new password for " << a.name << "\n";
  return kExitOk;
}

struct ServeArgs {
  InstallationArgs inst;
  std::string listen = "127.0.0.1:8080";
  std::string tls_cert, tls_key;
  bool insecure = false;
  std::string web_dir;
};

int RunServe(const ServeArgs& a, const Context& ctx) {
  server::ServerOptions o;
  const size_t colon = a.listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "vigil serve: --listen takes HOST:PORT, got " << a.listen << "\n";
    return kExitUsage;
  }
  o.host = a.listen.substr(0, colon);
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') {
    o.host = o.host.substr(1, o.host.size() - 2);
  }
  try {
    o.port = std::stoi(a.listen.substr(colon + 1));
  } catch (const std::exception&) {
    o.port = -1;
  }
  if (o.port < 0 || o.port > 65535) {
    std::cerr << "vigil serve: bad port in --listen " << a.listen << "\n";
    return kExitUsage;
  }
  o.tls_cert = a.tls_cert;
  o.tls_key = a.tls_key;
  o.insecure = a.insecure;
  if (Status s = server::CheckListenAddress(o); !s.ok()) {
    std::cerr << "vigil serve: " << s.message() << "\n";
    return kExitUsage;
  }
  auto inst = OpenInstallation(a.inst, "serve", /*create=*/false);
  if (!inst.ok()) return Fail(ctx, "serve", inst.status().ToString());
  const fs::path data = a.inst.data_dir.empty() ? app::DefaultDataDir() : fs::path(a.inst.data_dir);
  o.openapi = data / "openapi.json";
  if (!a.web_dir.empty()) {
    o.web_dir = a.web_dir;
  } else if (fs::exists(data / "web" / "index.html")) {
    o.web_dir = data / "web";
  }
  // The session opens now, so that a wrong passphrase stops the server
  // before it listens rather than at the first sign-in.
  if (auto keys = (*inst)->Custody(); !keys.ok()) {
    return Fail(ctx, "serve", keys.status().ToString());
  }

  // SIGTERM and SIGINT end the server gracefully: the handler only notes
  // the signal (libraries' threads, OpenBLAS's among them, may receive it);
  // a watcher thread sees the note and stops the server.
  struct sigaction sa {};
  sa.sa_handler = [](int sig) { g_signal = sig; };
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  auto srv = server::Server::Create(**inst, o);
  if (!srv.ok()) return Fail(ctx, "serve", srv.status().ToString());
  auto url = (*srv)->Bind();
  if (!url.ok()) return Fail(ctx, "serve", url.status().ToString());
  std::cout << *url << std::endl;
  std::cerr << "vigil serve: listening on " << *url << " (database " << store::RedactUrl(a.inst.db)
            << (o.web_dir.empty() ? ", API only: no web front end built" : "") << ")\n";
  std::atomic<bool> done{false};
  std::thread watcher([&done, server = srv->get()] {
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const int sig = g_signal;
      if (sig == SIGTERM || sig == SIGINT) {
        std::cerr << "vigil serve: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
                  << ": finishing requests in flight\n";
        server->Stop();
        return;
      }
    }
  });
  const Status s = (*srv)->Run();
  done = true;
  watcher.join();
  if (!s.ok()) return Fail(ctx, "serve", s.ToString());
  std::cerr << "vigil serve: stopped\n";
  return kExitOk;
}

}  // namespace

void AddServeCommands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<UserArgs>();
  auto* user = app.add_subcommand("user", "Accounts of the review app (vigil serve)");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "Add an account (password from stdin)");
  add->add_option("name", args->name, "Account name (letters, digits, . _ -)")->required();
  add->add_option("--role", args->role, "admin | coordinator | analyst | auditor")->required();
  add->add_flag("--password-stdin", args->password_stdin, "Read the password from stdin");
  AddInstallationOptions(add, args->inst);
  add->callback([args, &ctx] { ctx.exit_code = RunUserAdd(*args, ctx); });
  auto* list = user->add_subcommand("list", "List the accounts");
  list->add_flag("--json", args->json, "One JSON array");
  AddInstallationOptions(list, args->inst);
  list->callback([args, &ctx] { ctx.exit_code = RunUserList(*args, ctx); });
  for (bool disabled : {true, false}) {
    auto* cmd = user->add_subcommand(disabled ? "disable" : "enable",
                                     disabled ? "Disable an account" : "Enable an account again");
    cmd->add_option("name", args->name, "Account name")->required();
    AddInstallationOptions(cmd, args->inst);
    cmd->callback([args, &ctx, disabled] { ctx.exit_code = RunUserDisable(*args, ctx, disabled); });
  }
  auto* passwd = user->add_subcommand("passwd", "Set an account's password (from stdin)");
  passwd->add_option("name", args->name, "Account name")->required();
  passwd->add_flag("--password-stdin", args->password_stdin, "Read the password from stdin");
  AddInstallationOptions(passwd, args->inst);
  passwd->callback([args, &ctx] { ctx.exit_code = RunUserPasswd(*args, ctx); });

  auto sargs = std::make_shared<ServeArgs>();
  auto* serve = app.add_subcommand(
      "serve",
      "Run the review app: prints its URL on stdout, serves until SIGTERM or Ctrl-C. Loopback "
      "only unless TLS (or --insecure) is given.");
  serve->add_option("--listen", sargs->listen, "HOST:PORT (port 0: a free one)")
      ->capture_default_str();
  serve->add_option("--tls-cert", sargs->tls_cert, "TLS certificate (PEM)");
  serve->add_option("--tls-key", sargs->tls_key, "TLS private key (PEM)");
  serve->add_flag("--insecure", sargs->insecure,
                  "Allow a non-loopback address without TLS (behind a TLS proxy)");
  serve->add_option("--web-dir", sargs->web_dir,
                    "Built web front end (default: web/ in the data folder, when built)");
  AddInstallationOptions(serve, sargs->inst, /*data_dir=*/true);
  serve->callback([sargs, &ctx] { ctx.exit_code = RunServe(*sargs, ctx); });
}

}  // namespace vigil::cli
