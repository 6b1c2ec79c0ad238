// libFuzzer target for the scan queue's messages (vigil/queue/post_codec.h),
// through the public API: what `vigil worker` decodes from a Redis stream.
// A message that decodes must encode to one that decodes to the same
// message again (the codec is lossless), and a refusal must say why;
// anything else aborts, as a crash would.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vigil/queue/post_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto item = vigil::queue::DecodeWorkItem(json);
  if (!item.ok()) {
    if (item.status().message().empty()) std::abort();
    return 0;
  }
  const std::string once = vigil::queue::EncodeWorkItem(*item);
  auto again = vigil::queue::DecodeWorkItem(once);
  if (!again.ok()) std::abort();
  if (vigil::queue::EncodeWorkItem(*again) != once) std::abort();
  if (item->kind == vigil::queue::WorkItem::Kind::kPost) {
    if (item->media_files.size() != item->post.media.size()) std::abort();
    auto shared = vigil::queue::WithSharedMedia(item->post, item->media_files);
    if (!shared.ok()) std::abort();
  }
  return 0;
}
