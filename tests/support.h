// Helpers shared by the unit tests: in-memory indexes and corpus files.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <xapian.h>

#include "document.h"
#include "entities.h"
#include "schema.h"

namespace qanat::test {

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// A path of this test run for `name` in the system's temporary folder
/// (qanat-test-NAME-PID), with nothing there.
inline std::filesystem::path scratch_path(const std::string& name) {
    const auto p = std::filesystem::temp_directory_path() / ("qanat-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(p);
    return p;
}

inline std::string corpus_file(const std::string& name) { return read_file(std::string(QANAT_SOURCE_DIR) + "/corpus/" + name); }

inline Gazetteer corpus_gazetteer() {
    Gazetteer g;
    g.load_tsv(corpus_file("actors.tsv"), "corpus/actors.tsv");
    return g;
}

/// Builds an index of the given articles, as qanat-index would: in memory,
/// or on disk at `path` (replacing what is there).
inline Xapian::WritableDatabase memory_index(const std::vector<Article>& articles, const Gazetteer& g,
                                             PassageOptions opt = {}, const std::string& path = {}) {
    Xapian::WritableDatabase db = path.empty() ? Xapian::WritableDatabase(std::string(), Xapian::DB_BACKEND_INMEMORY)
                                               : Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OVERWRITE);
    AnalysisSettings an;
    DocumentBuilder b(an, g, opt);
    for (const auto& a : articles)
        for (auto& d : b.build(a).documents) db.add_document(d);
    db.set_metadata(std::string(schema::kMetaSchema), std::to_string(schema::kVersion));
    db.set_metadata(std::string(schema::kMetaAnalysis), an.serialise());
    db.set_metadata(std::string(schema::kMetaActors), g.serialise());
    db.commit();
    return db;
}

inline std::vector<std::string> corpus_names() {
    return {"000_87ad21ff5970c9be", "001_d9cc2f0b5d4deceb", "002_29f857d2b54e8e68", "003_be678db9543fdd73",
            "004_d982830aa2fa4bf9"};
}

inline std::vector<Article> corpus_articles() {
    std::vector<Article> out;
    for (const auto& n : corpus_names()) {
        Article a;
        a.id = n;
        a.path = n + ".txt";
        a.text = corpus_file(n + ".txt");
        out.push_back(std::move(a));
    }
    return out;
}

}  // namespace qanat::test
