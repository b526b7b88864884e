// Writes articles into a Xapian database: one transaction per run, per-article
// records for incremental updates, and the schema and settings stored so that
// a reader can refuse an index it would misread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "analyzer.h"
#include "passages.h"
#include "slot_index.h"

namespace qanat {

/// An index that cannot be opened as asked; the message says what to do.
struct IndexError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// What the indexer remembers of an article between runs.
struct ArticleRecord {
    std::string hash;            ///< content hash (hex)
    std::uint64_t size = 0;      ///< file size in bytes
    std::int64_t mtime_ns = 0;   ///< file modification time
    std::int64_t ctime_ns = 0;   ///< the inode's change time (0: not recorded, written before it was)
    unsigned passages = 0;
    std::string source;          ///< the file (or JSONL file) it came from, as given
    /// Where the file was found, when source is elsewhere: the path of a
    /// symlink leading outside the folder given (--follow-symlinks), or of
    /// a symlink given as PATH. A run over the folder that holds this path
    /// judges the article (removes it once the symlink is gone).
    std::string via;
    /// Its line in a JSONL file (0: a text file, or a record written before
    /// lines were recorded), for messages about an article not read again.
    unsigned line = 0;
    /// Where the file was found: via, else source.
    const std::string& found_at() const { return via.empty() ? source : via; }
    std::string serialise() const;
    static ArticleRecord parse(std::string_view s);
};

/// --max-article-bytes by default (an index that does not record it was
/// written with this).
inline constexpr std::uint64_t kDefaultMaxArticleBytes = 64ull << 20;

struct IndexSettings {
    AnalysisSettings analysis;
    PassageOptions passages;
    std::string actors_serialised;  ///< the gazetteer, as Gazetteer::serialise()
    /// Articles are read up to this size: a new one means analysing again
    /// (an article cut short at the old size is whole, or cut elsewhere).
    std::uint64_t max_article_bytes = kDefaultMaxArticleBytes;
};

/// Opens the index at path for writing (Xapian's `flags`). Another writer
/// holding it is an IndexError that says so; other errors are Xapian's.
Xapian::WritableDatabase open_for_writing(const std::string& path, int flags);

/// The error for an index another indexer holds.
IndexError locked_error(const std::string& path);

/// Checks the schema and analysis settings stored in an open index. Throws
/// IndexError with a message that says how to rebuild.
void check_index_compatible(const Xapian::Database& db, const std::string& path,
                            const AnalysisSettings* expected);

/// How an IndexWriter writes.
struct WriteMode {
    /// One transaction for the whole run: readers see all of it or none of it.
    /// Xapian keeps a transaction's changes in memory, so memory grows with the
    /// run. Off for a new index built aside (nobody reads it before it is swapped
    /// in): the writer then commits every flush_every passages, and memory stays
    /// flat.
    bool transaction = true;
    /// Without a transaction: passages held in memory before they are written
    /// out (0: Xapian's own XAPIAN_FLUSH_THRESHOLD, 10,000 by default). Xapian
    /// holds about 4 KiB a passage until then.
    Xapian::doccount flush_every = 0;
    /// fsync at commit; off for parts that are merged by compaction (which
    /// writes and syncs the result) and thrown away.
    bool sync = true;
    /// Blocks changed by a commit are written over the old ones
    /// (Xapian::DB_DANGEROUS): less to write and read back, but an index
    /// left half-written is unusable, and nobody may read it while it is
    /// written. Only for parts that are merged by compaction and thrown away
    /// (a failed run removes them whole).
    bool in_place = false;
    /// For a part merged by compaction: after roll_every passages (at a
    /// commit; or after a quarter of the passages in the databases before, if
    /// that is more), the part goes on in a new Xapian database beside it ("part",
    /// then "part.1", "part.2", ...; IndexWriter::files() lists them in order,
    /// to be merged in that order). A commit rewrites every block its new
    /// postings fall in, spread over the whole of a table (each term's new
    /// postings go after its old ones): smaller tables, less rewritten at each
    /// commit. At most kMaxFiles databases (then the last one grows). 0: one
    /// database. Only for a new part that gets each article once: the writer
    /// reads and deletes in its current database alone. Needs transaction off.
    Xapian::doccount roll_every = 0;
    /// Which articles the index holds (schema::kMetaShard): an index that
    /// says otherwise is refused, as its articles would be kept or found twice.
    std::string shard = "all";
    /// The parts of one --shards run share this id (schema::kMetaRun): parts
    /// with different ones were left by different runs (one stopped between
    /// the parts' commits). Empty: none is written.
    std::string run;
};

/// Words and their counts, in the order first met, found through a
/// SlotIndex (about one probe, with no node per word).
class WordCounts {
  public:
    void add(std::string_view word, Xapian::termcount n);
    /// Moves the words whose share (their FNV-1a hash modulo shares) is
    /// `share` from other into this table.
    void take(WordCounts& other, std::size_t share, std::size_t shares);
    template <class F>
    void each(F&& f) const {
        for (const auto& e : entries_) f(e.word, e.count);
    }
    std::size_t size() const { return entries_.size(); }
    void clear();

