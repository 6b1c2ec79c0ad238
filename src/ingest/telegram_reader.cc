#include "src/ingest/telegram_reader.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "src/ingest/ingest_util.h"
#include "src/ingest/json_helpers.h"
#include "vigil/core/time.h"

namespace vigil::ingest {
namespace {

namespace fs = std::filesystem;
using rapidjson::SizeType;
using rapidjson::Value;

constexpr std::string_view kPlaceholderPrefix = "(File ";

// Where the SAX router is in the document outside a captured message.
enum class Role { kRoot, kChatsHolder, kChatList, kChat, kMessages, kOther };

struct ChatInfo {
  std::string id, title, type;
  int64_t next_index = 0;
};

struct Frame {
  Role role;
  std::string key;  // last key seen in this object
  ChatInfo chat;    // for kRoot and kChat
};

MediaKind KindFromMediaType(std::string_view media_type, std::string_view mime) {
  if (media_type == "sticker") return MediaKind::kSticker;
  if (media_type == "video_message" || media_type == "video_file") return MediaKind::kVideo;
  if (media_type == "voice_message" || media_type == "audio_file") return MediaKind::kAudio;
  if (media_type == "animation") return MediaKind::kAnimation;
  if (mime.starts_with("image/")) return MediaKind::kPhoto;
  if (mime.starts_with("video/")) return MediaKind::kVideo;
  if (mime.starts_with("audio/")) return MediaKind::kAudio;
  return MediaKind::kDocument;
}

// Appends the text of a Telegram `text` / `text_entities` value to `post`.
// False when the value is neither a string nor an array.
bool AppendText(const Value& v, Post& post) {
  if (v.IsString()) {
    post.text += *AsString(&v);
    return true;
  }
  if (!v.IsArray()) return false;
  for (const Value& part : v.GetArray()) {
    if (part.IsString()) {
      post.text += *AsString(&part);
      continue;
    }
    if (!part.IsObject()) continue;
    std::string text = StringOr(part, "text");
    std::string type = StringOr(part, "type", "plain");
    post.text += text;
    if (type != "plain") {
      post.entities.push_back({std::move(type), std::move(text), StringOr(part, "href")});
    }
  }
  return true;
}

std::string PeerId(const Value* v) {
  if (v == nullptr) return {};
  if (v->IsString()) return *AsString(v);
  // Exports before v2.7.2 wrote the bare user id.
  if (auto n = AsInt64(v)) return "user" + IdToString(*n);
  return {};
}

class TelegramReader;

// The SAX handler: routes events outside messages, and forwards the events
// of one message into a fresh rapidjson::Document, converts it, drops it.
class Router {
 public:
  Router(const TelegramReader& reader, PostSink& sink, ChunkedJsonStream& stream);

  bool Null() {
    return Scalar([](auto& d) { return d.Null(); }, nullptr);
  }
  bool Bool(bool b) {
    return Scalar([b](auto& d) { return d.Bool(b); }, nullptr);
  }
  bool Int(int i) { return Int64(i); }
  bool Uint(unsigned u) { return Int64(u); }
  bool Int64(int64_t i) {
    Value v(i);
    return Scalar([i](auto& d) { return d.Int64(i); }, &v);
  }
  bool Uint64(uint64_t u) {
    Value v(u);
    return Scalar([u](auto& d) { return d.Uint64(u); }, &v);
  }
  bool Double(double x) {
    return Scalar([x](auto& d) { return d.Double(x); }, nullptr);
  }
  bool RawNumber(const char* s, SizeType n, bool copy) { return String(s, n, copy); }
  bool String(const char* s, SizeType n, bool copy) {
    Value v(rapidjson::StringRef(s, n));
    return Scalar([=](auto& d) { return d.String(s, n, copy); }, &v);
  }
  bool Key(const char* s, SizeType n, bool copy) {
    if (capturing_) return Forward([=](auto& d) { return d.Key(s, n, copy); });
    if (!stack_.empty()) stack_.back().key.assign(s, n);
    return true;
  }
  bool StartObject();
  bool EndObject(SizeType n);
  bool StartArray();
  bool EndArray(SizeType n);

  const Status& sink_status() const { return sink_status_; }
  bool saw_messages() const { return saw_messages_; }

