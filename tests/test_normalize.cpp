#include <doctest/doctest.h>

#include "analyzer.h"
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

TEST_CASE("analysis settings round-trip and reject garbage") {
    AnalysisSettings s;
    s.language = "french";
    CHECK(AnalysisSettings::parse(s.serialise()) == s);
    CHECK_THROWS(AnalysisSettings::parse("nonsense"));
    CHECK_THROWS_AS(Analyzer(AnalysisSettings{"klingon", 1}), std::invalid_argument);
}
