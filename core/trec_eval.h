// Scoring a TREC run against relevance judgments, with trec_eval's
// definitions, so that qanat's ranking can be compared with published figures.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qanat {

struct TrecFormatError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// qrels: query id -> document id -> relevance (0 = judged not relevant).
using Qrels = std::map<std::string, std::map<std::string, int>>;

struct RunEntry {
    std::string doc;
    double score = 0;
};
/// run: query id -> retrieved documents (any order; sorted when scored).
using Run = std::map<std::string, std::vector<RunEntry>>;

/// "qid 0 docid rel" lines. Throws TrecFormatError naming the line.
Qrels parse_qrels(std::string_view text, const std::string& source = "qrels");
/// "qid Q0 docid rank score tag" lines. Throws TrecFormatError naming the line.
Run parse_run(std::string_view text, const std::string& source = "run");

struct QueryScores {
    double ap = 0;         ///< average precision over the first `depth` documents
    double ndcg = 0;       ///< nDCG over the whole list (trec_eval "ndcg")
    double ndcg10 = 0;     ///< trec_eval "ndcg_cut_10"
    double recall100 = 0;  ///< trec_eval "recall_100"
    double p10 = 0;        ///< precision at 10
    int relevant = 0;      ///< relevant documents judged
    int retrieved = 0;
};

struct EvalResult {
    std::map<std::string, QueryScores> per_query;
    QueryScores mean;  ///< averages over judged queries (those with a relevant document)
    int queries = 0;
};

/// Scores a run as trec_eval does: documents sorted by score descending, ties
/// by document id descending; only the first `depth` count. Averages are over
/// every query of the qrels with at least one relevant document (a query the
/// run lacks scores 0), like trec_eval -c.
EvalResult evaluate(const Qrels& qrels, const Run& run, std::size_t depth = 1000);

}  // namespace qanat
