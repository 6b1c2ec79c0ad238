#include "src/ingest/whatsapp_export.h"

#include <array>
#include <utility>

#include "src/ingest/ingest_util.h"
#include "src/ingest/whatsapp_header.h"
#include "vigil/core/utf8.h"

namespace vigil::ingest::whatsapp {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kOmitted = "omitted from export";

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

bool EndsWithIgnoreAsciiCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         EqualsIgnoreAsciiCase(s.substr(s.size() - suffix.size()), suffix);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when `s` ends with LRM or RLM (the mark iOS puts before placeholders).
bool EndsWithDirectionMark(std::string_view s) {
  return s.ends_with("\xE2\x80\x8E") || s.ends_with("\xE2\x80\x8F");
}

bool HasExtension(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || name.size() - dot - 1 > 5 ||
      dot + 1 == name.size()) {
    return false;
  }
  for (size_t i = dot + 1; i < name.size(); ++i) {
    const char c = LowerAscii(name[i]);
    if (!IsDigit(c) && !(c >= 'a' && c <= 'z')) return false;
  }
  return true;
}

// "IMG-20220323-WA0002.jpg", "PTT-20180129-WA0025.opus".
bool IsAndroidMediaName(std::string_view n) {
  if (n.size() < 17) return false;
  for (size_t i = 0; i < 3; ++i) {
    if (n[i] < 'A' || n[i] > 'Z') return false;
  }
  if (n[3] != '-' || n[12] != '-' || n.substr(13, 2) != "WA") return false;
  for (size_t i = 4; i < 12; ++i) {
    if (!IsDigit(n[i])) return false;
  }
  return true;
}

// "00000035-PHOTO-2022-03-27-21-41-55.jpg", "00000046-Some file.txt".
bool IsIosMediaName(std::string_view n) {
  if (n.size() < 10 || n[8] != '-') return false;
  for (size_t i = 0; i < 8; ++i) {
    if (!IsDigit(n[i])) return false;
  }
  return true;
}

struct Placeholder {
  std::string_view text;
  MediaKind kind;
};

// Whole-line placeholders of Android exports without media.
constexpr std::array kAndroidPlaceholders = {
    Placeholder{"<Media omitted>", MediaKind::kOther},
    Placeholder{"<Medien ausgeschlossen>", MediaKind::kOther},
    Placeholder{"<Без медиафайлов>", MediaKind::kOther},
    Placeholder{"<Média vynechány>", MediaKind::kOther},
    Placeholder{"<Media weggelaten>", MediaKind::kOther},
    Placeholder{"<Multimedia omitido>", MediaKind::kOther},
    Placeholder{"<Médias omis>", MediaKind::kOther},
    Placeholder{"<Media omessi>", MediaKind::kOther},
    Placeholder{"<Mídia oculta>", MediaKind::kOther},
};

