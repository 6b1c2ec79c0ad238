// The review app's server over real HTTP on a free loopback port: the role
// matrix over every route of the OpenAPI document, sessions, CSRF, the
// sign-in rate limit, leases, and bad input.
#include "vigil/server/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "src/testing/temp_dir.h"
#include "vigil/core/digest.h"
#include "vigil/evidence/bundle.h"

namespace vigil::server {
namespace {

namespace fs = std::filesystem;
using store::Role;
using ::testing::HasSubstr;

constexpr int64_t kStart = 1'700'000'000;
const std::string kPassword = "a long enough passphrase";
const fs::path kPhoto = fs::path(VIGIL_SHARED_TESTDATA) / "pdq" / "pdq" / "data" /
                        "reg-test-input" / "dih" / "bridge-1-original.jpg";

// What the test expects of each route, written here independently of the
// server and of openapi.json: the roles that reach it (empty: public).
const std::map<std::string, std::set<std::string>> kExpectedRoles = {
    {"POST /api/login", {}},
    {"GET /api/openapi.json", {}},
    {"POST /api/logout", {"admin", "coordinator", "analyst", "auditor"}},
    {"GET /api/me", {"admin", "coordinator", "analyst", "auditor"}},
    {"GET /api/stats", {"admin", "coordinator", "analyst", "auditor"}},
    {"GET /api/queue", {"coordinator", "analyst"}},
    {"POST /api/queue/next", {"coordinator", "analyst"}},
    {"GET /api/posts/{ref}", {"coordinator", "analyst"}},
    {"POST /api/posts/{ref}/decisions", {"coordinator", "analyst"}},
    {"GET /api/decisions", {"coordinator", "analyst"}},
    {"GET /api/media/{sha256}", {"coordinator", "analyst"}},
    {"GET /api/network", {"coordinator", "analyst"}},
    {"GET /api/network/path", {"coordinator", "analyst"}},
    {"POST /api/evidence/escalated", {"coordinator"}},
    {"GET /api/registry/persons", {"coordinator", "analyst"}},
    {"GET /api/registry/persons/{case}", {"coordinator"}},
    {"GET /api/registry/persons/{case}/photos/{id}", {"coordinator"}},
    {"POST /api/registry/persons/{case}/status", {"coordinator"}},
    {"POST /api/registry/persons/{case}/sightings", {"coordinator"}},
    {"GET /api/audit", {"auditor"}},
    {"GET /api/audit/verify", {"auditor"}},
    {"GET /api/accounts", {"admin"}},
    {"POST /api/accounts", {"admin"}},
    {"PATCH /api/accounts/{name}", {"admin"}},
};

rapidjson::Document Parse(const std::string& s) {
  rapidjson::Document d;
  d.Parse(s.data(), s.size());
  EXPECT_FALSE(d.HasParseError()) << s;
  return d;
}

struct SignedIn {
  std::string cookie, csrf;
  httplib::Headers headers() const { return {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}; }
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app::InstallationOptions o;
    o.db = (dir_ / "vigil.db").string();
    o.passphrase = [] { return Result<std::string>(std::string("correct horse")); };
    o.operator_name = "setup";
    o.clock = [this] { return now_.load(); };
    o.data_dir = fs::path(VIGIL_SOURCE_DIR) / "data";
    o.create = true;
    ASSERT_TRUE(app::InitKeys(o, false).ok());
    auto inst = app::Installation::Open(o);
    ASSERT_TRUE(inst.ok()) << inst.status().ToString();
    inst_ = std::move(inst).value();

    // An export: sale posts (one with the photo, one with markup in its
    // text and channel title) and harmless ones.
    const fs::path ex = dir_ / "export";
    fs::create_directories(ex);
    fs::copy_file(kPhoto, ex / "photo.jpg");
    std::ofstream out(ex / "posts.jsonl");
    out << R"({"id":"1","channel":"market","time":1700000001,"text":"girl for sale, price 2000 dollars +964 750 555 0101","media":["photo.jpg"]})"
        << "\n"
        << R"({"id":"2","channel":"<img src=x onerror=alert(1)>","time":1700000002,"text":"<script>alert(1)</script> girl for sale, price 3000 dollars"})"
        << "\n"
        << R"({"id":"3","channel":"market","time":1700000003,"text":"two girls for sale, 5000 dollars each"})"
        << "\n"
        << R"({"id":"4","channel":"market","time":1700000004,"text":"hello, the market opens at nine"})"
        << "\n"
        << R"({"id":"5","channel":"other","time":1700000005,"text":"good morning","media":["photo.jpg"]})"
        << "\n";
    out.close();
    app::ScanRequest scan;
    scan.evidence = true;
    scan.faces = app::FacePolicy::kOff;
    auto summary = inst_->Scan({ex / "posts.jsonl"}, scan, nullptr);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    photo_sha_ = Sha256Hex(testing::Slurp(kPhoto));

