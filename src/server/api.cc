// The review app's API: the route table (who may call what) and one handler
// per route over app::Installation. Answers are JSON (application/json,
// never HTML, so text from posts is inert); errors are {"error": "..."}.
#include "src/server/api.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "vigil/app/network.h"
#include "vigil/core/digest.h"
#include "vigil/core/json_writer.h"
#include "vigil/core/post.h"
#include "vigil/evidence/credentials.h"
#include "vigil/media/inspect.h"
#include "vigil/server/server.h"
#include "vigil/store/clusters.h"

namespace vigil::server {
namespace {

using store::Role;
namespace fs = std::filesystem;
constexpr size_t kMaxNote = 4000;
// A repost cluster shown beside one photo follows at most this many files
// and lists at most this many of their posts.
constexpr size_t kMaxClusterFiles = 64, kMaxClusterPosts = 200;
// The seller network drawn without a node to centre on: its strongest nodes.
constexpr size_t kMaxDrawnNodes = 1500;
// An escalation bundle larger than this is refused here (the CLI writes any
// size to a file: vigil evidence export --escalated).
constexpr uintmax_t kMaxBundleBytes = uintmax_t{512} << 20;

const std::vector<Role> kAnyRole = {Role::kAdmin, Role::kCoordinator, Role::kAnalyst,
                                    Role::kAuditor};
const std::vector<Role> kReviewers = {Role::kCoordinator, Role::kAnalyst};
const std::vector<Role> kCoordinators = {Role::kCoordinator};
const std::vector<Role> kAuditors = {Role::kAuditor};
const std::vector<Role> kAdmins = {Role::kAdmin};

Response Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Error(int status, std::string_view message) {
  JsonWriter w;
  w.BeginObject().Key("error").String(message).EndObject();
  return Json(status, w.str());
}

// The HTTP status for a use case's failure.
Response FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return Error(404, s.message());
    case StatusCode::kInvalidArgument:
    case StatusCode::kUnsupported:
      return Error(400, s.message());
    case StatusCode::kResourceExhausted:
      return Error(503, s.message());
    default:
      return Error(500, s.message());
  }
}

// A JSON object body with only `allowed` members; the error answer otherwise.
struct Body {
  rapidjson::Document doc;
  std::optional<Response> error;
  // Null when absent, and when the body was not a JSON object at all (the
  // caller then answers `error`; rapidjson asserts on members of non-objects).
  const rapidjson::Value* Get(const char* key) const {
    if (!doc.IsObject()) return nullptr;
    auto it = doc.FindMember(key);
    return it == doc.MemberEnd() ? nullptr : &it->value;
  }
  // A string member: its value, "" when absent; sets `error` when not a string.
  std::string String(const char* key, bool required = false) {
    const rapidjson::Value* v = Get(key);
    if (v == nullptr) {
      if (required && !error) error = Error(400, std::string("missing \"") + key + "\"");
      return {};
    }
    if (!v->IsString()) {
      if (!error) error = Error(400, std::string("\"") + key + "\" must be a string");
      return {};
    }
    return std::string(v->GetString(), v->GetStringLength());
  }
};

Body ParseBody(const Request& req, std::initializer_list<const char*> allowed) {
  Body b;
  if (req.content_type.rfind("application/json", 0) != 0) {
    b.error = Error(415, "the body must be application/json");
    return b;
  }
  b.doc.Parse(req.body.data(), req.body.size());
  if (b.doc.HasParseError()) {
    b.error =
        Error(400, std::string("malformed JSON at byte ") + std::to_string(b.doc.GetErrorOffset()) +
                       ": " + rapidjson::GetParseError_En(b.doc.GetParseError()));
    return b;
  }
  if (!b.doc.IsObject()) {
    b.error = Error(400, "the body must be a JSON object");
    return b;
  }
  for (const auto& m : b.doc.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; })) {
      b.error = Error(400, "unknown field \"" + std::string(name) + "\"");
      return b;
    }
  }
  return b;
}

