#include <doctest/doctest.h>

#include "schema.h"

using namespace qanat;

TEST_CASE("term: Omega's colon rule for multi-letter prefixes") {
    CHECK(schema::term(schema::kArticle, "abc") == "XAabc");
    CHECK(schema::term(schema::kArticle, "Abc") == "XA:Abc");
    CHECK(schema::term(schema::kYear, "2003") == "Y2003");
    CHECK(schema::term(schema::kTitle, "Iraq") == "SIraq");  // single letter: no colon
}

TEST_CASE("term: long values stay unique and within Xapian's limit") {
    std::string a(400, 'a'), b = a;
    b[399] = 'b';
    auto ta = schema::term(schema::kArticle, a), tb = schema::term(schema::kArticle, b);
    CHECK(ta.size() <= schema::kMaxTermBytes);
    CHECK(ta != tb);
    // A multi-byte character is never cut in half.
    std::string u;
    for (int i = 0; i < 200; ++i) u += "\xC3\xA9";
    auto tu = schema::term(schema::kArticle, u);
    CHECK(tu.size() <= schema::kMaxTermBytes);
    auto hash = tu.find('#');
    REQUIRE(hash != std::string::npos);
    CHECK((hash - 2) % 2 == 0);
}

TEST_CASE("order key sorts by article then ordinal") {
    CHECK(schema::order_key("a", 2) < schema::order_key("a", 10));
    CHECK(schema::order_key("a", 300) < schema::order_key("b", 0));
    CHECK(schema::order_key("a", 0).size() == 6);
}