    app::PersonUpdate u;
    u.names = {"Synthetic Person"};
    u.family_contact = "+964 750 000 0000";
    ASSERT_TRUE(inst_->AddPerson("C-1", u.Apply({}), registry::CaseStatus::kMissing, {}).ok());
    for (auto [name, role] : {std::pair{"admin", Role::kAdmin},
                              {"coord", Role::kCoordinator},
                              {"analyst", Role::kAnalyst},
                              {"analyst2", Role::kAnalyst},
                              {"auditor", Role::kAuditor}}) {
      ASSERT_TRUE(inst_->AddAccount(name, role, kPassword).ok());
    }
    Start({});
  }

  void Start(ServerOptions o) {
    o.port = 0;
    o.openapi = VIGIL_OPENAPI;
    auto srv = Server::Create(*inst_, o);
    ASSERT_TRUE(srv.ok()) << srv.status().ToString();
    server_ = std::move(srv).value();
    auto url = server_->Bind();
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
    EXPECT_THAT(url_, ::testing::MatchesRegex("http://127\\.0\\.0\\.1:[0-9]+"));
    thread_ = std::thread([this] { EXPECT_TRUE(server_->Run().ok()); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Client Client() {
    httplib::Client c(url_);
    c.set_read_timeout(30, 0);
    return c;
  }

  httplib::Result Login(const std::string& user, const std::string& password,
                        const httplib::Headers& headers = {}) {
    const std::string body = "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}";
    return Client().Post("/api/login", headers, body, "application/json");
  }

  SignedIn SignIn(const std::string& user) {
    auto r = Login(user, kPassword);
    EXPECT_TRUE(r) << "no answer";
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    const std::string set_cookie = r->get_header_value("Set-Cookie");
    SignedIn s;
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    s.csrf = Parse(r->body)["csrf"].GetString();
    return s;
  }

  std::string FirstRef() {
    for (const auto& [ref, text] : QueueItems(SignIn("analyst"))) {
      if (text.find("photo") == std::string::npos) return ref;
    }
    return {};
  }

  std::vector<std::pair<std::string, std::string>> QueueItems(const SignedIn& s) {
    auto r = Client().Get("/api/queue", s.headers());
    EXPECT_TRUE(r && r->status == 200);
    std::vector<std::pair<std::string, std::string>> out;
    if (!r) return out;
    auto d = Parse(r->body);
    for (const auto& item : d["items"].GetArray()) {
      out.emplace_back(item["ref"].GetString(), item["text"].GetString());
    }
    return out;
  }

  size_t AuditSize() { return inst_->AuditEntries(0, 1'000'000)->size(); }

  testing::TempDir temp_{"vigil_server"};
  fs::path dir_ = temp_.path();
  std::atomic<int64_t> now_{kStart};
  std::unique_ptr<app::Installation> inst_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::string url_;
  std::string photo_sha_;
};

TEST_F(ServerTest, OpenApiDocumentAndRegisteredRoutesAgree) {
  auto r = Client().Get("/api/openapi.json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto doc = Parse(r->body);
  EXPECT_EQ(std::string(doc["openapi"].GetString()).substr(0, 2), "3.");
  std::set<Route> documented;
  std::map<std::string, std::set<std::string>> roles;
  for (const auto& path : doc["paths"].GetObject()) {
    for (const auto& op : path.value.GetObject()) {
      std::string method = op.name.GetString();
      for (char& c : method) c = static_cast<char>(std::toupper(c));
      documented.insert({method, path.name.GetString()});
      auto& set = roles[method + " " + path.name.GetString()];
      for (const auto& role : op.value["x-vigil-roles"].GetArray()) set.insert(role.GetString());
    }
  }
  const std::vector<Route> registered = server_->Routes();
  EXPECT_EQ(documented, std::set<Route>(registered.begin(), registered.end()));
  EXPECT_EQ(roles, kExpectedRoles);
}

TEST_F(ServerTest, RoleMatrixOverEveryRoute) {
  const std::string ref = FirstRef();
  ASSERT_FALSE(ref.empty());
  std::map<std::string, SignedIn> sessions;
  const std::vector<std::string> accounts = {"admin", "coord", "analyst", "auditor"};
  const std::map<std::string, std::string> role_of = {
      {"admin", "admin"}, {"coord", "coordinator"}, {"analyst", "analyst"}, {"auditor", "auditor"}};
  for (const auto& a : accounts) sessions[a] = SignIn(a);
  for (const auto& [route, allowed] : kExpectedRoles) {
    const std::string method = route.substr(0, route.find(' '));
    std::string path = route.substr(route.find(' ') + 1);
    for (auto [param, value] : {std::pair{"{ref}", ref},
                                {"{sha256}", photo_sha_},
                                {"{case}", "C-1"},
                                {"{id}", "1"},
                                {"{name}", "analyst2"}}) {
      if (auto pos = path.find(param); pos != std::string::npos) {
        path.replace(pos, std::string(param).size(), value);
      }
    }
    auto call = [&](const httplib::Headers& h) {
      httplib::Client c = Client();
      if (method == "GET") return c.Get(path, h);
      if (method == "PATCH") return c.Patch(path, h, "{}", "application/json");
      return c.Post(path, h, "{}", "application/json");
    };
    // No session: 401 unless public.
    auto anon = call({});
    ASSERT_TRUE(anon) << route;
    if (allowed.empty()) {
      EXPECT_NE(anon->status, 401) << route;
      continue;
    }
    EXPECT_EQ(anon->status, 401) << route;
    for (const auto& a : accounts) {
      auto res = call(sessions[a].headers());
      ASSERT_TRUE(res) << route << " as " << a;
      const bool may = allowed.count(role_of.at(a)) != 0;
      if (may) {
        EXPECT_NE(res->status, 401) << route << " as " << a << ": " << res->body;
        EXPECT_NE(res->status, 403) << route << " as " << a << ": " << res->body;
        EXPECT_THAT(res->body, ::testing::Not(HasSubstr("no such route"))) << route;
        EXPECT_LT(res->status, 500) << route << " as " << a << ": " << res->body;
      } else {
        EXPECT_EQ(res->status, 403) << route << " as " << a << ": " << res->body;
      }
      if (route == "POST /api/logout" && may) sessions[a] = SignIn(a);
    }
  }
}

TEST_F(ServerTest, SellerNetworkJoinsPostsByPhoneAndFindsPaths) {
  SignedIn s = SignIn("analyst");
  auto r = Client().Get("/api/network", s.headers());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto d = Parse(r->body);
  EXPECT_EQ(d["posts"].GetInt(), 3);  // the flagged posts
  std::set<std::string> ids;
  for (const auto& n : d["nodes"].GetArray()) ids.insert(n["id"].GetString());
  EXPECT_TRUE(ids.count("phone:+9647505550101")) << r->body;
  EXPECT_TRUE(ids.count("channel:jsonl/market")) << r->body;
  for (const auto& e : d["edges"].GetArray()) {
    EXPECT_TRUE(ids.count(e["source"].GetString()));
    EXPECT_TRUE(ids.count(e["target"].GetString()));
  }
  // The page is text: a hostile channel name comes back as a JSON string.
  EXPECT_TRUE(ids.count("channel:jsonl/<img src=x onerror=alert(1)>")) << r->body;

  auto near = Client().Get("/api/network?node=phone:%2B9647505550101&depth=1", s.headers());
  ASSERT_EQ(near->status, 200) << near->body;
  auto nd = Parse(near->body);
  ASSERT_EQ(nd["nodes"].Size(), 2u) << near->body;  // the phone and its post's channel
  EXPECT_EQ(nd["edges"].Size(), 1u);
  for (const auto& n : nd["nodes"].GetArray()) {
    // The phone is in post 1; the channel carries posts 1 and 3.
    const bool phone = std::string(n["kind"].GetString()) == "phone";
    ASSERT_EQ(n["sample"].Size(), phone ? 1u : 2u) << near->body;
    EXPECT_EQ(n["posts"].GetInt(), phone ? 1 : 2);
    // Newest first: the channel's sample starts with post 3.
    EXPECT_EQ(std::string(n["sample"][0]["key"].GetString()),
              phone ? "jsonl/market/1" : "jsonl/market/3");
  }

  auto path = Client().Get("/api/network/path?from=phone:%2B9647505550101&to=channel:jsonl/market",
                           s.headers());
  ASSERT_EQ(path->status, 200) << path->body;
  auto pd = Parse(path->body);
  EXPECT_TRUE(pd["connected"].GetBool());
  ASSERT_EQ(pd["nodes"].Size(), 2u);
  EXPECT_EQ(std::string(pd["nodes"][0]["id"].GetString()), "phone:+9647505550101");
  auto apart = Client().Get(
      "/api/network/path?from=phone:%2B9647505550101&to=channel:jsonl/"
      "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
      s.headers());
  ASSERT_EQ(apart->status, 200) << apart->body;
  EXPECT_FALSE(Parse(apart->body)["connected"].GetBool());

  EXPECT_EQ(Client().Get("/api/network?node=phone:%2B1", s.headers())->status, 404);
  EXPECT_EQ(Client().Get("/api/network?depth=9", s.headers())->status, 400);
  EXPECT_EQ(Client().Get("/api/network?limit=0", s.headers())->status, 400);
  EXPECT_EQ(Client().Get("/api/network/path?from=x", s.headers())->status, 400);
  auto one = Client().Get("/api/network?limit=1", s.headers());
  ASSERT_EQ(one->status, 200);
  EXPECT_TRUE(Parse(one->body)["truncated"].GetBool());
  EXPECT_EQ(Parse(one->body)["posts"].GetInt(), 1);
}

TEST_F(ServerTest, EscalatedPostsLeaveAsOneSignedBundle) {
  SignedIn coord = SignIn("coord"), analyst = SignIn("analyst");
  auto none = Client().Post("/api/evidence/escalated", coord.headers(), "", "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404) << none->body;
  EXPECT_THAT(none->body, HasSubstr("no post is escalated"));
  // Post 1 (with the photo) stays escalated; post 3's escalation is settled.
  const std::string one = PostRef({Platform::kJsonl, "market", "1"});
  const std::string three = PostRef({Platform::kJsonl, "market", "3"});
  for (auto [ref, decision] :
       {std::pair{one, "escalate"}, {three, "escalate"}, {three, "dismiss"}}) {
    auto r =
        Client().Post("/api/posts/" + ref + "/decisions", analyst.headers(),
                      std::string(R"({"decision":")") + decision + R"("})", "application/json");
    ASSERT_EQ(r->status, 201) << r->body;
  }
  EXPECT_EQ(
      Client().Post("/api/evidence/escalated", analyst.headers(), "", "application/json")->status,
      403);
  // The log of recent decisions, newest first.
  auto recent = Client().Get("/api/decisions?limit=2", coord.headers());
  ASSERT_EQ(recent->status, 200) << recent->body;
  auto rd = Parse(recent->body);
  ASSERT_EQ(rd["decisions"].Size(), 2u);
  EXPECT_EQ(std::string(rd["decisions"][0]["decision"].GetString()), "dismiss");
  EXPECT_EQ(std::string(rd["decisions"][0]["post"].GetString()), "jsonl/market/3");
  EXPECT_EQ(std::string(rd["decisions"][1]["decision"].GetString()), "escalate");
  EXPECT_EQ(std::string(rd["decisions"][0]["actor"].GetString()), "analyst");
  EXPECT_EQ(Client().Get("/api/decisions?limit=0", coord.headers())->status, 400);
  auto r = Client().Post("/api/evidence/escalated", coord.headers(), "", "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/zip");
  EXPECT_THAT(r->get_header_value("Content-Disposition"), HasSubstr("attachment"));
  EXPECT_EQ(r->get_header_value("X-Vigil-Originals"), "1");
  const fs::path zip = dir_ / "escalated.zip";
  testing::Spit(zip, r->body);
  const evidence::Verdict v = evidence::VerifyBundle(zip.string());
  EXPECT_TRUE(v.ok) << (v.problems.empty() ? "" : v.problems[0]);
  EXPECT_EQ(v.items, 1u);
  // Nothing of the bundle stays beside the database.
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().string().find(".export-"), std::string::npos) << e.path();
  }
}

TEST_F(ServerTest, APhotosOtherPostsAreListedBesideIt) {
  SignedIn s = SignIn("analyst");
  auto r = Client().Get("/api/posts/" + PostRef({Platform::kJsonl, "market", "1"}), s.headers());
  ASSERT_EQ(r->status, 200) << r->body;
  auto d = Parse(r->body);
  ASSERT_EQ(d["media"].Size(), 1u);
  ASSERT_TRUE(d["media"][0].HasMember("sha256")) << r->body;
  // The same photo in another channel's post is stacked beside it (the post
  // itself is not listed).
  const auto& reposts = d["media"][0]["reposts"];
  ASSERT_EQ(reposts.Size(), 1u) << r->body;
  EXPECT_EQ(std::string(reposts[0]["ref"].GetString()), PostRef({Platform::kJsonl, "other", "5"}));
  EXPECT_EQ(std::string(reposts[0]["sha256"].GetString()), photo_sha_);
  EXPECT_EQ(std::string(reposts[0]["channel_id"].GetString()), "other");
  EXPECT_FALSE(d["media"][0]["reposts_truncated"].GetBool());
}

TEST_F(ServerTest, SignInSetsAStrictCookieAndAnswersTheCsrfToken) {
  auto r = Login("coord", kPassword);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string cookie = r->get_header_value("Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie, ::testing::Not(HasSubstr("Secure")));  // no TLS here
  auto body = Parse(r->body);
  EXPECT_STREQ(body["user"].GetString(), "coord");
  EXPECT_STREQ(body["role"].GetString(), "coordinator");
  EXPECT_GE(std::string(body["csrf"].GetString()).size(), 32u);
  // The sign-in is in the audit log, as the account.
  auto last = inst_->AuditEntries(0, 1'000'000)->back();
  EXPECT_EQ(last.actor, "coord");
  EXPECT_EQ(last.action, "login");

  EXPECT_EQ(Login("coord", "wrong password here")->status, 401);
  EXPECT_EQ(Login("nobody", kPassword)->status, 401);
  EXPECT_EQ(Client().Post("/api/login", "{\"user\":\"coord\"}", "application/json")->status, 400);
}

TEST_F(ServerTest, StateChangesNeedTheCsrfToken) {
  const std::string ref = FirstRef();
  SignedIn s = SignIn("analyst");
  const std::string path = "/api/posts/" + ref + "/decisions";
  const std::string body = R"({"decision":"confirm","note":"sale post"})";
  const size_t audit_before = AuditSize();
  auto none = Client().Post(path, {{"Cookie", s.cookie}}, body, "application/json");
  EXPECT_EQ(none->status, 403);
  auto wrong = Client().Post(path, {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf + "x"}}, body,
                             "application/json");
  EXPECT_EQ(wrong->status, 403);
  // Another session's token does not do either.
  SignedIn other = SignIn("coord");
  auto foreign = Client().Post(path, {{"Cookie", s.cookie}, {"X-CSRF-Token", other.csrf}}, body,
                               "application/json");
  EXPECT_EQ(foreign->status, 403);
  EXPECT_EQ(AuditSize(), audit_before + 1) << "only coord's sign-in was logged";
  EXPECT_TRUE(inst_->store().Decisions(std::nullopt)->empty());

  auto ok = Client().Post(path, s.headers(), body, "application/json");
  ASSERT_EQ(ok->status, 201) << ok->body;
  auto decisions = *inst_->store().Decisions(std::nullopt);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].actor, "analyst");
  EXPECT_EQ(decisions[0].note, "sale post");
  auto last = inst_->AuditEntries(0, 1'000'000)->back();
  EXPECT_EQ(last.actor, "analyst");
  EXPECT_EQ(last.action, "decision");
  EXPECT_THAT(last.details, HasSubstr("confirm"));
}

TEST_F(ServerTest, NeverAdoptsASessionTheClientBrings) {
  // A token the client made up is not a session, and sign-in mints a new one.
  auto r = Client().Get("/api/me", {{"Cookie", "vigil_session=attacker-chosen-token"}});
  EXPECT_EQ(r->status, 401);
  SignedIn first = SignIn("analyst");
  auto again = Login("analyst", kPassword, {{"Cookie", first.cookie}});
  ASSERT_EQ(again->status, 200);
  const std::string second = again->get_header_value("Set-Cookie");
  EXPECT_NE(second.substr(0, second.find(';')), first.cookie);
  // The session presented at sign-in ended.
  EXPECT_EQ(Client().Get("/api/me", first.headers())->status, 401);
  // Logout ends a session.
  SignedIn third = SignIn("analyst");
  EXPECT_EQ(Client().Get("/api/me", third.headers())->status, 200);
  EXPECT_EQ(Client().Post("/api/logout", third.headers(), "", "application/json")->status, 200);
  EXPECT_EQ(Client().Get("/api/me", third.headers())->status, 401);
}

TEST_F(ServerTest, SessionsExpire) {
  SignedIn s = SignIn("analyst");
  now_ += 29 * 60;
  EXPECT_EQ(Client().Get("/api/me", s.headers())->status, 200);
  now_ += 29 * 60;  // used 29 minutes ago: still live
  EXPECT_EQ(Client().Get("/api/me", s.headers())->status, 200);
  now_ += 30 * 60;  // idle for 30 minutes
  EXPECT_EQ(Client().Get("/api/me", s.headers())->status, 401);
  // And at most 12 hours after sign-in, however busy.
  SignedIn busy = SignIn("analyst");
  for (int i = 0; i < 26; ++i) {
    now_ += 29 * 60;
    const int status = Client().Get("/api/me", busy.headers())->status;
    EXPECT_EQ(status, (i + 1) * 29 * 60 < 12 * 3600 ? 200 : 401) << i;
  }
}

TEST_F(ServerTest, FailedSignInsAreRateLimitedPerAccountAndAddress) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Login("coord", "wrong password here")->status, 401);
  auto locked = Login("coord", kPassword);
  EXPECT_EQ(locked->status, 429) << "locked, even with the right password";
  EXPECT_FALSE(locked->get_header_value("Retry-After").empty());
  // The address is locked too (five failures from it), for every account.
  EXPECT_EQ(Login("analyst", kPassword)->status, 429);
  now_ += 15 * 60;
  EXPECT_EQ(Login("coord", kPassword)->status, 200);
  EXPECT_EQ(Login("analyst", kPassword)->status, 200);
}

TEST_F(ServerTest, DisabledAccountsAreSignedOutAndCannotSignIn) {
  SignedIn admin = SignIn("admin");
  SignedIn analyst = SignIn("analyst");
  auto r = Client().Patch("/api/accounts/analyst", admin.headers(), R"({"disabled":true})",
                          "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Client().Get("/api/me", analyst.headers())->status, 401);
  EXPECT_EQ(Login("analyst", kPassword)->status, 401);
  // Accounts are made through the API too, and listed without hashes.
  r = Client().Post("/api/accounts", admin.headers(),
                    R"({"name":"newcomer","role":"auditor","password":"another long passphrase"})",
                    "application/json");
  ASSERT_EQ(r->status, 201) << r->body;
  r = Client().Get("/api/accounts", admin.headers());
  EXPECT_THAT(r->body, HasSubstr("\"newcomer\""));
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("argon2")));
  EXPECT_EQ(Login("newcomer", "another long passphrase")->status, 200);
}

