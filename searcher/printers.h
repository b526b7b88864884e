// Rendering search results: text for a person, JSON / JSON Lines for a script,
// TREC run lines for evaluation. Printers only format; they never search.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "search.h"

namespace qanat::searcher {

enum class Format { Text, Json, Jsonl, Trec };

/// Version of the JSON output (see README "JSON output"); bumped on any
/// incompatible change.
inline constexpr int kJsonFormatVersion = 1;

struct PrintOptions {
    bool color = false;
    std::string run_tag = "qanat";
    bool show_facets = true;
};

/// What the printer is told about a query besides its result.
struct QueryInfo {
    std::string id;  ///< batch id (or the qid for TREC)
    bool batch = false;
};

class Printer {
  public:
    virtual ~Printer() = default;
    virtual void result(const QueryInfo& q, const SearchResult& r) = 0;
    /// A query that failed; the batch goes on.
    virtual void error(const QueryInfo& q, const std::string& query, const std::string& message) = 0;
    virtual void finish() {}
};

std::unique_ptr<Printer> make_printer(Format f, std::ostream& out, const PrintOptions& opt);

/// The JSON object of one result (format_version 1).
std::string result_json(const QueryInfo& q, const SearchResult& r, int indent);

/// Text with every control character escaped so that article text cannot
/// drive the terminal; runs of white space become one space (with `breaks`,
/// a run with a line break in it, between words, becomes " — ").
std::string terminal_safe(std::string_view s, bool breaks = false);

}  // namespace qanat::searcher