std::optional<int64_t> ParseInt(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Query parameter `key` as an integer in [lo, hi]; `fallback` when absent;
// kInvalidArgument naming the range otherwise.
Result<int64_t> IntParam(const Request& req, const std::string& key, int64_t fallback, int64_t lo,
                         int64_t hi) {
  const std::string v = req.Query(key);
  if (v.empty()) return fallback;
  const auto n = ParseInt(v);
  if (!n || *n < lo || *n > hi) {
    return Status::InvalidArgument(key + " must be " + std::to_string(lo) + ".." +
                                   std::to_string(hi));
  }
  return *n;
}

bool Allowed(const std::vector<Role>& roles, Role r) {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

std::string SessionCookie(const std::string& token, bool secure) {
  return std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

void WritePostSummary(JsonWriter& w, const store::ScanRecord& r) {
  const Post& p = r.post;
  w.Key("ref").String(PostRef(KeyOf(p)));
  w.Key("platform").String(PlatformName(p.platform));
  w.Key("channel_id").String(p.channel.id);
  w.Key("channel_title").String(p.channel.title);
  w.Key("external_id").String(p.external_id);
  w.Key("author").String(p.author.name);
  w.Key("time").Int(p.time);
  w.Key("text").String(p.text);
  w.Key("category").String(text::CategoryName(r.analysis.category));
  w.Key("score").Double(r.analysis.score);
  w.Key("reasons").BeginArray();
  for (const auto& x : r.analysis.reasons) {
    w.BeginObject()
        .Key("class")
        .String(x.klass)
        .Key("term")
        .String(x.term)
        .Key("lang")
        .String(x.lang)
        .Key("begin")
        .Int(static_cast<int64_t>(x.span.begin))
        .Key("end")
        .Int(static_cast<int64_t>(x.span.end))
        .EndObject();
  }
  w.EndArray();
  w.Key("media_count").Int(static_cast<int64_t>(p.media.size()));
}

// Who holds a post for review, or null.
void WriteHolder(JsonWriter& w, const std::string& holder) {
  w.Key("held_by");
  if (holder.empty()) {
    w.Null();
  } else {
    w.String(holder);
  }
}

Result<store::PostQuery> QueueQuery(const Request& req) {
  store::PostQuery q;
  q.flagged_only = req.Query("all") != "1";
  q.undecided_only = req.Query("decided") != "1";
  if (const std::string p = req.Query("platform"); !p.empty()) {
    q.platform = PlatformFromName(p);
    if (!q.platform) return Status::InvalidArgument("unknown platform '" + p + "'");
  }
  q.channel_id = req.Query("channel");
  if (const std::string c = req.Query("category"); !c.empty()) {
    q.category = text::CategoryFromName(c);
    if (!q.category) return Status::InvalidArgument("unknown category '" + c + "'");
  }
  for (auto [key, field] : {std::pair{"since", &q.since}, std::pair{"until", &q.until}}) {
    if (const std::string v = req.Query(key); !v.empty()) {
      *field = ParseInt(v);
      if (!*field) return Status::InvalidArgument(std::string(key) + " must be unix seconds");
    }
  }
  if (const std::string l = req.Query("lang"); !l.empty()) {
    if (l.size() > 8 ||
        !std::all_of(l.begin(), l.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
      return Status::InvalidArgument("lang is a lexicon's language code (en, ar, kmr, ckb)");
    }
    q.lang = l;
  }
  q.with_media_match = req.Query("media_match") == "1";
  q.with_face_candidate = req.Query("face_candidate") == "1";
  if (req.Query("order") == "time") q.order = store::PostOrder::kTime;
  VIGIL_ASSIGN_OR_RETURN(const int64_t limit,
                         IntParam(req, "limit", static_cast<int64_t>(q.limit), 1, 200));
  q.limit = static_cast<size_t>(limit);
  q.after = req.Query("after");
  return q;
}

// The seller network's options from the query: all=1 (every post, not only
// flagged ones), limit (the newest posts read, 1..50000).
Result<app::NetworkOptions> NetworkQuery(const Request& req) {
  app::NetworkOptions o;
  o.flagged_only = req.Query("all") != "1";
  VIGIL_ASSIGN_OR_RETURN(const int64_t limit,
                         IntParam(req, "limit", static_cast<int64_t>(o.max_posts), 1, 50000));
  o.max_posts = static_cast<size_t>(limit);
  return o;
}

// One decision; `with_post` adds which post it was on (ref and key), for
// lists that span posts.
void WriteDecision(JsonWriter& w, const store::Decision& d, bool with_post) {
  w.BeginObject().Key("id").Int(d.id);
  if (with_post) w.Key("ref").String(PostRef(d.post)).Key("post").String(FormatPostKey(d.post));
  w.Key("decision").String(store::DecisionTypeName(d.type)).Key("note").String(d.note);
  w.Key("actor").String(d.actor).Key("time").Int(d.time).EndObject();
}

void WriteNetwork(JsonWriter& w, const app::SellerNetwork& n) {
  w.Key("posts").Int(static_cast<int64_t>(n.posts)).Key("truncated").Bool(n.truncated);
  w.Key("nodes").BeginArray();
  for (const app::NetworkNode& node : n.nodes) {
    w.BeginObject().Key("id").String(node.id).Key("kind").String(node.kind);
    w.Key("label").String(node.label).Key("posts").Int(static_cast<int64_t>(node.posts));
    w.Key("sample").BeginArray();
    for (const PostKey& k : node.sample) {
      w.BeginObject().Key("ref").String(PostRef(k)).Key("key").String(FormatPostKey(k)).EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().Key("edges").BeginArray();
  for (const app::NetworkEdge& e : n.edges) {
    w.BeginObject()
        .Key("source")
        .String(n.nodes[e.a].id)
        .Key("target")
        .String(n.nodes[e.b].id)
        .Key("posts")
        .Int(static_cast<int64_t>(e.posts))
        .EndObject();
  }
  w.EndArray();
}

}  // namespace

Api::Api(app::Installation& inst, ApiOptions options)
    : inst_(inst),
      options_(std::move(options)),
      sessions_(options_.idle_seconds, options_.max_age_seconds),
      limiter_(options_.login_failures, options_.login_window_seconds),
      leases_(options_.lease_seconds) {
  routes_ = {
      {"POST", "/api/login", {}, &Api::Login},
      {"GET", "/api/openapi.json", {}, &Api::OpenApi},
      {"POST", "/api/logout", kAnyRole, &Api::Logout},
      {"GET", "/api/me", kAnyRole, &Api::Me},
      {"GET", "/api/stats", kAnyRole, &Api::Stats},
      {"GET", "/api/queue", kReviewers, &Api::Queue},
      {"POST", "/api/queue/next", kReviewers, &Api::QueueNext},
      {"GET", "/api/posts/{ref}", kReviewers, &Api::GetPost},
      {"POST", "/api/posts/{ref}/decisions", kReviewers, &Api::Decide},
      {"GET", "/api/decisions", kReviewers, &Api::RecentDecisions},
      {"GET", "/api/media/{sha256}", kReviewers, &Api::Media},
      {"GET", "/api/network", kReviewers, &Api::Network},
      {"POST", "/api/evidence/escalated", kCoordinators, &Api::ExportEscalated},
      {"GET", "/api/network/path", kReviewers, &Api::NetworkPath},
      {"GET", "/api/registry/persons", kReviewers, &Api::Persons},
      {"GET", "/api/registry/persons/{case}", kCoordinators, &Api::Person},
      {"GET", "/api/registry/persons/{case}/photos/{id}", kCoordinators, &Api::PersonPhoto},
      {"POST", "/api/registry/persons/{case}/status", kCoordinators, &Api::PersonStatus},
      {"POST", "/api/registry/persons/{case}/sightings", kCoordinators, &Api::Sighting},
      {"GET", "/api/audit", kAuditors, &Api::AuditLog},
      {"GET", "/api/audit/verify", kAuditors, &Api::AuditVerify},
      {"GET", "/api/accounts", kAdmins, &Api::Accounts},
      {"POST", "/api/accounts", kAdmins, &Api::AddAccount},
      {"PATCH", "/api/accounts/{name}", kAdmins, &Api::ChangeAccount},
  };
}

std::unique_lock<std::mutex> Api::Use(const Caller& caller) {
  std::unique_lock lock(mu_);
  inst_.ActAs(caller.account);
  return lock;
}

Response Api::Handle(const ApiRoute& route, const Request& req) {
  Caller caller;
  if (!route.roles.empty()) {
    std::optional<Session> s = sessions_.Touch(req.token, Now());
    if (!s) return Error(401, "sign in first (no session, or it has ended)");
    caller.account = s->account;
    caller.role = s->role;
    caller.token = req.token;
    caller.csrf = s->csrf;
    // The account as it is now: changed since sign-in (disabled, a new
    // password; by the CLI too), the session ends.
    {
      std::lock_guard lock(mu_);
      auto a = inst_.db().accounts().GetAccount(s->account);
      if (!a.ok()) return FromStatus(a.status());
      if (!*a || (*a)->disabled || (*a)->updated != s->account_updated ||
          Sha256Hex((*a)->password_hash) != s->credential) {
        sessions_.Remove(req.token);
        return Error(401, "sign in again (the account was disabled or changed)");
      }
    }
    if (req.method != "GET" && !evidence::ConstantTimeEquals(req.csrf, s->csrf)) {
      return Error(403, "missing or wrong X-CSRF-Token");
    }
    if (!Allowed(route.roles, s->role)) {
      return Error(403, "the " + std::string(store::RoleName(s->role)) + " role may not do this");
    }
  }
  return (this->*route.handler)(req, caller);
}

// --- sessions -----------------------------------------------------------------

Response Api::Login(const Request& req, const Caller&) {
  Body b = ParseBody(req, {"user", "password"});
  const std::string user = b.String("user", true);
  const std::string password = b.String("password", true);
  if (b.error) return *b.error;
  const int64_t now = Now();
  const std::string by_user = "user:" + user, by_address = "address:" + req.address;
  const int64_t wait =
      std::max(limiter_.RetryAfter(by_user, now), limiter_.RetryAfter(by_address, now));
  if (wait > 0) {
    Response r = Error(429, "too many failed sign-ins; try again later");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  std::optional<store::Account> account;
  {
    std::lock_guard lock(mu_);
    auto a = inst_.Authenticate(user, password);
    if (!a.ok()) return FromStatus(a.status());
    account = std::move(a).value();
    if (account) {
      inst_.ActAs(account->name);
      Status s = inst_.Audit("login", "from " + req.address);
      if (!s.ok()) return FromStatus(s);
    }
  }
  if (!account) {
    limiter_.Fail(by_user, now);
    limiter_.Fail(by_address, now);
    return Error(401, "wrong account name or password");
  }
  limiter_.Succeed(by_user);
  // Never keep a session the client brought: a new token at every sign-in.
  if (!req.token.empty()) sessions_.Remove(req.token);
  const std::string token = sessions_.Create(*account, now);
  const Session s = *sessions_.Touch(token, now);
  JsonWriter w;
  w.BeginObject()
      .Key("csrf")
      .String(s.csrf)
      .Key("user")
      .String(s.account)
      .Key("role")
      .String(store::RoleName(s.role))
      .EndObject();
  Response r = Json(200, w.str());
  r.headers.emplace_back("Set-Cookie", SessionCookie(token, options_.secure_cookie));
  return r;
}

Response Api::Logout(const Request&, const Caller& caller) {
  sessions_.Remove(caller.token);
  Response r = Json(200, "{}");
  r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) +
                                           "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
                                           (options_.secure_cookie ? "; Secure" : ""));
  return r;
}

Response Api::Me(const Request&, const Caller& caller) {
  JsonWriter w;
  w.BeginObject()
      .Key("user")
      .String(caller.account)
      .Key("role")
      .String(store::RoleName(caller.role))
      .Key("csrf")
      .String(caller.csrf)
      .EndObject();
  return Json(200, w.str());
}

Response Api::OpenApi(const Request&, const Caller&) {
  std::ifstream in(options_.openapi, std::ios::binary);
  if (!in) return Error(500, "no OpenAPI document at " + options_.openapi.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return Json(200, ss.str());
}

// --- the review queue and posts -------------------------------------------------

Response Api::Queue(const Request& req, const Caller& caller) {
  auto q = QueueQuery(req);
  if (!q.ok()) return FromStatus(q.status());
  auto lock = Use(caller);
  auto page = inst_.store().ListPosts(*q);
  if (!page.ok()) return FromStatus(page.status());
  const int64_t now = Now();
  JsonWriter w;
  w.BeginObject().Key("items").BeginArray();
  for (const auto& r : page->records) {
    w.BeginObject();
    WritePostSummary(w, r);
    WriteHolder(w, leases_.Holder(PostRef(KeyOf(r.post)), now));
    w.EndObject();
  }
  w.EndArray().Key("next").String(page->next).EndObject();
  return Json(200, w.str());
}

Response Api::QueueNext(const Request& req, const Caller& caller) {
  auto q = QueueQuery(req);
  if (!q.ok()) return FromStatus(q.status());
  q->undecided_only = true;
  auto lock = Use(caller);
  const int64_t now = Now();
  // Pages until an item nobody else holds; a bounded walk.
  for (int pages = 0; pages < 50; ++pages) {
    auto page = inst_.store().ListPosts(*q);
    if (!page.ok()) return FromStatus(page.status());
    for (const auto& r : page->records) {
      const std::string ref = PostRef(KeyOf(r.post));
      if (!leases_.Claim(ref, caller.account, now)) continue;
      JsonWriter w;
      w.BeginObject();
      WritePostSummary(w, r);
      WriteHolder(w, caller.account);
      w.Key("lease_until").Int(now + leases_.seconds());
      w.EndObject();
      return Json(200, w.str());
    }
    if (page->next.empty()) break;
    q->after = page->next;
  }
  return Json(200, "{\"item\":null}");
}

Response Api::GetPost(const Request& req, const Caller& caller) {
  const auto key = ParsePostRef(req.params.at(0));
  if (!key) return Error(400, "not a post reference");
  auto lock = Use(caller);
  auto r = inst_.store().GetPost(*key);
  if (!r.ok()) return FromStatus(r.status());
  if (!*r) return Error(404, "no such post");
  const store::ScanRecord& rec = **r;
  auto decisions = inst_.store().Decisions(*key);
  if (!decisions.ok()) return FromStatus(decisions.status());
  JsonWriter w;
  w.BeginObject();
  WritePostSummary(w, rec);
  WriteHolder(w, leases_.Holder(PostRef(*key), Now()));
  w.Key("selectors").BeginArray();
  for (const auto& s : rec.analysis.selectors) {
    w.BeginObject().Key("kind").String(s.kind).Key("value").String(s.value).EndObject();
  }
  w.EndArray();
  w.Key("media").BeginArray();
  for (size_t i = 0; i < rec.post.media.size(); ++i) {
    const MediaRef& ref = rec.post.media[i];
    w.BeginObject().Key("name").String(ref.name).Key("kind").String(MediaKindName(ref.kind));
    if (i < rec.media.size() && rec.media[i].info) {
      const store::MediaResult& m = rec.media[i];
      const media::MediaInfo& info = *m.info;
      w.Key("sha256").String(info.sha256).Key("type").String(info.type);
      w.Key("size").Int(static_cast<int64_t>(info.size));
      w.Key("width").Int(info.width).Key("height").Int(info.height);
      w.Key("pdq").String(info.pdq).Key("pdq_quality").Int(info.pdq_quality);
      w.Key("matches").BeginArray();
      for (const auto& x : m.matches) {
        w.BeginObject()
            .Key("kind")
            .String(store::MatchKindName(x.kind))
            .Key("target")
            .String(x.target)
            .Key("list")
            .String(x.list)
            .Key("signal_type")
            .String(x.signal_type)
            .Key("labels")
            .String(x.labels)
            .Key("distance")
            .Int(x.distance)
            .EndObject();
      }
      w.EndArray();
      // The other posts that carried this photo or a repost of it (stacked,
      // so that a reviewer meets one photo once).
      auto cluster =
          store::LoadRepostCluster(inst_.store(), info.sha256, kMaxClusterFiles, kMaxClusterPosts);
      if (!cluster.ok()) return FromStatus(cluster.status());
      w.Key("reposts").BeginArray();
      for (const store::MediaAppearance& a : cluster->cluster.appearances) {
        const PostKey other{a.platform, a.channel_id, a.external_id};
        if (other == *key && a.sha256 == info.sha256) continue;
        w.BeginObject()
            .Key("ref")
            .String(PostRef(other))
            .Key("platform")
            .String(PlatformName(a.platform))
            .Key("channel_id")
            .String(a.channel_id)
            .Key("channel_title")
            .String(a.channel_title)
            .Key("external_id")
            .String(a.external_id)
            .Key("time")
            .Int(a.time)
            .Key("sha256")
            .String(a.sha256)
            .EndObject();
      }
      w.EndArray();
      w.Key("reposts_truncated").Bool(cluster->truncated);
      auto faces = inst_.db().registry().FaceMatchesOfMedia(info.sha256);
      if (!faces.ok()) return FromStatus(faces.status());
      // Case codes only: names and photos are the coordinators' (registry routes).
      w.Key("registry_candidates").BeginArray();
      for (const auto& f : *faces) {
        w.BeginObject()
            .Key("case_code")
            .String(f.case_code)
            .Key("photo_id")
            .Int(f.photo_id)
            .Key("face")
            .Int(f.face)
            .Key("kind")
            .String(store::CandidateKindName(f.kind))
            .Key("distance")
            .Double(f.distance)
            .EndObject();
      }
      w.EndArray();
    } else {
      w.Key("error").String(i < rec.media.size() ? rec.media[i].error : ref.missing_reason);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("decisions").BeginArray();
  for (const auto& d : *decisions) WriteDecision(w, d, /*with_post=*/false);
  w.EndArray().EndObject();
  return Json(200, w.str());
}

Response Api::RecentDecisions(const Request& req, const Caller& caller) {
  const auto limit = IntParam(req, "limit", 20, 1, 200);
  if (!limit.ok()) return FromStatus(limit.status());
  auto lock = Use(caller);
  auto decisions = inst_.store().RecentDecisions(static_cast<size_t>(*limit));
  if (!decisions.ok()) return FromStatus(decisions.status());
  JsonWriter w;
  w.BeginObject().Key("decisions").BeginArray();
  for (const store::Decision& d : *decisions) WriteDecision(w, d, /*with_post=*/true);
  w.EndArray().EndObject();
  return Json(200, w.str());
}

Response Api::Decide(const Request& req, const Caller& caller) {
  const auto key = ParsePostRef(req.params.at(0));
  if (!key) return Error(400, "not a post reference");
  Body b = ParseBody(req, {"decision", "note"});
  const std::string type_name = b.String("decision", true);
  const std::string note = b.String("note");
  if (b.error) return *b.error;
  const auto type = store::DecisionTypeFromName(type_name);
  if (!type) return Error(400, "decision must be confirm, dismiss or escalate");
  if (note.size() > kMaxNote) return Error(400, "the note is longer than 4000 bytes");
  const std::string ref = PostRef(*key);
  const std::string holder = leases_.Holder(ref, Now());
  if (!holder.empty() && holder != caller.account) {
    return Error(409, "another reviewer (" + holder + ") holds this post");
  }
  auto lock = Use(caller);
  auto id = inst_.Decide(*key, *type, note);
  if (!id.ok()) return FromStatus(id.status());
  leases_.Release(ref);
  return Json(201, "{\"id\":" + std::to_string(*id) + "}");
}

Response Api::Media(const Request& req, const Caller& caller) {
  const std::string& sha = req.params.at(0);
  if (!IsSha256Hex(sha)) return Error(400, "not a SHA-256 (64 lower-case hex digits)");
  auto lock = Use(caller);
  auto bytes = inst_.ViewOriginal(sha);
  if (!bytes.ok()) return FromStatus(bytes.status());
  Response r;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes->data());
  const std::string type = media::SniffType({p, std::min<size_t>(bytes->size(), 64)});
  // Only image and video types the page shows; anything else is a download.
  static const std::set<std::string> kShown = {"jpeg", "png", "webp", "gif", "mp4", "webm"};
  if (kShown.count(type) != 0) {
    r.content_type = (type == "mp4" || type == "webm" ? "video/" : "image/") + type;
  } else {
    r.content_type = "application/octet-stream";
    r.headers.emplace_back("Content-Disposition", "attachment");
  }
  r.body = std::move(bytes).value();
  return r;
}

// --- the registry -----------------------------------------------------------------

namespace {

void WritePersonFields(JsonWriter& w, const registry::PersonFields& f) {
  w.Key("names").BeginArray();
  for (const auto& n : f.names) w.String(n);
  w.EndArray().Key("aliases").BeginArray();
  for (const auto& n : f.aliases) w.String(n);
  w.EndArray();
  w.Key("sex").String(f.sex).Key("birth_year").Int(f.birth_year);
  w.Key("place").String(f.place).Key("date").String(f.date);
  w.Key("family_contact").String(f.family_contact).Key("notes").String(f.notes);
}

}  // namespace

Response Api::Persons(const Request&, const Caller& caller) {
  auto lock = Use(caller);
  auto persons = inst_.ListPersons();
  if (!persons.ok()) return FromStatus(persons.status());
  const bool full = caller.role == Role::kCoordinator;
  JsonWriter w;
  w.BeginObject().Key("persons").BeginArray();
  for (const auto& p : *persons) {
    w.BeginObject().Key("case_code").String(p.case_code);
    w.Key("status").String(registry::StatusName(p.status));
    if (full) {
      WritePersonFields(w, p.fields);
      w.Key("created").Int(p.created).Key("updated").Int(p.updated);
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
  return Json(200, w.str());
}

Response Api::Person(const Request& req, const Caller& caller) {
  auto lock = Use(caller);
  auto view = inst_.ShowPerson(req.params.at(0));
  if (!view.ok()) return FromStatus(view.status());
  const registry::PersonRecord& rec = view->record;
  JsonWriter w;
  w.BeginObject().Key("case_code").String(rec.person.case_code);
  w.Key("status").String(registry::StatusName(rec.person.status));
  WritePersonFields(w, rec.person.fields);
  w.Key("history").BeginArray();
  for (const auto& h : rec.history) {
    w.BeginObject().Key("from");
    if (h.from) {
      w.String(registry::StatusName(*h.from));
    } else {
      w.Null();
    }
    w.Key("to").String(registry::StatusName(h.to)).Key("actor").String(h.actor);
    w.Key("time").Int(h.time).Key("reason").String(h.reason).EndObject();
  }
  w.EndArray().Key("photos").BeginArray();
  for (const auto& p : rec.photos) {
    w.BeginObject().Key("id").Int(p.id).Key("added").Int(p.added).EndObject();
  }
  w.EndArray().Key("sightings").BeginArray();
  for (const auto& s : rec.sightings) {
    w.BeginObject().Key("id").Int(s.id).Key("media_sha256").String(s.media_sha256);
    w.Key("platform").String(s.platform).Key("channel_id").String(s.channel_id);
    w.Key("external_id").String(s.external_id).Key("post_time").Int(s.post_time);
    w.Key("distance").Double(s.distance).Key("actor").String(s.actor).Key("time").Int(s.time);
    w.EndObject();
  }
  w.EndArray().Key("candidates").BeginArray();
  for (const auto& c : view->candidates) {
    w.BeginObject().Key("media_sha256").String(c.sha256).Key("face").Int(c.face);
    w.Key("photo_id").Int(c.photo_id).Key("kind").String(store::CandidateKindName(c.kind));
    w.Key("distance").Double(c.distance).EndObject();
  }
  w.EndArray().EndObject();
  return Json(200, w.str());
}

Response Api::PersonPhoto(const Request& req, const Caller& caller) {
  const auto id = ParseInt(req.params.at(1));
  if (!id) return Error(400, "a photo id is a number");
  auto lock = Use(caller);
  auto bytes = inst_.PersonPhoto(req.params.at(0), *id);
  if (!bytes.ok()) return FromStatus(bytes.status());
  Response r;
  const std::string type = media::SniffType(*bytes);
  r.content_type = type == "unknown" ? "application/octet-stream" : "image/" + type;
  r.body.assign(bytes->begin(), bytes->end());
  return r;
}

Response Api::PersonStatus(const Request& req, const Caller& caller) {
  Body b = ParseBody(req, {"status", "reason"});
  const std::string name = b.String("status", true);
  const std::string reason = b.String("reason");
  if (b.error) return *b.error;
  const auto to = registry::ParseStatus(name);
  if (!to) return Error(400, "unknown status '" + name + "'");
  auto lock = Use(caller);
  const Status s = inst_.SetCaseStatus(req.params.at(0), *to, reason);
  if (!s.ok()) return FromStatus(s);
  return Json(200, "{}");
}

Response Api::Sighting(const Request& req, const Caller& caller) {
  Body b = ParseBody(req, {"post", "media_sha256", "distance"});
  const std::string post = b.String("post", true);
  const std::string media = b.String("media_sha256");
  double distance = 0;
  if (const rapidjson::Value* d = b.Get("distance"); d != nullptr) {
    if (!d->IsNumber()) return Error(400, "\"distance\" must be a number");
    distance = d->GetDouble();
  }
  if (b.error) return *b.error;
  const auto key = ParsePostRef(post);
  if (!key) return Error(400, "\"post\" is not a post reference");
  if (!media.empty() && !IsSha256Hex(media)) return Error(400, "\"media_sha256\" is not a SHA-256");
  auto lock = Use(caller);
  const Status s = inst_.RecordSighting(req.params.at(0), *key, media, distance);
  if (!s.ok()) return FromStatus(s);
  return Json(201, "{}");
}

// --- statistics, audit, accounts ----------------------------------------------------

Response Api::Network(const Request& req, const Caller& caller) {
  auto options = NetworkQuery(req);
  if (!options.ok()) return FromStatus(options.status());
  const auto depth = IntParam(req, "depth", 2, 1, 6);
  if (!depth.ok()) return FromStatus(depth.status());
  auto lock = Use(caller);
  auto network = app::BuildSellerNetwork(inst_.store(), *options);
  if (!network.ok()) return FromStatus(network.status());
  app::SellerNetwork shown = std::move(*network);
  if (const std::string node = req.Query("node"); !node.empty()) {
    const auto at = shown.Find(node);
    if (!at) return Error(404, "no node \"" + node + "\" in the network");
    shown = app::Neighbourhood(shown, *at, static_cast<int>(*depth));
  }
  shown = app::Strongest(shown, kMaxDrawnNodes);
  JsonWriter w;
  w.BeginObject();
  WriteNetwork(w, shown);
  w.EndObject();
  return Json(200, w.str());
}

Response Api::ExportEscalated(const Request&, const Caller& caller) {
  auto lock = Use(caller);
  // The bundle is written under the name the coordinator downloads, so the
  // custody record of the export names that file, in a private folder beside
  // the database (never a shared /tmp); answered, then removed: the
  // installation keeps no copy but its custody record.
  const std::string name = "vigil-escalated-" + std::to_string(Now()) + ".zip";
  const fs::path folder = fs::path(inst_.paths().home) / (".export-" + evidence::RandomToken(16));
  std::error_code ec;
  if (!fs::create_directory(folder, ec)) return Error(500, "cannot make " + folder.string());
  fs::permissions(folder, fs::perms::owner_all, fs::perm_options::replace, ec);
  struct Remove {
    fs::path p;
    ~Remove() {
      std::error_code ignored;
      fs::remove_all(p, ignored);
    }
  } remove{folder};
  app::EvidenceSelection selection;
  selection.escalated = true;
  const fs::path out = folder / name;
  auto originals = inst_.ExportEvidence(selection, out);
  if (!originals.ok()) return FromStatus(originals.status());
  const uintmax_t size = fs::file_size(out, ec);
  if (ec) return Error(500, "cannot read the bundle just written");
  if (size > kMaxBundleBytes) {
    return Error(413, "the bundle holds " + std::to_string(size >> 20) +
                          " MiB, more than the app hands out (" +
                          std::to_string(kMaxBundleBytes >> 20) +
                          " MiB): use vigil evidence export --escalated -o FILE");
  }
  std::ifstream in(out, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return Error(500, "cannot read the bundle just written");
  Response r;
  r.content_type = "application/zip";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  r.headers.emplace_back("X-Vigil-Originals", std::to_string(*originals));
  r.body = std::move(bytes).str();
  return r;
}

Response Api::NetworkPath(const Request& req, const Caller& caller) {
  auto options = NetworkQuery(req);
  if (!options.ok()) return FromStatus(options.status());
  const std::string from = req.Query("from"), to = req.Query("to");
  if (from.empty() || to.empty()) return Error(400, "from and to name two nodes");
  auto lock = Use(caller);
  auto network = app::BuildSellerNetwork(inst_.store(), *options);
  if (!network.ok()) return FromStatus(network.status());
  const auto a = network->Find(from), b = network->Find(to);
  if (!a || !b) return Error(404, "no node \"" + (a ? to : from) + "\" in the network");
  const std::vector<size_t> path = app::ShortestPath(*network, *a, *b);
  // The path as a network of its own: its nodes in order, the edges between.
  app::SellerNetwork on_path;
  on_path.posts = network->posts;
  on_path.truncated = network->truncated;
  for (size_t i = 0; i < path.size(); ++i) {
    on_path.nodes.push_back(network->nodes[path[i]]);
    if (i == 0) continue;
    const size_t x = std::min(path[i - 1], path[i]), y = std::max(path[i - 1], path[i]);
    for (const app::NetworkEdge& e : network->edges) {
      if (e.a == x && e.b == y) on_path.edges.push_back({i - 1, i, e.posts});
    }
  }
  JsonWriter w;
  w.BeginObject().Key("connected").Bool(!path.empty());
  WriteNetwork(w, on_path);
  w.EndObject();
  return Json(200, w.str());
}

Response Api::Stats(const Request&, const Caller& caller) {
  auto lock = Use(caller);
  auto totals = inst_.store().GetTotals();
  if (!totals.ok()) return FromStatus(totals.status());
  auto months = inst_.store().CountByMonth();
  if (!months.ok()) return FromStatus(months.status());
  auto decisions = inst_.store().Decisions(std::nullopt);
  if (!decisions.ok()) return FromStatus(decisions.status());
  auto reg = inst_.RegistryStats();
  if (!reg.ok()) return FromStatus(reg.status());
  auto sightings = inst_.db().registry().Sightings("");
  if (!sightings.ok()) return FromStatus(sightings.status());
  JsonWriter w;
  w.BeginObject().Key("totals").BeginObject();
  w.Key("posts").Int(totals->posts).Key("flagged").Int(totals->flagged);
  w.Key("media").Int(totals->media).Key("selectors").Int(totals->selectors);
  w.Key("errors").Int(totals->errors).EndObject();
  w.Key("posts_by_month").BeginArray();
  for (const auto& m : *months) {
    w.BeginObject().Key("month").String(m.month);
    w.Key("category").String(text::CategoryName(m.category)).Key("count").Int(m.count);
    w.EndObject();
  }
  w.EndArray();
  std::map<std::string, int64_t> by_type;
  for (const auto& d : *decisions) ++by_type[std::string(store::DecisionTypeName(d.type))];
  w.Key("decisions").BeginObject();
  for (const char* t : {"confirm", "dismiss", "escalate"}) w.Key(t).Int(by_type[t]);
  w.EndObject();
  w.Key("registry").BeginObject().Key("persons").Int(reg->persons);
  w.Key("confirmed_matches").Int(static_cast<int64_t>(sightings->size()));
  w.Key("by_status").BeginObject();
  for (const auto& [status, n] : reg->by_status) w.Key(registry::StatusName(status)).Int(n);
  w.EndObject().Key("changes_by_month").BeginArray();
  for (const auto& [month, changes] : reg->transitions_by_month) {
    for (const auto& [status, n] : changes) {
      w.BeginObject().Key("month").String(month).Key("status").String(registry::StatusName(status));
      w.Key("count").Int(n).EndObject();
    }
  }
  w.EndArray().EndObject().EndObject();
  return Json(200, w.str());
}

Response Api::AuditLog(const Request& req, const Caller& caller) {
  const auto from = IntParam(req, "from", 0, 0, INT64_MAX);
  if (!from.ok()) return FromStatus(from.status());
  const auto limit = IntParam(req, "limit", 100, 1, 1000);
  if (!limit.ok()) return FromStatus(limit.status());
  auto lock = Use(caller);
  auto entries = inst_.AuditEntries(static_cast<uint64_t>(*from), static_cast<size_t>(*limit) + 1);
  if (!entries.ok()) return FromStatus(entries.status());
  const bool more = entries->size() > static_cast<size_t>(*limit);
  if (more) entries->pop_back();
  JsonWriter w;
  w.BeginObject().Key("entries").BeginArray();
  for (const auto& e : *entries) {
    w.BeginObject().Key("seq").Int(static_cast<int64_t>(e.seq)).Key("time").Int(e.time);
    w.Key("actor").String(e.actor).Key("action").String(e.action);
    w.Key("details").String(e.details).Key("items").BeginArray();
    for (const auto& i : e.items) w.String(i);
    w.EndArray().Key("entry_hash").String(e.entry_hash).EndObject();
  }
  w.EndArray().Key("next");
  if (more) {
    w.Int(static_cast<int64_t>(entries->back().seq + 1));
  } else {
    w.Null();
  }
  w.EndObject();
  return Json(200, w.str());
}

Response Api::AuditVerify(const Request&, const Caller& caller) {
  auto lock = Use(caller);
  auto v = inst_.VerifyInstallation();
  if (!v.ok()) return FromStatus(v.status());
  JsonWriter w;
  w.BeginObject().Key("ok").Bool(v->ok).Key("problems").BeginArray();
  for (const auto& p : v->problems) w.String(p);
  w.EndArray().Key("signer_key_id").String(v->signer_key_id);
  w.Key("items").Int(static_cast<int64_t>(v->items)).EndObject();
  return Json(200, w.str());
}

Response Api::Accounts(const Request&, const Caller& caller) {
  auto lock = Use(caller);
  auto accounts = inst_.ListAccounts();
  if (!accounts.ok()) return FromStatus(accounts.status());
  JsonWriter w;
  w.BeginObject().Key("accounts").BeginArray();
  for (const auto& a : *accounts) {
    w.BeginObject().Key("name").String(a.name).Key("role").String(store::RoleName(a.role));
    w.Key("disabled").Bool(a.disabled).Key("created").Int(a.created);
    w.Key("updated").Int(a.updated).EndObject();
  }
  w.EndArray().EndObject();
  return Json(200, w.str());
}

Response Api::AddAccount(const Request& req, const Caller& caller) {
  Body b = ParseBody(req, {"name", "role", "password"});
  const std::string name = b.String("name", true);
  const std::string role_name = b.String("role", true);
  const std::string password = b.String("password", true);
  if (b.error) return *b.error;
  const auto role = store::RoleFromName(role_name);
  if (!role) return Error(400, "role must be admin, coordinator, analyst or auditor");
  auto lock = Use(caller);
  const Status s = inst_.AddAccount(name, *role, password);
  if (!s.ok()) return FromStatus(s);
  return Json(201, "{}");
}

Response Api::ChangeAccount(const Request& req, const Caller& caller) {
  Body b = ParseBody(req, {"disabled", "password"});
  std::optional<bool> disabled;
  if (const rapidjson::Value* d = b.Get("disabled"); d != nullptr) {
    if (!d->IsBool()) return Error(400, "\"disabled\" must be true or false");
    disabled = d->GetBool();
  }
  const std::string password = b.String("password");
  if (b.error) return *b.error;
  const std::string& name = req.params.at(0);
  if (disabled && *disabled && name == caller.account) {
    return Error(400, "an admin cannot disable their own account");
  }
  auto lock = Use(caller);
  if (disabled) {
    const Status s = inst_.SetAccountDisabled(name, *disabled);
    if (!s.ok()) return FromStatus(s);
  }
  if (!password.empty()) {
    const Status s = inst_.SetAccountPassword(name, password);
    if (!s.ok()) return FromStatus(s);
  }
  // Disabled, or a new password: the account's sessions end.
  if ((disabled && *disabled) || !password.empty()) sessions_.RemoveAccount(name);
  return Json(200, "{}");
}

}  // namespace vigil::server
