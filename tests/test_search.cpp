#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"
#include "search.h"
#include "support.h"
#include "json_writer.h"
#include "table_file.h"

using namespace qanat;

namespace {

struct Fixture {
    Gazetteer g = test::corpus_gazetteer();
    Xapian::WritableDatabase db = test::memory_index(test::corpus_articles(), g);
    Searcher s{db};

    SearchResult run(SearchRequest r) { return s.search(r); }
    SearchResult run(const std::string& q, unsigned limit = 10000) {
        SearchRequest r;
        r.query = q;
        r.limit = limit;
        return s.search(r);
    }
};

std::set<std::string> ids(const SearchResult& r) {
    std::set<std::string> out;
    for (const auto& h : r.hits) out.insert(h.passage.article_id + "#" + std::to_string(h.passage.ordinal));
    return out;
}

std::string hl_words(const Hit& h) {
    std::string s = "|";
    for (auto sp : h.highlights) s += h.passage.text.substr(sp.start, sp.end - sp.start) + "|";
    return s;
}

}  // namespace

TEST_CASE("curly and straight apostrophes find the same passages") {
    Fixture f;
    auto a = f.run("Iran’s influence"), b = f.run("Iran's influence"), c = f.run("IRAN'S INFLUENCE");
    CHECK(a.total_passages > 0);
    CHECK(ids(a) == ids(b));
    CHECK(ids(a) == ids(c));
}

TEST_CASE("actor:PMF finds the passage that says Popular Mobilisation Forces") {
    Fixture f;
    auto r = f.run("actor:PMF");
    bool found = false;
    for (const auto& h : r.hits)
        if (h.passage.text.find("Popular Mobilisation Forces") != std::string::npos) {
            found = true;
            CHECK(hl_words(h).find("Popular Mobilisation Forces") != std::string::npos);
        }
    CHECK(found);
    // Every alias gives the same answer.
    CHECK(ids(f.run("actor:\"Popular Mobilization Forces\"")) == ids(r));
    CHECK(ids(f.run("actor:pmf")) == ids(r));
    SearchRequest opt;
    opt.actors = {"Popular Mobilisation Forces"};
    opt.limit = 10000;
    CHECK(ids(f.run(opt)) == ids(r));
}

TEST_CASE("year:1980..1988 finds the war passages") {
    Fixture f;
    auto r = f.run("year:1980..1988");
    std::string all;
    for (const auto& h : r.hits) all += h.passage.text + "\n";
    CHECK(all.find("1980s Iran-Iraq War") != std::string::npos);  // a decade
    CHECK(all.find("1980–88 Iran–Iraq War") != std::string::npos);  // a range
    CHECK(ids(f.run("year:1980-88")) == ids(r));
    CHECK(ids(f.run("year:1985")) == ids(r));  // every passage here covers 1985
    for (const auto& h : r.hits) {
        bool covered = false;
        for (const auto& y : h.passage.year_set())
            if (y == "1980s" || (y >= "1980" && y <= "1988")) covered = true;
        CHECK(covered);
    }
}

TEST_CASE("facet counts equal a count over the full hit list") {
    Fixture f;
    for (const char* q : {"Iran", "militias", "actor:PMF", "Sudani OR Sadr"}) {
        CAPTURE(q);
        SearchRequest req;
        req.query = q;
        req.limit = 100000;
        req.facet_limit = 0;
        auto r = f.run(req);
        std::map<std::string, std::pair<unsigned, std::set<std::string>>> actors, years;
        std::set<std::string> articles;
        for (const auto& h : r.hits) {
            articles.insert(h.passage.article_id);
            for (const auto& [name, kind] : h.passage.actor_set()) {
                actors[name].first++;
                actors[name].second.insert(h.passage.article_id);
            }
            for (const auto& y : h.passage.year_set()) {
                years[y].first++;
                years[y].second.insert(h.passage.article_id);
            }
        }
        CHECK(r.total_passages == r.hits.size());
        CHECK(r.total_articles == articles.size());
        CHECK(r.actors.total_values == actors.size());
        for (const auto& v : r.actors.values) {
            CAPTURE(v.value);
            CHECK(v.passages == actors[v.value].first);
            CHECK(v.articles == actors[v.value].second.size());
        }
        CHECK(r.years.total_values == years.size());
        for (const auto& v : r.years.values) {
            CHECK(v.passages == years[v.value].first);
            CHECK(v.articles == years[v.value].second.size());
        }
    }
}

TEST_CASE("facets count every match, not just the page shown") {
    Fixture f;
    SearchRequest req;
    req.query = "Iran";
    req.limit = 1;
    auto one = f.run(req);
    req.limit = 10000;
    auto all = f.run(req);
    CHECK(one.hits.size() == 1);
    CHECK(one.total_passages == all.total_passages);
    REQUIRE(!one.actors.values.empty());
    CHECK(one.actors.values.front().passages == all.actors.values.front().passages);
    // With --per-article the totals still count every passage.
    req.per_article = 1;
    auto collapsed = f.run(req);
    CHECK(collapsed.total_passages == all.total_passages);
    CHECK(collapsed.hits.size() == all.total_articles);
    std::set<std::string> arts;
    for (const auto& h : collapsed.hits) CHECK(arts.insert(h.passage.article_id).second);
}

TEST_CASE("with feedback, totals and facets count the passages the ranked list holds") {
    // Feedback adds terms that find passages without the query's words; the
    // totals are those of the query run, so that paging to the total shows
    // every hit, and the facets count the same passages.
    Fixture f;
    SearchRequest words;
    words.query = "militias disarm";
    words.plain = true;
    words.expand = Expansion::Off;
    words.limit = 100000;
    words.facet_limit = 0;
    SearchRequest fed = words;
    fed.expand = Expansion::On;
    auto a = f.run(words), b = f.run(fed);
    REQUIRE(a.total_passages > 0);
    CHECK(b.parsed.size() > a.parsed.size());  // terms were added
    CHECK(b.hits.size() > a.hits.size());      // and find passages without the query's words
    CHECK(b.total_passages == b.hits.size());
    std::set<std::string> articles;
    std::map<std::string, unsigned> years;
    for (const auto& h : b.hits) {
        articles.insert(h.passage.article_id);
        for (const auto& y : h.passage.year_set()) ++years[y];
    }
    CHECK(b.total_articles == articles.size());
    CHECK(b.years.total_values == years.size());
    for (const auto& v : b.years.values) {
        CAPTURE(v.value);
        CHECK(v.passages == years[v.value]);
    }
}

TEST_CASE("--plain: a query word in the article's title adds weight; the same passages match; explain adds up") {
    Fixture f;
    for (const char* text : {"Turkey influence", "Iran militias"}) {
        CAPTURE(text);
        SearchRequest plain;
        plain.query = text;
        plain.plain = true;
        plain.limit = 100000;
        plain.title_weight = 0;
        plain.explain = true;
        SearchRequest titled = plain;
        titled.title_weight = 0.3;
        auto a = f.run(plain), b = f.run(titled);
        REQUIRE(a.total_passages > 0);
        CHECK(b.total_passages == a.total_passages);
        CHECK(b.hits.size() == a.hits.size());
        std::map<std::pair<std::string, unsigned>, double> before;
        for (const auto& h : a.hits) before[{h.passage.article_id, h.passage.ordinal}] = h.score;
        unsigned raised = 0, same = 0;
        for (const auto& h : b.hits) {
            CAPTURE(h.passage.article_id);
            const double was = before.at({h.passage.article_id, h.passage.ordinal});
            double sum = 0, title = 0;
            for (const auto& c : h.explain) {
                sum += c.weight;
                if (c.term.rfind("title:", 0) != 0) continue;
                title += c.weight;
                // Only the words typed: not the words of an actor's other
                // names ("Islamic Republic of Iran"), which count as one name.
                const std::string word = c.term.substr(6);
                CHECK((word == "turkey" || word == "influenc" || word == "iran" || word == "militia"));
            }
            CHECK(sum == doctest::Approx(h.score).epsilon(1e-6));  // the parts add up
            CHECK(h.score == doctest::Approx(was + title).epsilon(1e-6));  // the title parts are the difference
            (title > 0 ? raised : same)++;
        }
        CHECK(raised > 0);
        if (std::string(text) == "Turkey influence") CHECK(same > 0);  // (every title here names Iran)
        if (std::string(text) == "Iran militias") {
            CHECK(b.parsed.find(std::string(schema::kTitle.prefix) + "iran") != std::string::npos);
            CHECK(b.parsed.find(std::string(schema::kTitle.prefix) + "islam") == std::string::npos);
            CHECK(b.parsed.find(std::string(schema::kTitle.prefix) + "republ") == std::string::npos);
        }
    }
}

TEST_CASE("non-prose blocks are out of results unless asked for") {
    Fixture f;
    auto normal = f.run("ohickle");  // only in the author box
    CHECK(normal.total_passages == 0);
    SearchRequest req;
    req.query = "ohickle";
    req.include_nonprose = true;
    auto all = f.run(req);
    REQUIRE(all.total_passages == 1);
    CHECK(all.hits[0].passage.kind == BlockKind::Fields);
}

