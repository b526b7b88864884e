#include <doctest/doctest.h>

#include <map>

#include "passages.h"
#include "support.h"

using namespace qanat;

namespace {

std::string text_of(std::string_view t, const Passage& p) { return std::string(t.substr(p.start, p.end - p.start)); }

const Passage* find_containing(std::string_view t, const ParsedArticle& a, std::string_view needle) {
    for (const auto& p : a.passages)
        if (text_of(t, p).find(needle) != std::string::npos) return &p;
    return nullptr;
}

}  // namespace

TEST_CASE("titles of the five seed articles read as a reader would name them") {
    std::map<std::string, std::string> want{
        {"000_87ad21ff5970c9be", "Iraq & Iran: Allies Or Rivals? A Deep Dive Into Their Complex Ties"},
        {"001_d9cc2f0b5d4deceb", "Iraq's US-Iran balancing act faces crunch time"},
        {"002_29f857d2b54e8e68", "Iran–Iraq relations after 2003"},
        {"003_be678db9543fdd73", "Even Iraq Wants to Leave Iran’s Axis"},
        {"004_d982830aa2fa4bf9", "Regional Dynamics: Iran and Turkey’s Complicated Influence"},
    };
    for (const auto& [name, title] : want) {
        CAPTURE(name);
        auto a = parse_article(test::corpus_file(name + ".txt"));
        CHECK(a.title == title);
    }
    // The two without a title line say so.
    CHECK(parse_article(test::corpus_file("002_29f857d2b54e8e68.txt")).title_from_text);
    CHECK_FALSE(parse_article(test::corpus_file("003_be678db9543fdd73.txt")).title_from_text);
}

TEST_CASE("passages carry exact byte offsets and respect the size bound") {
    for (const auto& name : test::corpus_names()) {
        CAPTURE(name);
        std::string t = test::corpus_file(name + ".txt");
        auto a = parse_article(t, PassageOptions{800});
        REQUIRE_FALSE(a.passages.empty());
        std::size_t prev_end = 0;
        for (const auto& p : a.passages) {
            CHECK(p.start < p.end);
            CHECK(p.end <= t.size());
            CHECK(p.start >= prev_end);  // in order, no overlap
            prev_end = p.end;
            std::string s = text_of(t, p);
            CHECK(s.front() != ' ');
            CHECK(s.back() != '\n');
            // A window may exceed the bound only by the heading it starts with.
            if (p.kind == BlockKind::Prose) CHECK(p.end - p.start <= 800 + 120);
        }
    }
}

TEST_CASE("non-prose blocks are recognised by shape and repeats are marked") {
    SUBCASE("the star-rated entity list appears twice: one list indexed, the repeat marked") {
        std::string t = test::corpus_file("003_be678db9543fdd73.txt");
        auto a = parse_article(t);
        std::size_t lists = 0, dup = 0;
        for (const auto& p : a.passages)
            if (p.kind == BlockKind::List) (p.duplicate ? dup : lists)++;
        CHECK(lists >= 1);
        CHECK(dup == lists);
        const Passage* prose = find_containing(t, a, "Iranian regime spent decades");
        REQUIRE(prose);
        CHECK(prose->kind == BlockKind::Prose);
    }
    SUBCASE("author box with contact details") {
        std::string t = test::corpus_file("000_87ad21ff5970c9be.txt");
        auto a = parse_article(t);
        const Passage* p = find_containing(t, a, "ohickle@hotmail.com");
        REQUIRE(p);
        CHECK(p->kind == BlockKind::Fields);
    }
    SUBCASE("price lines") {
        std::string t = test::corpus_file("002_29f857d2b54e8e68.txt");
        auto a = parse_article(t);
        const Passage* p = find_containing(t, a, "Digital Download");
        REQUIRE(p);
        CHECK(p->kind == BlockKind::Price);
    }
    SUBCASE("reference list") {
        std::string t = test::corpus_file("004_d982830aa2fa4bf9.txt");
        auto a = parse_article(t);
        const Passage* p = find_containing(t, a, "[xxxviii] Ibid.");
        REQUIRE(p);
        CHECK(p->kind == BlockKind::References);
    }
    SUBCASE("photo credits and a repeated title are navigation; the repeated caption is a duplicate") {
        std::string t = test::corpus_file("001_d9cc2f0b5d4deceb.txt");
        auto a = parse_article(t);
        const Passage* credit = find_containing(t, a, "HUSSEIN FALEH / AFP");
        REQUIRE(credit);
        CHECK(credit->kind == BlockKind::Links);
        std::size_t captions = 0, dups = 0;
        for (const auto& p : a.passages)
            if (text_of(t, p).rfind("An Iraqi man and children", 0) == 0) {
                ++captions;
                dups += p.duplicate;
            }
        CHECK(captions == 2);
        CHECK(dups == 1);
    }
}