TEST_F(ServerTest, TwoReviewersNeverHoldTheSameItem) {
  SignedIn a = SignIn("analyst"), b = SignIn("analyst2");
  auto ra = Client().Post("/api/queue/next", a.headers(), "", "application/json");
  auto rb = Client().Post("/api/queue/next", b.headers(), "", "application/json");
  ASSERT_EQ(ra->status, 200);
  ASSERT_EQ(rb->status, 200);
  const std::string ref_a = Parse(ra->body)["ref"].GetString();
  const std::string ref_b = Parse(rb->body)["ref"].GetString();
  EXPECT_NE(ref_a, ref_b);
  // The queue shows who holds what; b cannot decide a's item.
  auto q = Client().Get("/api/queue", b.headers());
  EXPECT_THAT(q->body, HasSubstr("\"held_by\":\"analyst\""));
  auto clash = Client().Post("/api/posts/" + ref_a + "/decisions", b.headers(),
                             R"({"decision":"dismiss"})", "application/json");
  EXPECT_EQ(clash->status, 409);
  auto done = Client().Post("/api/posts/" + ref_a + "/decisions", a.headers(),
                            R"({"decision":"confirm"})", "application/json");
  EXPECT_EQ(done->status, 201);
  // Decided items leave the queue; the lease ran out for b's after 10 min.
  for (const auto& [ref, text] : QueueItems(a)) EXPECT_NE(ref, ref_a);
  now_ += 10 * 60;
  auto rc = Client().Post("/api/queue/next", a.headers(), "", "application/json");
  EXPECT_EQ(Parse(rc->body)["ref"].GetString(), ref_b);
  // b gets the third flagged post, and again on asking again (a reviewer's
  // own lease); once it is decided, nothing is left.
  auto rd = Client().Post("/api/queue/next", b.headers(), "", "application/json");
  const std::string ref_d = Parse(rd->body)["ref"].GetString();
  EXPECT_NE(ref_d, ref_b);
  auto again = Client().Post("/api/queue/next", b.headers(), "", "application/json");
  EXPECT_EQ(Parse(again->body)["ref"].GetString(), ref_d);
  for (const auto& [who, ref] : {std::pair{a, ref_b}, {b, ref_d}}) {
    EXPECT_EQ(Client()
                  .Post("/api/posts/" + ref + "/decisions", who.headers(),
                        R"({"decision":"escalate"})", "application/json")
                  ->status,
              201);
  }
  auto re = Client().Post("/api/queue/next", b.headers(), "", "application/json");
  EXPECT_EQ(re->body, "{\"item\":null}");
}

