// Fingerprint v0: a hash of what identifies an error's text.
#include "edgelog/fingerprint.h"

#include "detail/crypto.h"

namespace edgelog {

std::string fingerprint(const event& ev) {
  // Separators keep ("ab", "c") and ("a", "bc") apart.
  return detail::to_hex(detail::sha1({ev.message, "\n", ev.source, "\n", ev.stack}));
}

}  // namespace edgelog