TEST_CASE("a pull quote, a short paragraph repeating a sentence of another, is a repeat") {
    const std::string text =
        "Title\n\nIn July, US Central Command warned that ISIS is set to more than double its attacks from "
        "2023[xxxvii], signaling an attempt to come back.\n\n"
        "ISIS is set to more than double its attacks from 2023.\n\n"
        "ISIS is set to grow.\n\n"
        "An unrelated paragraph that says something else about the weather in Baghdad this year.\n";
    auto a = parse_article(text, PassageOptions{});
    std::vector<bool> dup;
    for (const auto& p : a.passages) dup.push_back(p.duplicate);
    // The pull quote goes; a sentence too short to tell ("ISIS is set to grow.") stays.
    CHECK(dup == std::vector<bool>{false, true, false, false});
    // Whole words only: "200 fighters ..." is not inside "about 1,200 fighters ...".
    const std::string numbers =
        "Title\n\n200 fighters surrendered in Tal Afar on Monday.\n\n"
        "Officials said that about 1,200 fighters surrendered in Tal Afar on Monday after a week of clashes.\n";
    auto b = parse_article(numbers, PassageOptions{});
    REQUIRE(b.passages.size() == 2);
    CHECK_FALSE(b.passages[0].duplicate);
}

TEST_CASE("a heading joins the paragraph it introduces") {
    std::string t = test::corpus_file("001_d9cc2f0b5d4deceb.txt");
    auto a = parse_article(t);
    const Passage* p = find_containing(t, a, "Electoral test");
    REQUIRE(p);
    CHECK(text_of(t, *p).rfind("Electoral test", 0) == 0);
    CHECK(text_of(t, *p).find("Rather than rely on armed groups") != std::string::npos);
}

TEST_CASE("hard-wrapped text: lines joined, an indented line starts a paragraph") {
    std::string t =
        "    Showers continued throughout the week in the Bahia cocoa zone,\n"
        "alleviating the drought since early January and improving\n"
        "prospects for the coming temporao, although normal levels.\n"
        "    Arrivals reached 6,000 bags in the week to February 22,\n"
        "the trade said, and sales were limited by the price level.\n";
    auto a = parse_article(t, {}, "Cocoa");
    REQUIRE(a.passages.size() == 2);
    CHECK(text_of(t, a.passages[0]).find("temporao") != std::string::npos);
    CHECK(text_of(t, a.passages[1]).rfind("Arrivals", 0) == 0);
    CHECK(a.title == "Cocoa");
}

TEST_CASE("sentence windows cut at sentence ends") {
    std::string t;
    for (int i = 0; i < 40; ++i) t += "Sentence number " + std::to_string(i) + " says something about Iraq. ";
    auto w = sentence_windows(t, 0, t.size(), 300);
    CHECK(w.size() > 1);
    for (auto [s, e] : w) {
        CHECK(e - s <= 300);
        CHECK(t[e - 1] == '.');
    }
    // A sentence longer than the bound is cut at a space.
    std::string longs(2000, 'a');
    for (std::size_t i = 10; i < longs.size(); i += 11) longs[i] = ' ';
    for (auto [s, e] : sentence_windows(longs, 0, longs.size(), 300)) CHECK(e - s <= 300);
}

TEST_CASE("CRLF and lone CR line ends split paragraphs like LF") {
    std::string lf = "First title line of it\n\nA paragraph that is long enough to be prose, with a full stop.\n\nAnother one here, also long enough to count as prose.\n";
    std::string crlf, cr;
    for (char c : lf) {
        if (c == '\n') {
            crlf += "\r\n";
            cr += '\r';
        } else {
            crlf += c;
            cr += c;
        }
    }
    auto a = parse_article(lf), b = parse_article(crlf), c = parse_article(cr);
    CHECK(a.title == "First title line of it");
    CHECK(b.title == a.title);
    CHECK(c.title == a.title);
    CHECK(a.passages.size() == 2);
    CHECK(b.passages.size() == 2);
    CHECK(c.passages.size() == 2);
}

TEST_CASE("JSONL text without a title keeps its first line as text") {
    std::string t = "measurement of dielectric constant of liquids by microwave techniques";
    auto a = parse_article(t, {}, {}, false);
    REQUIRE(a.passages.size() == 1);
    CHECK(a.passages[0].start == 0);
    CHECK(a.passages[0].end == t.size());
    CHECK(!a.title.empty());
    auto b = parse_article(t);  // a file: the short first line is its title
    CHECK(b.passages.empty());
    CHECK(b.title == t);
    // Several short lines and nothing else: prose, not navigation.
    auto c = parse_article("Title of it all\n\nshort line one\n\nshort line two\n");
    REQUIRE(c.passages.size() == 2);
    CHECK(c.passages[0].kind == BlockKind::Prose);
}