TEST_F(ServerTest, AnalystsSeeCaseCodesAndCoordinatorsSeePersons) {
  auto analyst = Client().Get("/api/registry/persons", SignIn("analyst").headers());
  ASSERT_EQ(analyst->status, 200);
  EXPECT_THAT(analyst->body, HasSubstr("\"case_code\":\"C-1\""));
  EXPECT_THAT(analyst->body, ::testing::Not(HasSubstr("Synthetic")));
  EXPECT_THAT(analyst->body, ::testing::Not(HasSubstr("+964")));
  SignedIn coord = SignIn("coord");
  auto full = Client().Get("/api/registry/persons", coord.headers());
  EXPECT_THAT(full->body, HasSubstr("Synthetic Person"));
  EXPECT_THAT(full->body, HasSubstr("+964 750 000 0000"));
  // Coordinators change status and record sightings; the figures follow.
  auto st = Client().Post("/api/registry/persons/C-1/status", coord.headers(),
                          R"({"status":"sighted","reason":"seen in a post"})", "application/json");
  ASSERT_EQ(st->status, 200) << st->body;
  const std::string ref = FirstRef();
  // Post 1 carries the photo (the only media).
  std::string photo_ref;
  for (const auto& [r, text] : QueueItems(SignIn("analyst"))) {
    if (text.find("+964 750 555 0101") != std::string::npos) photo_ref = r;
  }
  ASSERT_FALSE(photo_ref.empty());
  auto si = Client().Post(
      "/api/registry/persons/C-1/sightings", coord.headers(),
      "{\"post\":\"" + photo_ref + "\",\"media_sha256\":\"" + photo_sha_ + "\",\"distance\":0.3}",
      "application/json");
  ASSERT_EQ(si->status, 201) << si->body;
  auto person = Parse(Client().Get("/api/registry/persons/C-1", coord.headers())->body);
  EXPECT_STREQ(person["status"].GetString(), "sighted");
  ASSERT_EQ(person["sightings"].Size(), 1u);
  EXPECT_STREQ(person["sightings"][0]["actor"].GetString(), "coord");
  auto stats = Parse(Client().Get("/api/stats", coord.headers())->body);
  EXPECT_EQ(stats["registry"]["by_status"]["sighted"].GetInt(), 1);
  EXPECT_EQ(stats["totals"]["flagged"].GetInt(), 3);
}

