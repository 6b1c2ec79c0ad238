// OpenReaders: from a user-given path (file, folder or .zip) to readers.
#include <stdlib.h>

#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <system_error>
#include <utility>

#include "src/ingest/detect.h"
#include "src/ingest/facebook_reader.h"
#include "src/ingest/image_folder_reader.h"
#include "src/ingest/ingest_util.h"
#include "src/ingest/jsonl_reader.h"
#include "src/ingest/telegram_reader.h"
#include "src/ingest/whatsapp_reader.h"
#include "src/ingest/zip_extract.h"
#include "vigil/ingest/reader.h"

namespace vigil::ingest {
namespace {

namespace fs = std::filesystem;

// A folder that is deleted (recursively) when the last reader using it goes.
class TempDir {
 public:
  explicit TempDir(fs::path path) : path_(std::move(path)) {}
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A reader of something extracted from a .zip: names files as the user knows
// them ("export.zip/_chat.txt", not the scratch folder, which changes every
// run), keeps a temporary extraction folder alive as long as it lives, and
// while it reads lets the archive extract the media its posts refer to.
class ArchiveReader : public Reader {
 public:
  ArchiveReader(std::unique_ptr<Reader> inner, fs::path dir, fs::path zip,
                std::shared_ptr<ZipArchive> archive, std::shared_ptr<TempDir> keep)
      : inner_(std::move(inner)),
        dir_(std::move(dir)),
        zip_(std::move(zip)),
        archive_(std::move(archive)),
        keep_(std::move(keep)) {}
  std::string Describe() const override { return Rename(inner_->Describe()); }
  uint64_t SizeBytes() const override { return inner_->SizeBytes(); }
  Status Read(PostSink& sink) override {
    Status s = archive_->failure();
    RenamingSink renaming(*this, sink);
    if (s.ok()) {
      FileSupplierScope supply(archive_.get());
      s = inner_->Read(renaming);
    }
    archive_->EndReading();
    renaming.ReportArchiveErrors();
    // A failed extraction ends the read even when the reader did not notice
    // (its last post, or a reference it resolved and then dropped).
    if (s.ok()) s = archive_->failure();
    if (!s.ok()) return Status(s.code(), Rename(s.message()));
    return s;
  }

 private:
  class RenamingSink : public PostSink {
   public:
    RenamingSink(const ArchiveReader& owner, PostSink& next) : owner_(owner), next_(next) {}
    Status OnPost(Post&& post) override {
      ReportArchiveErrors();
      // Its media were extracted while it was read; if that failed, the
      // archive is refused from here on, as it would have been up front.
      if (Status s = owner_.archive_->failure(); !s.ok()) return s;
      post.source_file = owner_.Rename(post.source_file);
      for (MediaRef& m : post.media) {
        if (!m.path.empty()) m.display_path = owner_.Rename(m.path);
      }
      return next_.OnPost(std::move(post));
    }
    void OnBytesRead(uint64_t n) override { next_.OnBytesRead(n); }
    void OnError(const IngestError& error) override {
      IngestError e = error;
      e.file = owner_.Rename(e.file);
      e.reason = owner_.Rename(e.reason);
      next_.OnError(e);
    }
    void ReportArchiveErrors() {
      for (const IngestError& e : owner_.archive_->TakeErrors()) OnError(e);
    }

   private:
    const ArchiveReader& owner_;
    PostSink& next_;
  };

  // Replaces every occurrence of the extraction folder with the archive path.
  std::string Rename(std::string s) const {
    const std::string from = dir_.string();
    const std::string to = zip_.string();
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
      s.replace(pos, from.size(), to);
    }
    return s;
  }

