// Post: the one record every reader produces and everything downstream reads.
//
// A Post is what a channel showed: who said what, when, where, with which
// media. Readers (ingest) fill it from Telegram, WhatsApp, Facebook, JSONL or
// a folder of images; analysis, store and reports never learn which format it
// came from beyond `platform`. Plain value type; no thread-safety concerns.
#ifndef VIGIL_CORE_POST_H_
#define VIGIL_CORE_POST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

enum class Platform { kTelegram, kWhatsApp, kFacebook, kJsonl, kFolder };

// "telegram", "whatsapp", "facebook", "jsonl", "folder".
std::string_view PlatformName(Platform p);
// Inverse of PlatformName; nullopt for an unknown name.
std::optional<Platform> PlatformFromName(std::string_view name);

struct Channel {
  std::string id;     // platform id when the export has one, else a stable name
  std::string title;  // human title ("Market 12", "WhatsApp Chat with Alice")
  std::string type;   // the export's own word: public_channel, private_group, whatsapp_chat, ...
};

struct Author {
  std::string name;  // display name as exported (may be empty: deleted accounts)
  std::string id;    // platform id ("user123") or phone, when known
};

// A formatting/semantic run inside the text, as the export marks it
// (Telegram text_entities: mention, hashtag, link, phone, text_link, ...).
struct Entity {
  std::string type;
  std::string text;
  std::string href;  // for text_link; empty otherwise
};

enum class MediaKind { kPhoto, kVideo, kAudio, kSticker, kAnimation, kDocument, kOther };
std::string_view MediaKindName(MediaKind k);
// Inverse of MediaKindName; nullopt for an unknown name.
std::optional<MediaKind> MediaKindFromName(std::string_view name);

// A reference to a media file the post carried. `path` is an absolute path on
// disk when the file is present in the export; when the export left it out,
// `path` is empty and `missing_reason` says why (Telegram's placeholder text,
// WhatsApp's "<Media omitted>", a file the export names but does not contain).
struct MediaRef {
  std::string path;
  // The file as the user knows it, when that differs from `path`: inside a
  // .zip, "export.zip/IMG-1.jpg" while `path` is the scratch copy being read.
  // What is stored and printed; the same on every run.
  std::string display_path;
  const std::string& shown_path() const { return display_path.empty() ? path : display_path; }
  std::string name;  // file name as the export wrote it
  MediaKind kind = MediaKind::kOther;
  std::string mime;  // as declared by the export, if any
  std::optional<uint64_t> declared_size;
  std::optional<int> declared_width, declared_height;
  std::string missing_reason;  // why `path` is empty; kOutsideExport is a refusal
};

// MediaRef::missing_reason of a reference that leaves its export (`..`, an
// absolute path, a link out of it): refused, and reported as bad input,
// where a file the export itself left out is not.
inline constexpr std::string_view kOutsideExport = "outside export";

struct Post {
  Platform platform = Platform::kJsonl;
  Channel channel;
  std::string external_id;  // unique within (platform, channel)
  Author author;

  // Seconds since the Unix epoch. When `time_is_utc` is false the source only
  // gave a wall-clock time with no offset (WhatsApp), and `time` is that
  // wall-clock time read as if it were UTC.
  int64_t time = 0;
  bool time_is_utc = false;
  std::string local_time;                 // the source's own time text, ISO-8601 when known
  std::optional<int> utc_offset_minutes;  // local - UTC, when both are known

  std::string text;  // UTF-8, as posted (entities flattened)
  std::vector<Entity> entities;
  std::vector<MediaRef> media;

  std::string forwarded_from;
  std::string reply_to;  // external id of the replied-to post, if any
  bool edited = false;
  bool service = false;  // a system/service event (joined, created group, ...), not a post

  std::string source_file;  // the export file it was read from
  std::string source_item;  // where inside it ("message 812", "line 40")
};

// What names a post everywhere (store key, evidence selectors, sightings, the
// review app's URLs): platform, channel id and external id, written
// "PLATFORM/CHANNEL/ID". The channel may itself hold '/', so the platform is
// the text before the first '/' and the id the text after the last.
struct PostKey {
  Platform platform = Platform::kJsonl;
  std::string channel_id;
  std::string external_id;
  friend bool operator==(const PostKey&, const PostKey&) = default;
  friend auto operator<=>(const PostKey&, const PostKey&) = default;
};
PostKey KeyOf(const Post& p);
// "telegram/-100123/812".
std::string FormatPostKey(const PostKey& key);
// Inverse of FormatPostKey; nullopt when there are fewer than two '/', the
// platform is unknown, or the id is empty.
std::optional<PostKey> ParsePostKey(std::string_view text);

}  // namespace vigil

#endif  // VIGIL_CORE_POST_H_
