#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>

#include "hash.h"
#include "index_writer.h"
#include "search.h"
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
    const auto dir = test::scratch_path(name);
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

namespace {
/// Everything a reader of the index sees: each term's postings with wdf and
/// positions, each passage's values, and the metadata.
std::string everything(const Xapian::Database& db) {
    std::string out = std::to_string(db.get_doccount()) + " " + std::to_string(db.get_lastdocid()) + "\n";
    for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
        out += *t + ":";
        for (auto p = db.postlist_begin(*t); p != db.postlist_end(*t); ++p) {
            out += " " + std::to_string(*p) + "/" + std::to_string(p.get_wdf());
            for (auto q = db.positionlist_begin(*p, *t); q != db.positionlist_end(*p, *t); ++q)
                out += "," + std::to_string(*q);
        }
        out += "\n";
    }
    for (Xapian::docid d = 1; d <= db.get_lastdocid(); ++d) {
        const Xapian::Document doc = db.get_document(d);
        out += "doc " + std::to_string(d) + " " + std::to_string(db.get_doclength(d));
        for (auto v = doc.values_begin(); v != doc.values_end(); ++v)
            out += " " + std::to_string(v.get_valueno()) + "=" + hex64(fnv1a64(*v));
        out += "\n";
    }
    for (auto k = db.metadata_keys_begin(); k != db.metadata_keys_end(); ++k)
        out += "meta " + *k + "=" + db.get_metadata(*k) + "\n";
    return out;
}
}  // namespace

TEST_CASE("a part that goes on in new databases merges into what one database holds") {
    const auto dir = test::scratch_path("roll");
    std::filesystem::create_directories(dir);
    Gazetteer g = test::corpus_gazetteer();
    IndexSettings settings{AnalysisSettings{}, PassageOptions{}, g.serialise()};
    DocumentBuilder b(settings.analysis, g, settings.passages);
    WriteMode mode;
    mode.transaction = false;
    mode.sync = false;
    mode.in_place = true;
    mode.flush_every = 10;
    WriteMode one = mode;
    mode.roll_every = 15;
    ArticleRecord file;
    file.source = "feed.jsonl";
    file.size = 10;
    ArticleRecord other = file;
    other.source = "old.jsonl";
    std::size_t files = 0;
    {
        IndexWriter rolled((dir / "rolled").string(), settings, mode);
        IndexWriter single((dir / "single").string(), settings, one);
        std::size_t n = 0;
        for (const auto& a : test::corpus_articles()) {
            auto built = b.build(a);
            auto docs = built.documents;
            ArticleRecord rec;
            rec.passages = static_cast<unsigned>(docs.size());
            rolled.put(a.id, rec, built.documents, built.spelling);
            single.put(a.id, rec, docs, built.spelling);
            // File records set, changed and forgotten across the databases.
            for (IndexWriter* w : {&rolled, &single}) {
                if (n == 0) w->set_file_record(other.source, other);
                if (n == 0 || n == 3) w->set_file_record(file.source, file);
                if (n == 3) w->forget_file_record(other.source);
            }
            if (n == 0) file.size = 20;
            ++n;
        }
        {
            // One more, so that the last database is not empty.
            auto built = b.build(test::corpus_articles().front());
            auto docs = built.documents;
            rolled.put("again", ArticleRecord{}, built.documents, built.spelling);
            single.put("again", ArticleRecord{}, docs, built.spelling);
        }
        CHECK_FALSE(rolled.file_record(other.source));
        REQUIRE(rolled.file_record(file.source));
        CHECK(rolled.file_record(file.source)->size == 20);
        CHECK(rolled.passage_count() == single.passage_count());
        rolled.commit();
        single.commit();
        files = rolled.files().size();
        CHECK(Xapian::Database(rolled.files().back()).get_doccount() > 0);
        CHECK(single.files() == std::vector<std::string>{(dir / "single").string()});
        Xapian::Database parts;
        for (const auto& f : rolled.files()) parts.add_database(Xapian::Database(f));
        parts.compact((dir / "merged").string());
    }
    CHECK(files >= 3);  // rolled over twice or more
    const std::string merged = everything(Xapian::Database((dir / "merged").string()));
    CHECK(merged.find("meta " + file_record_key("old.jsonl")) == std::string::npos);
    CHECK(merged == everything(Xapian::Database((dir / "single").string())));
    std::filesystem::remove_all(dir);
}

