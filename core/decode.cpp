#include "decode.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include <unicode/uchar.h>
#include <unicode/ucnv.h>
#include <unicode/utf8.h>

#include "normalize.h"

namespace qanat {

namespace {

std::string from_utf16(std::string_view bytes, bool big_endian, bool* ok) {
    UErrorCode err = U_ZERO_ERROR;
    const char* name = big_endian ? "UTF-16BE" : "UTF-16LE";
    std::string out(bytes.size() * 2 + 16, '\0');
    int32_t n = ucnv_convert("UTF-8", name, out.data(), static_cast<int32_t>(out.size()), bytes.data(),
                             static_cast<int32_t>(bytes.size()), &err);
    *ok = U_SUCCESS(err);
    out.resize(*ok ? static_cast<std::size_t>(n) : 0);
    return out;
}

/// UTF-16 written without a byte-order mark, as some Windows tools do: in
/// the first 8 KiB, zero bytes on one side of every pair only (the high
/// byte of ASCII letters, spaces, digits and punctuation, which even Arabic
/// or Persian text has between its words), on at least one pair in ten,
/// and on the other side twenty times fewer.
/// Returns whether it is big-endian; nothing if it does not look so.
std::optional<bool> utf16_without_bom(std::string_view bytes) {
    const std::size_t probe = std::min<std::size_t>(bytes.size(), 8192) & ~std::size_t{1};
    if (probe < 4 || std::memchr(bytes.data(), 0, probe) == nullptr) return std::nullopt;  // (most files)
    std::size_t zero_even = 0, zero_odd = 0;
    for (std::size_t i = 0; i < probe; i += 2) {
        zero_even += bytes[i] == '\0';
        zero_odd += bytes[i + 1] == '\0';
    }
    const std::size_t pairs = probe / 2;
    // (A few zero bytes on the other side: characters such as U+4E00.)
    if (zero_odd * 10 >= pairs && zero_even * 20 <= zero_odd) return false;  // LE: "A\0"
    if (zero_even * 10 >= pairs && zero_odd * 20 <= zero_even) return true;   // BE: "\0A"
    return std::nullopt;
}

/// Nine in ten of the first 4,096 characters are letters, digits, spaces or
/// punctuation (ICU's classes), as in text of any script.
bool mostly_text(std::string_view utf8) {
    std::int32_t i = 0, n = static_cast<std::int32_t>(std::min<std::size_t>(utf8.size(), 16384));
    std::size_t chars = 0, texty = 0;
    while (i < n && chars < 4096) {
        UChar32 c;
        U8_NEXT(utf8.data(), i, n, c);
        ++chars;
        if (c >= 0 && (u_isalnum(c) || u_isspace(c) || u_ispunct(c))) ++texty;
    }
    return chars > 0 && texty * 10 >= chars * 9;
}

}  // namespace

std::optional<std::string> windows_1252_text(std::string_view bytes, std::size_t* invalid_out) {
    // Bytes of 8 bits in valid UTF-8 sequences of two bytes or more, and not:
    // more than three not for each one in a sequence, and the text is taken
    // for Windows-1252 ("Le pr\xe9sident ... \xe9\xa0\xbb", where three
    // bytes of French happen to make a UTF-8 character, was kept as UTF-8
    // and lost every accent). (A lead byte followed by a continuation byte
    // is UTF-8 cut short, as in "\xe2\x82 ": such text stays UTF-8, its bad
    // sequences replaced.)
    std::size_t multibyte = 0, invalid = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x80) continue;
        const std::size_t len = utf8_sequence_length(c);
        if (len && i + len <= bytes.size() && valid_utf8(bytes.substr(i, len))) {
            ++multibyte;
            i += len - 1;
        } else if (len && i + 1 < bytes.size() && (static_cast<unsigned char>(bytes[i + 1]) & 0xC0) == 0x80) {
            ++multibyte;  // UTF-8, broken (its continuation bytes are of it)
            for (std::size_t k = 1; k < len && i + 1 < bytes.size() && (static_cast<unsigned char>(bytes[i + 1]) & 0xC0) == 0x80; ++k)
                ++i;
        } else {
            ++invalid;
        }
    }
    if (invalid_out) *invalid_out = invalid;
    if (invalid == 0 || invalid <= 3 * multibyte) return std::nullopt;
    UErrorCode err = U_ZERO_ERROR;
    std::string out(bytes.size() * 3 + 16, '\0');
    const int32_t n = ucnv_convert("UTF-8", "windows-1252", out.data(), static_cast<int32_t>(out.size()), bytes.data(),
                                   static_cast<int32_t>(bytes.size()), &err);
    if (!U_SUCCESS(err) || !valid_utf8(std::string_view(out.data(), static_cast<std::size_t>(n)))) return std::nullopt;
    out.resize(static_cast<std::size_t>(n));
    return out;
}