TEST_CASE("browsing by filter lists passages in article and passage order") {
    Fixture f;
    SearchRequest req;
    req.actors = {"Sadr"};
    req.limit = 1000;
    auto r = f.run(req);
    REQUIRE(r.hits.size() > 1);
    for (std::size_t i = 1; i < r.hits.size(); ++i) {
        const auto& a = r.hits[i - 1].passage;
        const auto& b = r.hits[i].passage;
        CHECK((a.article_id < b.article_id || (a.article_id == b.article_id && a.ordinal < b.ordinal)));
    }
}

TEST_CASE("highlights cover stemmed variants and every query word") {
    Fixture f;
    auto r = f.run("PMF disarm");
    REQUIRE(!r.hits.empty());
    const Hit& h = r.hits[0];
    CHECK(hl_words(h).find("|disarmed|") != std::string::npos);
    CHECK(hl_words(h).find("|PMF|") != std::string::npos);
    for (auto sp : h.highlights) {
        CHECK(sp.start < sp.end);
        CHECK(sp.end <= h.passage.text.size());
    }
    REQUIRE(!h.snippet.empty());
    CHECK(h.snippet.back().end <= h.passage.text.size());
}

TEST_CASE("bad queries: a clear error or a plain-words retry, never a crash") {
    Fixture f;
    CHECK_THROWS_AS(f.run("year:abc"), SearchError);
    CHECK_THROWS_AS(f.run("year:1990..1980"), SearchError);
    auto r = f.run("AND Sadr");
    CHECK(!r.warnings.empty());
    CHECK(r.total_passages > 0);
    // Unbalanced quotes and brackets: Xapian would drop every operator, or
    // run the quote to the end; an error that names the place instead.
    CHECK_THROWS_WITH_AS(f.run("\"unbalanced quote Sadr"), doctest::Contains("unclosed '\"' at character 1"), SearchError);
    CHECK_THROWS_AS(f.run("   "), SearchError);
    CHECK_THROWS_WITH_AS(f.run("((Sadr"), doctest::Contains("unclosed '(' at character 2"), SearchError);
    CHECK_THROWS_WITH_AS(f.run("Sadr NOT Iran)"), doctest::Contains("')' that closes nothing at character 14"), SearchError);
    // NEAR after a byte that is not UTF-8, beside a wildcard: Xapian threw
    // UnimplementedError, uncaught (found by fuzz_search, kept in
    // tests/fuzz/regressions/search/).
    CHECK_THROWS_AS(f.run("XCpaflit\x99NEAR Ir* a\xaaIraq"), SearchError);
}

TEST_CASE("year ranges parse like the documentation says") {
    auto r = parse_year_range("1980..1988");
    CHECK(r.from == 1980);
    CHECK(r.to == 1988);
    r = parse_year_range("1980-88");
    CHECK(r.to == 1988);
    r = parse_year_range("1980s");
    CHECK((r.decade && r.from == 1980 && r.to == 1989));
    CHECK_THROWS_AS(parse_year_range("198"), SearchError);
    CHECK_THROWS_AS(parse_year_range("1985s"), SearchError);
    r = parse_year_range("1999-00");  // the century's end, as in text
    CHECK((r.from == 1999 && r.to == 2000));
    CHECK_THROWS_AS(parse_year_range("2010-05"), SearchError);  // not 2010-2105
    r = parse_year_range("1800s");  // a century, as "the 1800s" is read in a text
    CHECK((r.from == 1800 && r.to == 1899 && !r.decade));
    r = parse_year_range("1900s");
    CHECK((r.from == 1900 && r.to == 1909 && r.decade));
    CHECK_THROWS_AS(parse_year_range("1998-02"), SearchError);
}

TEST_CASE("snippets stay within the bound and contain a highlight") {
    std::string text;
    for (int i = 0; i < 30; ++i) text += "Filler sentence number " + std::to_string(i) + " about nothing. ";
    std::size_t at = text.size();
    text += "Here the Sadr keyword appears. ";
    for (int i = 0; i < 30; ++i) text += "More filler " + std::to_string(i) + ". ";
    Span hl{at + 9, at + 13};
    const auto parts = choose_snippet(text, {hl}, 200);
    REQUIRE(parts.size() == 1);
    Span s = parts[0];
    CHECK(s.end - s.start <= 200);
    CHECK(s.start <= hl.start);
    CHECK(s.end >= hl.end);
}

TEST_CASE("a snippet shows the most different things highlighted") {
    // Sentence A says Saddam twice; sentence B says Saddam and 1980. Only one
    // fits: B, which shows both things the query asked for.
    const std::string a = "Saddam was there, and later Saddam left the city again for the south. ";
    const std::string b = "In 1980 the war that Saddam began went on for eight long years. ";
    const std::string text = a + b;
    auto at = [&](const std::string& w, std::size_t from) {
        const std::size_t p = text.find(w, from);
        return Span{p, p + w.size()};
    };
    std::vector<Span> hl{at("Saddam", 0), at("Saddam", 10), at("1980", 0), at("Saddam", a.size())};
    std::sort(hl.begin(), hl.end(), [](const Span& x, const Span& y) { return x.start < y.start; });
    const auto parts = choose_snippet(text, hl, b.size() + 5);
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].start == a.size());
}

TEST_CASE("a snippet cut from an over-long sentence shows the matches it can") {
    // "Iran" and "Iraq" 150 bytes apart in one 400-byte sentence; a short
    // sentence before it says "Iran" alone. A 200-byte window cut around the
    // first "Iran" of the long sentence (a third of the window before it)
    // missed "Iraq"; whole sentences cannot show both either.
    std::string text = "Iran spoke. ";
    std::string lead, gap, tail;
    for (int i = 0; i < 12; ++i) lead += "word" + std::to_string(i) + " ";
    for (int i = 0; i < 24; ++i) gap += "gap" + std::to_string(i) + " ";
    for (int i = 0; i < 30; ++i) tail += "tail" + std::to_string(i) + " ";
    text += "Then " + lead + "Iran " + gap + "Iraq " + tail + "end.";
    auto at = [&](const std::string& w, std::size_t from) {
        const std::size_t p = text.find(w, from);
        return Span{p, p + w.size()};
    };
    const Span iran0 = at("Iran", 0), iran1 = at("Iran", 5), iraq = at("Iraq", 0);
    REQUIRE(iraq.start - iran1.start > 120);
    REQUIRE(iraq.start - iran1.start < 180);
    auto parts = choose_snippet(text, {iran0, iran1, iraq}, 200);
    REQUIRE(parts.size() == 1);
    Span s = parts[0];
    CHECK(s.end - s.start <= 200);
    CHECK(s.start <= iran1.start);
    CHECK(s.end >= iraq.end);
    CHECK((s.start == 0 || text[s.start - 1] == ' '));  // whole words
    CHECK((s.end == text.size() || text[s.end] == ' '));
    // One thing asked for: the short whole sentence is still preferred.
    parts = choose_snippet(text, {iran0, iran1}, 200);
    REQUIRE(parts.size() == 1);
    s = parts[0];
    CHECK(s.start == 0);
    CHECK(s.end == text.find(". ") + 1);
}

TEST_CASE("a snippet shows far-apart matches in two parts") {
    // "Sadr" in the first sentence, "Sudani" in the fifth, 500 bytes apart:
    // no 300-byte window of whole sentences (nor of words) shows both, so
    // the snippet is two parts, each around one of them, in text order,
    // their bytes and the separator within 300.
    std::string text = "Muqtada al-Sadr looked set to form a government after the elections of that year. ";
    for (int i = 0; i < 7; ++i) text += "Filler sentence number " + std::to_string(i) + " says nothing of note here. ";
    const std::size_t tail_at = text.size();
    text += "Mohammed al-Sudani took the premiership in October. ";
    for (int i = 0; i < 6; ++i) text += "More filler " + std::to_string(i) + " follows the news. ";
    auto at = [&](const std::string& w, std::size_t from) {
        const std::size_t p = text.find(w, from);
        return Span{p, p + w.size()};
    };
    const Span sadr = at("Sadr", 0), sudani = at("Sudani", tail_at);
    REQUIRE(sudani.start - sadr.start > 400);
    const auto parts = choose_snippet(text, {sadr, sudani}, 300);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].end < parts[1].start);
    CHECK((parts[0].start <= sadr.start && sadr.end <= parts[0].end));
    CHECK((parts[1].start <= sudani.start && sudani.end <= parts[1].end));
    CHECK(parts[0].end - parts[0].start + kSnippetSeparator.size() + parts[1].end - parts[1].start <= 300);
    // Whole sentences where they fit in half the room.
    CHECK(parts[0].start == 0);
    CHECK(text.compare(parts[1].start - 2, 2, ". ") == 0);
    // One thing asked for: one part, as before.
    CHECK(choose_snippet(text, {sadr}, 300).size() == 1);
    // Too little room for two useful parts: one, within the bound.
    const auto small = choose_snippet(text, {sadr, sudani}, 100);
    REQUIRE(small.size() == 1);
    CHECK(small[0].end - small[0].start <= 100);
}