TEST_F(ServerTest, ServesOriginalsAndLogsEachView) {
  SignedIn s = SignIn("analyst");
  const size_t before = AuditSize();
  auto r = Client().Get("/api/media/" + photo_sha_, s.headers());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(Sha256Hex(r->body), photo_sha_);
  EXPECT_EQ(AuditSize(), before + 1);
  auto last = inst_->AuditEntries(0, 1'000'000)->back();
  EXPECT_EQ(last.action, "view");
  EXPECT_EQ(last.items, std::vector<std::string>{photo_sha_});
  // Not a SHA-256, or a way out of the vault: refused, nothing logged.
  for (const std::string& bad : std::vector<std::string>{
           "/api/media/..%2F..%2Fvigil.keys", "/api/media/../vigil.keys",
           "/api/media/" + std::string(64, 'g'), "/api/media/%2e%2e%2fvigil.db"}) {
    auto b = Client().Get(bad, s.headers());
    ASSERT_TRUE(b) << bad;
    EXPECT_TRUE(b->status == 400 || b->status == 404) << bad << " " << b->status;
  }
  EXPECT_EQ(Client().Get("/api/media/" + std::string(64, 'a'), s.headers())->status, 404);
  EXPECT_EQ(AuditSize(), before + 2) << "the missing one was logged as a view attempt";
}

