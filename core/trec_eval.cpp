#include "trec_eval.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace qanat {

namespace {

std::vector<std::vector<std::string>> lines_of(std::string_view text) {
    std::vector<std::vector<std::string>> out;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::vector<std::string> f;
        std::string w;
        while (ls >> w) f.push_back(w);
        out.push_back(std::move(f));
    }
    return out;
}

double number(const std::string& s, const std::string& where) {
    try {
        std::size_t used = 0;
        double v = std::stod(s, &used);
        if (used != s.size() || !std::isfinite(v)) throw std::invalid_argument(s);
        return v;
    } catch (const std::exception&) {
        throw TrecFormatError(where + ": '" + s + "' is not a number");
    }
}

double dcg(const std::vector<int>& gains, std::size_t cut) {
    double d = 0;
    for (std::size_t i = 0; i < gains.size() && i < cut; ++i)
        if (gains[i] > 0) d += gains[i] / std::log2(static_cast<double>(i) + 2.0);
    return d;
}

}  // namespace

Qrels parse_qrels(std::string_view text, const std::string& source) {
    Qrels q;
    auto lines = lines_of(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto& f = lines[i];
        if (f.empty()) continue;
        std::string where = source + ":" + std::to_string(i + 1);
        if (f.size() != 4) throw TrecFormatError(where + ": expected 'query 0 document relevance'");
        q[f[0]][f[2]] = static_cast<int>(number(f[3], where));
    }
    return q;
}

Run parse_run(std::string_view text, const std::string& source) {
    Run r;
    std::map<std::pair<std::string, std::string>, std::size_t> seen;  // (query, document) -> line
    auto lines = lines_of(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto& f = lines[i];
        if (f.empty()) continue;
        std::string where = source + ":" + std::to_string(i + 1);
        if (f.size() != 6) throw TrecFormatError(where + ": expected 'query Q0 document rank score tag'");
        number(f[3], where);  // the rank: a number, though the score orders the run
        // A document twice in one query's list would count twice (MAP above 1).
        if (auto [it, fresh] = seen.emplace(std::make_pair(f[0], f[2]), i + 1); !fresh)
            throw TrecFormatError(where + ": document '" + f[2] + "' listed again for query '" + f[0] + "' (first at line " +
                                  std::to_string(it->second) + ")");
        r[f[0]].push_back({f[2], number(f[4], where)});
    }
    return r;
}

EvalResult evaluate(const Qrels& qrels, const Run& run, std::size_t depth) {
    EvalResult res;
    for (const auto& [qid, judged] : qrels) {
        int relevant = 0;
        std::vector<int> ideal;
        for (const auto& [doc, rel] : judged)
            if (rel > 0) {
                ++relevant;
                ideal.push_back(rel);
            }
        if (relevant == 0) continue;
        std::sort(ideal.rbegin(), ideal.rend());
        QueryScores s;
        s.relevant = relevant;
        auto it = run.find(qid);
        std::vector<RunEntry> docs = it == run.end() ? std::vector<RunEntry>{} : it->second;
        std::sort(docs.begin(), docs.end(), [](const RunEntry& a, const RunEntry& b) {
            if (a.score != b.score) return a.score > b.score;
            return a.doc > b.doc;
        });
        if (docs.size() > depth) docs.resize(depth);
        s.retrieved = static_cast<int>(docs.size());
        std::vector<int> gains;
        int found = 0;
        double sum_prec = 0;
        for (std::size_t i = 0; i < docs.size(); ++i) {
            auto j = judged.find(docs[i].doc);
            int rel = j == judged.end() ? 0 : j->second;
            gains.push_back(rel);
            if (rel > 0) {
                ++found;
                sum_prec += static_cast<double>(found) / static_cast<double>(i + 1);
                if (i < 100) s.recall100 += 1;
                if (i < 10) s.p10 += 1;
            }
        }
        s.ap = sum_prec / relevant;
        s.recall100 /= relevant;
        s.p10 /= 10.0;
        double idcg = dcg(ideal, ideal.size());
        s.ndcg = idcg > 0 ? dcg(gains, gains.size()) / idcg : 0;
        double idcg10 = dcg(ideal, 10);
        s.ndcg10 = idcg10 > 0 ? dcg(gains, 10) / idcg10 : 0;
        res.per_query[qid] = s;
        res.mean.ap += s.ap;
        res.mean.ndcg += s.ndcg;
        res.mean.ndcg10 += s.ndcg10;
        res.mean.recall100 += s.recall100;
        res.mean.p10 += s.p10;
        res.mean.relevant += s.relevant;
        res.mean.retrieved += s.retrieved;
        ++res.queries;
    }
    if (res.queries > 0) {
        double n = res.queries;
        res.mean.ap /= n;
        res.mean.ndcg /= n;
        res.mean.ndcg10 /= n;
        res.mean.recall100 /= n;
        res.mean.p10 /= n;
    }
    return res;
}

}  // namespace qanat