// iOS placeholders: the whole line, or the end of it after an LRM/RLM when
// the exporter put a document title before it ("Template.docx ‎document
// omitted"). From the fixtures' locales (EN, DE, ES, FR, IT, PT, JA, HI, AR).
constexpr std::array kIosPlaceholders = {
    Placeholder{"image omitted", MediaKind::kPhoto},
    Placeholder{"video omitted", MediaKind::kVideo},
    Placeholder{"audio omitted", MediaKind::kAudio},
    Placeholder{"sticker omitted", MediaKind::kSticker},
    Placeholder{"GIF omitted", MediaKind::kAnimation},
    Placeholder{"document omitted", MediaKind::kDocument},
    Placeholder{"Contact card omitted", MediaKind::kDocument},
    Placeholder{"Bild weggelassen", MediaKind::kPhoto},
    Placeholder{"Video weggelassen", MediaKind::kVideo},
    Placeholder{"Audio weggelassen", MediaKind::kAudio},
    Placeholder{"Sticker weggelassen", MediaKind::kSticker},
    Placeholder{"GIF weggelassen", MediaKind::kAnimation},
    Placeholder{"Dokument weggelassen", MediaKind::kDocument},
    Placeholder{"Kontaktkarte weggelassen", MediaKind::kDocument},
    Placeholder{"imagen omitida", MediaKind::kPhoto},
    Placeholder{"Video omitido", MediaKind::kVideo},
    Placeholder{"audio omitido", MediaKind::kAudio},
    Placeholder{"sticker omitido", MediaKind::kSticker},
    Placeholder{"GIF omitido", MediaKind::kAnimation},
    Placeholder{"documento omitido", MediaKind::kDocument},
    Placeholder{"Tarjeta de contacto omitida", MediaKind::kDocument},
    Placeholder{"image absente", MediaKind::kPhoto},
    Placeholder{"vidéo absente", MediaKind::kVideo},
    Placeholder{"immagine omessa", MediaKind::kPhoto},
    Placeholder{"video omesso", MediaKind::kVideo},
    Placeholder{"audio omesso", MediaKind::kAudio},
    Placeholder{"sticker non incluso", MediaKind::kSticker},
    Placeholder{"GIF esclusa", MediaKind::kAnimation},
    Placeholder{"documento omesso", MediaKind::kDocument},
    Placeholder{"Scheda contatto omessa", MediaKind::kDocument},
    Placeholder{"imagem não revelada", MediaKind::kPhoto},
    Placeholder{"vídeo não revelado", MediaKind::kVideo},
    Placeholder{"ficheiro de áudio não revelado", MediaKind::kAudio},
    Placeholder{"sticker não revelado", MediaKind::kSticker},
    Placeholder{"GIF não revelada", MediaKind::kAnimation},
    Placeholder{"documento não revelado", MediaKind::kDocument},
    Placeholder{"Contacto não revelado", MediaKind::kDocument},
    Placeholder{"画像は含まれていません", MediaKind::kPhoto},
    Placeholder{"ビデオは含まれていません", MediaKind::kVideo},
    Placeholder{"音声は含まれていません", MediaKind::kAudio},
    Placeholder{"スタンプは含まれていません", MediaKind::kSticker},
    Placeholder{"GIFは含まれていません", MediaKind::kAnimation},
    Placeholder{"ドキュメントは含まれていません", MediaKind::kDocument},
    Placeholder{"連絡先カードを省略", MediaKind::kDocument},
    Placeholder{"फ़ोटो हटाई गई", MediaKind::kPhoto},
    Placeholder{"वीडियो छोड़ा गया", MediaKind::kVideo},
    Placeholder{"ऑडियो हटाई गयी", MediaKind::kAudio},
    Placeholder{"स्टिकर छोड़ा गया", MediaKind::kSticker},
    Placeholder{"GIF छोड़ा गया", MediaKind::kAnimation},
    Placeholder{"डॉक्यूमेंट छोड़ा गया", MediaKind::kDocument},
    Placeholder{"कॉन्टैक्ट कार्ड छोड़ा गया", MediaKind::kDocument},
    Placeholder{"لم يتم إدراج الصورة", MediaKind::kPhoto},
    Placeholder{"لم يتم إدراج الفيديوهات", MediaKind::kVideo},
    Placeholder{"لم يتم إدراج المقاطع الصوتية", MediaKind::kAudio},
    Placeholder{"تم حذف الملصقات", MediaKind::kSticker},
    Placeholder{"لم يتم إدراج صورة GIF", MediaKind::kAnimation},
    Placeholder{"لم يتم إدراج المستند", MediaKind::kDocument},
    Placeholder{"لم يتم إدراج بطاقة جهة اتصال", MediaKind::kDocument},
};

// Android "NAME (file attached)" phrases.
constexpr std::array<std::string_view, 12> kAndroidAttached = {
    "file attached",   "Datei angehängt",  "bestand bijgevoegd", "soubor byl přiložen",
    "файл добавлен",   "archivo adjunto",  "fichier joint",      "file allegato",
    "arquivo anexado", "ficheiro anexado", "dosya ekli",         "plik załączony",
};