TEST_F(ServerTest, MarkupInPostsIsReturnedAsInertJson) {
  SignedIn s = SignIn("analyst");
  std::string ref;
  for (const auto& [r, text] : QueueItems(s)) {
    if (text.find("<script>") != std::string::npos) ref = r;
  }
  ASSERT_FALSE(ref.empty());
  auto r = Client().Get("/api/posts/" + ref, s.headers());
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  auto d = Parse(r->body);
  EXPECT_THAT(d["text"].GetString(), HasSubstr("<script>alert(1)</script>"));
  EXPECT_STREQ(d["channel_id"].GetString(), "<img src=x onerror=alert(1)>");
  EXPECT_TRUE(d["reasons"].Size() > 0);
  // The reasons' byte offsets point into the text as given.
  const std::string text = d["text"].GetString();
  for (const auto& reason : d["reasons"].GetArray()) {
    EXPECT_LE(reason["end"].GetInt(), static_cast<int>(text.size()));
  }
}

TEST_F(ServerTest, BadRequestsGetClearErrorsAndWriteNothing) {
  const std::string ref = FirstRef();
  SignedIn s = SignIn("analyst");
  const size_t audit_before = AuditSize();
  const std::string path = "/api/posts/" + ref + "/decisions";
  struct Case {
    std::string body, type;
    int status;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"{\"decision\":", "application/json", 400, "malformed JSON"},
           {"[1,2]", "application/json", 400, "JSON object"},
           {R"({"decision":"confirm","admin":true})", "application/json", 400, "unknown field"},
           {R"({"decision":7})", "application/json", 400, "must be a string"},
           {R"({"decision":"maybe"})", "application/json", 400, "confirm, dismiss or escalate"},
           {R"({"decision":"confirm","note":")" + std::string(5000, 'x') + "\"}",
            "application/json", 400, "4000"},
           {"decision=confirm", "application/x-www-form-urlencoded", 415, "application/json"},
           {"{\"note\":\"" + std::string(2 << 20, 'x') + "\"}", "application/json", 413,
            "too large"},
       }) {
    auto r = Client().Post(path, s.headers(), c.body, c.type.c_str());
    ASSERT_TRUE(r) << c.says;
    EXPECT_EQ(r->status, c.status) << c.says << ": " << r->body;
    EXPECT_THAT(r->body, HasSubstr(c.says));
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  }
  EXPECT_EQ(Client().Get("/api/posts/zz", s.headers())->status, 400);
  EXPECT_EQ(Client().Get("/api/posts/" + ref + "00", s.headers())->status, 400);
  EXPECT_EQ(Client().Get("/api/nothing-here", s.headers())->status, 404);
  EXPECT_EQ(Client().Get("/api/queue?limit=100000", s.headers())->status, 400);
  EXPECT_EQ(Client().Get("/api/queue?category=bogus", s.headers())->status, 400);
  EXPECT_EQ(Client().Get("/api/queue?lang=EN'--", s.headers())->status, 400);
  EXPECT_EQ(Client().Get("/api/queue?lang=kmr", s.headers())->status, 200);
  EXPECT_TRUE(inst_->store().Decisions(std::nullopt)->empty());
  EXPECT_EQ(AuditSize(), audit_before);
}

