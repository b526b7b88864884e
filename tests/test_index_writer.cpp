#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "index_writer.h"
#include "support.h"

using namespace qanat;

namespace {
struct Put {
    Xapian::doccount passages = 0;  ///< of the article put
    Xapian::doccount seen = 0;      ///< by a reader opening the index after the put
    bool operator==(const Put&) const = default;
};

/// Each article put by an IndexWriter with `mode`, and the passages a reader
/// opening the index sees after it (nothing committed by the caller).
std::vector<Put> puts(WriteMode mode, const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("qanat-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    Gazetteer g = test::corpus_gazetteer();
    IndexSettings settings{AnalysisSettings{}, PassageOptions{}, g.serialise()};
    DocumentBuilder b(settings.analysis, g, settings.passages);
    std::vector<Put> seen;
    {
        IndexWriter w(dir.string(), settings, mode);
        for (const auto& a : test::corpus_articles()) {
            auto docs = b.build(a).documents;
            ArticleRecord rec;
            rec.passages = static_cast<unsigned>(docs.size());
            w.put(a.id, rec, docs);
            seen.push_back({rec.passages, Xapian::Database(dir.string()).get_doccount()});
        }
        w.cancel();
    }
    std::filesystem::remove_all(dir);
    return seen;
}
}  // namespace

TEST_CASE("a new index written without a transaction goes out every flush_every passages") {
    ::unsetenv("XAPIAN_FLUSH_THRESHOLD");  // Xapian's own threshold: 10,000
    WriteMode mode;
    mode.transaction = false;
    mode.sync = false;
    mode.flush_every = 30;
    auto seen = puts(mode, "flush");
    REQUIRE(seen.size() == 5);
    // Written out as soon as 30 or more passages wait, and only then.
    Xapian::doccount total = 0, waiting = 0, written = 0;
    int flushes = 0;
    for (const auto& p : seen) {
        total += p.passages;
        waiting += p.passages;
        if (waiting >= 30) {
            written = total;
            waiting = 0;
            ++flushes;
        }
        CHECK(p.seen == written);
    }
    CHECK(flushes >= 2);

    // Xapian's own threshold (10,000 passages) holds all five articles.
    mode.flush_every = 0;
    for (const auto& p : puts(mode, "noflush")) CHECK(p.seen == 0);

    // In a transaction nothing is written out before the commit.
    mode.transaction = true;
    mode.flush_every = 1;
    for (const auto& p : puts(mode, "transaction")) CHECK(p.seen == 0);
}
