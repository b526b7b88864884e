// Fuzzes text normalisation and word splitting (core/normalize.h): fold,
// fold_keep_case, repair_utf8, valid_utf8, words, starts_upper, all_upper;
// and the index's terms (core/text_terms.h) against Xapian's TermGenerator.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <xapian.h>

#include "analyzer.h"
#include "fuzz_util.h"
#include "normalize.h"
#include "text_terms.h"

using namespace qanat;

namespace {

void check_words(std::string_view text, bool valid) {
    std::size_t prev_end = 0;
    for (const Span& w : words(text)) {
        FUZZ_CHECK(w.start < w.end);
        FUZZ_CHECK(w.end <= text.size());
        FUZZ_CHECK(w.start >= prev_end);  // in order, no overlaps
        prev_end = w.end;
        if (valid) {
            FUZZ_CHECK(fuzz::on_boundary(text, w.start));
            FUZZ_CHECK(fuzz::on_boundary(text, w.end));
            std::string_view word = text.substr(w.start, w.end - w.start);
            // Queries and highlights fold single words: the result must stay valid.
            FUZZ_CHECK(fuzz::strict_utf8(fold(word)));
            (void)starts_upper(word);
            (void)all_upper(word);
        }
    }
}

/// A document's terms, wdf and positions.
std::string dump(const Xapian::Document& doc) {
    std::string out;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
        out += *t + " " + std::to_string(t.get_wdf()) + ":";
        for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p) out += " " + std::to_string(*p);
        out += "\n";
    }
    return out;
}

/// The terms TextTerms makes are the TermGenerator's, for any bytes.
void check_terms(const std::string& text) {
    static Analyzer analyzer;
    static Xapian::TermGenerator tg = analyzer.term_generator();
    static TextTerms terms(analyzer.stemmer(), analyzer.term_generator());
    Xapian::Document want, got;
    tg.set_document(want);
    tg.index_text(text);
    terms.index(got, text);
    FUZZ_CHECK(dump(got) == dump(want));
    Xapian::Document want_title, got_title;
    tg.set_document(want_title);
    tg.index_text_without_positions(text, 1, "S");
    terms.index_without_positions(got_title, text, "S");
    FUZZ_CHECK(dump(got_title) == dump(want_title));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view raw(reinterpret_cast<const char*>(data), size);

    // valid_utf8 agrees with an independent strict validator.
    const bool valid = valid_utf8(raw);
    FUZZ_CHECK(valid == fuzz::strict_utf8(raw));

    // repair_utf8: valid output; valid input unchanged; idempotent.
    std::size_t replaced = 12345;
    std::string repaired = repair_utf8(raw, &replaced);
    FUZZ_CHECK(fuzz::strict_utf8(repaired));
    FUZZ_CHECK(valid == (replaced == 0));
    if (valid) FUZZ_CHECK(repaired == raw);
    FUZZ_CHECK(repaired.size() <= 3 * raw.size());
    std::size_t again = 1;
    FUZZ_CHECK(repair_utf8(repaired, &again) == repaired && again == 0);

    // Words of any bytes stay in bounds; of valid text, on character boundaries.
    check_words(raw, valid);
    check_words(repaired, true);

    // fold: valid UTF-8 out, for any input; stable when applied again, and the
    // query path (fold_keep_case, then fold) agrees with the index path (fold).
    std::string f = fold(repaired);
    FUZZ_CHECK(fuzz::strict_utf8(f));
    FUZZ_CHECK(fuzz::strict_utf8(fold(raw)));
    std::string k = fold_keep_case(repaired);
    FUZZ_CHECK(fuzz::strict_utf8(k));
    FUZZ_CHECK(fold(f) == f);
    FUZZ_CHECK(fold(k) == f);

    check_terms(std::string(raw));
    check_terms(repaired);

    (void)starts_upper(raw);
    (void)all_upper(raw);
    return 0;
}
