#include "src/ingest/image_folder_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include "src/ingest/ingest_util.h"

namespace vigil::ingest {
namespace {

namespace fs = std::filesystem;

class ImageFolderReader : public Reader {
 public:
  ImageFolderReader(fs::path folder, std::vector<fs::path> images, fs::path id_root,
                    ReaderOptions options)
      : folder_(std::move(folder)),
        images_(std::move(images)),
        id_root_(std::move(id_root)),
        options_(std::move(options)) {}

  std::string Describe() const override { return "image folder: " + folder_.string(); }
  uint64_t SizeBytes() const override {
    uint64_t total = 0;
    for (const fs::path& image : images_) total += FileBytes(image);
    return total;
  }

  Status Read(PostSink& sink) override {
    std::string channel_name = folder_.filename().string();
    if (channel_name.empty()) channel_name = folder_.string();
    for (const fs::path& image : images_) {
      sink.OnBytesRead(FileBytes(image));  // the workers read it; the folder moves on
      struct stat st;
      if (::lstat(image.c_str(), &st) != 0) {
        sink.OnError({image.string(), "", std::string("cannot stat: ") + std::strerror(errno)});
        continue;
      }
      if (!S_ISREG(st.st_mode)) {
        sink.OnError({image.string(), "", "not a regular file, skipped"});
        continue;
      }
      auto mime = SniffImageMime(ReadHead(image, 16));
      if (!mime) {
        sink.OnError({image.string(), "", "not an image (JPEG, PNG, GIF, WebP, BMP)"});
        continue;
      }
      Post p;
      p.platform = Platform::kFolder;
      p.channel = {channel_name, channel_name, "folder"};
      p.external_id = image.lexically_relative(id_root_).generic_string();
      if (p.external_id.empty() || p.external_id.starts_with("..")) {
        p.external_id = image.filename().string();
      }
      p.time = static_cast<int64_t>(st.st_mtime);
      p.time_is_utc = true;
      MediaRef ref;
      std::error_code ec;
      ref.path = fs::absolute(image, ec).lexically_normal().string();
      ref.name = image.filename().string();
      ref.kind = MediaKind::kPhoto;
      ref.mime = *mime;
      ref.declared_size = static_cast<uint64_t>(st.st_size);
      if (static_cast<uint64_t>(st.st_size) > options_.limits.max_media_bytes) {
        ref.path.clear();
        ref.missing_reason =
            "larger than " + std::to_string(options_.limits.max_media_bytes) + " bytes";
      }
      p.media.push_back(std::move(ref));
      p.source_file = image.string();
      VIGIL_RETURN_IF_ERROR(sink.OnPost(std::move(p)));
    }
    return Status::Ok();
  }

 private:
  fs::path folder_;
  std::vector<fs::path> images_;
  fs::path id_root_;
  ReaderOptions options_;
};

}  // namespace

std::unique_ptr<Reader> MakeImageFolderReader(const fs::path& folder, std::vector<fs::path> images,
                                              const fs::path& id_root,
                                              const ReaderOptions& options) {
  return std::make_unique<ImageFolderReader>(folder, std::move(images), id_root, options);
}

}  // namespace vigil::ingest
