// Segment compression: zstd, used from this one place.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace edgelog::detail {

/// Appends the zstd frame of `data` at `level` to `out`.
void zstd_compress(std::string_view data, int level, std::string& out);

/// Decompresses one zstd frame into `out` (replacing it), refusing anything that would exceed
/// `max_bytes`; false when `frame` is not a complete, valid frame.
bool zstd_decompress(std::string_view frame, std::size_t max_bytes, std::string& out);

}  // namespace edgelog::detail