TEST_CASE("word counts: sums past many growths, and shares taken out by hash") {
    // 30,000 words, each added 1 to 3 times with counts 1 to 7: the table
    // grows several times and words collide in it.
    WordCounts counts;
    std::map<std::string, Xapian::termcount> expected;
    for (unsigned k = 0; k < 90000; ++k) {
        unsigned id = (k * 7919u) % 30000u;  // a permutation of each 30,000
        std::string w = "w" + std::to_string(id);
        counts.add(w, k % 7 + 1);
        expected[w] += k % 7 + 1;
    }
    std::map<std::string, Xapian::termcount> got;
    counts.each([&](const std::string& w, Xapian::termcount n) { got[w] += n; });
    CHECK(counts.size() == expected.size());
    CHECK(got == expected);
    // Shares: a word goes where its hash modulo 3 says, with its count.
    WordCounts shares[3];
    for (std::size_t i = 0; i < 3; ++i) shares[i].take(counts, i, 3);
    CHECK(counts.size() == 0);
    std::map<std::string, Xapian::termcount> all;
    for (std::size_t i = 0; i < 3; ++i)
        shares[i].each([&](const std::string& w, Xapian::termcount n) {
            CHECK(fnv1a64(w) % 3 == i);
            all[w] += n;
        });
    CHECK(all == expected);
}

TEST_CASE("parts merged by compaction share out the spelling words: each written once, counts summed") {
    const auto dir = test::scratch_path("spelling");
    std::filesystem::create_directories(dir);
    Gazetteer g = test::corpus_gazetteer();
    IndexSettings settings{AnalysisSettings{}, PassageOptions{}, g.serialise()};
    WriteMode mode;
    mode.transaction = false;
    mode.sync = false;
    const std::vector<std::string> paths{(dir / "0").string(), (dir / "1").string(), (dir / "2").string()};
    // Three parts, with words in common and words of their own.
    const std::vector<std::vector<std::pair<std::string, unsigned>>> words{
        {{"militia", 2}, {"baghdad", 1}, {"tehran", 4}},
        {{"militia", 3}, {"ankara", 1}},
        {{"tehran", 1}, {"militia", 1}, {"basra", 2}, {"kirkuk", 5}}};
    std::map<std::string, Xapian::termcount> expected;
    for (const auto& ws : words)
        for (const auto& [w, n] : ws) expected[w] += n;
    {
        std::vector<std::unique_ptr<IndexWriter>> parts;
        for (std::size_t i = 0; i < paths.size(); ++i) {
            parts.push_back(std::make_unique<IndexWriter>(paths[i], settings, mode));
            std::vector<Xapian::Document> none;
            parts.back()->put("article-" + std::to_string(i), ArticleRecord{}, none, words[i]);
        }
        for (std::size_t i = 0; i < parts.size(); ++i)
            for (std::size_t j = 0; j < parts.size(); ++j)
                if (j != i) parts[i]->take_spelling(*parts[j], i, parts.size());
        for (auto& p : parts) p->commit();
    }
    std::map<std::string, int> written;  // how many parts have the word
    std::size_t nonempty = 0;
    for (const auto& path : paths) {
        Xapian::Database db(path);
        bool any = false;
        for (auto it = db.spellings_begin(); it != db.spellings_end(); ++it) {
            ++written[*it];
            CHECK(it.get_termfreq() == expected.at(*it));
            any = true;
        }
        nonempty += any;
    }
    CHECK(written.size() == expected.size());
    for (const auto& [w, parts_with_it] : written) {
        CAPTURE(w);
        CHECK(parts_with_it == 1);
    }
    CHECK(nonempty >= 2);  // shared out, not all in one part
    // Merged, the index has every word with its whole count.
    {
        Xapian::Database all;
        for (const auto& path : paths) all.add_database(Xapian::Database(path));
        all.compact((dir / "merged").string());
    }
    Xapian::Database merged((dir / "merged").string());
    std::map<std::string, Xapian::termcount> got;
    for (auto it = merged.spellings_begin(); it != merged.spellings_end(); ++it) got[*it] = it.get_termfreq();
    CHECK(got == expected);
    CHECK(merged.get_spelling_suggestion("militi") == "militia");
    std::filesystem::remove_all(dir);
}

TEST_CASE("an article record reads back as written, where it was found only where set") {
    ArticleRecord r;
    r.hash = "4f254ef97ff17918";
    r.size = 50;
    r.mtime_ns = -9223372036854775807LL - 1;  // kNoTime: a time stat never gives
    r.passages = 3;
    r.source = "/data/outside/secret.txt";
    const std::string plain = r.serialise();
    CHECK(plain.find("\"v\"") == std::string::npos);  // records without it are as before
    r.via = "/data/src/link.txt";
    const ArticleRecord back = ArticleRecord::parse(r.serialise());
    CHECK(back.hash == r.hash);
    CHECK(back.size == r.size);
    CHECK(back.mtime_ns == r.mtime_ns);
    CHECK(back.passages == r.passages);
    CHECK(back.source == r.source);
    CHECK(back.via == "/data/src/link.txt");
    CHECK(ArticleRecord::parse(plain).via.empty());
}