// iOS "<LABEL: NAME>" labels, and older iOS "NAME <LABEL>".
constexpr std::array<std::string_view, 9> kIosAttached = {
    "attached",     "Anhang",  "adjunto",  "allegato", "anexo",
    "pièce jointe", "bijlage", "вложение", "příloha",
};

template <size_t N>
bool InList(const std::array<std::string_view, N>& list, std::string_view s) {
  for (std::string_view item : list) {
    if (EqualsIgnoreAsciiCase(item, s)) return true;
  }
  return false;
}

MediaRef Attachment(std::string_view name, const fs::path& media_root) {
  MediaRef ref;
  ref.name = std::string(name);
  ref.kind = KindFromFileName(name);
  // Export media names are flat; anything path-like is never looked up.
  if (name.find('/') != std::string_view::npos || name.find('\\') != std::string_view::npos ||
      name.find("..") != std::string_view::npos) {
    ref.missing_reason = kOutsideExport;
    return ref;
  }
  ResolvedPath resolved = ResolveInside(media_root, name);
  ref.path = std::move(resolved.path);
  ref.missing_reason = std::move(resolved.missing_reason);
  return ref;
}

std::optional<MediaMatch> Omitted(MediaKind kind, std::string same_line_text) {
  MediaMatch m;
  m.media.kind = kind;
  m.media.missing_reason = std::string(kOmitted);
  m.same_line_text = std::move(same_line_text);
  return m;
}

}  // namespace

MediaKind KindFromFileName(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  bool photo = false, video = false, audio = false, sticker = false, gif = false;
  size_t start = 0;
  const size_t dot = upper.rfind('.');
  const std::string_view base =
      std::string_view(upper).substr(0, dot == std::string::npos ? upper.size() : dot);
  while (start <= base.size()) {
    size_t end = base.find('-', start);
    if (end == std::string_view::npos) end = base.size();
    const std::string_view tok = base.substr(start, end - start);
    photo |= tok == "IMG" || tok == "PHOTO";
    video |= tok == "VID" || tok == "VIDEO";
    audio |= tok == "PTT" || tok == "AUD" || tok == "AUDIO";
    sticker |= tok == "STK" || tok == "STICKER";
    gif |= tok == "GIF";
    start = end + 1;
  }
  if (gif) return MediaKind::kAnimation;
  if (sticker) return MediaKind::kSticker;
  if (audio) return MediaKind::kAudio;
  if (video) return MediaKind::kVideo;
  if (photo) return MediaKind::kPhoto;
  const std::string ext = dot == std::string::npos ? "" : upper.substr(dot + 1);
  if (ext == "JPG" || ext == "JPEG" || ext == "PNG" || ext == "HEIC" || ext == "HEIF") {
    return MediaKind::kPhoto;
  }
  if (ext == "MP4" || ext == "MOV" || ext == "3GP" || ext == "MKV") return MediaKind::kVideo;
  if (ext == "OPUS" || ext == "M4A" || ext == "MP3" || ext == "AAC" || ext == "OGG") {
    return MediaKind::kAudio;
  }
  if (ext == "WEBP") return MediaKind::kSticker;
  if (ext == "GIF") return MediaKind::kAnimation;
  return MediaKind::kDocument;
}