 private:
  template <typename F>
  bool Forward(F&& f);
  template <typename F>
  bool Scalar(F&& f, const Value* v);
  bool FinishMessage();
  void NonObjectMessage();
  ChatInfo& CurrentChat() { return stack_[stack_.size() - 2].chat; }
  Result<Post> Convert(const Value& m, const ChatInfo& chat, const std::string& item);
  void AddMedia(const Value& m, const char* key, MediaKind kind, Post& post);

  const TelegramReader& reader_;
  PostSink& sink_;
  ChunkedJsonStream& stream_;
  std::vector<Frame> stack_;
  Status sink_status_;
  bool saw_messages_ = false;

  // The message being captured.
  bool capturing_ = false;
  bool skipping_ = false;  // over a limit: events are counted, not stored
  std::string skip_reason_;
  uint32_t depth_ = 0;
  size_t start_offset_ = 0;
  std::optional<rapidjson::Document> doc_;
};

class TelegramReader : public Reader {
 public:
  TelegramReader(fs::path file, ReaderOptions options)
      : file_(std::move(file)), options_(std::move(options)) {
    media_root_ = file_.parent_path();
    if (media_root_.empty()) media_root_ = ".";
  }
  std::string Describe() const override { return "telegram json: " + file_.string(); }
  Status Read(PostSink& sink) override;
  uint64_t SizeBytes() const override { return FileBytes(file_); }

  const fs::path& file() const { return file_; }
  const fs::path& media_root() const { return media_root_; }
  const Limits& limits() const { return options_.limits; }

