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

}  // namespace vigil
