// Grouping key of an event.
#pragma once

#include <string>

#include "edgelog/batch.h"

namespace edgelog {

/// Hex SHA-1 over the message, source and stack of `ev`: events that agree on all three share a
/// fingerprint.
std::string fingerprint(const event& ev);

}  // namespace edgelog
