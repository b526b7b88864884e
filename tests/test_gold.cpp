// Actor and year extraction measured against a hand-labelled gold set:
// tests/data/gold_entities.jsonl gives, for every prose passage of the five
// seed articles, the actors and years it mentions.
#include <doctest/doctest.h>

#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "document.h"
#include "schema.h"
#include "support.h"

using namespace qanat;

namespace {

struct Score {
    std::size_t tp = 0, fp = 0, fn = 0;
    double precision() const { return tp + fp ? double(tp) / double(tp + fp) : 1.0; }
    double recall() const { return tp + fn ? double(tp) / double(tp + fn) : 1.0; }
    void add(const std::set<std::string>& got, const std::set<std::string>& want, std::vector<std::string>* errs,
             const std::string& where) {
        for (const auto& g : got) {
            if (want.count(g)) ++tp;
            else {
                ++fp;
                errs->push_back(where + ": extra " + g);
            }
        }
        for (const auto& w : want)
            if (!got.count(w)) {
                ++fn;
                errs->push_back(where + ": missed " + w);
            }
    }
};

}  // namespace

TEST_CASE("actor and year extraction against the hand-labelled gold set") {
    Gazetteer g = test::corpus_gazetteer();
    DocumentBuilder b(AnalysisSettings{}, g, PassageOptions{});
    std::map<std::string, std::vector<StoredPassage>> passages;
    for (const auto& a : test::corpus_articles())
        for (const auto& d : b.build(a).documents) passages[a.id].push_back(StoredPassage::deserialise(d.get_value(schema::kSlotPassage)));

    std::string gold = test::read_file(std::string(QANAT_SOURCE_DIR) + "/tests/data/gold_entities.jsonl");
    REQUIRE(!gold.empty());
    Score actors, years;
    std::vector<std::string> errs;
    std::size_t lines = 0;
    std::size_t pos = 0;
    while (pos < gold.size()) {
        std::size_t nl = gold.find('\n', pos);
        std::string line = gold.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? gold.size() : nl + 1;
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line);
        ++lines;
        std::string art = j["article"], quote = j["quote"];
        const StoredPassage* p = nullptr;
        for (const auto& sp : passages[art])
            if (sp.text.find(quote) != std::string::npos) p = &sp;
        CAPTURE(quote);
        REQUIRE(p != nullptr);
        std::set<std::string> got_a, got_y;
        for (const auto& [name, kind] : p->actor_set()) got_a.insert(name);
        for (const auto& y : p->year_set()) got_y.insert(y);
        std::string where = art.substr(0, 3) + "#" + std::to_string(p->ordinal);
        actors.add(got_a, j["actors"].get<std::set<std::string>>(), &errs, where);
        years.add(got_y, j["years"].get<std::set<std::string>>(), &errs, where);
    }
    CHECK(lines >= 80);
    std::cout << "gold set: " << lines << " passages; actors precision " << actors.precision() << " recall "
              << actors.recall() << " (tp " << actors.tp << ", fp " << actors.fp << ", fn " << actors.fn
              << "); years precision " << years.precision() << " recall " << years.recall() << " (tp " << years.tp
              << ", fp " << years.fp << ", fn " << years.fn << ")\n";
    if (std::getenv("QANAT_GOLD_VERBOSE"))
        for (const auto& e : errs) std::cout << "  " << e << "\n";
    CHECK(actors.precision() >= 0.9);
    CHECK(actors.recall() >= 0.9);
    CHECK(years.precision() >= 0.9);
    CHECK(years.recall() >= 0.9);
}
