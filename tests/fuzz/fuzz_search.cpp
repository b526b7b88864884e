// Fuzzes query parsing and searching (core/search.h) over a small in-memory
// index of corpus/ and a few odd articles, and the rendering of the results
// (searcher/printers.h): JSON must parse and be valid UTF-8, text must carry
// no raw control character. The first byte picks request options; the rest is
// the query. SearchError and Xapian::QueryParserError are expected outcomes
// (the user is told); anything else escaping is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "../support.h"
#include "fuzz_util.h"
#include "printers.h"
#include "search.h"

using namespace qanat;

// Xapian 1.4's QueryParser leaks a small object when a FieldProcessor throws
// (year:abc); that is not ours to fix, and must not stop the fuzzer.
extern "C" const char* __lsan_default_suppressions() { return "leak:libxapian.so\n"; }

namespace {

std::vector<Article> articles() {
    std::vector<Article> out = test::corpus_articles();
    Article a;
    a.id = "Odd/Controls";
    a.path = "odd/controls.jsonl:1";
    a.title = "Red \x1b[31mtitle\x1b[0m \xC2\x9B" "2J";
    a.title_line = false;
    a.text = "A passage about the Tigris in 2003 with a bell \x07 and a CSI \xC2\x9B" "31m inside.\n\n"
             "\xD9\x85\xD9\x82\xD8\xAA\xD8\xAF\xD9\x89 \xD8\xA7\xD9\x84\xD8\xB5\xD8\xAF\xD8\xB1 in Arabic, "
             "and an emoji \xF0\x9F\x99\x82 next to Sadr and the PMF.";
    a.published = "2024-05-01";
    out.push_back(a);
    Article b;
    b.id = "long-" + std::string(300, 'l');
    b.path = b.id + ".txt";
    b.text = "Long Id\n\nAn article whose id is longer than a Xapian term speaks of militias in the 1980s.";
    out.push_back(b);
    return out;
}

Searcher& the_searcher() {
    static Xapian::WritableDatabase db = test::memory_index(articles(), test::corpus_gazetteer());
    static Searcher s(db);
    return s;
}

void check_spans_sorted(std::string_view text, const std::vector<Span>& spans) {
    std::size_t prev = 0;
    bool first = true;
    for (const Span& s : spans) {
        FUZZ_CHECK(s.start < s.end && s.end <= text.size());
        FUZZ_CHECK(first || s.start > prev);  // sorted and disjoint (touching spans are merged)
        FUZZ_CHECK(fuzz::on_boundary(text, s.start) && fuzz::on_boundary(text, s.end));
        prev = s.end;
        first = false;
    }
}

bool terminal_clean(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F) return false;
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(s[i + 1]) <= 0x9F)
            return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) return 0;
    fuzz::Input in(data, size);
    SearchRequest req;
    req.query = std::string(in.text);
    req.plain = in.flags & 1;
    if (in.flags & 2) req.op = DefaultOp::Any;
    req.include_nonprose = in.flags & 4;
    if (in.flags & 8) req.per_article = 1;
    if (in.flags & 16) req.actors.push_back("Sadr");
    if (in.flags & 32) req.years.push_back("1980..2010");
    if (in.flags & 64) req.expand = Expansion::On;
    req.snippet_bytes = (in.flags & 128) ? 40 : 300;
    req.limit = 5;
    req.facet_limit = 3;

    SearchResult res;
    try {
        res = the_searcher().search(req);
    } catch (const SearchError& e) {
        FUZZ_CHECK(std::string_view(e.what()).size() > 0);
        return 0;
    } catch (const Xapian::QueryParserError& e) {
        FUZZ_CHECK(!e.get_msg().empty());
        return 0;
    }

    FUZZ_CHECK(res.total_articles <= res.total_passages);
    FUZZ_CHECK(res.hits.empty() || res.total_passages > 0);
    FUZZ_CHECK(res.hits.size() <= req.limit);
    unsigned rank = req.offset;
    for (const Hit& h : res.hits) {
        FUZZ_CHECK(h.rank == ++rank);
        const std::string& text = h.passage.text;
        FUZZ_CHECK(fuzz::strict_utf8(text));
        FUZZ_CHECK(h.passage.start <= h.passage.end);
        check_spans_sorted(text, h.highlights);
        FUZZ_CHECK(!h.snippet.empty() && h.snippet.size() <= 3);
        std::size_t shown = 0, prev_end = 0;
        for (const Span& part : h.snippet) {
            FUZZ_CHECK(part.start <= part.end && part.end <= text.size());
            FUZZ_CHECK(&part == &h.snippet.front() || part.start > prev_end);  // in order, apart
            FUZZ_CHECK(fuzz::on_boundary(text, part.start) && fuzz::on_boundary(text, part.end));
            shown += part.end - part.start;
            prev_end = part.end;
        }
        shown += (h.snippet.size() - 1) * kSnippetSeparator.size();
        if (text.size() > req.snippet_bytes) FUZZ_CHECK(shown <= req.snippet_bytes);
        for (const auto& a : h.passage.actors) FUZZ_CHECK(a.start < a.end && a.end <= text.size());
        for (const auto& y : h.passage.years) FUZZ_CHECK(y.start < y.end && y.end <= text.size());
    }
    for (const Facet* f : {&res.actors, &res.years, &res.published}) {
        FUZZ_CHECK(f->values.size() <= req.facet_limit);
        FUZZ_CHECK(f->values.size() <= f->total_values);
        for (const auto& v : f->values) FUZZ_CHECK(v.articles >= 1 && v.articles <= v.passages);
    }

    // Rendering: JSON parses back and is valid UTF-8; text output is terminal-safe.
    std::string js = searcher::result_json({"q", true}, res, -1);
    FUZZ_CHECK(fuzz::strict_utf8(js));
    nlohmann::json back = nlohmann::json::parse(js, nullptr, false);
    FUZZ_CHECK(!back.is_discarded() && back.is_object());
    FUZZ_CHECK(back["hits"].size() == res.hits.size());
    FUZZ_CHECK(terminal_clean(searcher::terminal_safe(req.query)));
    for (const auto& w : res.warnings) FUZZ_CHECK(terminal_clean(searcher::terminal_safe(w)));
    for (const Hit& h : res.hits) {
        FUZZ_CHECK(terminal_clean(searcher::terminal_safe(h.passage.title)));
        FUZZ_CHECK(terminal_clean(searcher::terminal_safe(h.passage.text)));
    }
    return 0;
}