TEST_CASE("a snippet's parts never begin or end inside a highlight") {
    // Names of two words cut in the middle ("…[[Line]] and", "[[Iranian]]…"
    // for "Japan Line", "Iranian Oil"): 7 of about 600 hits of actor
    // wildcard queries over Reuters, in parts of two- and three-part snippets.
    std::mt19937 rng(20261207);
    const std::vector<std::string> vocab{"oil", "the", "Japan", "Line", "shares", "bank", "said", "Iranian", "Oil",
                                         "prices", "and", "a", "group", "of", "traders", "in", "Tokyo", "rose"};
    int multi = 0;
    for (int round = 0; round < 400; ++round) {
        std::string text;
        std::vector<Span> hl;
        const int n = 40 + static_cast<int>(rng() % 80);
        for (int i = 0; i < n; ++i) {
            const std::size_t at = text.size();
            const int len = 1 + static_cast<int>(rng() % 3);
            for (int k = 0; k < len; ++k) text += (k ? " " : "") + vocab[rng() % vocab.size()];
            if (rng() % 6 == 0) hl.push_back({at, text.size()});
            text += (rng() % 9 == 0) ? ". " : " ";
        }
        for (std::size_t max : {60, 90, 130, 190, 300}) {
            const auto parts = choose_snippet(text, hl, max);
            multi += parts.size() > 1;
            for (const auto& p : parts)
                for (const auto& h : hl) {
                    CHECK_FALSE((h.start < p.start && p.start < h.end));
                    CHECK_FALSE((h.start < p.end && p.end < h.end));
                }
        }
    }
    CHECK(multi > 100);  // (the parts of several-part snippets are tried)
    // A highlight longer than the window is cut, not left out: the snippet
    // was empty ("U.S. Agriculture Undersecretary Daniel Amstutz" at 40 bytes).
    const std::string text = "Talks with U.S. Agriculture Undersecretary Daniel Amstutz went on for a long time today.";
    const std::size_t at = text.find("U.S.");
    const Span name{at, text.find(" went")};
    for (std::size_t max : {20, 40}) {
        const auto parts = choose_snippet(text, {name}, max);
        REQUIRE(parts.size() == 1);
        CHECK(parts[0].start <= name.start);
        CHECK(parts[0].end > name.start);
        CHECK(parts[0].end - parts[0].start <= max);
    }
}

TEST_CASE("a snippet cut in a long sentence ends where a word does") {
    // "...issued under the silver-purc": with no space between the highlight
    // and the window's end, the window ended in the middle of a word.
    std::string text = "The notes were kept. Under the ";
    const std::size_t at = text.size();
    text += "silver-purchasing act of 1890 and the gold reserve kept by the Treasury, they went on and on";
    for (int i = 0; i < 20; ++i) text += " and on";
    text += ".";
    const Span silver{at, at + 6};
    auto alnum = [&](std::size_t i) { return std::isalnum(static_cast<unsigned char>(text[i])) != 0; };
    for (std::size_t max = 12; max <= 160; ++max) {
        const auto parts = choose_snippet(text, {silver}, max);
        REQUIRE(parts.size() == 1);
        const Span p = parts[0];
        CHECK(p.end - p.start <= max);
        CHECK(p.end >= silver.end);
        CHECK_MESSAGE(!(p.end < text.size() && alnum(p.end - 1) && alnum(p.end)), max, ": ", text.substr(p.start, p.end - p.start));
        CHECK_MESSAGE(text[p.end - 1] != '-', max);
    }
}

TEST_CASE("names ending alike are different things to show, a name's forms one") {
    // "Progress Party" and "Kurdistan Democratic Party" counted as one thing
    // ("party"), so a snippet did not try to show both.
    std::string filler;
    for (int i = 0; i < 12; ++i) filler += "Filler sentence " + std::to_string(i) + " says nothing. ";
    const std::string text = "The Progress Party met. " + filler + "The Kurdistan Democratic Party met. " + filler;
    auto at = [&](const std::string& w) {
        const std::size_t p = text.find(w);
        return Span{p, p + w.size()};
    };
    const auto parts = choose_snippet(text, {at("Progress Party"), at("Kurdistan Democratic Party")}, 200);
    CHECK(parts.size() == 2);
    // "Al-Sudani" and "Mohammed al-Sudani" are one: one part.
    const std::string t2 = "Mohammed al-Sudani spoke. " + filler + "Al-Sudani left. " + filler;
    auto at2 = [&](const std::string& w) {
        const std::size_t p = t2.find(w);
        return Span{p, p + w.size()};
    };
    CHECK(choose_snippet(t2, {at2("Mohammed al-Sudani"), at2("Al-Sudani")}, 200).size() == 1);
}

TEST_CASE("published: takes a date as its year; a bad value says where it is") {
    Fixture f;
    const auto year = f.run("published:2025").total_passages;
    REQUIRE(year > 0);
    CHECK(f.run("published:2025-02").total_passages == year);
    CHECK(f.run("published:2025-02-14").total_passages == year);
    CHECK(f.run("published:2024-25").total_passages == year);  // a range (2024 to 2025), as 1980-88 is
    CHECK(f.run("published:2001-05").total_passages == 0);     // 2001 to 2005, not May 2001
    CHECK_THROWS_WITH_AS(f.run("Iran published:20x5"), doctest::Contains("(at character 6)"), SearchError);
}

TEST_CASE("actor: takes an abbreviation an article defines") {
    // "the Higher Military Commission (HMC)": the article's "HMC" was the
    // commission, but actor:HMC found nothing (no actor list names it).
    Fixture f;
    auto r = f.run("actor:HMC");
    REQUIRE(r.total_passages > 0);
    CHECK(r.total_passages == f.run("actor:\"Higher Military Commission\"").total_passages);
    for (const auto& h : r.hits) {
        bool named = false;
        for (const auto& [name, kind] : h.passage.actor_set()) named = named || name == "Higher Military Commission";
        CHECK(named);
        if (h.passage.text.find("HMC") != std::string::npos) CHECK(hl_words(h).find("|HMC|") != std::string::npos);
    }
    CHECK(r.warnings.empty());
}

TEST_CASE("kind:group finds passages naming an actor of that kind, and highlights them") {
    Fixture f;
    auto r = f.run("kind:group");
    REQUIRE(r.total_passages > 0);
    CHECK(r.total_passages < f.run("kind:place").total_passages);
    for (const auto& h : r.hits) {
        bool group = false;
        for (const auto& [name, kind] : h.passage.actor_set()) group = group || kind == ActorKind::Group;
        CHECK_MESSAGE(group, h.passage.text);
        REQUIRE(!h.highlights.empty());
        for (const auto& sp : h.highlights) {
            bool in_group = false;
            for (const auto& a : h.passage.actors)
                in_group = in_group || (a.kind == ActorKind::Group && a.start <= sp.start && sp.end <= a.end);
            CHECK(in_group);
        }
    }
    // Any of several; spellings of the kinds; a bad one is an error naming the values.
    CHECK(f.run("kind:(person group)").total_passages == f.run("kind:person OR kind:group").total_passages);
    CHECK(f.run("kind:organization").total_passages == f.run("kind:organisation").total_passages);
    CHECK_THROWS_WITH_AS(f.run("kind:army"), doctest::Contains("takes person, organisation, place, group or unknown"),
                         SearchError);
}

TEST_CASE("an actor named in the query is highlighted where one of its names stands") {
    // "Popular Mobilization Forces" highlighted "forces" in "expel all
    // American forces", and "Islamic State" the "Islamic" of "Islamic
    // Revolutionary Guard Corps".
    Fixture f;
    for (const std::string q : {"Popular Mobilization Forces", "Islamic State"}) {
        CAPTURE(q);
        auto r = f.run(q, 50);
        REQUIRE(r.hits.size() >= 3);
        for (const auto& h : r.hits)
            for (const auto& sp : h.highlights) {
                std::string w = h.passage.text.substr(sp.start, sp.end - sp.start);
                for (const std::string poss : {"'s", "\xE2\x80\x99s"})  // PMF's
                    if (w.size() > poss.size() && w.compare(w.size() - poss.size(), poss.size(), poss) == 0)
                        w.resize(w.size() - poss.size());
                const bool name = w.find(' ') != std::string::npos ||
                                  std::none_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
                CHECK_MESSAGE(name, w);
            }
    }
    // A name of one word typed is shown wherever it stands ("Iraq" of "the
    // Kurdistan Region of Iraq" lost its highlight).
    for (const auto& h : f.run("Iraq", 200).hits) CHECK_MESSAGE(!h.highlights.empty(), h.passage.text);
    // A word typed outside the name is shown wherever it stands.
    auto r = f.run("PMF forces");
    bool alone = false;
    for (const auto& h : r.hits)
        for (const auto& sp : h.highlights) alone = alone || fold(h.passage.text.substr(sp.start, sp.end - sp.start)) == "forces";
    CHECK(alone);
}

