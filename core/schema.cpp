#include "schema.h"

#include "hash.h"

namespace qanat::schema {

std::string term(const Prefix& p, std::string_view value) {
    std::string t(p.prefix);
    if (p.prefix.size() > 1 && !value.empty() && value[0] >= 'A' && value[0] <= 'Z') t += ':';
    if (t.size() + value.size() <= kMaxTermBytes) {
        t += value;
    } else {
        // Keep a readable head and make the rest unique with a hash.
        std::string h = hex64(fnv1a64(value));
        std::size_t keep = kMaxTermBytes - t.size() - h.size() - 1;
        // Do not cut a UTF-8 sequence in half.
        while (keep > 0 && (static_cast<unsigned char>(value[keep]) & 0xC0) == 0x80) --keep;
        t.append(value.substr(0, keep));
        t += '#';
        t += h;
    }
    return t;
}

std::string order_key(std::string_view article_id, unsigned ordinal) {
    std::string k(article_id);
    k += '\0';
    for (int shift = 24; shift >= 0; shift -= 8) k += static_cast<char>((ordinal >> shift) & 0xFF);
    return k;
}

}  // namespace qanat::schema
