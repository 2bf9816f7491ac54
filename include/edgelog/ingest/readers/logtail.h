// The Better Stack (Logtail) reader: what @logtail/node and its kin POST to their endpoint — an
// array of records as MessagePack (or JSON) — into edgelog's own event objects, which the JSON
// reader then validates and limits. See docs/formats.md for the mapping.
#pragma once

#include <string>
#include <string_view>

#include "edgelog/error.h"

namespace edgelog {

/// {"events":[…]} from a Logtail body, or an error (invalid_body / invalid_json).
struct logtail_transcript {
  errc error = errc::ok;
  std::string json;
  bool empty = false;  ///< the body held no records (the SDK's final flush sends [])
};

/// `msgpack` picks MessagePack, else JSON. A body may be one record or an array of them.
void read_logtail(std::string_view body, bool msgpack, logtail_transcript& out);

}  // namespace edgelog