TEST_CASE("explained parts add up to the score when a phrase's words are elsewhere in the passage") {
    // '"armed factions" OR sanctions': a passage with "armed drones" and
    // "sanctions" listed "arm" too, and the parts added up to more than the score.
    Fixture f;
    SearchRequest r;
    r.query = "\"armed factions\" OR sanctions";
    r.limit = 50;
    r.explain = true;
    auto res = f.run(r);
    REQUIRE(res.hits.size() >= 5);
    for (const auto& h : res.hits) {
        double sum = 0;
        for (const auto& c : h.explain) sum += c.weight;
        CHECK_MESSAGE(std::abs(sum - h.score) < 1e-6, h.passage.article_id, "#", h.passage.ordinal);
    }
}

TEST_CASE("a field name the searcher does not know is said") {
    // "country:Iraq" was searched as the phrase "country iraq", 0 hits, and nothing said why.
    Fixture f;
    auto r = f.run("PMF country:Iraq");
    REQUIRE(!r.warnings.empty());
    CHECK(r.warnings.back().find("'country:' at character 5 is no field") != std::string::npos);
    // --plain takes no wildcards: said.
    SearchRequest plain;
    plain.query = "milit* in Iraq";
    plain.plain = true;
    auto p = f.run(plain);
    REQUIRE(!p.warnings.empty());
    CHECK(p.warnings.front().find("--plain reads words, not wildcards: 'milit*'") != std::string::npos);
    for (const std::string q : {"\"country:Iraq\"", "Note: the war", "http://example.org", "actor:PMF", "Kind:group"}) {
        CAPTURE(q);
        for (const auto& w : f.run(q).warnings) CHECK(w.find("is no field") == std::string::npos);
    }
}

TEST_CASE("actor:Saddam stands for Saddam Hussein too, when a text names him by one word") {
    // "Saddam" alone is an actor of its own where a text says only that: the
    // passages naming Saddam Hussein were left out (1 of 16 in the State of
    // the Union addresses), with no warning.
    Gazetteer none;
    std::vector<Article> arts{
        {"a", "a.txt", "", true, "War\n\nSaddam Hussein invaded Kuwait in 1990. The world answered.", ""},
        {"b", "b.txt", "", true, "Talks\n\nThe envoy met Saddam Hussein in Baghdad.", ""},
        {"c", "c.txt", "", true, "Warning\n\nWe told Saddam that the deadline stood.", ""},
        {"d", "d.txt", "", true, "Iran\n\nThe talks with Iran went on while Iran Air flew.", ""},
        {"e", "e.txt", "", true, "Capital\n\nGeorge Washington crossed the river.", ""},
        {"f", "f.txt", "", true, "City\n\nOfficials in Washington said no.", ""}};
    Xapian::WritableDatabase db = test::memory_index(arts, none);
    Searcher s{db};
    SearchRequest r;
    r.query = "actor:Saddam";
    r.limit = 10;
    auto res = s.search(r);
    CHECK(res.total_articles == 3);
    REQUIRE(!res.warnings.empty());
    CHECK(res.warnings.front().find("also a word of the names of 1 person (Saddam Hussein)") != std::string::npos);
    // A place's name stays itself: actor:Iran is not Iran Air.
    r.query = "actor:Iran";
    res = s.search(r);
    CHECK(res.total_passages == 1);
    CHECK(res.warnings.empty());
    // A surname alone is not every person of that name: actor:Washington is
    // not George Washington.
    r.query = "actor:Washington";
    res = s.search(r);
    CHECK(res.total_articles == 1);
    CHECK(res.warnings.empty());
}

TEST_CASE("actor:Kurd* stands for the actors with a word of their name starting so") {
    Fixture f;
    auto r = f.run("actor:Kurd*");
    REQUIRE(r.total_passages > 0);
    auto starts_kurd = [](const std::string& name) {
        const std::string k = actor_key(name);
        for (std::size_t at = k.find("kurd"); at != std::string::npos; at = k.find("kurd", at + 1))
            if (at == 0 || k[at - 1] == ' ' || k[at - 1] == '-') return true;
        return false;
    };
    for (const auto& h : r.hits) {
        bool named = false;
        for (const auto& [name, kind] : h.passage.actor_set()) named = named || starts_kurd(name);
        CHECK_MESSAGE(named, h.passage.text);
    }
    REQUIRE(!r.warnings.empty());
    CHECK(r.warnings.front().find("actor:Kurd* stands for") != std::string::npos);
    CHECK(r.warnings.front().find("Kurdistan Workers' Party") != std::string::npos);  // as the list writes it
    // As many passages as the actors it names, OR'ed.
    CHECK(f.run("actor:\"Kurdistan Workers' Party\" OR actor:Kurdistan OR actor:\"Iraqi Kurdistan\" OR "
                "actor:\"Kurdistan Democratic Party\" OR actor:\"Patriotic Union of Kurdistan\" OR "
                "actor:\"Democratic Party of Iranian Kurdistan\" OR actor:\"Kurdistan Freedom Party\"")
              .total_passages == r.total_passages);
    // Only the actors are highlighted, not words starting so ("with",
    // "which" for actor:"Kurdistan W*"; "Kurdish" for actor:Kurd*).
    for (const std::string q : {"actor:\"Kurdistan W*\"", "actor:Kurd*"}) {
        CAPTURE(q);
        auto w = f.run(q);
        REQUIRE(!w.hits.empty());
        for (const auto& h : w.hits)
            for (const auto& sp : h.highlights) {
                bool in_actor = false;
                for (const auto& a : h.passage.actors) in_actor = in_actor || (a.start <= sp.start && sp.end <= a.end);
                CHECK_MESSAGE(in_actor, h.passage.text.substr(sp.start, sp.end - sp.start));
            }
    }
    // "Kurdistan *": a word more after it; "Ku*rd" is an error.
    auto more = f.run("actor:\"Kurdistan *\"");
    REQUIRE(!more.warnings.empty());
    CHECK(more.warnings.front().find("Kurdistan Workers' Party") != std::string::npos);
    // The list's other names count too: Iraqi Kurdistan is also "Kurdistan
    // Region", and actor:Hashd* is the PMF ("Hashd al-Shaabi"), which it
    // said no actor was.
    CHECK(more.warnings.front().find("Iraqi Kurdistan") != std::string::npos);
    auto hashd = f.run("actor:Hashd*");
    REQUIRE(!hashd.warnings.empty());
    CHECK(hashd.warnings.front().find("stands for 1 actor (Popular Mobilization Forces)") != std::string::npos);
    CHECK(hashd.total_passages == f.run("actor:PMF").total_passages);
    CHECK(hashd.total_passages > 0);
    CHECK_THROWS_AS(f.run("actor:Ku*rd"), SearchError);
    // Nothing before the '*', or a '*' inside: an error; no such actor: none, said.
    CHECK_THROWS_WITH_AS(f.run("actor:*"), doctest::Contains("the start of a word of names then '*'"), SearchError);
    CHECK_THROWS_AS(f.run("actor:K*d*"), SearchError);
    auto none = f.run("actor:Zzq*");
    CHECK(none.total_passages == 0);
    REQUIRE(!none.warnings.empty());
    CHECK(none.warnings.front().find("no actor has a name with a word starting 'zzq'") != std::string::npos);
}

TEST_CASE("an actor named in free text is searched under all its names") {
    Fixture f;
    auto r = f.run("PMF");
    bool alias_found = false;
    for (const auto& h : r.hits) {
        if (h.passage.text.find("Popular Mobilisation Forces") == std::string::npos) continue;
        alias_found = true;
        CHECK(hl_words(h).find("|Popular Mobilisation Forces|") != std::string::npos);
    }
    CHECK(alias_found);
    // Quoted, the word is only itself.
    auto quoted = f.run("\"PMF\"");
    CHECK(r.parsed.find("popular") != std::string::npos);
    CHECK(quoted.parsed.find("popular") == std::string::npos);
    for (const auto& h : quoted.hits) CHECK(hl_words(h).find("Popular") == std::string::npos);
}

