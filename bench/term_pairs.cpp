// What a qanat index holds, counted as (term, passage) pairs and positions,
// by kind of term: the words of the text (stop words apart: Snowball's English
// list, stemmed as the index stems), the title words, and each boolean prefix.
// Each pair is a posting Xapian adds, buffers, flushes and merges, so the
// shares say where a build's writing time goes.
//
// Build and run (from the project root, after an index exists):
//   g++ -O2 -std=c++20 -Icore bench/term_pairs.cpp core/stopwords.cpp -o bench/data/bin/term_pairs -lxapian
//   bench/data/bin/term_pairs bench/data/idx/qanat-x1
#include <xapian.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "stopwords.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: term_pairs INDEX\n");
        return 2;
    }
    try {
        Xapian::Database db(argv[1]);
        Xapian::Stem stem("english");
        std::set<std::string> stop;
        for (auto w : qanat::english_stopwords()) stop.insert(stem(std::string(w)));
        struct Count {
            unsigned long pairs = 0, positions = 0;
        };
        std::map<std::string, Count> by_kind;
        for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
            Xapian::Document d = db.get_document(*it);
            for (auto t = d.termlist_begin(); t != d.termlist_end(); ++t) {
                const std::string term = *t;
                std::string kind;
                if (term.empty()) kind = "(empty)";
                else if (term[0] == 'S') kind = "title words (S)";
                else if (term[0] >= 'A' && term[0] <= 'Z') kind = "boolean " + term.substr(0, term[0] == 'X' ? 2 : 1);
                else if (stop.count(term)) kind = "text: stop words";
                else kind = "text: other words";
                Count& c = by_kind[kind];
                ++c.pairs;
                c.positions += t.positionlist_count();
            }
        }
        Count all;
        for (const auto& [k, c] : by_kind) {
            all.pairs += c.pairs;
            all.positions += c.positions;
        }
        std::printf("%u passages, %lu pairs, %lu positions\n", db.get_doccount(), all.pairs, all.positions);
        std::printf("| kind | pairs | share | positions | share |\n|---|---:|---:|---:|---:|\n");
        for (const auto& [k, c] : by_kind)
            std::printf("| %s | %lu | %.1f %% | %lu | %.1f %% |\n", k.c_str(), c.pairs, 100.0 * c.pairs / all.pairs,
                        c.positions, all.positions ? 100.0 * c.positions / all.positions : 0.0);
    } catch (const Xapian::Error& e) {
        std::fprintf(stderr, "term_pairs: %s\n", e.get_description().c_str());
        return 1;
    }
    return 0;
}
