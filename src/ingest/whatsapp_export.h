// What a WhatsApp export's file names and media markers mean (internal to
// ingest): the chat's name from the export's file/folder names, and the media
// placeholders and attachment markers a message's first line may carry.
// Pure functions except that attachment names are looked up (stat only,
// never opened) under the media root. Thread-compatible.
#ifndef VIGIL_SRC_INGEST_WHATSAPP_EXPORT_H_
#define VIGIL_SRC_INGEST_WHATSAPP_EXPORT_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/core/post.h"

namespace vigil::ingest::whatsapp {

// The chat's channel: "WhatsApp Chat with <name>.txt" (and localized forms
// such as "Чат WhatsApp с контактом <name>.txt") -> <name>; "_chat.txt" (iOS)
// -> the name of `media_root` with a "WhatsApp Chat - " prefix removed; any
// other file -> its stem. id == title; type "whatsapp_chat".
Channel ChannelFromPaths(const std::filesystem::path& chat_file,
                         const std::filesystem::path& media_root);

// Photo/video/audio/sticker/animation/document from an exported file name:
// the WhatsApp name tokens (IMG, PHOTO, VID, VIDEO, PTT, AUD, AUDIO, STK,
// STICKER, GIF) first, then the extension.
MediaKind KindFromFileName(std::string_view name);

// The media a message's first line stands for, and the text left on that
// line once the marker is removed (a document title, a page count).
struct MediaMatch {
  MediaRef media;
  std::string same_line_text;
};

// Recognises, on the first line of a message's text:
//  - placeholders of exports without media ("<Media omitted>", "image
//    omitted", "Bild weggelassen", ... in the locales of the fixtures):
//    MediaRef with empty path and missing_reason "omitted from export";
//  - attachments: Android "NAME (file attached)" and localized forms, iOS
//    "<attached: NAME>" / "<Anhang: NAME>", older iOS "NAME <attached>".
//    NAME is resolved under `media_root`: present -> absolute `path`;
//    absent -> missing_reason "not in export"; a NAME with '/', '\' or ".."
//    is never resolved (missing_reason "outside export").
// nullopt when the line carries no media marker.
std::optional<MediaMatch> DetectMedia(std::string_view first_line,
                                      const std::filesystem::path& media_root);

}  // namespace vigil::ingest::whatsapp

#endif  // VIGIL_SRC_INGEST_WHATSAPP_EXPORT_H_
