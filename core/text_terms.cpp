#include "text_terms.h"

#include <cstddef>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

namespace qanat {
namespace {

/// Words longer than this are left out, as the TermGenerator's default
/// (set_max_word_length) leaves them.
constexpr std::size_t kMaxWordBytes = 64;

/// Xapian n-grams CJK text when this is set (CJK::is_cjk_enabled).
bool cjk_ngrams() {
    const char* v = std::getenv("XAPIAN_CJK_NGRAM");
    return v != nullptr && *v != '\0';
}

/// The code point at s[i] and its length in bytes, as Xapian's Utf8Iterator
/// reads them: a byte that starts no valid sequence (stray, overlong,
/// truncated, beyond U+10FFFF) is a character by itself, as in ISO-8859-1.
inline unsigned code_point(std::string_view s, std::size_t i, std::size_t* len) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
    const std::size_t left = s.size() - i;
    const unsigned b = p[0];
    *len = 1;
    if (b < 0xc2) return b;
    auto cont = [&](std::size_t k) { return (p[k] & 0xc0) == 0x80; };
    if (b < 0xe0) {
        if (left < 2 || !cont(1)) return b;
        *len = 2;
        return ((b & 0x1f) << 6) | (p[1] & 0x3f);
    }
    if (b < 0xf0) {
        if (left < 3 || !cont(1) || !cont(2) || (b == 0xe0 && p[1] < 0xa0)) return b;
        *len = 3;
        return ((b & 0x0f) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3f);
    }
    if (b >= 0xf5 || left < 4 || !cont(1) || !cont(2) || !cont(3) || (b == 0xf0 && p[1] < 0x90) ||
        (b == 0xf4 && p[1] >= 0x90))
        return b;
    *len = 4;
    return ((b & 0x07) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) | (p[3] & 0x3f);
}

inline bool is_wordchar(unsigned c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    return Xapian::Unicode::is_wordchar(c);
}

inline unsigned lower(unsigned c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
    return Xapian::Unicode::tolower(c);
}

/// check_wordchar: the lower-case character, 0 if not a word character.
inline unsigned word_char(unsigned c) { return is_wordchar(c) ? lower(c) : 0; }

inline bool ascii_upper(unsigned c) { return c >= 'A' && c <= 'Z'; }

inline bool is_digit(unsigned c) {
    if (c < 0x80) return c >= '0' && c <= '9';
    return Xapian::Unicode::get_category(c) == Xapian::Unicode::DECIMAL_DIGIT_NUMBER;
}

inline void append(std::string& s, unsigned c) {
    if (c < 0x80)
        s += static_cast<char>(c);
    else
        Xapian::Unicode::append_utf8(s, c);
}

constexpr unsigned kIgnore = std::numeric_limits<unsigned>::max();

inline bool zero_width(unsigned c) { return c >= 0x200b && (c <= 0x200d || c == 0x2060 || c == 0xfeff); }

inline unsigned infix(unsigned c) {
    if (c == '\'' || c == '&' || c == 0xb7 || c == 0x5f4 || c == 0x2027) return c;
    if (c == 0x2019 || c == 0x201b) return '\'';
    return zero_width(c) ? kIgnore : 0;
}

inline unsigned infix_digit(unsigned c) {
    switch (c) {
    case ',': case '.': case ';': case 0x037e: case 0x0589: case 0x060D: case 0x07F8: case 0x2044:
    case 0xFE10: case 0xFE13: case 0xFE14:
        return c;
    default:
        return zero_width(c) ? kIgnore : 0;
    }
}

/// Calls emit(word) for each word of s, lower-cased, as Xapian 1.4's
/// parse_terms (queryparser/termgenerator_internal.cc) splits it without CJK
/// n-grams: ASCII bytes are read directly, everything else through Xapian's
/// own Unicode functions. `word` is reused.
template <class Emit>
void each_word(std::string_view s, Emit&& emit) {
    const std::size_t n = s.size();
    // The character at i: as written (raw), lower-cased if a word character
    // (ch, else 0), and its bytes (len). Each character is decoded once.
    std::size_t i = 0, len = 0;
    unsigned raw = 0, ch = 0;
    std::string term;
    while (true) {
        // The start of the next word.
        while (true) {
            if (i >= n) return;
            raw = code_point(s, i, &len);
            ch = word_char(raw);
            if (ch) break;
            i += len;
        }
        term.clear();
        // Initials with full stops (U.S., P.T.O.), a trailing stop or not.
        if (ascii_upper(raw)) {
            std::size_t p = i, after_len = 0;
            do {
                term += static_cast<char>(s[p] - 'A' + 'a');
                ++p;
            } while (p < n && s[p] == '.' && ++p < n && ascii_upper(static_cast<unsigned char>(s[p])));
            if (term.size() > 1 && (p >= n || !is_wordchar(code_point(s, p, &after_len)))) {
                i = p;
                emit(term);
                continue;
            }
            term.clear();
        }
        bool at_end = false;
        while (true) {
            unsigned prev = 0;
            do {
                append(term, ch);
                prev = ch;
                i += len;
                if (i >= n) {
                    at_end = true;
                    break;
                }
                raw = code_point(s, i, &len);
                ch = word_char(raw);
            } while (ch);
            if (at_end) break;
            // s[i] (raw) is not a word character: one between two may join them.
            const std::size_t next = i + len;
            if (next >= n) break;
            std::size_t next_len = 0;
            const unsigned next_raw = code_point(s, next, &next_len);
            const unsigned next_ch = word_char(next_raw);
            if (!next_ch) break;
            const unsigned joint = is_digit(prev) && is_digit(next_raw) ? infix_digit(raw) : infix(raw);
            if (!joint) break;
            if (joint != kIgnore) append(term, joint);
            raw = next_raw;
            ch = next_ch;
            i = next;
            len = next_len;
        }
        if (!at_end) {
            // "C++", "C#": up to three, and none before a word character ("fish+chips").
            const std::size_t keep = term.size();
            unsigned count = 0;
            while (i < n && (s[i] == '+' || s[i] == '#')) {
                if (++count > 3) {
                    term.resize(keep);
                    break;
                }
                term += s[i];
                if (++i >= n) {
                    at_end = true;
                    break;
                }
            }
            std::size_t after_len = 0;
            if (!at_end && is_wordchar(code_point(s, i, &after_len))) term.resize(keep);
        }
        emit(term);
    }
}


/// Calls emit(stem) for each word of s the TermGenerator indexes: a word of
/// at most kMaxWordBytes whose stem is not empty.
template <class Emit>
void each_stem(std::string_view s, const Xapian::Stem& stem, Emit&& emit) {
    each_word(s, [&](const std::string& word) {
        if (word.size() > kMaxWordBytes) return;
        const std::string st = stem(word);
        if (!st.empty()) emit(st);
    });
}

/// A document's terms with their positions, in order.
std::vector<std::pair<std::string, std::vector<Xapian::termpos>>> postings(const Xapian::Document& doc) {
    std::vector<std::pair<std::string, std::vector<Xapian::termpos>>> out;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t)
        out.emplace_back(*t, std::vector<Xapian::termpos>(t.positionlist_begin(), t.positionlist_end()));
    return out;
}

}  // namespace