TEST_CASE("names are searched under all their names with operators, and short capital aliases are not everyday words") {
    Fixture f;
    // ISIS's alias "IS" is not the word "is", the United States' "US" not
    // "us": they count only in passages that name the actor.
    for (const char* q : {"ISIS", "Daesh", "America"}) {
        CAPTURE(q);
        auto r = f.run(q);
        CHECK(r.total_passages > 0);
        CHECK(r.parsed.find("SYNONYM is ") == std::string::npos);
        CHECK(r.parsed.find("SYNONYM us ") == std::string::npos);
    }
    CHECK(f.run("ISIS").parsed.find("(is FILTER XCislamic state)") != std::string::npos);
    CHECK(f.run("America").parsed.find("(us FILTER XCunited states)") != std::string::npos);
    CHECK(ids(f.run("ISIS")) == ids(f.run("actor:ISIS")));
    CHECK(ids(f.run("America")) == ids(f.run("actor:America")));
    // A name inside another actor's longer name counts where the index found
    // this actor: "KDP" does not find "Kurdistan Democratic Party of Iran".
    CHECK(ids(f.run("KDP")) == ids(f.run("actor:KDP")));
    CHECK(f.run("KDP").parsed.find("FILTER XCkurdistan democratic party)") != std::string::npos);
    // + and - keep the expansion: the same as NOT.
    CHECK(ids(f.run("Iran -Turkiye")) == ids(f.run("Iran NOT Turkiye")));
    CHECK(ids(f.run("Iran -Turkiye")) == ids(f.run("Iran -Turkey")));
    CHECK(f.run("+Turkiye").total_passages == f.run("Turkiye").total_passages);
    CHECK(f.run("Turkiye").total_passages > 0);
    // A lower-case name is a name too.
    CHECK(ids(f.run("turkiye")) == ids(f.run("Turkiye")));
    CHECK(ids(f.run("muqtada")) == ids(f.run("Muqtada")));
    // NEAR and ADJ between names work as between words.
    CHECK(ids(f.run("Iran NEAR Iraq")) == ids(f.run("iran NEAR iraq")));
    CHECK(f.run("Iran NEAR Iraq").total_passages > 0);
    CHECK(ids(f.run("IRAN ADJ IRAQ")) == ids(f.run("iran ADJ iraq")));
    // Wildcards: beside NEAR an error that says so (it was searched as the
    // words "milit", "near" and "iraq"); inside a longer word, with --plain: as before.
    CHECK_THROWS_WITH_AS(f.run("milit* NEAR Iraq"), doctest::Contains("not a wildcard ('milit*' at character 1)"),
                         SearchError);
    CHECK(f.run("al-Sadr*").total_passages > 0);
    CHECK(f.run("U.S.*").total_passages > 0);
    CHECK(f.run("milit*").parsed.find("SYNONYM") != std::string::npos);
    CHECK_THROWS_AS(f.run("qanatwild:mx"), SearchError);
    // A hyphenated compound stays one phrase.
    CHECK(f.run("pro-Iranian").parsed.find("PHRASE") != std::string::npos);
}

TEST_CASE("among actors of equal counts, those the query names come first") {
    Fixture f;
    SearchRequest r;
    r.query = "PMF disarm";
    r.facet_limit = 1;
    auto res = f.run(r);
    REQUIRE(res.actors.values.size() == 1);
    CHECK(res.actors.total_values > 5);
    CHECK(res.actors.values[0].value == "Popular Mobilization Forces");
    CHECK(res.actors.values[0].passages == 1);
    // So do the actors of actor: fields.
    r.query = "disarm actor:PMF";
    res = f.run(r);
    REQUIRE(res.actors.values.size() == 1);
    CHECK(res.actors.values[0].value == "Popular Mobilization Forces");
}

TEST_CASE("an actor filter that no passage carries says so, with the nearest known name") {
    Fixture f;
    SearchRequest r;
    r.actors = {"Sadrr"};
    auto res = f.run(r);
    CHECK(res.total_passages == 0);
    REQUIRE(res.warnings.size() == 1);
    CHECK(res.warnings[0] == "no passage names the actor 'sadrr'; did you mean 'Muqtada al-Sadr'?");
    CHECK(f.run("actor:zzyzx").warnings == std::vector<std::string>{"no passage names the actor 'zzyzx'"});
    r.actors = {"Sadr"};
    CHECK(f.run(r).warnings.empty());
    // A name among the words is no filter: no warning for it.
    CHECK(f.run("Baghdad OR Mosul").warnings.empty());
}

TEST_CASE("title: takes words; a quoted title is searched as its words, with a warning") {
    Fixture f;
    auto grouped = f.run("title:(Iran Turkey)");
    CHECK(grouped.total_passages > 0);
    CHECK(grouped.parsed.find("Siran") != std::string::npos);
    CHECK(grouped.parsed.find("SYNONYM") == std::string::npos);  // a title word, not the actor's names
    CHECK(grouped.warnings.empty());
    auto quoted = f.run("title:\"Iran and Turkey\"");
    CHECK(ids(quoted) == ids(grouped));
    REQUIRE(quoted.warnings.size() == 1);
    CHECK(quoted.warnings[0].find("title: takes words, not phrases") != std::string::npos);
    // Quotes elsewhere are phrases as before.
    CHECK(f.run("\"Iran and Turkey\"").warnings.empty());
}

TEST_CASE("edit distance and nearest term for spelling suggestions") {
    CHECK(edit_distance("hezbolah", "hezbollah", 2) == 1);
    CHECK(edit_distance("khamenei", "khamenie", 2) == 1);  // a transposition counts once
    CHECK(edit_distance("iraq", "iran", 2) == 1);
    CHECK(edit_distance("abcdef", "uvwxyz", 2) == 3);       // past the limit
    std::vector<std::pair<std::string, Xapian::doccount>> vocab{{"hezbollah", 5}, {"hezbolla", 1}, {"sudani", 9}};
    CHECK(nearest_term("hezbolah", vocab) == "hezbollah");  // same distance: the more frequent
    CHECK(nearest_term("sudany", vocab) == "sudani");
    CHECK(nearest_term("zzzzzz", vocab).empty());
    // A stem against the start of a misspelt word (remote suggestions).
    CHECK(prefix_edit_distance("secur", "secrity", 2) == 1);
    CHECK(prefix_edit_distance("elect", "elections", 2) == 0);
    CHECK(prefix_edit_distance("abc", "xyz", 1) == 2);  // past the limit
}

/// Checks that two results have the same totals and facets.
void check_same_counts(const SearchResult& a, const SearchResult& b) {
    CHECK(a.total_passages == b.total_passages);
    CHECK(a.total_articles == b.total_articles);
    for (auto facet : {&SearchResult::actors, &SearchResult::years, &SearchResult::published}) {
        const Facet &fa = a.*facet, &fb = b.*facet;
        CHECK(fa.total_values == fb.total_values);
        REQUIRE(fa.values.size() == fb.values.size());
        for (std::size_t i = 0; i < fa.values.size(); ++i) {
            CAPTURE(fa.values[i].value);
            CHECK(fa.values[i].value == fb.values[i].value);
            CHECK(fa.values[i].kind == fb.values[i].kind);
            CHECK(fa.values[i].passages == fb.values[i].passages);
            CHECK(fa.values[i].articles == fb.values[i].articles);
        }
    }
}

/// Compares the totals and facets two searchers give for a set of queries
/// and facet options; returns how many compared results had facets.
unsigned same_facets(Searcher& slow, Searcher& fast) {
    unsigned compared = 0;
    for (const char* q : {"Iran", "militias", "actor:PMF", "Sudani OR Sadr", "year:1980..1988", "war", "Turkey PKK"})
        for (int variant = 0; variant < 4; ++variant) {
            CAPTURE(q);
            CAPTURE(variant);
            SearchRequest req;
            req.query = q;
            req.limit = 5;
            req.facet_limit = 0;
            if (variant == 1) req.year_decades = true;
            if (variant == 2) req.facet_kinds = {"person", "group"};
            if (variant == 3) req.facets = false;
            auto a = slow.search(req), b = fast.search(req);
            check_same_counts(a, b);
            if (a.total_passages > 0 && req.facets) ++compared;
        }
    return compared;
}

TEST_CASE("--year-bucket decade counts publication years by decade too") {
    Gazetteer g = test::corpus_gazetteer();
    std::vector<Article> arts;
    for (const auto& [id, published] : std::vector<std::pair<std::string, std::string>>{
             {"a", "1987-03"}, {"b", "1988"}, {"c", "1991-12-01"}, {"d", "1987"}}) {
        Article a;
        a.id = id;
        a.path = id + ".txt";
        a.title = "Tariffs " + id;
        a.title_line = false;
        a.published = published;
        a.text = "The tariff rose. \n\nThe tariff fell again.\n";
        arts.push_back(a);
    }
    Xapian::WritableDatabase db = test::memory_index(arts, g);
    for (auto source : {SearcherOptions::FacetTable::Never, SearcherOptions::FacetTable::Always}) {
        SearcherOptions o;
        o.facet_table = source;
        Searcher s(db, o);
        SearchRequest req;
        req.query = "tariff";
        req.facet_limit = 0;
        auto by_year = s.search(req);
        CHECK(by_year.published.values.size() == 3);  // 1987, 1988, 1991
        req.year_decades = true;
        auto r = s.search(req);
        REQUIRE(r.published.values.size() == 2);
        CHECK(r.published.total_values == 2);
        CHECK(r.published.values[0].value == "1980s");
        CHECK(r.published.values[0].articles == 3);
        CHECK(r.published.values[0].passages == 6);
        CHECK(r.published.values[1].value == "1990s");
        CHECK(r.published.values[1].articles == 1);
    }
}