std::optional<MediaMatch> DetectMedia(std::string_view first_line, const fs::path& media_root) {
  const std::string clean_owned = StripMarks(first_line);
  const std::string_view clean = Trim(clean_owned);
  if (clean.empty()) return std::nullopt;

  for (const Placeholder& p : kAndroidPlaceholders) {
    if (EqualsIgnoreAsciiCase(clean, p.text)) return Omitted(p.kind, "");
  }
  std::string_view raw = first_line;
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
  for (const Placeholder& p : kIosPlaceholders) {
    if (EqualsIgnoreAsciiCase(clean, p.text)) return Omitted(p.kind, "");
    if (EndsWithIgnoreAsciiCase(raw, p.text)) {
      const std::string_view before = raw.substr(0, raw.size() - p.text.size());
      if (EndsWithDirectionMark(before)) {
        return Omitted(p.kind, std::string(Trim(StripMarks(before))));
      }
    }
  }

  if (clean.back() == '>') {
    const size_t lt = clean.rfind('<');
    if (lt == std::string_view::npos) return std::nullopt;
    const std::string_view inner = clean.substr(lt + 1, clean.size() - lt - 2);
    const std::string_view before = Trim(clean.substr(0, lt));
    if (InList(kIosAttached, Trim(inner))) {  // older iOS: "NAME <attached>"
      if (before.empty() || !HasExtension(before)) return std::nullopt;
      return MediaMatch{Attachment(before, media_root), ""};
    }
    const size_t colon = inner.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string_view label = Trim(inner.substr(0, colon));
    const std::string_view name = Trim(inner.substr(colon + 1));
    if (!HasExtension(name)) return std::nullopt;
    if (!InList(kIosAttached, label) && !IsIosMediaName(name)) return std::nullopt;
    return MediaMatch{Attachment(name, media_root), std::string(before)};
  }

  if (clean.back() == ')') {
    const size_t open = clean.rfind(" (");
    if (open == std::string_view::npos) return std::nullopt;
    const std::string_view phrase = clean.substr(open + 2, clean.size() - open - 3);
    const std::string_view name = Trim(clean.substr(0, open));
    if (name.empty() || !HasExtension(name)) return std::nullopt;
    if (!InList(kAndroidAttached, phrase) && !IsAndroidMediaName(name)) return std::nullopt;
    return MediaMatch{Attachment(name, media_root), ""};
  }
  return std::nullopt;
}

Channel ChannelFromPaths(const fs::path& chat_file, const fs::path& media_root) {
  Channel ch;
  ch.type = "whatsapp_chat";
  const std::string stem = StripMarks(chat_file.stem().string());
  std::string title;
  if (chat_file.filename() == "_chat.txt") {
    fs::path root = media_root.empty() ? chat_file.parent_path() : media_root;
    if (!root.empty() && root.filename().empty()) root = root.parent_path();  // "dir/"
    std::string folder = StripMarks(root.filename().string());
    if (EndsWithIgnoreAsciiCase(folder, ".zip")) folder.resize(folder.size() - 4);
    constexpr std::string_view kIosFolder = "WhatsApp Chat - ";
    const size_t at = folder.find(kIosFolder);
    title = at == std::string::npos ? folder : folder.substr(at + kIosFolder.size());
  } else {
    // Android's localized "<prefix><name>.txt"; longer prefixes first.
    static constexpr std::array<std::string_view, 16> kPrefixes = {
        "WhatsApp Chat with ",   "WhatsApp Chat mit ",        "WhatsApp-Chat mit ",
        "Chat de WhatsApp con ", "Conversa do WhatsApp com ", "Discussion WhatsApp avec ",
        "Chat WhatsApp con ",    "Chat WhatsApp com ",        "WhatsApp-chat met ",
        "WhatsApp Chat met ",    "Чат WhatsApp с контактом ", "Чат WhatsApp с группой ",
        "Чат WhatsApp с ",       "Chat WhatsApp s ",          "Chat WhatsApp z ",
        "WhatsApp Chat - ",
    };
    title = stem;
    for (std::string_view prefix : kPrefixes) {
      if (stem.size() > prefix.size() && stem.starts_with(prefix)) {
        title = stem.substr(prefix.size());
        break;
      }
    }
  }
  title = std::string(Trim(title));
  if (title.empty()) title = stem.empty() ? "whatsapp" : stem;
  ch.id = title;
  ch.title = std::move(title);
  return ch;
}

}  // namespace vigil::ingest::whatsapp
