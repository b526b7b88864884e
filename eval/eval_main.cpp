// qanat-eval: scores a TREC run against relevance judgments, like trec_eval.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "program_options.h"

#include "trec_eval.h"

namespace po = boost::program_options;

namespace {

std::string slurp(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw std::runtime_error(path + ": is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw std::runtime_error(path + ": cannot read");
    return ss.str();
}

void print(const std::string& qid, const qanat::QueryScores& s) {
    std::printf("map\t%s\t%.4f\nndcg\t%s\t%.4f\nndcg_cut_10\t%s\t%.4f\nrecall_100\t%s\t%.4f\nP_10\t%s\t%.4f\n",
                qid.c_str(), s.ap, qid.c_str(), s.ndcg, qid.c_str(), s.ndcg10, qid.c_str(), s.recall100, qid.c_str(),
                s.p10);
}

}  // namespace

int main(int argc, char** argv) try {
    std::string qrels, run;
    std::size_t depth = 1000;
    bool per_query = false;
    po::options_description desc(
        "Usage: qanat-eval [OPTIONS] QRELS RUN\n\n"
        "Scores a TREC run (qid Q0 doc rank score tag) against qrels (qid 0 doc rel)\n"
        "with trec_eval's definitions: documents sorted by score, ties by document id\n"
        "descending; MAP over the first --depth documents, nDCG (whole list),\n"
        "nDCG@10, recall@100 and P@10, averaged over every query of the qrels with a\n"
        "relevant document (a query missing from the run scores 0).\n\n"
        "Exit status: 0 scored, 2 error.\n\nOptions");
    desc.add_options()("help,h", "show this help")("depth", po::value<std::size_t>(&depth)->default_value(1000),
                                                   "documents per query that count")(
        "per-query,q", po::bool_switch(&per_query), "also print each query's scores");
    po::options_description hidden;
    hidden.add_options()("qrels", po::value<std::string>(&qrels))("run", po::value<std::string>(&run));
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description pos;
    pos.add("qrels", 1).add("run", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << desc << "\n";
        return 0;
    }
    if (qrels.empty() || run.empty()) {
        std::cerr << "qanat-eval: give QRELS and RUN files\nTry 'qanat-eval --help'.\n";
        return 2;
    }
    auto q = qanat::parse_qrels(slurp(qrels), qrels);
    auto r = qanat::parse_run(slurp(run), run);
    auto e = qanat::evaluate(q, r, depth);
    if (per_query)
        for (const auto& [qid, s] : e.per_query) print(qid, s);
    std::printf("num_q\tall\t%d\n", e.queries);
    print("all", e.mean);
    return 0;
} catch (const std::exception& e) {
    std::cerr << "qanat-eval: " << e.what() << "\n";
    return 2;
}
