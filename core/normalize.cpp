#include "normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <stdexcept>

namespace qanat {
namespace {

const icu::Normalizer2& nfkc_casefold() {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCCasefoldInstance(err);
    if (U_FAILURE(err)) throw std::runtime_error("ICU NFKC_Casefold unavailable");
    return *n;
}
const icu::Normalizer2& nfkc() {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(err);
    if (U_FAILURE(err)) throw std::runtime_error("ICU NFKC unavailable");
    return *n;
}
const icu::Normalizer2& nfd() {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFDInstance(err);
    if (U_FAILURE(err)) throw std::runtime_error("ICU NFD unavailable");
    return *n;
}
const icu::Normalizer2& nfc() {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(err);
    if (U_FAILURE(err)) throw std::runtime_error("ICU NFC unavailable");
    return *n;
}

/// Combining marks that are diacritics on letters: removed for matching.
bool is_diacritic(UChar32 c) {
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F) ||
           (c >= 0x064B && c <= 0x065F) || c == 0x0670;  // Arabic harakat
}

/// Punctuation variants mapped to one ASCII form; letters without a
/// decomposition mapped to their base letters. Returns -1 to keep c.
int fold_char(UChar32 c, std::u16string_view* multi) {
    switch (c) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x02BC: case 0x02B9:
    case 0x00B4: case 0x0060: case 0x2032: case 0xFF07:
        return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x00AB: case 0x00BB:
    case 0x2033: case 0xFF02:
        return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
    case 0x2212: case 0xFE58: case 0xFE63: case 0xFF0D:
        return '-';
    case 0x00D8: return 'O';
    case 0x00F8: return 'o';
    case 0x0141: return 'L';
    case 0x0142: return 'l';
    case 0x0110: return 'D';
    case 0x0111: return 'd';
    case 0x0131: return 'i';
    case 0x00C6: *multi = u"AE"; return 0;
    case 0x00E6: *multi = u"ae"; return 0;
    case 0x0152: *multi = u"OE"; return 0;
    case 0x0153: *multi = u"oe"; return 0;
    case 0x00DF: *multi = u"ss"; return 0;
    default:
        return -1;
    }
}

bool ascii_only(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

std::string fold_impl(std::string_view utf8, bool casefold) {
    if (ascii_only(utf8)) {
        std::string out(utf8);
        for (char& c : out) {
            if (casefold && c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
            else if (c == '`')
                c = '\'';
        }
        return out;
    }
    UErrorCode err = U_ZERO_ERROR;
    icu::UnicodeString s = icu::UnicodeString::fromUTF8(
        icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    // Diacritics go first, so that case folding cannot turn one into a letter
    // (U+0345, the Greek iota subscript, folds to iota): "λόγῳ" is "λογω"
    // whether folded with or without case.
    icu::UnicodeString a = nfkc().normalize(s, err);
    icu::UnicodeString d = nfd().normalize(a, err);
    icu::UnicodeString kept;
    for (int32_t i = 0; i < d.length();) {
        UChar32 c = d.char32At(i);
        i += U16_LENGTH(c);
        if (is_diacritic(c)) continue;
        std::u16string_view multi;
        int m = fold_char(c, &multi);
        if (m > 0)
            kept.append(static_cast<UChar32>(m));
        else if (m == 0)
            kept.append(icu::UnicodeString(multi.data(), static_cast<int32_t>(multi.size())));
        else
            kept.append(c);
    }
    icu::UnicodeString out = (casefold ? nfkc_casefold() : nfc()).normalize(kept, err);
    if (U_FAILURE(err)) return std::string(utf8);
    std::string r;
    out.toUTF8String(r);
    return r;
}

inline UChar32 next_cp(std::string_view s, std::size_t& i) {
    if (static_cast<unsigned char>(s[i]) < 0x80) return static_cast<unsigned char>(s[i++]);
    int32_t pos = static_cast<int32_t>(i);
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), pos, static_cast<int32_t>(s.size()), c);
    i = static_cast<std::size_t>(pos);
    return c;
}

bool is_word_cp(UChar32 c) {
    if (c < 0) return false;
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    int32_t mask = U_GET_GC_MASK(c);
    return (mask & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK | U_GC_NL_MASK | U_GC_NO_MASK |
                    U_GC_PC_MASK)) != 0;
}

