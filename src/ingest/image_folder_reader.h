// Image-folder reader: one Post per image file (internal to ingest).
//
// For folders of screenshots or downloaded pictures with no chat export
// around them. Each image becomes a Post with platform kFolder, channel = the
// folder's name, external_id = the image's path relative to `id_root`
// ('/'-separated), time = the file's modification time (UTC), and the file as
// its only media. An image that cannot be stat'ed or no longer looks like an
// image is reported through OnError and skipped. Does not follow symlinks.
#ifndef VIGIL_SRC_INGEST_IMAGE_FOLDER_READER_H_
#define VIGIL_SRC_INGEST_IMAGE_FOLDER_READER_H_

#include <filesystem>
#include <memory>
#include <vector>

#include "vigil/ingest/reader.h"

namespace vigil::ingest {

// `images` are files inside `folder` (sorted by the caller for a stable order).
std::unique_ptr<Reader> MakeImageFolderReader(const std::filesystem::path& folder,
                                              std::vector<std::filesystem::path> images,
                                              const std::filesystem::path& id_root,
                                              const ReaderOptions& options);

}  // namespace vigil::ingest

#endif  // VIGIL_SRC_INGEST_IMAGE_FOLDER_READER_H_