TEST_CASE("a search of the empty index a first build holds says so") {
    // The indexer holds --db (an empty Xapian database) while it writes the
    // new index aside; a search there said "No passages match" (status 1),
    // which a script could not tell from no results.
    const auto dir = test::scratch_path("placeholder");
    {
        Xapian::WritableDatabase db(dir.string(), Xapian::DB_CREATE_OR_OPEN);
        db.commit();
    }
    const std::vector<std::string> dbs{dir.string()};
    CHECK_THROWS_WITH_AS([&] { qanat::Searcher s(dbs); }(), doctest::Contains("holds nothing yet"), qanat::IndexError);
    std::filesystem::remove_all(dir);
}

namespace {
std::map<std::string, Xapian::termcount> spelling_of(const std::string& path) {
    std::map<std::string, Xapian::termcount> out;
    Xapian::Database db(path);
    for (auto it = db.spellings_begin(); it != db.spellings_end(); ++it) out[*it] = it.get_termfreq();
    return out;
}
}  // namespace

TEST_CASE("an update keeps the spelling data what a new build of the same articles writes") {
    // Updates never took words out (words of articles gone were suggested,
    // counts grew with every edit); and once they did, an article left stale
    // by a run that cleared the data had its words taken out twice, lowering
    // other articles' counts.
    const auto dir = test::scratch_path("spell-upd");
    std::filesystem::create_directories(dir);
    Gazetteer g = test::corpus_gazetteer();
    IndexSettings settings{AnalysisSettings{}, PassageOptions{}, g.serialise()};
    DocumentBuilder b(settings.analysis, g, settings.passages);
    auto article = [](const std::string& id, const std::string& text) {
        Article a;
        a.id = id;
        a.text = "Title " + id + "\n\n" + text + "\n";
        return a;
    };
    const Article a1 = article("a", "The fundamentalist movement grew while the economy was sound.");
    const Article a2 = article("a", "The economy was sound and the militia grew.");
    const Article b1 = article("b", "The fundamentals of the economy were sound, the militia said.");
    ArticleRecord rec;
    rec.hash = "h";
    auto put = [&](IndexWriter& w, const Article& a, const ArticleRecord& r) {
        BuiltArticle built = b.build(a);
        w.put(a.id, r, built.documents, built.spelling);
    };
    auto fresh = [&](const std::string& name, std::vector<const Article*> articles) {
        const std::string path = (dir / name).string();
        IndexWriter w(path, settings);
        for (const Article* a : articles) put(w, *a, rec);
        w.commit();
        return spelling_of(path);
    };
    const std::string path = (dir / "updated").string();
    {
        IndexWriter w(path, settings);
        put(w, a1, rec);
        put(w, b1, rec);
        w.commit();
    }
    {  // a edited, b removed
        IndexWriter w(path, settings);
        put(w, a2, rec);
        w.remove("b");
        w.commit();
    }
    CHECK(spelling_of(path) == fresh("a2", {&a2}));
    CHECK(spelling_of(path).count("fundamentalist") == 0);
    {  // b back; then a run that clears the data, analyses a and leaves b stale
        IndexWriter w(path, settings);
        put(w, b1, rec);
        w.commit();
    }
    {
        IndexWriter w(path, settings);
        w.clear_spelling();
        put(w, a2, rec);
        ArticleRecord stale = rec;
        stale.hash.clear();
        w.touch("b", stale);
        w.commit();
    }
    {  // the next run analyses b again
        IndexWriter w(path, settings);
        put(w, b1, rec);
        w.commit();
    }
    CHECK(spelling_of(path) == fresh("a2b1", {&a2, &b1}));
    std::filesystem::remove_all(dir);
}

TEST_CASE("an index written by older analysis rules is analysed again, once") {
    // Indexes of before the rules' version was recorded, and of an older
    // version, mixed what two versions of the actor and year rules found.
    const auto dir = test::scratch_path("rules");
    Gazetteer g = test::corpus_gazetteer();
    IndexSettings settings{AnalysisSettings{}, PassageOptions{}, g.serialise()};
    {
        IndexWriter w(dir.string(), settings);
        w.commit();
    }
    {
        IndexWriter w(dir.string(), settings);
        CHECK_FALSE(w.settings_changed());
        w.cancel();
    }
    for (const std::string older : {"", "1"}) {
        CAPTURE(older);
        {
            Xapian::WritableDatabase db(dir.string());
            db.set_metadata(std::string(schema::kMetaRules), older);
            db.commit();
        }
        {
            IndexWriter w(dir.string(), settings);
            CHECK(w.settings_changed());
            CHECK(w.what_changed() == "qanat's rules for passages, actors and years (version 1 to " +
                                          std::to_string(schema::kAnalysisRules) + ")");
            w.commit();  // (records the rules it ran with)
        }
        IndexWriter w(dir.string(), settings);
        CHECK_FALSE(w.settings_changed());
        w.cancel();
    }
    std::filesystem::remove_all(dir);
}