TEST_CASE("a headline in capitals ending with an abbreviation is the title, not a passage") {
    // 58 Reuters stories ("... SERVICE IN U.K.") had their headline as
    // passage 0 as well as their title.
    auto a = qanat::parse_article("REUTERS LAUNCHES VIDEOTEXT SERVICE IN U.K.\n\nReuters Holdings said it launched a "
                                  "service.\n",
                                  qanat::PassageOptions{}, "", true);
    CHECK(a.title == "REUTERS LAUNCHES VIDEOTEXT SERVICE IN U.K.");
    REQUIRE(a.passages.size() == 1);
    CHECK(a.passages[0].start > 0);
}

TEST_CASE("an article's closing words to its reader are cut off its last passage") {
    // The last paragraph of 000_87ad21ff5970c9be ended "What are your thoughts
    // on the intricate relationship between Iraq and Iran? Do you believe ...?
    // Share your perspectives in the comments below, ...": the passage ranked
    // first for "relationship between Iraq and Iran" on that question.
    const std::string corpus = test::corpus_file("000_87ad21ff5970c9be.txt");
    auto a = parse_article(corpus);
    const Passage* call = find_containing(corpus, a, "Share your perspectives in the comments below");
    REQUIRE(call != nullptr);
    CHECK(call->kind == BlockKind::Links);
    CHECK(text_of(corpus, *call).rfind("What are your thoughts", 0) == 0);
    const Passage* body = find_containing(corpus, a, "geopolitical dynamics in the Middle East.");
    REQUIRE(body != nullptr);
    CHECK(body->kind == BlockKind::Prose);
    CHECK(text_of(corpus, *body).find("your thoughts") == std::string::npos);
    CHECK(text_of(corpus, *body).back() == '.');

    // A short last paragraph: the closing call is a passage of its own kind;
    // the article's sentences stay as they were.
    const std::string t = "Iraq and Iran met in 2003. Do you think they will meet again? Let us know in the comments.\n";
    a = parse_article(t, PassageOptions{}, "A title", false);
    REQUIRE(a.passages.size() == 2);
    CHECK(text_of(t, a.passages[0]) == "Iraq and Iran met in 2003.");
    CHECK(a.passages[0].kind == BlockKind::Prose);
    CHECK(text_of(t, a.passages[1]) == "Do you think they will meet again? Let us know in the comments.");
    CHECK(a.passages[1].kind == BlockKind::Links);
    // A question to the reader with no call to comment stays: it may be the
    // article's own question.
    const std::string q = "Iraq and Iran met in 2003. Do you think they will meet again?\n";
    a = parse_article(q, PassageOptions{}, "A title", false);
    REQUIRE(a.passages.size() == 1);
    CHECK(a.passages[0].kind == BlockKind::Prose);
    // Quoted or reported speech, and a call inside a sentence, are the
    // article's own: they stay.
    for (const std::string& news : {
             std::string("Talks went on in Vienna in 2021. \"Tehran must let us know its intentions before the "
                         "deadline,\" he told reporters.\n"),
             std::string("Votes were counted in 2021. The commission posted the preliminary results on our website, a "
                         "spokesman for the commission said.\n"),
             std::string("Inspectors met in 2021. The agency would share this article and other reports with the "
                         "United Nations.\n")}) {
        CAPTURE(news);
        a = parse_article(news, PassageOptions{}, "A title", false);
        REQUIRE(a.passages.size() == 1);
        CHECK(a.passages[0].kind == BlockKind::Prose);
        CHECK(a.passages[0].end == news.size() - 1);
    }
    // Only at the article's end: the same sentences inside it stay.
    const std::string mid = "Let us know in the comments.\n\nIraq and Iran met in 2003.\n";
    a = parse_article(mid, PassageOptions{}, "A title", false);
    REQUIRE(a.passages.size() == 2);
    CHECK(a.passages[0].kind == BlockKind::Prose);
}

TEST_CASE("a Markdown title line is the title without its marks") {
    // "# Iraq and Iran Today" was the title as written, marks and all.
    const std::string t = "# Iraq and Iran Today\n\nText about Baghdad.\n\n## Background\n\nMore about Tehran.\n";
    CHECK(parse_article(t, {}).title == "Iraq and Iran Today");
    CHECK(parse_article("## Closed heading ##\n\nSome text of the article here.\n", {}).title == "Closed heading");
    // A title given stays as given; "#Iraq" (no space) is no Markdown heading.
    CHECK(parse_article(t, {}, "# Given").title == "# Given");
    CHECK(parse_article("#Iraq first\n\nSome text of the article here.\n", {}).title.rfind("#Iraq", 0) == 0);
}