TEST_CASE("facet counts from the in-memory facet table equal those read from the index") {
    Gazetteer g = test::corpus_gazetteer();
    Xapian::WritableDatabase db = test::memory_index(test::corpus_articles(), g);
    SearcherOptions never, always;
    never.facet_table = SearcherOptions::FacetTable::Never;
    always.facet_table = SearcherOptions::FacetTable::Always;
    Searcher slow(db, never), fast(db, always);
    CHECK(same_facets(slow, fast) >= 20);
    CHECK(slow.facet_source() == Searcher::FacetSource::Index);
    CHECK(fast.facet_source() == Searcher::FacetSource::BuiltTable);
}

namespace {
/// The inode of a file: a table written again is a new file renamed in.
ino_t inode_of(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

/// The corpus indexed into a temporary folder, removed at the end.
struct IndexOnDisk {
    std::filesystem::path dir;
    std::string path, file;  ///< the index, its facet table file
    explicit IndexOnDisk(const std::string& name)
        : dir(test::scratch_path(name)),
          path(dir.string()), file(table_file::path_in(path)) {
        Gazetteer g = test::corpus_gazetteer();
        test::memory_index(test::corpus_articles(), g, {}, path).close();
    }
    ~IndexOnDisk() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    std::string bytes() const {
        std::ifstream in(file, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
};

/// A facet table file's header and sections.
struct TableParts {
    table_file::Header h;
    std::vector<std::string> sections;
    explicit TableParts(const std::string& bytes) {
        REQUIRE(bytes.size() > sizeof h);
        std::memcpy(&h, bytes.data(), sizeof h);
        for (std::size_t i = 0; i < std::size(h.sections); ++i) sections.push_back(bytes.substr(offset(i), h.sections[i]));
    }
    /// Where section i starts in the file (each is padded to 8 bytes).
    std::size_t offset(std::size_t i) const {
        std::size_t at = sizeof h;
        for (std::size_t k = 0; k < i; ++k) at += (h.sections[k] + 7) & ~std::uint64_t(7);
        return at;
    }
    void write(const std::string& file) const { table_file::write(file, h, {sections[0], sections[1], sections[2]}); }
};
}  // namespace

TEST_CASE("the facet table stored in the index gives the same counts, and is left aside once stale or damaged") {
    IndexOnDisk index("stored");
    const std::string &path = index.path, &file = index.file;
    // An index of an older format kept the table in its metadata: cleared.
    {
        Xapian::WritableDatabase w(path);
        w.set_metadata(std::string(schema::kMetaFacetTable), "old header");
        w.set_metadata(std::string(schema::kMetaFacetTable) + ".0", "old rows");
        w.commit();
    }
    CHECK_FALSE(facet_table_current(path));
    store_facet_table(path);
    CHECK(facet_table_current(path));
    {
        Xapian::Database r(path);
        CHECK(r.metadata_keys_begin(std::string(schema::kMetaFacetTable)) == r.metadata_keys_end(std::string(schema::kMetaFacetTable)));
    }
    const ino_t written = inode_of(file);
    CHECK(written != 0);
    std::ofstream(file + ".tmp-999999") << "left by a killed run";
    store_facet_table(path);  // nothing changed: nothing written, the stale file cleared
    CHECK(inode_of(file) == written);
    CHECK_FALSE(std::filesystem::exists(file + ".tmp-999999"));

    SearcherOptions never, always;
    never.facet_table = SearcherOptions::FacetTable::Never;
    always.facet_table = SearcherOptions::FacetTable::Always;
    std::vector<std::string> paths{path};
    // Loaded at the first query, or after some counting the slow way (the
    // dictionary then starts again from the file's lists).
    Searcher kept(paths, always);
    {
        Searcher slow(paths, never), later(paths, SearcherOptions{});
        CHECK(same_facets(slow, kept) >= 20);
        CHECK(kept.facet_source() == Searcher::FacetSource::StoredTable);
        CHECK(same_facets(slow, later) >= 20);
        CHECK(later.facet_source() == Searcher::FacetSource::StoredTable);
    }
    // A searcher told that many queries follow maps it at the first one; one
    // that is not counts a small query without it, and maps it for a query
    // over a sixteenth of the passages or more, before counting.
    {
        SearcherOptions many;
        many.many_queries = true;
        Searcher first(paths, many), one(paths, SearcherOptions{}), broad(paths, SearcherOptions{});
        SearchRequest small, common;
        small.query = "disarm";
        common.query = "the";
        const auto n = one.passage_count();
        const auto few = first.search(small).total_passages;
        CHECK(few > 0);
        CHECK(few * 16 < n);
        CHECK(one.search(small).total_passages == few);
        CHECK(first.facet_source() == Searcher::FacetSource::StoredTable);
        CHECK(one.facet_source() == Searcher::FacetSource::Index);
        const auto many_matches = broad.search(common).total_passages;
        CHECK(many_matches * 16 >= n);
        CHECK(broad.facet_source() == Searcher::FacetSource::StoredTable);
        CHECK(many_matches == first.search(common).total_passages);
    }
    // A passage goes and the table is not stored again: it no longer holds.
    {
        Xapian::WritableDatabase w(path);
        SearchRequest iran;
        iran.query = "Iran";
        Searcher s(paths, never);
        w.delete_document(s.search(iran).hits.at(0).docid);
        w.commit();
    }
    {
        Searcher slow(paths, never), fast(paths, always);
        CHECK(same_facets(slow, fast) >= 20);
        CHECK(fast.facet_source() == Searcher::FacetSource::BuiltTable);
        // The searcher that had taken the stored table builds one now.
        kept.reopen();
        CHECK(same_facets(slow, kept) >= 20);
        CHECK(kept.facet_source() == Searcher::FacetSource::BuiltTable);
    }
    store_facet_table(path);
    CHECK(facet_table_current(path));
    // Damaged tables whose header fits the index are left aside too: a
    // byte changed on disk (the checksum no longer matches), a row naming a
    // value the lists do not have and a row cut short (checksums that match),
    // a file longer than its sections.
    const std::string good = index.bytes();
    REQUIRE(good.size() > sizeof(table_file::Header) + 64);
    for (int damage : {0, 1, 2, 3}) {
        CAPTURE(damage);
        if (damage == 0 || damage == 3) {
            std::string bad = good;
            if (damage == 0) {  // the last byte of the lists (padding is not read)
                const TableParts parts(good);
                bad[parts.offset(table_file::kLists) + parts.sections[table_file::kLists].size() - 1] ^= 0x40;
            }
            else bad += std::string(4096, '\0');  // longer than its sections add up to
            std::ofstream(file, std::ios::binary | std::ios::trunc) << bad;
        } else {
            TableParts parts(good);
            std::string& rows = parts.sections[table_file::kRows];
            REQUIRE(rows.size() >= 8);
            if (damage == 1) {
                std::uint32_t huge = 0x7fffffff;  // the first row's article
                std::memcpy(rows.data(), &huge, 4);
            } else {
                rows.resize(rows.size() - 4);  // the last row loses its last field
            }
            parts.write(file);
        }
        CHECK(facet_table_current(path));  // the header still fits
        Searcher slow(paths, never), fast(paths, always);
        CHECK(same_facets(slow, fast) >= 20);
        CHECK(fast.facet_source() == Searcher::FacetSource::BuiltTable);
    }
    // Stored again, it holds again.
    std::filesystem::remove(file);
    CHECK_FALSE(facet_table_current(path));
    store_facet_table(path);
    CHECK(facet_table_current(path));
    {
        Searcher slow(paths, never), fast(paths, always);
        CHECK(same_facets(slow, fast) >= 20);
        CHECK(fast.facet_source() == Searcher::FacetSource::StoredTable);
    }
    // A commit that changes no passage (an unchanged re-index): the table is
    // kept, stamped with the new revision.
    {
        Xapian::WritableDatabase w(path);
        w.set_metadata("qanat.test", "touched");
        w.commit();
    }
    CHECK_FALSE(facet_table_current(path));
    store_facet_table(path, true);
    CHECK(facet_table_current(path));
    {
        Searcher slow(paths, never), fast(paths, always);
        CHECK(same_facets(slow, fast) >= 20);
        CHECK(fast.facet_source() == Searcher::FacetSource::StoredTable);
    }
    // A table damaged on disk is written again from the index at such a
    // commit, not stamped with a new checksum over the damage.
    const std::string sound = index.bytes();
    {
        const TableParts parts(sound);
        std::string bad = sound;
        REQUIRE(parts.sections[table_file::kRows].size() > 8);
        bad[parts.offset(table_file::kRows) + 4] ^= 0x01;  // in the first row
        std::ofstream(file, std::ios::binary | std::ios::trunc) << bad;
        Xapian::WritableDatabase w(path);
        w.set_metadata("qanat.test", "touched again");
        w.commit();
    }
    store_facet_table(path, true);
    CHECK(facet_table_current(path));
    CHECK(TableParts(index.bytes()).sections == TableParts(sound).sections);
}

namespace {
/// Takes the actors and years off the facet key of the nth passage that
/// matches "Iran" (from 0), and commits: its docid, and the facet table's
/// length, stay.
void drop_facets_of_iran_passage(const std::string& path, std::size_t nth) {
    SearcherOptions never;
    never.facet_table = SearcherOptions::FacetTable::Never;
    SearchRequest iran;
    iran.query = "Iran";
    const Xapian::docid changed = Searcher(std::vector<std::string>{path}, never).search(iran).hits.at(nth).docid;
    Xapian::WritableDatabase w(path);
    Xapian::Document doc = w.get_document(changed);
    FacetKey key = FacetKey::deserialise(doc.get_value(schema::kSlotFacets));
    REQUIRE_FALSE(key.actors.empty());
    key.actors.clear();
    key.years.clear();
    doc.add_value(schema::kSlotFacets, key.serialise());
    w.replace_document(changed, doc);
    w.commit();
}
}  // namespace

TEST_CASE("searchers of one process share a stored table, only for the revision it describes") {
    IndexOnDisk index("shared");
    const std::string& path = index.path;
    store_facet_table(path);
    SearcherOptions never, always;
    never.facet_table = SearcherOptions::FacetTable::Never;
    always.facet_table = SearcherOptions::FacetTable::Always;
    std::vector<std::string> paths{path};
    SearchRequest iran;
    iran.query = "Iran";
    iran.facet_limit = 0;
    // Kept open throughout: the file it mapped stays in use.
    Searcher first(paths, always);
    const SearchResult before = first.search(iran);
    CHECK(first.facet_source() == Searcher::FacetSource::StoredTable);
    // Two more take it at once, on two threads, and count as the slow way does.
    {
        Searcher slow(paths, never), a(paths, always), b(paths, always);
        SearchResult ra, rb;
        std::thread other([&] { rb = b.search(iran); });
        ra = a.search(iran);
        other.join();
        const SearchResult expected = slow.search(iran);
        check_same_counts(ra, expected);
        check_same_counts(rb, expected);
        CHECK(a.facet_source() == Searcher::FacetSource::StoredTable);
        CHECK(b.facet_source() == Searcher::FacetSource::StoredTable);
        CHECK(same_facets(slow, a) >= 20);
        // One mapping of the file for the three.
        std::ifstream maps("/proc/self/maps");
        unsigned mapped = 0;
        for (std::string line; std::getline(maps, line);) mapped += line.find(index.file) != std::string::npos;
        CHECK(mapped == 1);
    }
    // A passage loses its actors and years and the table is stored again: a
    // searcher opened now counts from the new file, not from the mapping of
    // the revision before, which `first` still holds.
    drop_facets_of_iran_passage(path, 0);
    store_facet_table(path);
    Searcher slow(paths, never), later(paths, always);
    CHECK(later.search(iran).total_passages == before.total_passages);
    CHECK(later.facet_source() == Searcher::FacetSource::StoredTable);
    CHECK(same_facets(slow, later) >= 20);
}

TEST_CASE("a shared facet table is taken again only while the file at its path is the one mapped, unchanged") {
    SearcherOptions never, always;
    never.facet_table = SearcherOptions::FacetTable::Never;
    always.facet_table = SearcherOptions::FacetTable::Always;
    SearchRequest iran;
    iran.query = "Iran";

    SUBCASE("rewritten in place, with rows out of range and a checksum that matches") {
        IndexOnDisk index("in-place");
        std::vector<std::string> paths{index.path};
        store_facet_table(index.path);
        Searcher held(paths, always);
        held.search(iran);
        REQUIRE(held.facet_source() == Searcher::FacetSource::StoredTable);
        // Every row's first spelling made far larger than the lists allow;
        // the file written again in place, its sizes unchanged.
        TableParts parts(index.bytes());
        std::string& rows = parts.sections[table_file::kRows];
        const std::string& starts = parts.sections[table_file::kStarts];
        unsigned damaged = 0;
        for (std::size_t did = 0; (did + 2) * 4 <= starts.size(); ++did) {
            std::uint32_t at = 0, end = 0, spellings = 0;
            std::memcpy(&at, starts.data() + 4 * did, 4);
            std::memcpy(&end, starts.data() + 4 * (did + 1), 4);
            if (at == end) continue;
            std::memcpy(&spellings, rows.data() + 4 * (at + 1), 4);
            if (spellings == 0) continue;
            const std::uint32_t huge = 0x7fffffff;
            std::memcpy(rows.data() + 4 * (at + 2), &huge, 4);
            ++damaged;
        }
        REQUIRE(damaged > 0);
        const std::string renamed = index.file + ".damaged";
        parts.write(renamed);
        std::string bad;
        {
            std::ifstream in(renamed, std::ios::binary);
            bad.assign(std::istreambuf_iterator<char>(in), {});
        }
        std::filesystem::remove(renamed);
        const ino_t inode = inode_of(index.file);
        const auto written = std::filesystem::last_write_time(index.file);
        std::ofstream(index.file, std::ios::binary | std::ios::trunc) << bad;
        // (A rewrite within the clock's tick would keep the time: made distinct.)
        std::filesystem::last_write_time(index.file, written + std::chrono::seconds(1));
        REQUIRE(inode_of(index.file) == inode);
        // A searcher opened now checks the file itself, refuses it and
        // builds its own table.
        Searcher slow(paths, never), later(paths, always);
        CHECK(same_facets(slow, later) >= 20);
        CHECK(later.facet_source() == Searcher::FacetSource::BuiltTable);
    }

    SUBCASE("the index folder swapped for a copy at the same revision") {
        IndexOnDisk index("swapped");
        std::vector<std::string> paths{index.path};
        const std::string copy = index.path + "-copy", old = index.path + "-old";
        std::filesystem::copy(index.dir, copy, std::filesystem::copy_options::recursive);
        // The same database (UUID) and revision, different facets.
        drop_facets_of_iran_passage(index.path, 0);
        drop_facets_of_iran_passage(copy, 1);
        store_facet_table(index.path);
        store_facet_table(copy);
        REQUIRE(Xapian::Database(index.path).get_uuid() == Xapian::Database(copy).get_uuid());
        REQUIRE(Xapian::Database(index.path).get_revision() == Xapian::Database(copy).get_revision());
        Searcher held(paths, always);
        held.search(iran);
        REQUIRE(held.facet_source() == Searcher::FacetSource::StoredTable);
        std::filesystem::rename(index.path, old);
        std::filesystem::rename(copy, index.path);
        {
            Searcher slow(paths, never), later(paths, always);
            CHECK(same_facets(slow, later) >= 20);
            CHECK(later.facet_source() == Searcher::FacetSource::StoredTable);
        }
        std::error_code ec;
        std::filesystem::remove_all(old, ec);
    }
}

TEST_CASE("a facet table file changed anywhere, with a checksum that matches, is refused or counts within bounds") {
    IndexOnDisk index("mutated");
    const std::string& path = index.path;
    store_facet_table(path);
    const TableParts parts(index.bytes());
    REQUIRE(parts.sections.size() == 3);
    REQUIRE(parts.sections[table_file::kRows].size() >= 4);
    SearcherOptions always;
    always.facet_table = SearcherOptions::FacetTable::Always;
    std::vector<std::string> paths{path};
    std::uint64_t seed = 12345;
    auto next = [&] {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(seed >> 33);
    };
    unsigned refused = 0, taken = 0;
    for (int round = 0; round < 150; ++round) {
        TableParts bad = parts;
        std::string& where = bad.sections[next() % 3];
        if (where.empty()) continue;
        if (&where == &bad.sections[table_file::kLists]) {
            where[next() % where.size()] = static_cast<char>(next());  // a byte of the lists
        } else {
            const std::uint32_t choices[] = {next() % 64, next(), 0, 0xffffffffu, static_cast<std::uint32_t>(where.size() / 4)};
            std::uint32_t v = choices[next() % 5];
            std::memcpy(where.data() + 4 * (next() % (where.size() / 4)), &v, 4);
        }
        bad.write(index.file);
        Searcher s(paths, always);
        for (const char* q : {"Iran", "actor:PMF", "year:1980..1988", "war"}) {
            SearchRequest req;
            req.query = q;
            req.facet_limit = 0;
            auto r = s.search(req);
            for (const auto* f : {&r.actors, &r.years, &r.published})
                for (const auto& v : f->values) {
                    CHECK(v.passages <= r.total_passages);
                    CHECK(v.articles <= v.passages);
                }
        }
        (s.facet_source() == Searcher::FacetSource::StoredTable ? taken : refused) += 1;
    }
    CHECK(refused > 50);  // most changes break a row or a list
}

TEST_CASE("ties between equal scores go by article id, then passage order, on one thread or two") {
    // Articles with the same two passages under ids out of docid order, one
    // of them written again as an update would (its passages then come last
    // by docid): the page of hits, wherever it cuts the ties, goes by article
    // id and passage ordinal, not by docid.
    const auto dir = test::scratch_path("ties");
    const std::string path = dir.string();
    std::vector<std::string> ids{"m", "c", "x", "a", "k", "b"};
    std::vector<Article> arts;
    for (const auto& id : ids) {
        Article a;
        a.id = id;
        a.path = "ties.txt";
        a.title = "Ties";
        a.text = "The paragraph about reeds mentions quillwort growing by the river.\n\n"
                 "The paragraph about ferns mentions quillwort growing by the river.\n";
        arts.push_back(a);
    }
    Gazetteer g;
    {
        Xapian::WritableDatabase db = test::memory_index(arts, g, {}, path);
        DocumentBuilder b(AnalysisSettings{}, g, {});
        db.delete_document(schema::term(schema::kArticle, "c"));
        for (auto& d : b.build(arts[1]).documents) db.add_document(d);
        db.commit();
    }
    store_facet_table(path);
    std::sort(ids.begin(), ids.end());
    SearcherOptions one_opt, two_opt;
    one_opt.threads = 1;
    two_opt.beside_from = 0;  // ranked on the second thread
    const std::vector<std::string> paths{path};
    Searcher one(paths, one_opt), two(paths, two_opt);
    for (Xapian::doccount offset : {0u, 3u}) {
        SearchRequest req;
        req.query = "quillwort";
        req.offset = offset;
        req.limit = 7;
        CAPTURE(offset);
        auto a = one.search(req), b = two.search(req);
        REQUIRE(a.hits.size() == 7);
        REQUIRE(b.hits.size() == 7);
        for (std::size_t i = 0; i < a.hits.size(); ++i) {
            const std::size_t k = offset + i;  // two passages an article, equal scores
            CHECK(a.hits[i].passage.article_id == ids[k / 2]);
            CHECK(a.hits[i].passage.ordinal == k % 2);
            CHECK(b.hits[i].docid == a.hits[i].docid);
        }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("a query ranked on a second thread gives what one thread gives, also when the index changes") {
    IndexOnDisk index("threads");
    SearcherOptions one_opt, two_opt;
    one_opt.threads = 1;
    two_opt.threads = 2;
    two_opt.beside_from = 0;  // every query, however small
    std::vector<std::string> path{index.path};
    Searcher one(path, one_opt), two(path, two_opt);
    auto requests = [] {
        std::vector<SearchRequest> out;
        for (const char* q : {"Iran", "militias", "actor:PMF", "Sudani OR Sadr", "year:1980..1988", "war Iraq", "zzzz"})
            for (int variant = 0; variant < 3; ++variant) {
                SearchRequest r;
                r.query = q;
                r.limit = 7;
                if (variant == 1) r.offset = 3;
                if (variant == 2) r.per_article = 1;
                out.push_back(r);
            }
        return out;
    };
    auto same = [&](const char* when) {
        unsigned hits = 0;
        for (const auto& r : requests()) {
            CAPTURE(when);
            CAPTURE(r.query);
            CAPTURE(r.offset);
            CAPTURE(r.per_article);
            auto a = one.search(r), b = two.search(r);
            CHECK(a.total_passages == b.total_passages);
            CHECK(a.total_articles == b.total_articles);
            REQUIRE(a.hits.size() == b.hits.size());
            for (std::size_t i = 0; i < a.hits.size(); ++i) {
                CHECK(a.hits[i].docid == b.hits[i].docid);
                CHECK(a.hits[i].rank == b.hits[i].rank);
                CHECK(a.hits[i].score == b.hits[i].score);
                CHECK(a.hits[i].snippet == b.hits[i].snippet);
            }
            hits += static_cast<unsigned>(a.hits.size());
        }
        return hits;
    };
    CHECK(same("first revision") > 50);

    // A passage goes: both searchers still show the revision they opened...
    SearchRequest iran;
    iran.query = "Iran";
    Xapian::docid gone = one.search(iran).hits.at(0).docid;
    {
        Xapian::WritableDatabase w(index.path);
        w.delete_document(gone);
        w.commit();
    }
    CHECK(same("before reopening") > 50);
    CHECK(two.search(iran).hits.at(0).docid == gone);
    // ...and the new one once reopened.
    one.reopen();
    two.reopen();
    CHECK(same("after reopening") > 50);
    for (const auto& h : two.search(iran).hits) CHECK(h.docid != gone);
}

TEST_CASE("JSON strings: escaped where they must be, read back as written, bad UTF-8 replaced") {
    using qanat::searcher::JsonWriter;
    auto quoted = [](std::string_view s) {
        std::string out;
        JsonWriter::quote(out, s);
        return out;
    };
    CHECK(quoted("plain text") == "\"plain text\"");
    CHECK(quoted("a \"b\" \\ c") == "\"a \\\"b\\\" \\\\ c\"");
    CHECK(quoted("tab\tnew\nline\x01\x7f") == "\"tab\\tnew\\nline\\u0001\\u007f\"");
    CHECK(quoted("Sadr \xd8\xa7\xd9\x84") == "\"Sadr \xd8\xa7\xd9\x84\"");  // valid UTF-8 kept
    CHECK(quoted("bad \xff byte") == "\"bad \xef\xbf\xbd byte\"");       // U+FFFD
    // Seeded random strings of ASCII, controls and UTF-8: what a JSON reader
    // reads back is the string itself, and no raw control byte goes out.
    std::uint64_t seed = 7;
    auto next = [&] {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<unsigned>(seed >> 33);
    };
    const char* pieces[] = {"a", "Z", " ", "\"", "\\", "\n", "\t", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe2\x80\x94", "\xf0\x9f\x98\x80", "/"};
    for (int round = 0; round < 500; ++round) {
        std::string s;
        for (unsigned k = next() % 40; k > 0; --k) s += pieces[next() % std::size(pieces)];
        std::string q = quoted(s);
        CAPTURE(s);
        CHECK(nlohmann::json::parse(q).get<std::string>() == s);
        CHECK(std::none_of(q.begin(), q.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
    }
}

TEST_CASE("a checksum fed in pieces equals the checksum of the whole") {
    std::string bytes;
    std::uint64_t seed = 99;
    for (int i = 0; i < 1000; ++i) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        bytes.push_back(static_cast<char>(seed >> 56));
    }
    for (std::size_t size : {0, 1, 7, 31, 32, 33, 64, 100, 1000}) {
        const std::string_view whole(bytes.data(), size);
        const std::uint64_t expected = table_file::checksum(whole, 7);
        for (std::size_t cut : {1, 3, 8, 31, 32, 33, 500}) {
            CAPTURE(size);
            CAPTURE(cut);
            table_file::Checksum c(7);
            for (std::size_t at = 0; at < size; at += cut) c.add(whole.substr(at, cut));
            CHECK(c.value() == expected);
        }
        if (size > 0) CHECK(table_file::checksum(whole, 8) != expected);
    }
    // Values of the checksum as files on disk carry it (the same before it
    // could be fed in pieces): the function must not change.
    CHECK(table_file::checksum("", 0) == 0x8d7b0b73130503ecULL);
    CHECK(table_file::checksum(std::string_view(bytes.data(), 31), 7) == 0xfbd2fb549632ed94ULL);
    CHECK(table_file::checksum(std::string_view(bytes.data(), 100), 0) == 0xfe4f88373b82d871ULL);
}

TEST_CASE("a phrase's words are highlighted where the phrase stands") {
    // '"Supreme Leader"' highlighted "leaders of Iraqi armed factions", and a
    // snippet could show those instead of the phrase.
    Fixture f;
    auto r = f.run("\"Supreme Leader\"");
    REQUIRE(!r.hits.empty());
    bool any_leaders = false;
    for (const auto& h : r.hits) {
        const std::string w = hl_words(h);
        CHECK(w.find("|leaders|") == std::string::npos);
        CHECK(w.find("|Supreme|Leader|") != std::string::npos);
        any_leaders = any_leaders || h.passage.text.find("leaders") != std::string::npos;
    }
    CHECK(any_leaders);  // the case is met: a passage with both
    // The phrase's words alone in the query are shown everywhere again.
    r = f.run("\"Supreme Leader\" leaders");
    bool shown = false;
    for (const auto& h : r.hits) shown = shown || hl_words(h).find("|leaders|") != std::string::npos;
    CHECK(shown);
    const QueryPhrases q = query_phrases("\"Bank of Japan\" AND Iran-backed militias NOT title:x", Analyzer());
    REQUIRE(q.phrases.size() == 2);
    CHECK(q.phrases[0].size() == 3);
    CHECK(q.phrases[1].size() == 2);
    CHECK(q.free.count("militia") == 1);
    CHECK(q.free.count("and") == 0);
}
