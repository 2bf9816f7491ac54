// zstd behind two functions. Contexts are kept per thread (one per isolate in wasm).
#include "store/compress.h"

#include <zstd.h>

#include <memory>
#include <new>

namespace edgelog::detail {
namespace {

struct cctx_free {
  void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct dctx_free {
  void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};

ZSTD_CCtx* compressor() {
  thread_local std::unique_ptr<ZSTD_CCtx, cctx_free> c(ZSTD_createCCtx());
  if (!c) throw std::bad_alloc();
  return c.get();
}

ZSTD_DCtx* decompressor() {
  thread_local std::unique_ptr<ZSTD_DCtx, dctx_free> d(ZSTD_createDCtx());
  if (!d) throw std::bad_alloc();
  return d.get();
}

}  // namespace

void zstd_compress(std::string_view data, int level, std::string& out) {
  std::size_t start = out.size();
  out.resize(start + ZSTD_compressBound(data.size()));
  std::size_t n = ZSTD_compressCCtx(compressor(), out.data() + start, out.size() - start, data.data(),
                                    data.size(), level);
  if (ZSTD_isError(n)) throw std::bad_alloc();  // only allocation can fail with a bound-sized buffer
  out.resize(start + n);
}

bool zstd_decompress(std::string_view frame, std::size_t max_bytes, std::string& out) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > max_bytes) return false;
  if (ZSTD_findFrameCompressedSize(frame.data(), frame.size()) != frame.size()) return false;
  out.resize(static_cast<std::size_t>(size));
  std::size_t n = ZSTD_decompressDCtx(decompressor(), out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != size) return false;
  return true;
}

}  // namespace edgelog::detail
