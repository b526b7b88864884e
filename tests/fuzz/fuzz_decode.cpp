// Fuzzes file decoding (core/decode.h): decode_text over any bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decode.h"
#include "fuzz_util.h"
#include "normalize.h"

using namespace qanat;

namespace {

bool has_utf16_bom(std::string_view b) {
    return b.size() >= 2 && ((b[0] == '\xFF' && b[1] == '\xFE') || (b[0] == '\xFE' && b[1] == '\xFF'));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    Decoded d = decode_text(bytes);
    if (!d.ok) {
        FUZZ_CHECK(!d.reason.empty());
        FUZZ_CHECK(d.text.empty());
        return 0;
    }
    FUZZ_CHECK(d.reason.empty());
    // The text is valid UTF-8 without control characters other than white space.
    FUZZ_CHECK(fuzz::strict_utf8(d.text));
    for (char c : d.text) {
        unsigned char u = static_cast<unsigned char>(c);
        FUZZ_CHECK(u != 0 && u != 0x7F);
        FUZZ_CHECK(u >= 0x20 || c == '\n' || c == '\r' || c == '\t');
    }
    for (const auto& n : d.notes) FUZZ_CHECK(!n.empty());
    if (has_utf16_bom(bytes)) {
        FUZZ_CHECK(!d.notes.empty());  // the conversion is reported
        FUZZ_CHECK(d.text.size() <= 3 * bytes.size());
        return 0;
    }
    std::string_view body = bytes;
    if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
    // A UTF-8 BOM is dropped, never kept as text.
    FUZZ_CHECK(d.text.substr(0, 3) != "\xEF\xBB\xBF" || body.substr(0, 3) == "\xEF\xBB\xBF");
    // Repairs keep the length in proportion (U+FFFD is three bytes), and
    // text that needed no repair comes out unchanged, with no notes.
    FUZZ_CHECK(d.text.size() <= 3 * body.size());
    bool clean = valid_utf8(body);
    for (char c : body) {
        unsigned char u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u == 0x7F) clean = false;
    }
    if (clean) {
        FUZZ_CHECK(d.text == body);
        FUZZ_CHECK(d.notes.empty());
    } else {
        FUZZ_CHECK(!d.notes.empty());
    }
    // Decoding is stable: decoded text decodes to itself (unless it starts
    // with a second BOM, which the second pass drops).
    if (d.text.substr(0, 3) == "\xEF\xBB\xBF") return 0;
    Decoded again = decode_text(d.text);
    FUZZ_CHECK(again.ok && again.text == d.text && again.notes.empty());
    return 0;
}
