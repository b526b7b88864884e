// What exact counts over every match cost in Xapian itself, apart from qanat:
// for each term given, the best of 5 runs of
//   match  - visiting every matching passage (BoolWeight, no documents asked for)
//   spy    - the same with a match spy that does nothing
//   values - the same with a spy that reads each match's facet key from the
//            value stream, as qanat's facet counting does (before any parsing)
//
// Build and run (from the project root, after an index exists):
//   g++ -O2 -std=c++20 bench/count_cost.cpp -o bench/data/bin/count_cost -lxapian
//   bench/data/bin/count_cost bench/data/idx/qanat-x10 dlrs bank
// The terms are index terms (lower case, stemmed as the index stems them).
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

constexpr Xapian::valueno kSlotFacets = 2;  // schema::kSlotFacets

struct NoopSpy : Xapian::MatchSpy {
    void operator()(const Xapian::Document&, double) override {}
};

struct ValueSpy : Xapian::MatchSpy {
    explicit ValueSpy(const Xapian::Database& db)
        : it(db.valuestream_begin(kSlotFacets)), end(db.valuestream_end(kSlotFacets)) {}
    void operator()(const Xapian::Document& doc, double) override {
        Xapian::docid did = doc.get_docid();
        if (it != end && it.get_docid() < did) it.skip_to(did);
        if (it != end && it.get_docid() == did) bytes += (*it).size();
    }
    Xapian::ValueIterator it, end;
    std::size_t bytes = 0;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: count_cost INDEX TERM...\n");
        return 2;
    }
    Xapian::Database db(argv[1]);
    std::printf("| term | matches | match ms | spy ms | values ms | value bytes |\n|---|---:|---:|---:|---:|---:|\n");
    for (int a = 2; a < argc; ++a) {
        Xapian::Query q{std::string(argv[a])};
        double best[3] = {1e18, 1e18, 1e18};
        Xapian::doccount matches = 0;
        std::size_t bytes = 0;
        for (int rep = 0; rep < 5; ++rep) {
            for (int mode = 0; mode < 3; ++mode) {
                auto t0 = std::chrono::steady_clock::now();
                Xapian::Enquire e(db);
                e.set_query(q);
                e.set_weighting_scheme(Xapian::BoolWeight());
                NoopSpy noop;
                ValueSpy values(db);
                if (mode == 1) e.add_matchspy(&noop);
                if (mode == 2) e.add_matchspy(&values);
                Xapian::MSet m = e.get_mset(0, 0, db.get_doccount());
                double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
                if (ms < best[mode]) best[mode] = ms;
                matches = m.get_matches_estimated();
                if (mode == 2) bytes = values.bytes;
            }
        }
        std::printf("| %s | %u | %.1f | %.1f | %.1f | %zu |\n", argv[a], matches, best[0], best[1], best[2], bytes);
    }
    return 0;
}
