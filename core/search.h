// A search request -> ranked passages with highlight spans, snippets and
// exact facet counts. Results are plain data; printers render them.
#pragma once

#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "analyzer.h"
#include "document.h"
#include "entities.h"
#include "normalize.h"

namespace qanat {

/// A request the user must change (bad filter value, unparsable query).
struct SearchError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class DefaultOp { Auto, All, Any };
enum class Expansion { Auto, On, Off };  ///< Auto: on for --plain queries over 5,000 passages or more
/// Xapian's weighting models: BM25 and BM25+ (Robertson), and divergence from
/// randomness models (Amati).
enum class Weighting { BM25, BM25Plus, IneB2, IfB2, BB2, InL2, PL2, DPH, DLH };
/// "bm25", "bm25+", "ineb2", ...; false if unknown.
bool parse_weighting(std::string_view name, Weighting* out);
enum class FacetSort { Count, Name };

struct SearchRequest {
    std::string query;
    bool plain = false;                 ///< natural language: no operators, best match first
    DefaultOp op = DefaultOp::Auto;     ///< Auto: all words (keywords) / any word (plain)
    std::vector<std::string> actors;    ///< each narrows the results (AND)
    std::vector<std::string> years;     ///< "2003", "1980..1988", "1980s"; each narrows (AND)
    std::vector<std::string> articles;  ///< article ids; any of them (OR)
    std::vector<std::string> facet_kinds;  ///< only these actor kinds in the actor facet
    unsigned offset = 0;
    unsigned limit = 10;
    unsigned per_article = 0;   ///< 0: no limit
    unsigned facet_limit = 10;  ///< 0: all
    FacetSort facet_sort = FacetSort::Count;  ///< Name: the top values by count, shown by name
    bool year_decades = false;  ///< year facet by decade
    bool include_nonprose = false;
    bool facets = true;
    bool auto_correct = false;  ///< if nothing matches, run the spelling suggestion instead
    bool explain = false;       ///< say for each hit what each term adds to its score
    std::size_t snippet_bytes = 300;

    // Ranking.
    Weighting weighting = Weighting::BM25;
    double k1 = 1.2;                 ///< BM25 term-frequency saturation
    double b = 0.5;                  ///< BM25 length normalisation
    Expansion expand = Expansion::Auto;
    unsigned expand_terms = 30;      ///< terms added by pseudo-relevance feedback (Bo1)
    unsigned expand_docs = 30;       ///< top passages they are taken from
    double expand_weight = 0.5;      ///< weight of the best added term relative to a query word
    /// --plain: a query word also in the passage's article title adds its
    /// title score times this (0: titles do not count)
    double title_weight = 0.3;
};

struct Hit {
    unsigned rank = 0;  ///< 1-based, over the whole result list
    double score = 0;
    Xapian::docid docid = 0;
    StoredPassage passage;
    std::vector<Span> highlights;  ///< byte ranges in passage.text, sorted, disjoint
    std::vector<Span> snippet;     ///< the parts of passage.text to show, in order (joined by kSnippetSeparator)
    /// With `explain`: what each matching term adds to the score.
    struct Contribution {
        std::string term;  ///< as indexed (stemmed, prefixed for filters)
        double weight = 0;
        std::string why;   ///< "word 'militias'", "alias of Popular Mobilization Forces", "feedback", ...
    };
    std::vector<Contribution> explain;
};

struct FacetValue {
    std::string value;
    std::string kind;  ///< actor kind; empty for years
    Xapian::doccount passages = 0;
    Xapian::doccount articles = 0;
};

struct Facet {
    std::vector<FacetValue> values;  ///< the top facet_limit
    std::size_t total_values = 0;    ///< how many values there are in all
};

struct SearchResult {
    std::string query;
    std::string parsed;
    Xapian::doccount total_passages = 0;
    Xapian::doccount total_articles = 0;
    std::vector<Hit> hits;
    Facet actors;
    Facet years;
    Facet published;  ///< publication years of the matching articles
    std::vector<std::string> warnings;
    std::string suggestion;  ///< "did you mean": the query with misspelt words corrected
    std::string corrected;   ///< the query actually run, when --auto-correct replaced it
    bool partial = false;                 ///< some parts of the index did not answer
    std::vector<std::string> unavailable;  ///< those parts
    bool explained = false;  ///< the request asked for each hit's explanation (it may be empty: a filter scores 0)
};

struct SearcherOptions {
    bool allow_partial = false;   ///< go on without parts that cannot be reached (results marked partial)
    unsigned timeout_ms = 10000;  ///< for each remote part: connecting, and each exchange
    /// Facet counts from an in-memory table of every passage's facet key
    /// (one local index only). Auto maps the table the indexer wrote (see
    /// store_facet_table) once the matches counted without it, this query's
    /// estimated ones included, add up to a sixteenth of the passages, or at
    /// the first query when `many_queries`;
    /// without a table that describes the index, it builds one once they add
    /// up to a quarter. Always maps or builds it at the first query that
    /// counts; Never reads each match's key from the index.
    enum class FacetTable { Auto, Always, Never } facet_table = FacetTable::Auto;
    /// Many queries will follow (a batch, a server): mapping the stored facet
    /// table at once costs less than counting the first ones without it
    /// (measured in bench/RESULTS.md).
    bool many_queries = false;
    /// 2: one local index is ranked on a second thread (with its own handle)
    /// while this one counts the matches; 1: one pass after the other.
    unsigned threads = 2;
    /// With threads >= 2: the ranked pass goes to the second thread when one
    /// of the query's terms is in at least this many passages (below that,
    /// handing it over costs more than it saves).
    Xapian::doccount beside_from = 2000;
};

/// Writes every passage's facet key, resolved as searchers count them, to a
/// file in the index folder at path (one local database; schema::
/// kFacetTableFile), which a searcher maps instead of parsing every key
/// itself. The file names the database, revision, last docid and passage
/// count it describes, and searchers leave it aside once the index has
/// changed without it. The file is written aside and renamed in; the index
/// is held open for writing meanwhile, so no other writer commits. Clears
/// the table an older qanat kept in the index metadata (one commit). Throws
/// Xapian::Error (e.g. DatabaseLockError while another writer has the index)
/// or std::runtime_error (the file cannot be written).
/// With `unchanged`, the caller vouches that no passage was added, changed or
/// removed since the table last held (facet_table_current() was true before
/// its commit): the table is kept and only its header moves to the new
/// revision.
void store_facet_table(const std::string& path, bool unchanged = false);

/// Whether the index at path holds a facet table for its present revision.
bool facet_table_current(const std::string& path);

class Searcher {
  public:
    /// Opens one index, or several searched as one: local paths, tcp://HOST:PORT
    /// for xapian-tcpsrv, or a Xapian stub database file. Throws IndexError.
    explicit Searcher(const std::vector<std::string>& databases, const SearcherOptions& options = {});
    /// Searches an open database (tests use an in-memory one).
    explicit Searcher(const Xapian::Database& db, const SearcherOptions& options = {});
    ~Searcher();
    Searcher(const Searcher&) = delete;
    Searcher& operator=(const Searcher&) = delete;

