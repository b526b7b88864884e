// Helpers shared by the fuzz targets: invariant checks that abort with a
// message (so that libFuzzer records the input), and a UTF-8 validator written
// independently of core/normalize.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace qanat::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* what) {
    std::fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
    std::fflush(stderr);
    std::abort();
}

#define FUZZ_CHECK(cond)                                     \
    do {                                                     \
        if (!(cond)) ::qanat::fuzz::fail(__FILE__, __LINE__, #cond); \
    } while (0)

/// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, at most U+10FFFF.
inline bool strict_utf8(std::string_view s) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        std::uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            unsigned char d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3F);
        }
        if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
        if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
        i += len;
    }
    return true;
}

/// True if offset `at` of valid UTF-8 text is not inside a multi-byte sequence.
inline bool on_boundary(std::string_view s, std::size_t at) {
    if (at == 0 || at == s.size()) return true;
    if (at > s.size()) return false;
    return (static_cast<unsigned char>(s[at]) & 0xC0) != 0x80;
}

/// Splits the input: the first byte picks options, the rest is the text.
struct Input {
    std::uint8_t flags = 0;
    std::string_view text;
    Input(const std::uint8_t* data, std::size_t size) {
        if (size > 0) {
            flags = data[0];
            text = std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1);
        }
    }
};

}  // namespace qanat::fuzz