Decoded decode_text(std::string_view bytes) {
    Decoded d;
    if (bytes.size() >= 2 && ((bytes[0] == '\xFF' && bytes[1] == '\xFE') || (bytes[0] == '\xFE' && bytes[1] == '\xFF'))) {
        bool be = bytes[0] == '\xFE';
        bool ok = false;
        std::string s = from_utf16(bytes.substr(2), be, &ok);
        if (!ok) {
            d.reason = "UTF-16 text that does not decode";
            return d;
        }
        d.notes.push_back(std::string("converted from ") + (be ? "UTF-16BE" : "UTF-16LE"));
        Decoded inner = decode_text(s);
        inner.notes.insert(inner.notes.begin(), d.notes.begin(), d.notes.end());
        return inner;
    }
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    if (auto be = utf16_without_bom(bytes)) {
        bool ok = false;
        std::string s = from_utf16(bytes.substr(0, bytes.size() & ~std::size_t{1}), *be, &ok);
        // Taken only if it decodes cleanly (no character replaced) to text:
        // mostly letters, digits, spaces and punctuation (random 16-bit
        // numbers decode cleanly too).
        if (ok && s.find("\xEF\xBF\xBD") == std::string::npos && mostly_text(s)) {
            Decoded inner = decode_text(s);
            if (inner.ok) {
                std::string note = std::string("converted from ") + (*be ? "UTF-16BE" : "UTF-16LE") +
                                   " (no byte-order mark; read by its zero bytes)";
                if (bytes.size() % 2) note += "; its odd last byte left out";
                inner.notes.insert(inner.notes.begin(), note);
                return inner;
            }
        }
    }
    // Binary: NUL bytes, or many control characters in the first 8 KiB.
    std::size_t probe = std::min<std::size_t>(bytes.size(), 8192), ctrl = 0;
    for (std::size_t i = 0; i < probe; ++i) {
        unsigned char c = static_cast<unsigned char>(bytes[i]);
        if (c == 0) {
            d.reason = "binary file (NUL byte at offset " + std::to_string(i) + ")";
            return d;
        }
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++ctrl;
    }
    if (probe > 0 && ctrl * 10 > probe) {
        d.reason = "binary file (" + std::to_string(ctrl) + " control bytes in the first " + std::to_string(probe) + ")";
        return d;
    }
    if (bytes.find('\0', probe) != std::string_view::npos) {
        d.reason = "binary file (NUL byte at offset " + std::to_string(bytes.find('\0', probe)) + ")";
        return d;
    }
    // Not UTF-8 (see windows_1252_text): Latin-1 or Windows-1252, as older
    // text files and Windows editors write it ("Caf\xe9" was "Caf\uFFFD",
    // unsearchable).
    const bool utf8 = valid_utf8(bytes);
    std::size_t high = 0;
    if (!utf8) {
        if (auto converted = windows_1252_text(bytes, &high)) {
            d.text = std::move(*converted);
            d.notes.push_back("not UTF-8 (" + std::to_string(high) + " bytes of 8 bits, mostly in no UTF-8 "
                              "sequence): read as Windows-1252 (Latin-1)");
        }
    }
    if (!d.text.empty()) {
        // (read as Windows-1252 above)
    } else if (utf8) {
        d.text = std::string(bytes);
    } else {
        std::size_t at = first_invalid_utf8(bytes), n = 0;
        d.text = repair_utf8(bytes, &n);
        d.notes.push_back(std::to_string(n) + " invalid UTF-8 sequence" + (n == 1 ? "" : "s") +
                          " replaced with U+FFFD, first at byte " + std::to_string(at));
    }
    // Control characters other than white space are dropped from the text.
    std::string clean;
    clean.reserve(d.text.size());
    std::size_t dropped = 0;
    for (char c : d.text) {
        unsigned char u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u == 0x7F) {
            ++dropped;
            clean += ' ';
            continue;
        }
        clean += c;
    }
    if (dropped) {
        d.notes.push_back(std::to_string(dropped) + " control character" + (dropped == 1 ? "" : "s") + " replaced with spaces");
        d.text = std::move(clean);
    }
    d.ok = true;
    return d;
}

}  // namespace qanat
