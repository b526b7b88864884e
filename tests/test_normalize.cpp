#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include <xapian.h>

#include "analyzer.h"
#include "decode.h"
#include "normalize.h"

using namespace qanat;

TEST_CASE("fold: case, diacritics, apostrophes, quotes and dashes") {
    struct Row {
        const char* in;
        const char* out;
    };
    for (auto r : std::initializer_list<Row>{
             {"Iran’s", "iran's"},
             {"IRAN'S", "iran's"},
             {"Erdoğan", "erdogan"},
             {"Türkiye", "turkiye"},
             {"1980–88", "1980-88"},
             {"“quoted”", "\"quoted\""},
             {"Straße", "strasse"},
             {"ﬁnance", "finance"},  // NFKC ligature
             {"Łódź", "lodz"},
             {"", ""},
         }) {
        CAPTURE(r.in);
        CHECK(fold(r.in) == r.out);
    }
}

TEST_CASE("fold_keep_case keeps operators in capitals") {
    CHECK(fold_keep_case("Erdoğan AND “PMF”") == "Erdogan AND \"PMF\"");
}

TEST_CASE("words: spans like Xapian's word splitting") {
    std::string t = "Iran’s al-Sudani paid $3.5 billion to the U.S. and AT&T, 200,000 men.";
    std::vector<std::string> got;
    for (auto s : words(t)) got.push_back(t.substr(s.start, s.end - s.start));
    CHECK(got == std::vector<std::string>{"Iran’s", "al", "Sudani", "paid", "3.5", "billion", "to", "the", "U.S.",
                                          "and", "AT&T", "200,000", "men"});
}

TEST_CASE("repair_utf8 replaces invalid sequences and counts them") {
    std::size_t n = 0;
    std::string fixed = repair_utf8("ok\xff\xfe then \xc3", &n);
    CHECK(n == 3);
    CHECK(valid_utf8(fixed));
    CHECK(fixed.rfind("ok", 0) == 0);
    CHECK(valid_utf8("Erdoğan"));
    CHECK_FALSE(valid_utf8("\xc3("));
}

TEST_CASE("analyzer: one term for spelling, case and apostrophe variants") {
    Analyzer a;
    CHECK(a.term("Iran’s") == a.term("iran's"));
    CHECK(a.term("Iran's") == a.term("Iran"));
    CHECK(a.term("Mobilisation") == a.term("mobilization"));
    CHECK(a.term("Erdoğan") == a.term("ERDOGAN"));
    CHECK(a.term("militias") == a.term("militia"));
    CHECK(a.term("disarmed") == a.term("disarm"));
    CHECK(a.term("running") != a.term("ruined"));
}

TEST_CASE("analyzer: stems stay right past the stem cache's size, in any order") {
    // More distinct words than the cache's largest size, met twice in two
    // orders, so that words share slots, replace each other and come back
    // after the cache has grown: each must still get its own stem.
    const char* heads[] = {"nation", "run", "connect", "militia", "govern", "arm", "relat", "build"};
    const char* tails[] = {"", "s", "ing", "ed", "al", "ally", "ment", "ments", "er", "ers"};
    std::vector<std::string> ws;
    for (unsigned i = 0; ws.size() < 100000; ++i) {
        std::string w = heads[i % 8];
        for (unsigned n = i / 8; n; n /= 26) w += static_cast<char>('a' + n % 26);
        w += tails[(i / 3) % 10];
        ws.push_back(std::move(w));
    }
    Analyzer a;
    Xapian::Stem english("english");
    for (int pass = 0; pass < 2; ++pass) {
        unsigned wrong = 0;
        for (std::size_t k = 0; k < ws.size(); ++k) {
            const std::string& w = ws[pass == 0 ? k : (k * 7919) % ws.size()];
            if (a.term(w) != english(w)) ++wrong;
        }
        CHECK(wrong == 0);
    }
    CHECK(a.term("ruined") != a.term("running"));
}

TEST_CASE("analysis settings round-trip and reject garbage") {
    AnalysisSettings s;
    s.language = "french";
    CHECK(AnalysisSettings::parse(s.serialise()) == s);
    CHECK_THROWS(AnalysisSettings::parse("nonsense"));
    CHECK_THROWS_AS(Analyzer(AnalysisSettings{"klingon", 1}), std::invalid_argument);
}