bool is_digit_cp(UChar32 c) { return c >= 0 && u_isdigit(c); }

bool is_apostrophe(UChar32 c) { return c == '\'' || c == 0x2019 || c == 0x201B; }

}  // namespace

std::string fold(std::string_view utf8) { return fold_impl(utf8, true); }
std::string fold_keep_case(std::string_view utf8) { return fold_impl(utf8, false); }

std::string repair_utf8(std::string_view bytes, std::size_t* replaced) {
    std::size_t bad = 0;
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i < bytes.size()) {
        unsigned char b = static_cast<unsigned char>(bytes[i]);
        if (b < 0x80) {
            out += static_cast<char>(b);
            ++i;
            continue;
        }
        std::size_t start = i;
        UChar32 c = next_cp(bytes, i);
        if (c < 0) {
            out += "\xEF\xBF\xBD";
            ++bad;
        } else {
            out.append(bytes.substr(start, i - start));
        }
    }
    if (replaced) *replaced = bad;
    return out;
}

std::size_t utf8_sequence_length(unsigned char c) {
    return c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
}

std::size_t first_invalid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t len = utf8_sequence_length(static_cast<unsigned char>(s[i]));
        if (len == 0 || i + len > s.size() || !valid_utf8(s.substr(i, len))) return i;
        i += len;
    }
    return s.size();
}

bool valid_utf8(std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        if (static_cast<unsigned char>(bytes[i]) < 0x80) {
            ++i;
            continue;
        }
        if (next_cp(bytes, i) < 0) return false;
    }
    return true;
}

std::vector<Span> words(std::string_view s) {
    std::vector<Span> out;
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        std::size_t start = i;
        UChar32 c = next_cp(s, i);
        if (!is_word_cp(c)) continue;
        // Acronym with full stops: U.S., U.N.
        if (u_isupper(c) && i < n && s[i] == '.') {
            std::size_t j = i;
            std::size_t last = i;
            int letters = 1;
            while (j < n && s[j] == '.') {
                std::size_t k = j + 1;
                if (k >= n) break;
                std::size_t kk = k;
                UChar32 d = next_cp(s, kk);
                if (!u_isupper(d)) break;
                if (kk < n && s[kk] != '.') break;  // a capital followed by more letters: not an acronym
                ++letters;
                j = kk;
                last = kk;
            }
            if (letters >= 2) {
                std::size_t end = last;
                if (end < n && s[end] == '.') ++end;
                out.push_back({start, end});
                i = end;
                continue;
            }
        }
        bool digits = is_digit_cp(c);
        std::size_t end = i;
        while (end < n) {
            std::size_t k = end;
            UChar32 d = next_cp(s, k);
            if (is_word_cp(d)) {
                end = k;
                continue;
            }
            // An apostrophe, or '&', between word characters stays inside the word.
            if (is_apostrophe(d) || d == '&') {
                std::size_t kk = k;
                if (kk < n && is_word_cp(next_cp(s, kk))) {
                    end = k;
                    continue;
                }
            }
            // 3.5, 200,000
            if (digits && (d == '.' || d == ',')) {
                std::size_t kk = k;
                if (kk < n && is_digit_cp(next_cp(s, kk))) {
                    end = k;
                    continue;
                }
            }
            break;
        }
        // C++, C#
        while (end < n && (s[end] == '+' || s[end] == '#') && end - start <= 3) {
            std::size_t k = end + 1;
            if (k < n && is_word_cp(next_cp(s, k))) break;
            ++end;
        }
        out.push_back({start, end});
        i = end;
    }
    return out;
}

bool starts_upper(std::string_view s) {
    if (s.empty()) return false;
    std::size_t i = 0;
    UChar32 c = next_cp(s, i);
    return c >= 0 && (u_isupper(c) || u_istitle(c));
}

bool all_upper(std::string_view s) {
    bool letter = false;
    std::size_t i = 0;
    while (i < s.size()) {
        UChar32 c = next_cp(s, i);
        if (c < 0) return false;
        if (u_isalpha(c)) {
            letter = true;
            if (!u_isupper(c)) return false;
        }
    }
    return letter;
}

}  // namespace qanat
