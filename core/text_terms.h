// The terms of a text, as Xapian's TermGenerator makes them (Xapian 1.4, the
// STEM_ALL strategy qanat indexes with), with no per-character work for
// ASCII text. Splitting words was a third of the time spent analysing an
// article; every word, its position and its stem are the same as the
// TermGenerator's (tests/test_text_terms.cpp compares the two).
#pragma once

#include <string>
#include <string_view>

#include <xapian.h>

namespace qanat {

class TextTerms {
  public:
    /// `tg` is what is used instead where this splitting is not Xapian's:
    /// with CJK n-grams asked for (XAPIAN_CJK_NGRAM in the environment), or
    /// where the Xapian library loaded splits a probe text otherwise
    /// (splits_as_xapian), as another version might.
    TextTerms(Xapian::Stem stem, Xapian::TermGenerator tg);

    /// True if this splitting gives the words and positions the loaded
    /// Xapian's TermGenerator gives on a probe text that meets each of its
    /// rules (checked once a process).
    static bool splits_as_xapian();

    /// As TermGenerator::index_text(text) on a new document: each word's
    /// stem, with positions from 1.
    void index(Xapian::Document& doc, std::string_view text);
    /// As TermGenerator::index_text_without_positions(text, 1, prefix).
    void index_without_positions(Xapian::Document& doc, std::string_view text, const std::string& prefix);

  private:
    Xapian::Stem stem_;
    Xapian::TermGenerator tg_;
    bool xapian_splits_;
    std::string term_;  // reused
};

}  // namespace qanat
