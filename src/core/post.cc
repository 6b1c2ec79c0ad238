#include "vigil/core/post.h"

#include <array>
#include <utility>

namespace vigil {
namespace {
constexpr std::array<std::pair<Platform, std::string_view>, 5> kPlatforms = {{
    {Platform::kTelegram, "telegram"},
    {Platform::kWhatsApp, "whatsapp"},
    {Platform::kFacebook, "facebook"},
    {Platform::kJsonl, "jsonl"},
    {Platform::kFolder, "folder"},
}};
}  // namespace

std::string_view PlatformName(Platform p) {
  for (const auto& [v, name] : kPlatforms) {
    if (v == p) return name;
  }
  return "unknown";
}

std::optional<Platform> PlatformFromName(std::string_view name) {
  for (const auto& [v, n] : kPlatforms) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::string_view MediaKindName(MediaKind k) {
  switch (k) {
    case MediaKind::kPhoto:
      return "photo";
    case MediaKind::kVideo:
      return "video";
    case MediaKind::kAudio:
      return "audio";
    case MediaKind::kSticker:
      return "sticker";
    case MediaKind::kAnimation:
      return "animation";
    case MediaKind::kDocument:
      return "document";
    case MediaKind::kOther:
      return "other";
  }
  return "other";
}

std::optional<MediaKind> MediaKindFromName(std::string_view name) {
  for (MediaKind k : {MediaKind::kPhoto, MediaKind::kVideo, MediaKind::kAudio, MediaKind::kSticker,
                      MediaKind::kAnimation, MediaKind::kDocument, MediaKind::kOther}) {
    if (MediaKindName(k) == name) return k;
  }
  return std::nullopt;
}

PostKey KeyOf(const Post& p) { return {p.platform, p.channel.id, p.external_id}; }

std::string FormatPostKey(const PostKey& key) {
  std::string out(PlatformName(key.platform));
  out += '/';
  out += key.channel_id;
  out += '/';
  out += key.external_id;
  return out;
}

std::optional<PostKey> ParsePostKey(std::string_view text) {
  const size_t first = text.find('/'), last = text.rfind('/');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  const auto platform = PlatformFromName(text.substr(0, first));
  if (!platform || last + 1 == text.size()) return std::nullopt;
  return PostKey{*platform, std::string(text.substr(first + 1, last - first - 1)),
                 std::string(text.substr(last + 1))};
}

}  // namespace vigil
