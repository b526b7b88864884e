// Fuzzes actor and year extraction: ActorFinder (core/names.h) with the
// corpus gazetteer (corpus/actors.tsv), Gazetteer::mentions and find_years
// (core/entities.h). With the top bit of the first byte set, the input is an
// actor list instead: load_tsv, serialise/deserialise, and matching with it.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "entities.h"
#include "fuzz_util.h"
#include "names.h"
#include "normalize.h"
#include "passages.h"

using namespace qanat;

namespace {

const Gazetteer& corpus_gazetteer() {
    static const Gazetteer g = [] {
        std::ifstream in(std::string(QANAT_SOURCE_DIR) + "/corpus/actors.tsv", std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        Gazetteer x;
        x.load_tsv(ss.str(), "corpus/actors.tsv");
        if (x.actors().empty()) fuzz::fail(__FILE__, __LINE__, "corpus/actors.tsv not found or empty");
        return x;
    }();
    return g;
}

bool valid_kind(ActorKind k) {
    ActorKind back;
    return parse_actor_kind(actor_kind_name(k), &back) ? back == k : k == ActorKind::Unknown;
}

void check_gazetteer_mentions(const Gazetteer& g, std::string_view text) {
    std::size_t prev = 0;
    for (const ActorMention& m : g.mentions(text)) {
        FUZZ_CHECK(m.start < m.end && m.end <= text.size());
        FUZZ_CHECK(m.start >= prev);
        FUZZ_CHECK(fuzz::on_boundary(text, m.start) && fuzz::on_boundary(text, m.end));
        FUZZ_CHECK(m.actor < g.actors().size());
        prev = m.end;
    }
}

void check_actor_finder(const Gazetteer& g, std::string_view text, const std::vector<TextRegion>& regions) {
    std::size_t prev = 0;
    for (const NamedMention& m : ActorFinder(g).find(text, regions)) {
        FUZZ_CHECK(m.start < m.end && m.end <= text.size());
        FUZZ_CHECK(m.start >= prev);  // text order, no overlaps
        FUZZ_CHECK(fuzz::on_boundary(text, m.start) && fuzz::on_boundary(text, m.end));
        FUZZ_CHECK(!m.name.empty());
        FUZZ_CHECK(fuzz::strict_utf8(m.name));
        FUZZ_CHECK(valid_kind(m.kind));
        if (!m.detected) {
            FUZZ_CHECK(g.find(m.name) != nullptr);  // a gazetteer match names a listed actor
        } else {
            bool in_prose = false;  // names found by shape come from prose only
            for (const auto& r : regions)
                if (r.prose && m.start >= r.start && m.end <= r.end) in_prose = true;
            FUZZ_CHECK(in_prose);
        }
        prev = m.end;
    }
}

void check_years(std::string_view text) {
    std::size_t prev = 0;
    for (const YearMention& y : find_years(text)) {
        FUZZ_CHECK(y.start < y.end && y.end <= text.size());
        FUZZ_CHECK(y.start >= prev);
        FUZZ_CHECK(y.from >= 1000 && y.to <= 2099 && y.from <= y.to);
        FUZZ_CHECK(y.to - y.from <= 100);
        if (y.decade) FUZZ_CHECK(y.from % 10 == 0 && y.to == y.from + 9);
        // The mention starts with the four digits of its first year.
        FUZZ_CHECK(text.substr(y.start, 4) == std::to_string(y.from));
        prev = y.end;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const std::string text = repair_utf8(in.text);  // the indexer hands over valid UTF-8

    if (in.flags & 0x80) {
        Gazetteer g;
        try {
            g.load_tsv(text, "fuzz.tsv");
        } catch (const GazetteerError&) {
            return 0;  // reported to the user as FILE:LINE
        }
        std::string s = g.serialise();
        Gazetteer back = Gazetteer::deserialise(s);
        FUZZ_CHECK(back.serialise() == s);
        FUZZ_CHECK(back.actors().size() == g.actors().size());
        for (const Actor& a : g.actors()) {
            FUZZ_CHECK(g.find(a.name) != nullptr);
            FUZZ_CHECK(back.find(a.name) != nullptr);
        }
        check_gazetteer_mentions(g, text);
        check_actor_finder(g, text, {{0, text.size(), true}});
        return 0;
    }

    const Gazetteer& g = corpus_gazetteer();
    check_gazetteer_mentions(g, text);
    check_years(text);
    // Regions as DocumentBuilder makes them: the passages of the article.
    std::vector<TextRegion> regions;
    if (in.flags & 1) {
        regions.push_back({0, text.size(), (in.flags & 2) != 0});
    } else {
        ParsedArticle art = parse_article(text);
        for (const Passage& p : art.passages)
            if (!p.duplicate) regions.push_back({p.start, p.end, p.kind == BlockKind::Prose});
    }
    check_actor_finder(g, text, regions);
    return 0;
}
