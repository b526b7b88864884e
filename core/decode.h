// Bytes of a file -> article text: BOMs, UTF-16, binary files and invalid
// UTF-8 handled, with a note of what was done.
#pragma once

#include <optional>
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

/// Text that is not valid UTF-8, as Windows-1252 (Latin-1) converted to
/// UTF-8, when its bytes of 8 bits are mostly in no UTF-8 sequence; nothing
/// if it looks like UTF-8 with a few bad bytes. `invalid` (if given): how
/// many bytes of 8 bits are in no UTF-8 sequence.
std::optional<std::string> windows_1252_text(std::string_view bytes, std::size_t* invalid = nullptr);

}  // namespace qanat
