// An article -> the Xapian documents of its passages, and back: the stored
// form of a passage (its value slot and facet key) is defined here only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "analyzer.h"
#include "entities.h"
#include "passages.h"
#include "text_terms.h"

namespace qanat {

/// One article as the indexer read it.
struct Article {
    std::string id;         ///< stable id: path without extension, or the JSONL id
    std::string path;       ///< shown to users: relative to the folder given
    std::string title;      ///< given title (JSONL); empty = find it in the text
    bool title_line = true; ///< the text may start with its title line (files; not JSONL)
    std::string text;       ///< valid UTF-8
    std::string published;  ///< "YYYY", "YYYY-MM" or "YYYY-MM-DD" if known
};

struct ActorRef {
    std::string name;
    ActorKind kind = ActorKind::Unknown;
    std::size_t start = 0, end = 0;  ///< in the passage text
    bool operator==(const ActorRef&) const = default;
};

struct YearRef {
    std::string label;  ///< "2003" or "1980s"
    std::size_t start = 0, end = 0;
    bool operator==(const YearRef&) const = default;
};

/// What is stored for a passage.
struct StoredPassage {
    std::string article_id, title, path, published;
    unsigned ordinal = 0;
    std::size_t start = 0, end = 0;  ///< byte offsets in the article
    std::string text;
    BlockKind kind = BlockKind::Prose;
    std::vector<ActorRef> actors;  ///< mentions in text order
    std::vector<YearRef> years;    ///< mentions in text order

    std::string serialise() const;
    static StoredPassage deserialise(std::string_view data);  ///< throws std::runtime_error
    /// Distinct actor names, sorted, each with its kind.
    std::vector<std::pair<std::string, ActorKind>> actor_set() const;
    /// Distinct year labels, sorted.
    std::vector<std::string> year_set() const;
};

/// Facet key stored in a value slot, counted by Xapian's ValueCountMatchSpy
/// (which the stock remote server knows): article id, actors, years.
struct FacetKey {
    std::string article_id;
    std::vector<std::pair<std::string, ActorKind>> actors;
    std::vector<std::string> years;
    std::string published;  ///< publication year of the article, if known

    std::string serialise() const;
    static FacetKey deserialise(std::string_view s);
};

struct BuiltArticle {
    std::string title;
    std::vector<Xapian::Document> documents;  ///< one per indexed passage
    std::size_t passages = 0;                 ///< indexed passages
    std::size_t duplicates = 0;               ///< repeated blocks left out
    std::size_t nonprose = 0;                 ///< indexed passages that are not prose
    /// Words of the prose (folded, unstemmed) with their counts, for Xapian's
    /// spelling suggestions.
    std::vector<std::pair<std::string, unsigned>> spelling;
};

/// The spelling words of a passage of prose, as DocumentBuilder counts them
/// (folded, unstemmed, letters only, 3 to 30 bytes): what an update takes
/// out of the spelling data when it replaces or removes the passage.
std::vector<std::pair<std::string, unsigned>> spelling_words(std::string_view prose);

/// Builds the documents of an article. Not thread-safe: use one per thread.
class DocumentBuilder {
  public:
    DocumentBuilder(const AnalysisSettings& analysis, const Gazetteer& gazetteer,
                    PassageOptions options);

    BuiltArticle build(const Article& article);

    /// Actor and year mentions of a text taken as a whole article of prose.
    void annotate(std::string_view text, std::vector<ActorRef>* actors,
                  std::vector<YearRef>* years) const;
    static void add_years(std::string_view text, std::vector<YearRef>* years);

  private:
    Analyzer analyzer_;
    const Gazetteer& gazetteer_;
    PassageOptions options_;
    TextTerms terms_;
};

/// The year terms a year label stands for: "2003" -> Y2003; "1980s" -> XD198.
std::string year_label_term(std::string_view label);

}  // namespace qanat