TEST_F(ServerTest, EveryResponseCarriesTheSecurityHeaders) {
  const fs::path web = dir_ / "web";
  fs::create_directories(web);
  testing::Spit(web / "index.html", "<!doctype html><title>vigil</title>");
  testing::Spit(dir_ / "secret.txt", "not for the web");
  server_->Stop();
  thread_.join();
  ServerOptions o;
  o.web_dir = web;
  Start(o);
  SignedIn s = SignIn("analyst");
  for (const auto& [path, status] :
       std::vector<std::pair<std::string, int>>{{"/", 200},
                                                {"/index.html", 200},
                                                {"/api/me", 401},
                                                {"/api/openapi.json", 200},
                                                {"/nothing", 404}}) {
    auto r = Client().Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, status) << path;
    const std::string csp = r->get_header_value("Content-Security-Policy");
    EXPECT_THAT(csp, HasSubstr("script-src 'self'")) << path;
    EXPECT_THAT(csp, ::testing::Not(HasSubstr("unsafe-inline"))) << path;
    EXPECT_THAT(csp, ::testing::Not(HasSubstr("unsafe-eval"))) << path;
    EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'")) << path;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << path;
  }
  EXPECT_EQ(Client().Get("/api/me", s.headers())->get_header_value("Cache-Control"), "no-store");
  // Nothing outside the web folder.
  for (const std::string bad : {"/../secret.txt", "/..%2Fsecret.txt", "/%2e%2e/secret.txt"}) {
    auto r = Client().Get(bad);
    ASSERT_TRUE(r) << bad;
    EXPECT_NE(r->status, 200) << bad;
    EXPECT_THAT(r->body, ::testing::Not(HasSubstr("not for the web"))) << bad;
  }
}