bool TextTerms::splits_as_xapian() {
    // Words that meet every rule above, and bytes that are not UTF-8 (which
    // another version of Xapian may read otherwise).
    static const bool same = [] {
        const std::string probe =
            "U.S. forces, the U.N. P.T.O. U.Sa A.B.c AT&T M&S rock 'n' roll Iran\u2019s x\u201bs C++ C# C+++ C++++ "
            "fish+chips 3.14 1,000,000 12;30 1\u200b2 zero\u200bwidth a\u2060b c\ufeffd middle\u00b7dot he\u05f4b hy\u2027ph "
            "\u0663,\u0664 1\u2044 2 Erdo\u011fan \u01c5emal \u0130stanbul e\u0301 \uff21\uff22 under_score "
            "\xC3\x28 \xE2\x82 \xED\xA0\x80 \xC0\xAF \xE0\x80\x80 \xF0\x80\x80\x80 \xF4\x90\x80\x80 \xF5\x80\x80\x80 "
            "\xF0\x9F\x98\x80 \x80 " + std::string(70, 'a') + " " + std::string(64, 'b') + " end\xC3";
        Xapian::TermGenerator tg;
        tg.set_stemming_strategy(Xapian::TermGenerator::STEM_NONE);
        Xapian::Document want, got;
        tg.set_document(want);
        tg.index_text(probe);
        Xapian::termpos pos = 0;
        each_word(probe, [&](const std::string& word) {
            if (word.size() <= kMaxWordBytes) got.add_posting(word, ++pos);
        });
        return postings(got) == postings(want);
    }();
    return same;
}

TextTerms::TextTerms(Xapian::Stem stem, Xapian::TermGenerator tg)
    : stem_(std::move(stem)), tg_(std::move(tg)), xapian_splits_(cjk_ngrams() || !splits_as_xapian()) {}

void TextTerms::index(Xapian::Document& doc, std::string_view text) {
    if (xapian_splits_) {
        tg_.set_document(doc);
        tg_.index_text(std::string(text));
        // (The term generator would keep a handle on the document, and Xapian
        // counts handles without atomics: the document goes to a writer on
        // another thread.)
        tg_.set_document(Xapian::Document());
        return;
    }
    Xapian::termpos pos = 0;
    each_stem(text, stem_, [&](const std::string& stem) { doc.add_posting(stem, ++pos); });
}

void TextTerms::index_without_positions(Xapian::Document& doc, std::string_view text, const std::string& prefix) {
    if (xapian_splits_) {
        tg_.set_document(doc);
        tg_.index_text_without_positions(std::string(text), 1, prefix);
        tg_.set_document(Xapian::Document());
        return;
    }
    each_stem(text, stem_, [&](const std::string& stem) {
        term_.assign(prefix);
        term_ += stem;
        doc.add_term(term_);
    });
}

}  // namespace qanat