  private:
    struct Entry {
        std::string word;
        std::uint64_t hash;
        Xapian::termcount count;
    };
    void add(std::string_view word, std::uint64_t hash, Xapian::termcount n);
    std::deque<Entry> entries_;         ///< grows without moving what it holds
    SlotIndex index_;
};

class IndexWriter {
  public:
    /// Opens (creating if needed) the index at path and, by default, starts a
    /// transaction. Throws IndexError if it is locked by another writer or
    /// incompatible.
    IndexWriter(const std::string& path, const IndexSettings& settings, WriteMode mode = {});

    /// True if the passage settings, the gazetteer or the analysis rules
    /// (schema::kAnalysisRules) differ from those the index was built with:
    /// every article must then be analysed again.
    bool settings_changed() const { return settings_changed_; }
    /// What changed, for the message ("the actor list and --max-article-bytes").
    const std::string& what_changed() const { return what_changed_; }
    /// Takes every word out of the spelling data, for a run that analyses
    /// every article again (reading each replaced passage back would cost
    /// more): words of articles it does not read come back at their next run.
    void clear_spelling();
    /// The run id the index holds (WriteMode::run), as it was opened.
    const std::string& stored_run() const { return stored_run_; }
    bool created() const { return created_; }

    std::optional<ArticleRecord> record(const std::string& id) const;
    /// Every article id with its record, one at a time (a large index's
    /// records are not held twice).
    void each_record(const std::function<void(std::string&& id, ArticleRecord&& rec)>& take) const;

    /// Replaces the passages of an article; its words feed spelling suggestions.
    void put(const std::string& id, const ArticleRecord& rec, std::vector<Xapian::Document>& docs,
             const std::vector<std::pair<std::string, unsigned>>& spelling = {});
    /// Updates the record only (content unchanged).
    void touch(const std::string& id, const ArticleRecord& rec);
    void remove(const std::string& id);

    /// Size and time of a file that holds many articles (JSONL), by its path key.
    std::optional<ArticleRecord> file_record(const std::string& key) const;
    void set_file_record(const std::string& key, const ArticleRecord& rec);
    /// Drops the file's record: the next run reads the file whatever its size and time.
    void forget_file_record(const std::string& key);
    /// Every file record (its key is the record's source).
    void each_file_record(const std::function<void(ArticleRecord&& rec)>& take) const;

    /// Takes the spelling words other has counted whose share (a hash of the
    /// word, modulo shares) is `share`, to be written by this writer's commit
    /// instead.
    void take_spelling(IndexWriter& other, std::size_t share, std::size_t shares);
    /// Stores the settings and commits everything written since opening.
    void commit();
    /// Drops everything written since opening.
    void cancel();

    Xapian::doccount passage_count() const { return rolled_passages_ + db_.get_doccount(); }
    /// The databases written, in order (WriteMode::roll_every); the path
    /// given alone without it.
    std::vector<std::string> files() const;
    /// Most databases one writer goes on in (WriteMode::roll_every): each
    /// holds a few files open while they are merged.
    static constexpr std::size_t kMaxFiles = 16;

  private:
    /// Goes on in a new database (WriteMode::roll_every), after a commit.
    void roll();
    std::string path_;  ///< the database being written
    int flags_ = 0;     ///< how databases are opened
    std::vector<std::string> rolled_;  ///< databases done with, in order (the first: the path given)
    Xapian::doccount rolled_passages_ = 0;
    Xapian::doccount roll_every_ = 0;
    /// File records (set or, empty, forgotten) while databases roll: written
    /// at commit, into the last one (a record set in one database and
    /// forgotten in a later one would come back in the merge).
    std::map<std::string, std::string> pending_files_;
    IndexSettings settings_;
    Xapian::WritableDatabase db_;
    bool settings_changed_ = false;
    std::string what_changed_;
    bool created_ = false;
    bool spelling_cleared_ = false;  ///< clear_spelling() ran: nothing to take out article by article
    bool in_transaction_ = false;
    /// Takes the spelling words of an article's indexed passages (its
    /// article term) out of the spelling data, before they are replaced.
    void forget_spelling(const std::string& term);
    /// Whether the article's words are in the spelling data to be taken out.
    bool words_in_spelling(const std::string& id) const;
    std::string shard_;  ///< which articles this index holds (schema::kMetaShard)
    std::string run_, stored_run_;  ///< schema::kMetaRun: this run's, and the index's when opened
    Xapian::doccount flush_every_ = 0;
    Xapian::doccount unflushed_ = 0;  ///< passages added since the last commit
    WordCounts spelling_;  ///< words of this run, added at commit
};

/// Metadata key of an article's record (shortened with a hash if too long).
std::string article_record_key(std::string_view id);
std::string file_record_key(std::string_view key);

}  // namespace qanat
