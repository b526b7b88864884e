#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <xapian.h>

#include "analyzer.h"
#include "text_terms.h"

using namespace qanat;

namespace {

/// A document's terms, wdf and positions, one line each.
std::string dump(const Xapian::Document& doc) {
    std::ostringstream out;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
        out << *t << " " << t.get_wdf() << ":";
        for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p) out << " " << *p;
        out << "\n";
    }
    return out.str();
}

/// What Xapian's TermGenerator and TextTerms make of `text`: the same terms.
void check_same(Analyzer& a, const std::string& text) {
    Xapian::TermGenerator tg = a.term_generator();
    Xapian::Document want, want_title, got, got_title;
    tg.set_document(want);
    tg.index_text(text);
    tg.set_document(want_title);
    tg.index_text_without_positions(text, 1, "S");
    TextTerms terms(a.stemmer(), a.term_generator());
    terms.index(got, text);
    terms.index_without_positions(got_title, text, "S");
    INFO("text: ", text);
    CHECK(dump(got) == dump(want));
    CHECK(dump(got_title) == dump(want_title));
}

}  // namespace

TEST_CASE("text terms: the TermGenerator's words, positions and stems") {
    // (With CJK n-grams asked for, TextTerms hands the text to the
    // TermGenerator, and these tests would compare it with itself.)
    const char* cjk = std::getenv("XAPIAN_CJK_NGRAM");
    REQUIRE_MESSAGE((cjk == nullptr || *cjk == '\0'), "unset XAPIAN_CJK_NGRAM to run these tests");
    REQUIRE(TextTerms::splits_as_xapian());
    Analyzer a;
    for (const char* text : {
             "", " ", "Iraq", "U.S. forces left Iraq.", "U.S.A", "the U.N.", "P.T.O.", "U.Sa", "A.B.c", "A.",
             "Popular Mobilization Forces (PMF) and Hashd al-Shaabi", "Iran’s proxies", "Iran's", "rock 'n' roll",
             "AT&T M&S", "fish&", "&chips", "C++ and C# and C+++ and C++++ and fish+chips", "C+", "X#1",
             "3.14 1,000,000 2.5.6 1980-88 1980s '88 12;30", "a.b", "under_score __init__", "zero\u200bwidth",
             "digits\u200b12", "1\u200b2", "middle·dot", "Hebrew\u05f4x", "hy\u2027phen", "Erdoğan Türkiye STRASSE Straße",
             "ﬁnance ΣΊΣΥΦΟΣ λόγῳ", "ǅemal", "İstanbul ıi", "Ａｂｃ full width", "٣٤٥ Arabic-Indic ١,٢",
             "中文 日本語 한국어", "e\u0301 combining", "new\nline\ttab", "mobilisation organisation",
             "word-with-hyphens", "end.", "'quoted'", "’curly’", "x\u2019s", "1\u2019000", "trailing&",
             "supercalifragilisticexpialidocious-supercalifragilisticexpialidocious-and-more-and-more-words",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             "\xC3\x28 bad \xE2\x82 truncated \xF0\x9F\x98\x80 emoji \xED\xA0\x80 surrogate \xC0\xAF overlong \xF4\x90\x80\x80",
             "\xE0\x80\x80 \xF0\x80\x80\x80 \xFF\xFE lone \x80 tail\xC3",
             "\xF5\x80\x80\x80 \xF6\x80\x80\x80 \xF7\xBF\xBF\xBF above U+10FFFF \xF4\x8F\xBF\xBF"}) {
        check_same(a, text);
    }
}

TEST_CASE("text terms: random text splits as the TermGenerator splits it") {
    // Pieces that meet every rule of the splitting: letters and digits of
    // several scripts, the characters that join words or numbers, suffixes,
    // initials, zero-width characters and bytes that are not UTF-8.
    const std::vector<std::string> pieces{
        "a", "B", "z", "Q", "7", "0", "_", ".", ",", ";", "'", "&", "+", "#", "-", " ", "\n", "é", "É", "ß", "İ",
        "ı", "Σ", "ς", "ǅ", "\u2019", "\u201b", "\u00b7", "\u05f4", "\u2027", "\u200b", "\u200d", "\u2060", "\ufeff",
        "\u037e", "\u0589", "\u060d", "\u07f8", "\u2044", "\ufe10", "\ufe13", "\ufe14", "٣", "١", "中", "文", "\u0301",
        "Ａ", "１", "\xC3", "\x80", "\xE2\x82", "\xF0\x9F\x98\x80", "\xED\xA0\x80", "\xC0\xAF", "U.", "S.", "ing",
        "isation", "tion"};
    Analyzer a;
    std::mt19937 rng(20261207);
    std::uniform_int_distribution<std::size_t> piece(0, pieces.size() - 1), length(0, 40);
    for (int n = 0; n < 3000; ++n) {
        std::string text;
        for (std::size_t k = length(rng); k > 0; --k) text += pieces[piece(rng)];
        check_same(a, text);
    }
}
