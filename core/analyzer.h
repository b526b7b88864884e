// The one place that configures how text becomes terms: the normaliser, the
// stemmer, the stop-word list and the stemming strategy. The indexer's
// TermGenerator and the searcher's QueryParser both come from here.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <xapian.h>

namespace qanat {

struct AnalysisSettings {
    std::string language = "english";  ///< Snowball stemmer language ("none" = no stemming)
    int normalizer = 1;                ///< version of fold()'s rules

    /// Stored in the index; an index is only read with the settings it was built with.
    std::string serialise() const;
    static AnalysisSettings parse(std::string_view s);  ///< throws std::invalid_argument
    bool operator==(const AnalysisSettings&) const = default;
};

class Analyzer {
  public:
    explicit Analyzer(AnalysisSettings settings = {});

    const AnalysisSettings& settings() const { return settings_; }

    /// fold() then stem: the term a word is indexed under.
    std::string term(std::string_view word) const;

    /// True if the word is on the stop-word list (queries drop these);
    /// `natural`: on the longer list for natural-language queries.
    bool is_stopword(std::string_view folded_word, bool natural = false) const;

    Xapian::TermGenerator term_generator() const;
    /// `natural`: for sentences and questions, which drop the longer list
    /// ("use of", "given", "various" carry no topic there); keyword queries
    /// keep every word but the short list's.
    Xapian::QueryParser query_parser(bool natural = false) const;
    const Xapian::Stem& stemmer() const { return stem_; }

  private:
    AnalysisSettings settings_;
    mutable Xapian::Stem stem_;  // stemming caches results
    std::shared_ptr<Xapian::SimpleStopper> stopper_;
    std::shared_ptr<Xapian::SimpleStopper> natural_stopper_;  // short list + SMART
};

}  // namespace qanat
