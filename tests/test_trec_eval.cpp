#include <doctest/doctest.h>

#include <cmath>

#include "trec_eval.h"

using namespace qanat;

TEST_CASE("trec_eval measures on a hand-computed example") {
    Qrels q = parse_qrels("q1 0 d1 1\nq1 0 d2 1\nq1 0 d3 0\nq1 0 d4 2\nq2 0 d9 1\nq3 0 d1 0\n");
    // d5 and d1 tie on score: trec_eval puts the larger document id first.
    Run r = parse_run("q1 Q0 d3 1 3.0 t\nq1 Q0 d1 2 2.0 t\nq1 Q0 d5 3 2.0 t\nq1 Q0 d4 4 1.0 t\n");
    auto e = evaluate(q, r);
    REQUIRE(e.queries == 2);  // q3 has no relevant document; q2 counts with nothing retrieved
    const auto& s = e.per_query.at("q1");
    // Relevant at ranks 3 (d1, gain 1) and 4 (d4, gain 2) of d3, d5, d1, d4.
    CHECK(s.ap == doctest::Approx((1.0 / 3 + 2.0 / 4) / 3));
    double dcg = 1 / std::log2(4.0) + 2 / std::log2(5.0);
    double idcg = 2 / std::log2(2.0) + 1 / std::log2(3.0) + 1 / std::log2(4.0);
    CHECK(s.ndcg == doctest::Approx(dcg / idcg));
    CHECK(s.ndcg10 == doctest::Approx(dcg / idcg));
    CHECK(s.recall100 == doctest::Approx(2.0 / 3));
    CHECK(s.p10 == doctest::Approx(0.2));
    CHECK(e.per_query.at("q2").ap == 0);
    CHECK(e.mean.ap == doctest::Approx(((1.0 / 3 + 2.0 / 4) / 3) / 2));
}

TEST_CASE("trec_eval depth and cut-offs") {
    Qrels q;
    q["q"]["rel"] = 1;
    Run r;
    for (int i = 0; i < 20; ++i) r["q"].push_back({"n" + std::to_string(100 + i), 100.0 - i});
    r["q"].push_back({"rel", 50.0});  // rank 21
    auto e = evaluate(q, r);
    CHECK(e.mean.ap == doctest::Approx(1.0 / 21));
    CHECK(e.mean.ndcg10 == 0);
    CHECK(e.mean.recall100 == 1);
    CHECK(evaluate(q, r, 20).mean.ap == 0);  // beyond the depth
}

TEST_CASE("malformed qrels and runs name the line") {
    CHECK_THROWS_WITH_AS(parse_qrels("q 0 d 1\nq 0 d\n", "x.qrels"), doctest::Contains("x.qrels:2"), TrecFormatError);
    CHECK_THROWS_WITH_AS(parse_run("q Q0 d 1 abc t\n", "r"), doctest::Contains("r:1: 'abc'"), TrecFormatError);
    // A document twice for one query (MAP came out at 2), a rank or score that is not a number.
    CHECK_THROWS_WITH_AS(parse_run("q Q0 d 1 2.0 t\nq Q0 e 2 1.5 t\nq Q0 d 3 1.0 t\n", "r"),
                         doctest::Contains("r:3: document 'd' listed again for query 'q' (first at line 1)"), TrecFormatError);
    CHECK_NOTHROW(parse_run("q Q0 d 1 2.0 t\nq2 Q0 d 1 1.5 t\n", "r"));
    CHECK_THROWS_WITH_AS(parse_run("q Q0 d x 2.0 t\n", "r"), doctest::Contains("r:1: 'x'"), TrecFormatError);
    CHECK_THROWS_WITH_AS(parse_run("q Q0 d 1 nan t\n", "r"), doctest::Contains("r:1: 'nan'"), TrecFormatError);
}
