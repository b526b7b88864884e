#include "index_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "document.h"
#include "hash.h"
#include "schema.h"

namespace qanat {

namespace {

std::string rebuild_hint(const std::string& path) {
    if (path.rfind("tcp://", 0) == 0)
        return "rebuild that part where it is served (qanat-index --rebuild --db FOLDER [PATH...] on its folder, "
               "or for a shard: remove its folder and index again with the same --shard I/N)";
    return "rebuild it with: qanat-index --rebuild --db '" + path + "' [PATH...]";
}

}  // namespace

std::string article_record_key(std::string_view id) {
    std::string key(schema::kMetaArticlePrefix);
    if (key.size() + id.size() <= schema::kMaxTermBytes) {
        key += id;
    } else {
        key += "#";
        key += hex64(fnv1a64(id));
    }
    return key;
}

std::string file_record_key(std::string_view key) {
    return std::string(schema::kMetaFilePrefix) + hex64(fnv1a64(key));
}

namespace {

nlohmann::json json_of(const ArticleRecord& r) {
    nlohmann::json j{{"h", r.hash}, {"z", r.size}, {"m", r.mtime_ns}, {"n", r.passages}, {"s", r.source}};
    if (r.ctime_ns != 0) j["c"] = r.ctime_ns;
    if (!r.via.empty()) j["v"] = r.via;
    if (r.line != 0) j["l"] = r.line;
    return j;
}

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

ArticleRecord record_of(const nlohmann::json& j) {
    ArticleRecord r;
    if (j.is_discarded() || !j.is_object()) return r;
    r.hash = j.value("h", std::string());
    r.size = j.value("z", std::uint64_t{0});
    r.mtime_ns = j.value("m", std::int64_t{0});
    r.ctime_ns = j.value("c", std::int64_t{0});
    r.passages = j.value("n", 0u);
    r.source = j.value("s", std::string());
    r.via = j.value("v", std::string());
    r.line = j.value("l", 0u);
    return r;
}

}  // namespace

std::string ArticleRecord::serialise() const { return dump(json_of(*this)); }
ArticleRecord ArticleRecord::parse(std::string_view s) { return record_of(nlohmann::json::parse(s, nullptr, false)); }

void check_index_compatible(const Xapian::Database& db, const std::string& path,
                            const AnalysisSettings* expected) {
    // A shard is not rebuilt (--rebuild --shard is refused): written again.
    const std::string shard = db.get_metadata(std::string(schema::kMetaShard));
    const auto rebuild_hint = [&](const std::string& p) {
        if (p.rfind("tcp://", 0) != 0 && !shard.empty() && shard != "all" && db.size() == 1) {
            const std::filesystem::path parent = std::filesystem::path(p).parent_path();
            std::error_code ec;
            if (!parent.empty() && std::filesystem::is_regular_file(parent / "XAPIANDB", ec))
                return "remove the folder of shards '" + parent.string() + "' and index again: qanat-index --db '" +
                       parent.string() + "' --shards " + shard.substr(shard.find('/') + 1) + " [PATH...]";
            return "remove the shard's folder '" + p + "' and index it again: qanat-index --db '" + p + "' --shard " +
                   shard + " [PATH...]";
        }
        return qanat::rebuild_hint(p);
    };
    std::string ver = db.get_metadata(std::string(schema::kMetaSchema));
    if (ver.empty()) {
        if (db.get_doccount() == 0) return;  // new and empty
        throw IndexError("'" + path + "' is a Xapian database but not a qanat index (no schema version); " +
                         "use another --db, or " + rebuild_hint(path));
    }
    if (ver != std::to_string(schema::kVersion))
        throw IndexError("the index at '" + path + "' has schema version " + ver + "; this qanat reads version " +
                         std::to_string(schema::kVersion) + "; " + rebuild_hint(path));
    std::string an = db.get_metadata(std::string(schema::kMetaAnalysis));
    AnalysisSettings stored;
    try {
        stored = AnalysisSettings::parse(an);
    } catch (const std::exception&) {
        throw IndexError("the index at '" + path + "' has unreadable analysis settings '" + an + "'; " +
                         rebuild_hint(path));
    }
    if (expected && !(stored == *expected))
        throw IndexError("the index at '" + path + "' was built with analysis settings '" + stored.serialise() +
                         "', not '" + expected->serialise() + "'; " + rebuild_hint(path) +
                         " (or leave the analysis options as they were)");
}

void WordCounts::add(std::string_view word, Xapian::termcount n) { add(word, fnv1a64(word), n); }

void WordCounts::add(std::string_view word, std::uint64_t hash, Xapian::termcount n) {
    index_.make_room(entries_.size(), [&](std::size_t k) { return entries_[k].hash; });
    const std::size_t slot = index_.find(hash, [&](std::size_t k) {
        return entries_[k].hash == hash && entries_[k].word == word;
    });
    if (index_.taken(slot)) {
        entries_[index_.entry(slot)].count += n;
        return;
    }
    entries_.push_back({std::string(word), hash, n});
    index_.put(slot, entries_.size() - 1);
}

void WordCounts::take(WordCounts& other, std::size_t share, std::size_t shares) {
    WordCounts kept;
    for (auto& e : other.entries_) {
        if (e.hash % shares == share) add(e.word, e.hash, e.count);
        else kept.add(e.word, e.hash, e.count);
    }
    other = std::move(kept);
}

void WordCounts::clear() {
    entries_.clear();
    index_.clear();
}

namespace {

/// Why an index that holds other articles than this run's is refused.
std::string other_shard(const std::string& path, const std::string& stored, const std::string& wanted) {
    auto held = [](const std::string& s) {
        if (s == "all") return std::string("all the articles");
        const std::string n = s.substr(s.find('/') + 1);
        return "shard " + s + " of the articles (--shard " + s + ", or a part of --shards " + n + ")";
    };
    std::string m = "the index at '" + path + "' holds " + held(stored) + ", not " +
                    (wanted == "all" ? std::string("all of them") : "shard " + wanted) +
                    "; give the options it was written with";
    if (wanted == "all" && stored != "all") return m + ", or --rebuild to index all the articles";
    return m + ", or remove it and index again (a folder of --shards: --rebuild --shards N splits the articles anew)";
}

}  // namespace

IndexError locked_error(const std::string& path) {
    return IndexError("the index at '" + path + "' is locked by another indexer; wait for it to finish");
}

Xapian::WritableDatabase open_for_writing(const std::string& path, int flags) {
    try {
        return Xapian::WritableDatabase(path, flags);
    } catch (const Xapian::DatabaseLockError&) {
        // Xapian says "locked" too when its lock file cannot be opened: a
        // folder this user may not write (waiting would never help).
        const std::string lock = (std::filesystem::path(path) / "flintlock").string();
        const bool folder_writable = ::access(path.c_str(), W_OK) == 0;
        if (!folder_writable || (std::filesystem::exists(lock) && ::access(lock.c_str(), W_OK) != 0))
            throw IndexError("cannot write the index at '" + path + "' (" + std::strerror(errno) +
                             "): run as a user who may write there, or give another --db");
        throw locked_error(path);
    }
}

IndexWriter::IndexWriter(const std::string& path, const IndexSettings& settings, WriteMode mode)
    : path_(path),
      flags_(Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS | (mode.sync ? 0 : Xapian::DB_NO_SYNC) |
             (mode.in_place ? Xapian::DB_DANGEROUS : 0)),
      roll_every_(mode.transaction ? 0 : mode.roll_every),
      settings_(settings),
      flush_every_(mode.flush_every) {
    try {
        db_ = open_for_writing(path, flags_);
    } catch (const Xapian::DatabaseError& e) {
        throw IndexError("cannot open or create the index at '" + path + "': " + e.get_msg());
    }
    check_index_compatible(db_, path, &settings_.analysis);
    created_ = db_.get_metadata(std::string(schema::kMetaSchema)).empty();
    if (!created_) {
        std::string stored_passages = db_.get_metadata(std::string(schema::kMetaPassages));
        std::string stored_actors = db_.get_metadata(std::string(schema::kMetaActorsHash));
        const std::string stored_max = db_.get_metadata(std::string(schema::kMetaMaxArticle));
        const std::string stored_rules = db_.get_metadata(std::string(schema::kMetaRules));
        const std::string rules = stored_rules.empty() ? std::string("1") : stored_rules;
        std::vector<std::string> changed;
        if (stored_actors != hex64(fnv1a64(settings_.actors_serialised))) changed.push_back("the actor list");
        if (stored_passages != std::to_string(settings_.passages.max_bytes)) changed.push_back("--max-passage-bytes");
        if ((stored_max.empty() ? std::to_string(kDefaultMaxArticleBytes) : stored_max) !=
            std::to_string(settings_.max_article_bytes))
            changed.push_back("--max-article-bytes");
        if (rules != std::to_string(schema::kAnalysisRules))
            changed.push_back("qanat's rules for passages, actors and years (version " + rules + " to " +
                              std::to_string(schema::kAnalysisRules) + ")");
        settings_changed_ = !changed.empty();
        for (std::size_t i = 0; i < changed.size(); ++i)
            what_changed_ += (i == 0 ? "" : i + 1 == changed.size() ? " and " : ", ") + changed[i];
        const std::string stored_shard = db_.get_metadata(std::string(schema::kMetaShard));
        if (!stored_shard.empty() && stored_shard != mode.shard) throw IndexError(other_shard(path, stored_shard, mode.shard));
    }
    shard_ = mode.shard;
    run_ = mode.run;
    stored_run_ = db_.get_metadata(std::string(schema::kMetaRun));
    if (mode.transaction) {
        db_.begin_transaction(false);
        in_transaction_ = true;
    }
}

std::optional<ArticleRecord> IndexWriter::record(const std::string& id) const {
    std::string v = db_.get_metadata(article_record_key(id));
    if (v.empty()) return std::nullopt;
    return ArticleRecord::parse(v);
}

void IndexWriter::each_record(const std::function<void(std::string&& id, ArticleRecord&& rec)>& take) const {
    const std::string prefix(schema::kMetaArticlePrefix);
    for (auto it = db_.metadata_keys_begin(prefix); it != db_.metadata_keys_end(prefix); ++it) {
        auto j = nlohmann::json::parse(db_.get_metadata(*it), nullptr, false);
        std::string id = (!j.is_discarded() && j.is_object()) ? j.value("id", std::string()) : std::string();
        if (id.empty()) id = (*it).substr(prefix.size());
        take(std::move(id), record_of(j));
    }
}

void IndexWriter::clear_spelling() {
    std::vector<std::pair<std::string, Xapian::termcount>> all;
    for (auto w = db_.spellings_begin(); w != db_.spellings_end(); ++w) all.emplace_back(*w, w.get_termfreq());
    for (const auto& [word, n] : all) db_.remove_spelling(word, n);
    spelling_cleared_ = true;
}

bool IndexWriter::words_in_spelling(const std::string& id) const {
    if (spelling_cleared_) return false;
    // A record made stale by a run that analysed everything again (its hash
    // cleared, see the indexer): that run cleared the spelling data, so its
    // words are not there to take out (taking them out again lowered other
    // articles' counts).
    const auto prev = record(id);
    return !(prev && prev->hash.empty());
}

void IndexWriter::forget_spelling(const std::string& term) {
    // The words the article's prose gave the spelling data, read back from
    // its stored passages (an update that left them grew the data with
    // every edit, and suggested words no passage has any more).
    for (auto p = db_.postlist_begin(term); p != db_.postlist_end(term); ++p) {
        const StoredPassage sp = StoredPassage::deserialise(db_.get_document(*p).get_value(schema::kSlotPassage));
        if (sp.kind != BlockKind::Prose) continue;
        for (const auto& [word, n] : spelling_words(sp.text)) db_.remove_spelling(word, n);
    }
}

void IndexWriter::put(const std::string& id, const ArticleRecord& rec, std::vector<Xapian::Document>& docs,
                      const std::vector<std::pair<std::string, unsigned>>& spelling) {
    const std::string term = schema::term(schema::kArticle, id);
    if (!created_ && words_in_spelling(id)) forget_spelling(term);
    db_.delete_document(term);
    for (auto& d : docs) db_.add_document(d);
    unflushed_ += static_cast<Xapian::doccount>(docs.size());
    if (!in_transaction_ && flush_every_ && unflushed_ >= flush_every_) {
        db_.commit();
        unflushed_ = 0;
        // (A quarter of what is written so far, once that is more: the files
        // grow with the corpus, and stay under kMaxFiles longer.)
        if (roll_every_ && db_.get_doccount() >= std::max(roll_every_, rolled_passages_ / 4) &&
            rolled_.size() + 1 < kMaxFiles)
            roll();
    }
    // Counted here and given to Xapian once per word at commit: far fewer
    // spelling-table updates than one per word per article.
    for (const auto& [word, n] : spelling) spelling_.add(word, n);
    touch(id, rec);
}

void IndexWriter::touch(const std::string& id, const ArticleRecord& rec) {
    auto j = json_of(rec);
    j["id"] = id;
    db_.set_metadata(article_record_key(id), dump(j));
}

void IndexWriter::remove(const std::string& id) {
    const std::string term = schema::term(schema::kArticle, id);
    if (words_in_spelling(id)) forget_spelling(term);
    db_.delete_document(term);
    db_.set_metadata(article_record_key(id), std::string());
}

std::optional<ArticleRecord> IndexWriter::file_record(const std::string& key) const {
    const std::string k = file_record_key(key);
    const auto p = pending_files_.find(k);
    const std::string v = p != pending_files_.end() ? p->second : db_.get_metadata(k);
    if (v.empty()) return std::nullopt;
    return ArticleRecord::parse(v);
}

void IndexWriter::set_file_record(const std::string& key, const ArticleRecord& rec) {
    if (roll_every_) pending_files_[file_record_key(key)] = rec.serialise();
    else db_.set_metadata(file_record_key(key), rec.serialise());
}

void IndexWriter::forget_file_record(const std::string& key) {
    if (roll_every_) pending_files_[file_record_key(key)].clear();
    else db_.set_metadata(file_record_key(key), std::string());
}

void IndexWriter::each_file_record(const std::function<void(ArticleRecord&& rec)>& take) const {
    const auto take_parsed = [&](std::string_view v) {
        ArticleRecord rec = ArticleRecord::parse(v);
        if (!rec.source.empty()) take(std::move(rec));
    };
    const std::string prefix(schema::kMetaFilePrefix);
    for (auto it = db_.metadata_keys_begin(prefix); it != db_.metadata_keys_end(prefix); ++it)
        if (!pending_files_.count(*it)) take_parsed(db_.get_metadata(*it));
    for (const auto& [k, v] : pending_files_)
        if (!v.empty()) take_parsed(v);
}

void IndexWriter::roll() {
    // (Each database's documents are numbered from 1; the merge numbers them
    // on in the order files() gives, as one database would have.)
    rolled_passages_ += db_.get_doccount();
    db_.close();
    rolled_.push_back(path_);
    path_ = rolled_.front() + "." + std::to_string(rolled_.size());
    // (Xapian's error as it is, with the system's reason: the indexer says
    // what it means for the run. Nobody else can hold a database in the
    // run's own work folder: no lock to guess at.)
    db_ = Xapian::WritableDatabase(path_, flags_);
}

std::vector<std::string> IndexWriter::files() const {
    std::vector<std::string> all = rolled_;
    all.push_back(path_);
    return all;
}

void IndexWriter::take_spelling(IndexWriter& other, std::size_t share, std::size_t shares) {
    spelling_.take(other.spelling_, share, shares);
}

void IndexWriter::commit() {
    spelling_.each([&](const std::string& word, Xapian::termcount n) { db_.add_spelling(word, n); });
    spelling_.clear();
    for (const auto& [k, v] : pending_files_) db_.set_metadata(k, v);
    pending_files_.clear();
    db_.set_metadata(std::string(schema::kMetaSchema), std::to_string(schema::kVersion));
    db_.set_metadata(std::string(schema::kMetaAnalysis), settings_.analysis.serialise());
    db_.set_metadata(std::string(schema::kMetaPassages), std::to_string(settings_.passages.max_bytes));
    db_.set_metadata(std::string(schema::kMetaMaxArticle), std::to_string(settings_.max_article_bytes));
    db_.set_metadata(std::string(schema::kMetaRules), std::to_string(schema::kAnalysisRules));
    db_.set_metadata(std::string(schema::kMetaActors), settings_.actors_serialised);
    db_.set_metadata(std::string(schema::kMetaActorsHash), hex64(fnv1a64(settings_.actors_serialised)));
    db_.set_metadata(std::string(schema::kMetaShard), shard_);
    if (!run_.empty()) db_.set_metadata(std::string(schema::kMetaRun), run_);
    if (in_transaction_) {
        db_.commit_transaction();
        in_transaction_ = false;
    }
    db_.commit();
    db_.close();
}

void IndexWriter::cancel() {
    if (in_transaction_) {
        try {
            db_.cancel_transaction();
        } catch (const Xapian::Error&) {
        }
        in_transaction_ = false;
    }
    try {
        db_.close();
    } catch (const Xapian::Error&) {
        // A part whose writing failed (a full disk) may fail to close too;
        // what it holds is dropped either way.
    }
}

}  // namespace qanat