TEST_F(ServerTest, StopEndsRunEvenBeforeItListens) {
  // Stop at once after starting, many times: Run must end each time (a
  // Stop that came before the listening loop began was once lost, and the
  // join below hung).
  for (int i = 0; i < 50; ++i) {
    server_->Stop();
    thread_.join();
    Start({});
  }
  EXPECT_EQ(Client().Get("/api/me")->status, 401);
  // A Stop before Run: Run returns at once.
  ServerOptions o;
  o.port = 0;
  auto srv = Server::Create(*inst_, o);
  ASSERT_TRUE(srv.ok());
  ASSERT_TRUE((*srv)->Bind().ok());
  (*srv)->Stop();
  EXPECT_TRUE((*srv)->Run().ok());
}

TEST(ListenAddressTest, OnlyLoopbackWithoutTls) {
  ServerOptions o;
  EXPECT_TRUE(CheckListenAddress(o).ok());
  o.host = "::1";
  EXPECT_TRUE(CheckListenAddress(o).ok());
  o.host = "0.0.0.0";
  EXPECT_THAT(CheckListenAddress(o).message(), HasSubstr("without TLS"));
  o.insecure = true;
  EXPECT_TRUE(CheckListenAddress(o).ok());
  o.insecure = false;
  o.tls_cert = "cert.pem";
  EXPECT_THAT(CheckListenAddress(o).message(), HasSubstr("go together"));
  o.tls_key = "key.pem";
  EXPECT_TRUE(CheckListenAddress(o).ok());
}

TEST(PostRefTest, RoundTripsAnyIds) {
  for (const PostKey& k :
       {PostKey{Platform::kTelegram, "-100123", "812"}, PostKey{Platform::kJsonl, "a/b", "c/d/e"},
        PostKey{Platform::kFolder, "", ""}}) {
    EXPECT_EQ(ParsePostRef(PostRef(k)), k);
    EXPECT_EQ(PostRef(k).find_first_not_of("0123456789abcdef"), std::string::npos);
  }
  EXPECT_FALSE(ParsePostRef("zz").has_value());
  EXPECT_FALSE(ParsePostRef("").has_value());
  EXPECT_FALSE(ParsePostRef("6e6f6e65").has_value());  // "none": no separators
}

}  // namespace
}  // namespace vigil::server