TEST_CASE("text that is not UTF-8 at all is read as Windows-1252") {
    // "Caf\xe9" was "Caf\uFFFD": unsearchable, and the vocabulary filled with "caf".
    Decoded d = decode_text("Caf\xe9 in M\xfcnchen, \x93quoted\x94 \x80" "5\n");
    REQUIRE(d.ok);
    CHECK(d.text == "Caf\xC3\xA9 in M\xC3\xBCnchen, \xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC" "5\n");
    REQUIRE(!d.notes.empty());
    CHECK(d.notes[0].find("Windows-1252") != std::string::npos);
    // Mostly UTF-8 with a stray byte: still UTF-8, the byte replaced.
    d = decode_text("Caf\xC3\xA9 and a stray \xff byte\n");
    CHECK(d.text.find("Caf\xC3\xA9") == 0);
    CHECK(d.text.find("\xEF\xBF\xBD") != std::string::npos);
    // French whose "\xe9\xa0\xbb" (é, no-break space, ») happens to be a UTF-8
    // character: still Windows-1252, six bytes against one sequence (every
    // accent was lost).
    d = decode_text("Le pr\xe9sident a visit\xe9 Gen\xe8ve. Il a parl\xe9 du \xab\xa0March\xe9\xa0\xbb.\n");
    CHECK(d.text == "Le pr\xC3\xA9sident a visit\xC3\xA9 Gen\xC3\xA8ve. Il a parl\xC3\xA9 du \xC2\xAB\xC2\xA0March\xC3\xA9"
                    "\xC2\xA0\xC2\xBB.\n");
    // Two good sequences and one bad byte: UTF-8.
    CHECK(!windows_1252_text("Caf\xC3\xA9 na\xC3\xAFve \xff"));
}

TEST_CASE("UTF-16 without a byte-order mark is read by its zero bytes") {
    // Such files were skipped as binary (NUL byte at offset 1).
    auto utf16 = [](const std::u16string& s, bool be) {
        std::string out;
        for (char16_t c : s) {
            const char hi = static_cast<char>(c >> 8), lo = static_cast<char>(c & 0xFF);
            out += be ? hi : lo;
            out += be ? lo : hi;
        }
        return out;
    };
    const std::u16string english = u"Erdo\u011Fan met Sudani in Baghdad in 2023.\n";
    for (bool be : {false, true}) {
        Decoded d = decode_text(utf16(english, be));
        REQUIRE(d.ok);
        CHECK(d.text == "Erdo\xC4\x9F" "an met Sudani in Baghdad in 2023.\n");
        REQUIRE(!d.notes.empty());
        CHECK(d.notes[0] == std::string("converted from ") + (be ? "UTF-16BE" : "UTF-16LE") +
                                " (no byte-order mark; read by its zero bytes)");
    }
    // Persian: zero bytes only in the spaces and digits between the words.
    const std::u16string persian = u"\u0639\u0631\u0627\u0642 \u0648 \u0627\u06CC\u0631\u0627\u0646 1980\n";
    Decoded p = decode_text(utf16(persian, false));
    REQUIRE(p.ok);
    CHECK(p.text.find("\xD8\xB9\xD8\xB1\xD8\xA7\xD9\x82 ") == 0);  // "عراق "
    // Binary with zero bytes on both sides, or text holding U+0000: still binary.
    std::string binary;
    for (int i = 0; i < 400; ++i) binary += static_cast<char>(i % 3 ? 0 : (i * 37) % 256);
    CHECK(!decode_text(binary).ok);
    CHECK(!decode_text(utf16(std::u16string(u"text\0with a NUL", 15), false)).ok);
    // Random 16-bit numbers under 256 or 1024 decode cleanly, but are not text.
    std::mt19937 rng(7);
    for (unsigned top : {255u, 1023u}) {
        std::u16string nums;
        for (int i = 0; i < 2000; ++i) nums += static_cast<char16_t>(1 + rng() % top);
        CHECK(!decode_text(utf16(nums, false)).ok);
    }
    // An odd last byte is said.
    Decoded odd = decode_text(utf16(english, false) + "x");
    REQUIRE(odd.ok);
    CHECK(odd.notes[0].find("odd last byte") != std::string::npos);
}