 private:
  fs::path file_;
  fs::path media_root_;
  ReaderOptions options_;
};

Router::Router(const TelegramReader& reader, PostSink& sink, ChunkedJsonStream& stream)
    : reader_(reader), sink_(sink), stream_(stream) {}

template <typename F>
bool Router::Forward(F&& f) {
  if (skipping_) return true;
  f(*doc_);
  if (stream_.Tell() - start_offset_ > reader_.limits().max_item_bytes) {
    skipping_ = true;
    skip_reason_ = "message larger than " + std::to_string(reader_.limits().max_item_bytes) +
                   " bytes, skipped";
    doc_.reset();
  } else if (depth_ > reader_.limits().max_json_depth) {
    skipping_ = true;
    skip_reason_ = "message nested deeper than " + std::to_string(reader_.limits().max_json_depth) +
                   ", skipped";
    doc_.reset();
  }
  return true;
}

template <typename F>
bool Router::Scalar(F&& f, const Value* v) {
  if (capturing_) return Forward(std::forward<F>(f));
  if (stack_.empty()) return true;
  Frame& top = stack_.back();
  if (top.role == Role::kMessages) {
    NonObjectMessage();
  } else if (top.role == Role::kRoot || top.role == Role::kChat) {
    if (v != nullptr && top.key == "id") {
      if (v->IsString()) top.chat.id = *AsString(v);
      if (auto n = AsInt64(v)) top.chat.id = IdToString(*n);
    } else if (v != nullptr && v->IsString() && top.key == "name") {
      top.chat.title = *AsString(v);
    } else if (v != nullptr && v->IsString() && top.key == "type") {
      top.chat.type = *AsString(v);
    }
  }
  return true;
}

void Router::NonObjectMessage() {
  ChatInfo& owner = CurrentChat();
  sink_.OnError({reader_.file().string(), "message #" + std::to_string(owner.next_index++),
                 "not a JSON object"});
}

bool Router::StartObject() {
  if (capturing_) {
    ++depth_;
    return Forward([](auto& d) { return d.StartObject(); });
  }
  if (stack_.empty()) {
    stack_.push_back({Role::kRoot, {}, {}});
    return true;
  }
  Frame& parent = stack_.back();
  switch (parent.role) {
    case Role::kMessages:
      capturing_ = true;
      skipping_ = false;
      depth_ = 1;
      start_offset_ = stream_.Tell();
      doc_.emplace();
      doc_->StartObject();
      return true;
    case Role::kChatList:
      stack_.push_back({Role::kChat, {}, {}});
      return true;
    case Role::kRoot:
      if (parent.key == "chats" || parent.key == "left_chats") {
        stack_.push_back({Role::kChatsHolder, {}, {}});
        return true;
      }
      break;
    default:
      break;
  }
  stack_.push_back({Role::kOther, {}, {}});
  return true;
}

bool Router::StartArray() {
  if (capturing_) {
    ++depth_;
    return Forward([](auto& d) { return d.StartArray(); });
  }
  Role role = Role::kOther;
  if (!stack_.empty()) {
    Frame& parent = stack_.back();
    if ((parent.role == Role::kRoot || parent.role == Role::kChat) && parent.key == "messages") {
      role = Role::kMessages;
      saw_messages_ = true;
    } else if (parent.role == Role::kChatsHolder && parent.key == "list") {
      role = Role::kChatList;
    } else if (parent.role == Role::kMessages) {
      NonObjectMessage();
    }
  }
  stack_.push_back({role, {}, {}});
  return true;
}

bool Router::EndObject(SizeType n) {
  if (capturing_) {
    Forward([n](auto& d) { return d.EndObject(n); });
    if (--depth_ == 0) return FinishMessage();
    return true;
  }
  if (!stack_.empty()) stack_.pop_back();
  return true;
}

bool Router::EndArray(SizeType n) {
  if (capturing_) {
    --depth_;
    return Forward([n](auto& d) { return d.EndArray(n); });
  }
  if (!stack_.empty()) stack_.pop_back();
  return true;
}

bool Router::FinishMessage() {
  capturing_ = false;
  ChatInfo& chat = CurrentChat();
  const int64_t index = chat.next_index++;
  const std::string file = reader_.file().string();
  if (skipping_) {
    skipping_ = false;
    sink_.OnError({file, "message #" + std::to_string(index), skip_reason_});
    return true;
  }
  // Populate() moves the one value left on the document's stack into it.
  auto take_stack = [](rapidjson::Document&) { return true; };
  doc_->Populate(take_stack);
  const Value& m = *doc_;
  std::string external_id;
  if (auto id = AsInt64(Member(m, "id"))) {
    external_id = IdToString(*id);
  } else {
    external_id = "#" + std::to_string(index);
  }
  Result<Post> post = Convert(m, chat, external_id);
  doc_.reset();
  if (!post.ok()) {
    sink_.OnError({file, "message " + external_id, post.status().message()});
    return true;
  }
  post->external_id = std::move(external_id);
  Status st = sink_.OnPost(std::move(post).value());
  if (!st.ok()) {
    sink_status_ = std::move(st);
    return false;
  }
  return true;
}

void Router::AddMedia(const Value& m, const char* key, MediaKind kind, Post& post) {
  auto path = AsString(Member(m, key));
  if (!path || path->empty()) return;
  MediaRef ref;
  ref.kind = kind;
  if (std::string_view(*path).starts_with(kPlaceholderPrefix)) {
    ref.missing_reason = *path;
  } else {
    ResolvedPath r = ResolveInside(reader_.media_root(), *path);
    ref.path = std::move(r.path);
    ref.missing_reason = std::move(r.missing_reason);
    ref.name = BaseName(*path);
  }
  std::string_view k(key);
  if (k == "photo") {
    if (auto n = AsInt64(Member(m, "photo_file_size")); n && *n >= 0) ref.declared_size = *n;
  } else if (k == "file") {
    ref.mime = StringOr(m, "mime_type");
    ref.kind = KindFromMediaType(StringOr(m, "media_type"), ref.mime);
    if (auto name = AsString(Member(m, "file_name"))) ref.name = *name;
    if (auto n = AsInt64(Member(m, "file_size")); n && *n >= 0) ref.declared_size = *n;
  }
  if (k != "thumbnail") {
    auto w = AsInt64(Member(m, "width")), h = AsInt64(Member(m, "height"));
    if (w && *w > 0 && *w < (1 << 30)) ref.declared_width = static_cast<int>(*w);
    if (h && *h > 0 && *h < (1 << 30)) ref.declared_height = static_cast<int>(*h);
  }
  post.media.push_back(std::move(ref));
}

Result<Post> Router::Convert(const Value& m, const ChatInfo& chat, const std::string& id) {
  Post p;
  p.platform = Platform::kTelegram;
  p.channel.id = !chat.id.empty()      ? chat.id
                 : !chat.title.empty() ? chat.title
                                       : reader_.file().stem().string();
  p.channel.title = chat.title;
  p.channel.type = chat.type;
  p.source_file = reader_.file().string();
  p.source_item = "message " + id;

  if (const Value* idv = Member(m, "id"); idv != nullptr && !AsInt64(idv)) {
    return Status::Corrupt("\"id\" is not a number");
  }
  const std::string type = StringOr(m, "type", "message");
  p.service = type == "service";

  // Time: date_unixtime is UTC; date is the exporting PC's wall clock.
  std::optional<int64_t> unix = AsInt64(Member(m, "date_unixtime"));
  std::optional<std::string> date = AsString(Member(m, "date"));
  std::optional<int> date_offset;
  std::optional<int64_t> local = date ? ParseIso8601(*date, &date_offset) : std::nullopt;
  if (unix) {
    p.time = *unix;
    p.time_is_utc = true;
    if (date) p.local_time = *date;
    if (local && !date_offset) {
      const int64_t diff = *local - *unix;
      p.utc_offset_minutes = static_cast<int>((diff + (diff >= 0 ? 30 : -30)) / 60);
    }
  } else if (local) {
    p.time = *local;
    p.time_is_utc = date_offset.has_value();
    p.local_time = *date;
  } else {
    return Status::Corrupt("no valid \"date\" or \"date_unixtime\"");
  }

  if (p.service) {
    p.author.name = StringOr(m, "actor");
    p.author.id = PeerId(Member(m, "actor_id"));
    if (auto action = AsString(Member(m, "action"))) {
      p.entities.push_back({"action", *action, {}});
    }
  } else {
    p.author.name = StringOr(m, "from");
    p.author.id = PeerId(Member(m, "from_id"));
  }

  const Value* entities = Member(m, "text_entities");
  const Value* text = Member(m, "text");
  std::vector<Entity> service_entities = std::move(p.entities);
  p.entities.clear();
  if (entities != nullptr && entities->IsArray()) {
    AppendText(*entities, p);
  } else if (text != nullptr && !text->IsNull() && !AppendText(*text, p)) {
    return Status::Corrupt("\"text\" is neither a string nor an array");
  }
  for (Entity& e : service_entities) p.entities.push_back(std::move(e));

  AddMedia(m, "photo", MediaKind::kPhoto, p);
  AddMedia(m, "file", MediaKind::kDocument, p);
  AddMedia(m, "thumbnail", MediaKind::kPhoto, p);

  p.forwarded_from = StringOr(m, "forwarded_from");
  if (auto r = AsInt64(Member(m, "reply_to_message_id"))) p.reply_to = IdToString(*r);
  if (const Value* e = Member(m, "edited")) {
    p.edited = !(e->IsBool() && !e->GetBool()) && !e->IsNull();
  }
  if (Member(m, "edited_unixtime") != nullptr) p.edited = true;
  return p;
}

Status TelegramReader::Read(PostSink& sink) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(file_, ec);
  if (!ec && size > options_.limits.max_file_bytes) {
    return Status::ResourceExhausted(file_.string() + ": file larger than " +
                                     std::to_string(options_.limits.max_file_bytes) + " bytes");
  }
  auto f = OpenForRead(file_);
  if (!f.ok()) return f.status();
  ChunkedJsonStream stream(f->get(), &sink);
  Router router(*this, sink, stream);
  rapidjson::Reader reader;
  rapidjson::ParseResult r =
      reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseNanAndInfFlag>(stream, router);
  if (!router.sink_status().ok()) return router.sink_status();
  if (stream.io_error()) return Status::IoError(file_.string() + ": read error");
  if (r.IsError()) {
    return Status::Corrupt(file_.string() + ": byte " + std::to_string(r.Offset()) + ": " +
                           rapidjson::GetParseError_En(r.Code()));
  }
  if (!router.saw_messages()) {
    return Status::Unsupported(file_.string() + ": no Telegram \"messages\" array");
  }
  return Status::Ok();
}

}  // namespace

std::unique_ptr<Reader> MakeTelegramReader(const fs::path& json_file,
                                           const ReaderOptions& options) {
  return std::make_unique<TelegramReader>(json_file, options);
}

}  // namespace vigil::ingest
