// Bytes of a file -> article text: BOMs, UTF-16, binary files and invalid
// UTF-8 handled, with a note of what was done.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qanat {

struct Decoded {
    bool ok = false;             ///< false: not text, skip the file (reason says why)
    std::string text;            ///< valid UTF-8 when ok
    std::string reason;          ///< why it was skipped
    std::vector<std::string> notes;  ///< repairs made ("3 invalid UTF-8 sequences replaced, first at byte 120")
};

/// Decodes a file's bytes. UTF-8 (a BOM is dropped), UTF-16 with a BOM, or
/// without one when its zero bytes say so (converted), anything else with NUL bytes or mostly control characters is
/// binary. Invalid UTF-8 sequences become U+FFFD.
Decoded decode_text(std::string_view bytes);

}  // namespace qanat
