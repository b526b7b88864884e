// A plain Xapian program, the baseline for qanat's benchmarks.
//
//   plain_xapian index DB DIR   one document per paragraph of every .txt file under DIR
//   plain_xapian search DB      queries from standard input, one a line
//
// Index: paragraphs are split on blank lines; each becomes one document whose
// data is the paragraph text, indexed with TermGenerator and Stem("english")
// (default stemming strategy); one commit() at the end.
// Search: QueryParser with the same stemmer, all words required (as qanat),
// Enquire top 10 by BM25. For each query it prints a line "#<TAB>estimated
// matches<TAB>query", one line "docid<TAB>snippet" per hit (MSet::snippet() of
// the stored paragraph, 300 bytes, matches marked [[like this]]), then an empty
// line, and flushes: the empty line tells a reader on a pipe the query is done.
// No facets, no exact counts.
//
// Built by bench/run.py:  g++ -O2 -std=c++20 plain_xapian.cc -o plain_xapian -lxapian
#include <xapian.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<std::string> paragraphs(const std::string& text) {
    std::vector<std::string> out;
    std::string cur, line;
    std::istringstream in(text);
    auto flush = [&] {
        if (!cur.empty()) out.push_back(cur);
        cur.clear();
    };
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) {
            flush();
            continue;
        }
        if (!cur.empty()) cur += '\n';
        cur += line;
    }
    flush();
    return out;
}

int index_mode(const std::string& db_path, const std::string& dir) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".txt") files.push_back(e.path());
    std::sort(files.begin(), files.end());

    Xapian::WritableDatabase db(db_path, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    std::size_t docs = 0;
    for (const auto& path : files) {
        std::ifstream f(path, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        for (const auto& para : paragraphs(ss.str())) {
            Xapian::Document doc;
            doc.set_data(para);
            tg.set_document(doc);
            tg.index_text(para);
            db.add_document(doc);
            ++docs;
        }
    }
    db.commit();
    std::cerr << "plain_xapian: " << files.size() << " files, " << docs << " paragraphs\n";
    return 0;
}

int search_mode(const std::string& db_path) {
    Xapian::Database db(db_path);
    Xapian::Enquire enquire(db);
    Xapian::Stem stem("english");
    Xapian::QueryParser qp;
    qp.set_database(db);
    qp.set_stemmer(stem);
    qp.set_default_op(Xapian::Query::OP_AND);
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        Xapian::MSet mset;
        try {
            enquire.set_query(qp.parse_query(line));
            mset = enquire.get_mset(0, 10);
        } catch (const Xapian::QueryParserError& e) {
            std::cerr << "plain_xapian: bad query '" << line << "': " << e.get_msg() << "\n";
        }
        std::cout << "#\t" << mset.get_matches_estimated() << '\t' << line << '\n';
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            std::string snip = mset.snippet(it.get_document().get_data(), 300, stem,
                                            Xapian::MSet::SNIPPET_BACKGROUND_MODEL |
                                                Xapian::MSet::SNIPPET_EXHAUSTIVE,
                                            "[[", "]]", "...");
            std::replace(snip.begin(), snip.end(), '\n', ' ');
            std::cout << *it << '\t' << snip << '\n';
        }
        std::cout << '\n' << std::flush;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) try {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "index" && argc == 4) return index_mode(argv[2], argv[3]);
    if (mode == "search" && argc == 3) return search_mode(argv[2]);
    std::cerr << "usage: plain_xapian index DB DIR | plain_xapian search DB < queries\n";
    return 2;
} catch (const Xapian::Error& e) {
    std::cerr << "plain_xapian: " << e.get_description() << "\n";
    return 2;
} catch (const std::exception& e) {
    std::cerr << "plain_xapian: " << e.what() << "\n";
    return 2;
}