  std::unique_ptr<Reader> inner_;
  fs::path dir_;
  fs::path zip_;
  std::shared_ptr<ZipArchive> archive_;
  std::shared_ptr<TempDir> keep_;
};

bool IsUnderLexically(const fs::path& p, const fs::path& root) {
  const std::string rel = p.lexically_relative(root).generic_string();
  return !rel.empty() && rel != ".." && !rel.starts_with("../");
}

// DYI files vigil reads inside a folder; other DYI JSON files are ignored.
bool IsFacebookContentName(const std::string& name) {
  static const std::regex kNames(
      R"((message_\d+|secure_message_\d+|your_posts\w*|comments\w*)\.json)");
  return std::regex_match(name, kNames);
}

std::unique_ptr<Reader> ReaderFor(const fs::path& file, Format format,
                                  const ReaderOptions& options) {
  switch (format) {
    case Format::kTelegramJson:
      return MakeTelegramReader(file, options);
    case Format::kFacebookJson:
      return MakeFacebookReader(file, options);
    case Format::kJsonl:
      return MakeJsonlReader(file, options);
    case Format::kWhatsAppText:
      return MakeWhatsAppReader(file, file.parent_path(), options);
    case Format::kImageFolder:
      return MakeImageFolderReader(file.parent_path(), {file}, file.parent_path(), options);
    case Format::kUnknown:
      break;
  }
  return nullptr;
}

using Keyed = std::vector<std::pair<fs::path, std::unique_ptr<Reader>>>;

void OpenZip(const fs::path& zip, const ReaderOptions& options, std::vector<IngestError>& errors,
             int depth, Keyed& out);

// What FindExports saw under a folder besides the exports themselves.
struct FolderScan {
  std::vector<fs::path> export_roots;  // absolute, lexically normal
  std::vector<fs::path> images;        // sorted
};

// Every export under `root` (added to `out`, keyed by path for ordering),
// and the images and export roots needed to tell loose images from media.
FolderScan FindExports(const fs::path& root, const ReaderOptions& options,
                       std::vector<IngestError>& errors, int depth, Keyed& out) {
  FolderScan scan;
  std::vector<fs::path> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    errors.push_back({root.string(), "", "cannot list folder: " + ec.message()});
    return scan;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      errors.push_back({root.string(), "", "cannot list folder: " + ec.message()});
      break;
    }
    const fs::directory_entry& e = *it;
    if (e.is_symlink(ec)) {
      errors.push_back({e.path().string(), "", "symlink skipped"});
      continue;
    }
    if (e.is_regular_file(ec)) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());

  for (const fs::path& file : files) {
    const std::string small = ReadHead(file, 16);
    if (SniffImageMime(small)) {
      scan.images.push_back(file);
      continue;
    }
    if (IsZipHead(small)) {
      if (depth == 0) {
        OpenZip(file, options, errors, depth + 1, out);
      } else {
        errors.push_back({file.string(), "", "archive inside an archive skipped"});
      }
      continue;
    }
    const Format format = DetectHead(ReadHead(file, kDetectHeadBytes), file);
    fs::path export_root = file.parent_path();
    if (format == Format::kFacebookJson) {
      if (!IsFacebookContentName(file.filename().string())) continue;
      export_root = FacebookExportRoot(file);
    }
    if (format == Format::kUnknown || format == Format::kImageFolder) continue;
    std::unique_ptr<Reader> reader = ReaderFor(file, format, options);
    if (!reader) continue;
    // A JSONL file names its media explicitly and often sits at the top of a
    // case folder, so it does not claim the images around it.
    if (format != Format::kJsonl) {
      scan.export_roots.push_back(fs::absolute(export_root, ec).lexically_normal());
    }
    out.emplace_back(file, std::move(reader));
  }
  return scan;
}

bool InAnExport(const FolderScan& scan, const fs::path& image) {
  std::error_code ec;
  const fs::path abs = fs::absolute(image, ec).lexically_normal();
  return std::any_of(scan.export_roots.begin(), scan.export_roots.end(),
                     [&](const fs::path& r) { return IsUnderLexically(abs, r); });
}

// Images inside an export tree are that export's media, not posts; the rest
// become one image-folder reader per folder.
void AddLooseImages(const FolderScan& scan, const fs::path& root, const ReaderOptions& options,
                    Keyed& out) {
  std::map<fs::path, std::vector<fs::path>> loose;
  for (const fs::path& image : scan.images) {
    if (!InAnExport(scan, image)) loose[image.parent_path()].push_back(image);
  }
  for (auto& [folder, list] : loose) {
    out.emplace_back(folder, MakeImageFolderReader(folder, std::move(list), root, options));
  }
}

// Every export and loose image under `root`, keyed by path for ordering.
void OpenFolder(const fs::path& root, const ReaderOptions& options,
                std::vector<IngestError>& errors, int depth, Keyed& out) {
  const FolderScan scan = FindExports(root, options, errors, depth, out);
  AddLooseImages(scan, root, options, out);
}

Result<fs::path> MakeFreshDir(const fs::path& parent) {
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return Status::IoError(parent.string() + ": " + ec.message());
  std::string tmpl = (parent / "vigil-zip-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return Status::IoError(parent.string() + ": cannot create a folder");
  }
  return fs::path(tmpl);
}

