// Unsigned varints and length-prefixed strings: the compact binary forms
// qanat stores in its index (passage data, the facet table).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace qanat {

inline void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

inline void put_string(std::string& out, std::string_view s) {
    put_varint(out, s.size());
    out.append(s);
}

/// Reads what put_varint and put_string wrote; throws std::runtime_error
/// with `what` when the data ends early or is malformed.
struct VarintReader {
    std::string_view d;
    const char* what = "stored data is damaged";
    std::size_t p = 0;
    [[noreturn]] void damaged() const { throw std::runtime_error(what); }
    bool done() const { return p >= d.size(); }
    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= d.size()) damaged();
            auto b = static_cast<unsigned char>(d[p++]);
            v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if (!(b & 0x80)) return v;
        }
        damaged();
    }
    std::string_view string_view() {
        std::uint64_t n = varint();
        if (n > d.size() - p) damaged();
        std::string_view s = d.substr(p, n);
        p += n;
        return s;
    }
    std::string string() { return std::string(string_view()); }
};

}  // namespace qanat
