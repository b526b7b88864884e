// Small, dependency-free hashing used for change detection and term shortening.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace qanat {

/// 64-bit FNV-1a. Stable across runs and platforms (stored in the index).
constexpr std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/// Lower-case hexadecimal, 16 digits.
std::string hex64(std::uint64_t v);

}  // namespace qanat