void OpenZip(const fs::path& zip, const ReaderOptions& options, std::vector<IngestError>& errors,
             int depth, Keyed& out) {
  std::error_code ec;
  const bool own = options.scratch_dir.empty();
  const fs::path parent = own ? fs::temp_directory_path(ec) : options.scratch_dir;
  Result<fs::path> fresh = MakeFreshDir(parent);
  if (!fresh.ok()) {
    errors.push_back({zip.string(), "", fresh.status().message()});
    return;
  }
  std::shared_ptr<TempDir> keep;
  if (own) keep = std::make_shared<TempDir>(*fresh);
  // Extract into a folder named after the archive, so that what takes its
  // name from the folder (WhatsApp's _chat.txt, loose images) gets a name that
  // is the same on every run, never the random scratch name.
  const fs::path dir = *fresh / zip.stem();
  if (!fs::create_directory(dir, ec) || ec) {
    errors.push_back({zip.string(), "", dir.string() + ": cannot create: " + ec.message()});
    return;
  }
  // Only what detection and the readers start from is extracted now: the
  // files that look like an export. Media wait for a post to refer to them.
  auto want_now = [](std::string_view head, const fs::path& rel) {
    const Format f = DetectHead(head, rel);
    return f != Format::kUnknown && f != Format::kImageFolder;
  };
  Result<std::unique_ptr<ZipArchive>> opened =
      ZipArchive::Open(zip, dir, options.limits, kDetectHeadBytes, want_now, errors);
  if (!opened.ok()) {
    errors.push_back({zip.string(), "", opened.status().ToString()});
    return;
  }
  std::shared_ptr<ZipArchive> archive = std::move(*opened);
  Keyed inner;
  FolderScan scan = FindExports(dir, options, errors, depth, inner);
  // Images no export claims are posts of their own: those are read at once.
  std::vector<fs::path> loose;
  for (const ZipArchive::Pending& p : archive->pending()) {
    if (IsZipHead(p.head)) {
      errors.push_back({(zip / p.rel).string(), "", "archive inside an archive skipped"});
    } else if (SniffImageMime(p.head) && !InAnExport(scan, dir / p.rel)) {
      loose.push_back(p.rel);
      scan.images.push_back(dir / p.rel);
    }
  }
  if (Status st = archive->ExtractNow(loose); !st.ok()) {
    errors.push_back({zip.string(), "", st.ToString()});
    return;
  }
  for (IngestError& e : archive->TakeErrors()) errors.push_back(std::move(e));
  std::sort(scan.images.begin(), scan.images.end());
  AddLooseImages(scan, dir, options, inner);
  if (inner.empty()) errors.push_back({zip.string(), "", "no export found in archive"});
  for (auto& [path, reader] : inner) {
    // Order by the archive's own name plus the path inside it.
    fs::path key = zip / path.lexically_relative(dir);
    reader = std::make_unique<ArchiveReader>(std::move(reader), dir, zip, archive, keep);
    out.emplace_back(std::move(key), std::move(reader));
  }
}

}  // namespace

std::vector<std::unique_ptr<Reader>> OpenReaders(const fs::path& path, const ReaderOptions& options,
                                                 std::vector<IngestError>& errors) {
  Keyed keyed;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    errors.push_back({path.string(), "", "not found"});
    return {};
  }
  if (fs::is_directory(st)) {
    OpenFolder(path, options, errors, 0, keyed);
    if (keyed.empty()) errors.push_back({path.string(), "", "no export or image found in folder"});
  } else if (fs::is_regular_file(st)) {
    const std::string small = ReadHead(path, 16);
    if (IsZipHead(small)) {
      OpenZip(path, options, errors, 0, keyed);
    } else {
      const Format format = DetectFile(path);
      if (std::unique_ptr<Reader> reader = ReaderFor(path, format, options)) {
        keyed.emplace_back(path, std::move(reader));
      } else {
        errors.push_back({path.string(), "", "unknown format"});
      }
    }
  } else {
    errors.push_back({path.string(), "", "not a regular file or folder"});
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::unique_ptr<Reader>> readers;
  readers.reserve(keyed.size());
  for (auto& [key, reader] : keyed) readers.push_back(std::move(reader));
  return readers;
}

}  // namespace vigil::ingest
