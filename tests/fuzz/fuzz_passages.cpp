// Fuzzes the passage splitter (core/passages.h): parse_article,
// sentence_windows and sentences over any valid UTF-8 text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_util.h"
#include "normalize.h"
#include "passages.h"

using namespace qanat;

namespace {

using Ranges = std::vector<std::pair<std::size_t, std::size_t>>;

void check_ranges(std::string_view text, const Ranges& rs, std::size_t lo, std::size_t hi) {
    FUZZ_CHECK(!rs.empty());  // callers take front(): a range of no sentence is returned whole
    if (rs.size() == 1 && rs[0].first == lo && rs[0].second == hi) return;
    std::size_t prev = lo;
    for (const auto& [a, b] : rs) {
        FUZZ_CHECK(a < b);
        FUZZ_CHECK(a >= prev);
        FUZZ_CHECK(b <= hi);
        FUZZ_CHECK(fuzz::on_boundary(text, a));
        FUZZ_CHECK(fuzz::on_boundary(text, b));
        prev = b;
    }
}

bool date_shape(const std::string& d) {
    auto digits = [&](std::size_t from, std::size_t n) {
        for (std::size_t i = from; i < from + n; ++i)
            if (d[i] < '0' || d[i] > '9') return false;
        return true;
    };
    if (d.empty()) return true;
    if (d.size() == 4) return digits(0, 4);
    if (d.size() == 7) return digits(0, 4) && d[4] == '-' && digits(5, 2);
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    // parse_article requires valid UTF-8: the indexer decodes files first.
    const std::string text = repair_utf8(in.text);
    PassageOptions opt;
    opt.max_bytes = 200 + 50 * static_cast<std::size_t>(in.flags >> 2);
    const bool find_title_line = (in.flags & 1) != 0;
    std::string given_title;
    if (in.flags & 2) given_title = "Given title";

    ParsedArticle art = parse_article(text, opt, given_title, find_title_line);
    FUZZ_CHECK(fuzz::strict_utf8(art.title));
    if (!given_title.empty()) FUZZ_CHECK(art.title == given_title);
    FUZZ_CHECK(date_shape(art.published));
    std::size_t prev = 0;
    for (const Passage& p : art.passages) {
        FUZZ_CHECK(p.start < p.end);
        FUZZ_CHECK(p.end <= text.size());
        FUZZ_CHECK(p.start >= prev);  // in text order, no overlaps
        FUZZ_CHECK(fuzz::on_boundary(text, p.start));
        FUZZ_CHECK(fuzz::on_boundary(text, p.end));
        BlockKind back;
        FUZZ_CHECK(parse_block_kind(block_kind_name(p.kind), &back) && back == p.kind);
        prev = p.end;
    }
    // An article with some word in it has at least one passage or a title.
    if (art.passages.empty() && !words(text).empty()) FUZZ_CHECK(!art.title.empty());

    check_ranges(text, sentences(text, 0, text.size()), 0, text.size());
    check_ranges(text, sentence_windows(text, 0, text.size(), opt.max_bytes), 0, text.size());

    // A sub-range that starts and ends on character boundaries.
    if (text.size() > 2) {
        std::size_t a = (in.flags * 7u) % text.size(), b = text.size() - (in.flags % 3);
        while (a > 0 && !fuzz::on_boundary(text, a)) --a;
        while (b < text.size() && !fuzz::on_boundary(text, b)) ++b;
        if (a < b) {
            check_ranges(text, sentences(text, a, b), a, b);
            check_ranges(text, sentence_windows(text, a, b, opt.max_bytes), a, b);
        }
    }
    return 0;
}