    SearchResult search(const SearchRequest& request);

    /// Picks up a newer commit of the index, if any.
    void reopen();

    /// Where facet counts come from now: each match's key read from the
    /// index, a table this searcher built, or the table the indexer stored.
    enum class FacetSource { Index, BuiltTable, StoredTable };
    FacetSource facet_source() const;

    Xapian::doccount passage_count() const;
    const Gazetteer& gazetteer() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The phrases of a query (quoted, or words joined by hyphens), as terms,
/// and the terms of its words outside them.
struct QueryPhrases {
    std::vector<std::vector<std::string>> phrases;
    std::set<std::string> free;
};
QueryPhrases query_phrases(std::string_view query, const Analyzer& analyzer);

/// Highlight spans of a passage for a set of query terms (as indexed: folded
/// and stemmed, unprefixed) and matched actor and year terms. With phrases,
/// a term that is only part of them is shown only where a phrase stands.
std::vector<Span> highlight_spans(const StoredPassage& p, const Analyzer& analyzer,
                                  const std::vector<std::string>& text_terms,
                                  const std::vector<std::string>& wildcard_prefixes,
                                  const std::vector<std::string>& filter_terms,
                                  const QueryPhrases* phrases = nullptr);

/// What joins the parts of a snippet in the output: " … ".
inline constexpr std::string_view kSnippetSeparator = " \xE2\x80\xA6 ";

/// The parts of text to show: the whole text if short, else whole sentences
/// (or words cut from an over-long sentence) showing the most different
/// things highlighted, at most max_bytes long. When one window cannot show
/// them all, two or three shorter ones that show more, their lengths and
/// the separators between them at most max_bytes. Highlights are the same
/// thing when their words have the same term under `analyzer` ("crude",
/// "crudes"), or, without one, the same folded text.
std::vector<Span> choose_snippet(std::string_view text, const std::vector<Span>& highlights, std::size_t max_bytes,
                    const Analyzer* analyzer = nullptr);

/// "2003" -> [2003, 2003]; "1980..1988" and "1980-88" -> [1980, 1988]; "1980s" ->
/// [1980, 1989] (decade). Throws SearchError naming the value.
struct YearRange {
    int from = 0, to = 0;
    bool decade = false;
};
YearRange parse_year_range(std::string_view value);

/// Edit distance with transpositions (optimal string alignment); any value
/// above `limit` is reported as limit + 1.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit);
/// The fewest edits (no transpositions) that make `a` a start of `b`; any
/// value above `limit` is reported as limit + 1.
std::size_t prefix_edit_distance(std::string_view a, std::string_view b, std::size_t limit);
/// The most frequent term at the smallest edit distance (at most 1 for words
/// of up to 4 bytes, else 2) from word; empty if none.
std::string nearest_term(const std::string& word, const std::vector<std::pair<std::string, Xapian::doccount>>& vocab);

}  // namespace qanat
