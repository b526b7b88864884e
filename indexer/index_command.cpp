#include "index_command.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "program_options.h"

#include "decode.h"
#include "document.h"
#include "entities.h"
#include "hash.h"
#include "index_writer.h"
#include "jsonl.h"
#include "normalize.h"
#include "schema.h"
#include "search.h"
#include "slot_index.h"
#include "sources.h"
#include "writers.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace qanat::indexer {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitWarnings = 1;
constexpr int kExitError = 2;

/// Passages each writer of a new index holds before writing them out: at
/// about 4 KiB each in Xapian's buffers, the indexer's memory bound. Lower
/// than Xapian's 10,000 because it measured faster too (bench/RESULTS.md).
constexpr unsigned kDefaultFlushEvery = 1000;
/// Passages per database of a part that is merged at the end
/// (WriteMode::roll_every; bench/RESULTS.md, "Parts in smaller databases").
constexpr unsigned kRollEvery = 12000;

struct Options {
    std::string db;
    std::vector<std::string> paths;
    std::vector<std::string> actor_files;
    bool rebuild = false;
    bool quiet = false;
    bool progress = false;
    bool follow_symlinks = false;
    unsigned threads = 0;
    PassageOptions passages;
    AnalysisSettings analysis;
    std::uint64_t max_article_bytes = kDefaultMaxArticleBytes;
    unsigned shard_index = 0, shard_count = 1;
    unsigned shards = 0;  ///< --shards N: write N shards in one run
    unsigned flush_every = kDefaultFlushEvery;
};

std::string default_db() {
    if (const char* e = std::getenv("QANAT_DB"); e && *e) return e;
    return ".qanat/index";
}

std::string default_corpus() {
#ifdef QANAT_DEFAULT_CORPUS
    if (fs::is_directory(QANAT_DEFAULT_CORPUS)) return QANAT_DEFAULT_CORPUS;
#endif
    return "corpus";
}

const char* kUsage =
    "Usage: qanat-index [OPTIONS] [PATH...]\n"
    "\n"
    "Indexes articles into a qanat index, one Xapian document per passage.\n"
    "PATH is a folder (read recursively) or a file: .txt and .md articles, and\n"
    ".jsonl files with one article a line ({\"id\", \"title\", \"text\", optional\n"
    "\"date\", \"url\", \"source\"}). Default PATH: the project's corpus/.\n"
    "\n"
    "An article's id is its path relative to the folder given, without the\n"
    "extension (corpus/a/b.txt -> a/b), or the JSONL \"id\". A file actors.tsv at\n"
    "the top of a folder given is read as its actor list (see README).\n"
    "\n"
    "Running again updates changed articles, removes those whose files are gone\n"
    "from the folders given, and skips unchanged ones (same size and time, or\n"
    "same content). Each run is one atomic commit: if it fails or is killed, the\n"
    "index stays as the last run left it. Then every passage's facets are\n"
    "written to the file qanat-facets in the index folder, which qanat-search\n"
    "maps instead of reading them one by one (without it, or once the index has\n"
    "changed since, searches are as correct, slower).\n"
    "\n"
    "Memory: a new index (first run, --rebuild) is built aside and written out\n"
    "every --flush-every passages per thread writing it (about 4 KiB a passage\n"
    "until then), with a bounded number of articles in analysis, so memory stays\n"
    "bounded (README: Memory). An update of an existing index holds its changes\n"
    "in memory until its commit.\n"
    "\n"
    "Exit status: 0 done; 1 done with warnings (files skipped or repaired, listed\n"
    "on stderr); 2 error, nothing changed; 128+N stopped by signal N (Ctrl-C:\n"
    "130), the index as it was.\n"
    "\n"
    "Options:\n";

void print_help(const po::options_description& desc) { std::cout << kUsage << desc << "\n"; }

/// Outcome of one article.
struct Outcome {
    enum Type { Indexed, Touched, Unchanged, Skipped } type = Skipped;
    std::string id;
    const SourceFile* file = nullptr;
    std::size_t line = 0;  ///< JSONL: line number in the file
    ArticleRecord record;
    BuiltArticle built;
    bool existed = false;
    unsigned old_passages = 0;  ///< what the index held of the article before

    /// The file, or file:line, for messages.
    std::string where() const {
        std::string w = file ? file->path() : std::string("?");
        if (line > 0) w += ":" + std::to_string(line);
        return w;
    }
};

/// A file that could not be opened.
struct Unopened {
    std::string path, key;
};

struct TaskResult {
    std::vector<Outcome> outcomes;
    std::vector<std::string> warnings;
    const SourceFile* jsonl_done = nullptr;  ///< every line of this JSONL file was read
    /// This JSONL file was not read to its end: its articles not read are kept.
    const SourceFile* jsonl_failed = nullptr;
    /// Files whose reading failed part way (an I/O error, not a file that
    /// cannot be opened): a new index replacing one is not put in place.
    std::vector<std::string> read_errors;
    /// Files that could not be opened: a new index replacing one is not put
    /// in place if the old one has articles from them.
    std::vector<Unopened> unopened;
    FileStat jsonl_stat;                     ///< jsonl_done's size and time, as read before its lines
    std::size_t files = 1;                   ///< files this result finishes (for the progress line)
    std::size_t lines_skipped = 0;           ///< JSONL lines left out (too long, not an article), counted as skipped
    /// A JSONL file with an article kept as it was (its new text could not
    /// be read): read again next run, which says so again.
    const SourceFile* read_again = nullptr;
};

struct Task {
    const SourceFile* file = nullptr;
    std::size_t texts = 1;            ///< text files: this many, from file on (adjacent in the walk)
    /// Text files: the size and time of each, read before the file is; a
    /// JSONL file's marker (first_line 0): the file's, read before its lines.
    std::vector<FileStat> stats;
    std::size_t first_line = 0;       ///< JSONL chunk: number of the first line
    std::vector<std::string> lines;   ///< JSONL chunk
    std::vector<std::size_t> too_long;  ///< JSONL chunk: lines over --max-article-bytes (not kept), ascending
    bool jsonl_unchanged = false;
    std::string read_error;           ///< JSONL: why the file was not read to its end (after its last chunk)
    bool io_error = false;            ///< JSONL: reading it failed part way (read_error says where)
};

class Progress {
  public:
    explicit Progress(bool on) : on_(on), start_(Clock::now()), last_(start_) {}
    void update(std::size_t files, std::size_t total_files, std::size_t articles, std::size_t passages) {
        if (!on_) return;
        auto now = Clock::now();
        if (now - last_ < std::chrono::milliseconds(200)) return;
        last_ = now;
        double secs = std::chrono::duration<double>(now - start_).count();
        std::fprintf(stderr, "\r\x1b[Kindexing: %zu/%zu files, %zu articles, %zu passages, %.0f articles/s", files,
                     total_files, articles, passages, secs > 0 ? articles / secs : 0.0);
        std::fflush(stderr);
        shown_ = true;
    }
    void clear() {
        if (shown_) std::fprintf(stderr, "\r\x1b[K");
        shown_ = false;
    }
    double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  private:
    using Clock = std::chrono::steady_clock;
    bool on_;
    bool shown_ = false;
    Clock::time_point start_, last_;
};

/// A file descriptor closed when it goes out of scope.
struct FileDescriptor {
    int fd;
    explicit FileDescriptor(int f) : fd(f) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd >= 0) ::close(fd);
    }
};

/// Reads at most max_bytes of the file at path (a larger file is read no
/// further: *truncated says so), straight into *out.
bool read_file(const std::string& path, std::uint64_t max_bytes, std::string* out, std::string* err, bool* truncated,
               bool* io_error) {
    *io_error = false;
    const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    const int fd = file.fd;
    if (fd < 0) {
        *err = std::string("cannot read (") + std::strerror(errno) + ")";
        return false;
    }
    // One byte past max_bytes tells a larger file; the file's size, when
    // known, lets one read take it all.
    const std::uint64_t limit = max_bytes < UINT64_MAX ? max_bytes + 1 : max_bytes;
    std::uint64_t first = 65536;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) first = static_cast<std::uint64_t>(st.st_size) + 1;
    out->clear();
    std::size_t n = 0;
    for (;;) {
        if (n == out->size()) {
            if (n >= limit) break;
            out->resize(static_cast<std::size_t>(std::min<std::uint64_t>(limit, std::max<std::uint64_t>(first, 2 * n))));
        }
        const ssize_t got = ::read(fd, out->data() + n, out->size() - n);
        if (got < 0) {
            if (errno == EINTR) continue;
            *err = std::string("read error (") + std::strerror(errno) + ")";
            *io_error = true;
            return false;
        }
        if (got == 0) break;
        n += static_cast<std::size_t>(got);
    }
    out->resize(n);
    *truncated = n > max_bytes;
    if (*truncated) out->resize(max_bytes);
    return true;
}

/// A JSONL file goes to the analysis in chunks of this many lines (or bytes),
/// and text files in groups of kTextsPerTask files (or as many bytes): enough
/// to keep the threads busy, few enough that the articles in flight (at most
/// the pipeline's window of chunks) hold little memory. (Text files 32 at a
/// time raised a 1x build's peak by 8 MiB for no measurable gain over 16.)
constexpr std::size_t kChunkLines = 32;
constexpr std::size_t kChunkBytes = 512u << 10;
constexpr std::size_t kTextsPerTask = 16;
constexpr std::uint64_t kTextBytesPerTask = kChunkBytes;

unsigned shard_of(const std::string& id, unsigned count) {
    return static_cast<unsigned>(fnv1a64(id) % count);
}

/// Everything the workers share, read-only while they run.
/// An article's record that the next run will not find current: it reads
/// and analyses the article again (kept while it could not be read in a run
/// with new analysis settings).
/// A modification time no stat() gives: a record with it never finds its
/// file unchanged.
constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

ArticleRecord stale(ArticleRecord rec) {
    rec.hash.clear();
    rec.size = 0;
    rec.mtime_ns = kNoTime;
    return rec;
}

struct Shared {
    const Options* opt = nullptr;
    const Gazetteer* gazetteer = nullptr;
    std::unordered_map<std::string, ArticleRecord> records;
    std::unordered_map<std::string, std::vector<std::string>> ids_by_source;
    bool force = false;  ///< analyse everything again
};

class Worker {
  public:
    explicit Worker(const Shared& s) : s_(s), builder_(s.opt->analysis, *s.gazetteer, s.opt->passages) {}

    TaskResult run(const Task& t) {
        TaskResult r;
        if (t.file->type() == SourceType::Text) {
            for (std::size_t i = 0; i < t.texts; ++i) text_file(t.file[i], t.stats[i], r);
            r.files = t.texts;
        } else if (!t.read_error.empty()) {
            // (Articles not read were indexed before only if this index has
            // the file's ids: not in a new index, nor one built again.)
            r.jsonl_failed = t.file;
            if (t.io_error) r.read_errors.push_back(t.file->path());
            else r.unopened.push_back({t.file->path(), t.file->key()});
            const bool kept = s_.ids_by_source.count(t.file->key()) > 0;
            if (!kept) ++r.lines_skipped;  // (nothing of it indexed: the file counts as one skipped)
            r.warnings.push_back(t.file->path() + ": " + t.read_error + "; the articles not read are " +
                                 (kept ? "kept as indexed" : "not indexed") + ", and the file is read again next run");
        } else if (t.jsonl_unchanged)
            jsonl_kept(t, r);
        else if (t.lines.empty() && t.first_line == 0) {
            r.jsonl_done = t.file;
            r.jsonl_stat = t.stats.at(0);
        }
        else {
            jsonl_chunk(t, r);
            r.files = 0;  // the file counts once, at its marker
        }
        return r;
    }

  private:
    const ArticleRecord* old(const std::string& id) const {
        auto it = s_.records.find(id);
        return it == s_.records.end() ? nullptr : &it->second;
    }

    void text_file(const SourceFile& f, const FileStat& st, TaskResult& r) {
        const std::string id = f.id(), key = f.key(), path = f.path(), via = f.via(key);
        Outcome o;
        o.id = id;
        o.file = &f;
        if (s_.opt->shard_count > 1 && shard_of(id, s_.opt->shard_count) != s_.opt->shard_index) return;
        const ArticleRecord* prev = old(id);
        o.existed = prev != nullptr;
        o.old_passages = prev ? prev->passages : 0;
        if (prev && !s_.force && st.ok && prev->size == st.size && prev->mtime_ns == st.mtime_ns &&
            prev->ctime_ns == st.ctime_ns && prev->source == key && prev->via == via) {
            o.type = Outcome::Unchanged;
            o.record = *prev;
            r.outcomes.push_back(std::move(o));
            return;
        }
        std::string bytes, err;
        bool truncated = false, io_error = false;
        if (!read_file(path, s_.opt->max_article_bytes, &bytes, &err, &truncated, &io_error)) {
            if (io_error) r.read_errors.push_back(path);
            else r.unopened.push_back({path, key});
            r.warnings.push_back(path + ": " + err + "; skipped" + (prev ? " (the indexed version is kept)" : ""));
            keep(o, prev);
            r.outcomes.push_back(std::move(o));
            return;
        }
        if (truncated)
            r.warnings.push_back(path + ": larger than --max-article-bytes (" +
                                 std::to_string(s_.opt->max_article_bytes) + "); only the first part is indexed");
        std::string hash = hex64(fnv1a64(bytes));
        o.record.hash = hash;
        o.record.size = st.size;
        o.record.mtime_ns = st.ok ? st.mtime_ns : kNoTime;
        o.record.ctime_ns = st.ok ? st.ctime_ns : 0;
        o.record.source = key;
        o.record.via = via;
        // (Found through another symlink: its passages say where; analysed again.)
        if (prev && !s_.force && prev->hash == hash && prev->source == key && prev->via == via) {
            o.record.passages = prev->passages;
            o.type = Outcome::Touched;
            r.outcomes.push_back(std::move(o));
            return;
        }
        Decoded d = decode_text(bytes);
        if (!d.ok) {
            r.warnings.push_back(path + ": " + d.reason + "; skipped" + (prev ? " (the indexed version is kept)" : ""));
            keep(o, prev);
            r.outcomes.push_back(std::move(o));
            return;
        }
        for (const auto& n : d.notes) r.warnings.push_back(path + ": " + n);
        Article a;
        a.id = id;
        a.path = f.display();
        a.text = std::move(d.text);
        build(a, o, r);
        r.outcomes.push_back(std::move(o));
    }

    /// An article that could not be read this time: the indexed version (if
    /// any) stays. In a run that analyses everything again (new settings), it
    /// was analysed with the old ones: its record is cleared, so that the
    /// next run reads and analyses it again.
    void keep(Outcome& o, const ArticleRecord* prev) const {
        if (!prev) {
            o.type = Outcome::Skipped;
            return;
        }
        o.record = s_.force ? stale(*prev) : *prev;
        o.type = s_.force ? Outcome::Touched : Outcome::Unchanged;
    }

    void build(const Article& a, Outcome& o, TaskResult& r) {
        o.built = builder_.build(a);
        o.record.passages = static_cast<unsigned>(o.built.passages);
        o.type = Outcome::Indexed;
        if (o.built.passages == 0)
            r.warnings.push_back(o.where() + ": no text to index" +
                                 (o.old_passages ? "; its article (" + std::to_string(o.old_passages) +
                                                       (o.old_passages == 1 ? " passage" : " passages") +
                                                       ") is taken out of the index"
                                                 : std::string()));
    }

    /// A JSONL file not read again (unchanged): its articles stay.
    void jsonl_kept(const Task& t, TaskResult& r) {
        auto it = s_.ids_by_source.find(t.file->key());
        if (it == s_.ids_by_source.end()) return;
        for (const auto& id : it->second) {
            Outcome o;
            o.id = id;
            o.file = t.file;
            o.type = Outcome::Unchanged;
            o.existed = true;
            o.record = s_.records.at(id);
            o.line = o.record.line;  // (as the last run read it: for messages)
            r.outcomes.push_back(std::move(o));
        }
    }

    void jsonl_chunk(const Task& t, TaskResult& r) {
        const SourceFile& f = *t.file;
        const std::string key = f.key(), path = f.path(), via = f.via(key);
        auto too_long = t.too_long.begin();
        for (std::size_t k = 0; k < t.lines.size(); ++k) {
            std::size_t lineno = t.first_line + k;
            if (too_long != t.too_long.end() && *too_long == k) {
                ++too_long;
                r.warnings.push_back(path + ":" + std::to_string(lineno) + ": line longer than --max-article-bytes (" +
                                     std::to_string(s_.opt->max_article_bytes) + "); line skipped");
                ++r.lines_skipped;
                continue;
            }
            std::string_view line = t.lines[k];
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
            std::string where = path + ":" + std::to_string(lineno);
            std::string fixed;
            if (!valid_utf8(line)) {
                // A line of Latin-1 (Windows-1252) is read as such, as a text
                // file is; UTF-8 with a few bad bytes has them replaced.
                std::size_t high = 0;
                if (auto converted = windows_1252_text(line, &high)) {
                    fixed = std::move(*converted);
                    r.warnings.push_back(where + ": not UTF-8 (" + std::to_string(high) +
                                         " bytes of 8 bits, mostly in no UTF-8 sequence): read as Windows-1252 (Latin-1)");
                } else {
                    std::size_t n = 0;
                    fixed = repair_utf8(line, &n);
                    r.warnings.push_back(where + ": " + std::to_string(n) + " invalid UTF-8 sequences replaced with U+FFFD");
                }
                line = fixed;
            }
            JsonlResult jr = parse_jsonl_article(line);
            if (!jr.ok) {
                r.warnings.push_back(where + ": " + jr.error + "; line skipped");
                ++r.lines_skipped;
                continue;
            }
            if (!jr.warning.empty()) r.warnings.push_back(where + ": " + jr.warning);
            Outcome o;
            o.id = jr.article.id;
            o.file = &f;
            o.line = lineno;
            if (s_.opt->shard_count > 1 && shard_of(o.id, s_.opt->shard_count) != s_.opt->shard_index) continue;
            const ArticleRecord* prev = old(o.id);
            o.existed = prev != nullptr;
            o.old_passages = prev ? prev->passages : 0;
            // Without a url, the article is shown as FILE:LINE: the same line
            // moved up or down the file, or the file found under another
            // name, is analysed again, so that its passages say where it is.
            std::string hash = jr.article.path.empty()
                                   ? hex64(fnv1a64(line, fnv1a64(std::string(f.display()) + ":" + std::to_string(lineno) + ":")))
                                   : hex64(fnv1a64(line));
            o.record.hash = hash;
            o.record.source = key;
            o.record.via = via;
            o.record.line = static_cast<unsigned>(lineno);
            if (prev && !s_.force && prev->hash == hash && prev->source == key) {
                o.record = *prev;
                // (A record that says otherwise where the file was found, or
                // on which line, is written again.)
                o.type = prev->via == via && prev->line == lineno ? Outcome::Unchanged : Outcome::Touched;
                o.record.via = via;
                o.record.line = static_cast<unsigned>(lineno);
                r.outcomes.push_back(std::move(o));
                continue;
            }
            Decoded d = decode_text(jr.article.text);
            if (!d.ok) {
                // As for a text file that cannot be read: what was indexed stays.
                r.warnings.push_back(where + ": text is " + d.reason + "; skipped" +
                                     (prev ? " (the indexed version is kept)" : ""));
                if (prev) r.read_again = &f;
                keep(o, prev);
                r.outcomes.push_back(std::move(o));
                continue;
            }
            jr.article.text = std::move(d.text);
            if (jr.article.path.empty()) jr.article.path = std::string(f.display()) + ":" + std::to_string(lineno);
            build(jr.article, o, r);
            r.outcomes.push_back(std::move(o));
        }
    }

    const Shared& s_;
    DocumentBuilder builder_;
};

/// Runs tasks on worker threads and hands results to the caller in task order,
/// with a bounded number in flight (memory stays flat however large the corpus).
class Pipeline {
  public:
    Pipeline(const Shared& shared, unsigned threads, std::size_t window)
        : shared_(shared), window_(window) {
        for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
    }
    ~Pipeline() { stop(); }

    /// Blocks while too many tasks are in flight.
    void push(Task t) {
        std::unique_lock lk(m_);
        space_.wait(lk, [&] { return next_seq_ - next_out_ < window_ || aborted_; });
        if (aborted_) return;
        queue_.emplace_back(next_seq_++, std::move(t));
        work_cv_.notify_one();
    }
    void close() {
        std::lock_guard lk(m_);
        closed_ = true;
        work_cv_.notify_all();
        done_cv_.notify_all();  // the consumer may be waiting for a result that will never come
    }
    /// The next result in order; false when all are done.
    bool pop(TaskResult* out) {
        std::unique_lock lk(m_);
        done_cv_.wait(lk, [&] { return results_.count(next_out_) || (closed_ && next_out_ == next_seq_) || error_; });
        if (error_) std::rethrow_exception(error_);
        auto it = results_.find(next_out_);
        if (it == results_.end()) return false;
        *out = std::move(it->second);
        results_.erase(it);
        ++next_out_;
        space_.notify_all();
        return true;
    }
    void stop() {
        {
            std::lock_guard lk(m_);
            aborted_ = true;
            closed_ = true;
            work_cv_.notify_all();
            space_.notify_all();
            done_cv_.notify_all();
        }
        for (auto& w : workers_)
            if (w.joinable()) w.join();
        workers_.clear();
    }

  private:
    void work() {
        try {
            Worker w(shared_);
            for (;;) {
                std::pair<std::size_t, Task> job;
                {
                    std::unique_lock lk(m_);
                    work_cv_.wait(lk, [&] { return !queue_.empty() || closed_; });
                    if (queue_.empty() || aborted_) return;
                    job = std::move(queue_.front());
                    queue_.pop_front();
                }
                TaskResult r = w.run(job.second);
                std::lock_guard lk(m_);
                results_.emplace(job.first, std::move(r));
                done_cv_.notify_all();
            }
        } catch (...) {
            std::lock_guard lk(m_);
            if (!error_) error_ = std::current_exception();
            done_cv_.notify_all();
        }
    }

    const Shared& shared_;
    std::size_t window_;
    std::mutex m_;
    std::condition_variable work_cv_, done_cv_, space_;
    std::deque<std::pair<std::size_t, Task>> queue_;
    std::map<std::size_t, TaskResult> results_;
    std::size_t next_seq_ = 0, next_out_ = 0;
    bool closed_ = false, aborted_ = false;
    std::exception_ptr error_;
    std::vector<std::thread> workers_;
};

int parse_options(int argc, char** argv, Options& opt) {
    po::options_description desc;
    std::string shard;
    unsigned max_bytes = 0;
    desc.add_options()
        ("help,h", "show this help and exit")
        ("db,d", po::value<std::string>(&opt.db), "index folder (default: $QANAT_DB, else .qanat/index)")
        ("rebuild", po::bool_switch(&opt.rebuild), "start over: build a new index and replace the old one when done (not if a file fails to be read part way, or one the old index has articles from cannot be opened: the old one then stays)")
        ("actors", po::value<std::vector<std::string>>(&opt.actor_files)->composing(),
         "actor list (TSV: name, kind, aliases separated by |); repeatable; added to any actors.tsv found")
        ("max-passage-bytes", po::value<unsigned>(&max_bytes)->default_value(1500),
         "split paragraphs longer than this at sentence boundaries (200 to 1000000)")
        ("language", po::value<std::string>(&opt.analysis.language)->default_value("english"),
         "stemming language (Snowball name, or none)")
        ("threads,j", po::value<unsigned>(&opt.threads)->default_value(0), "analysis threads (0: one per core; at most 256)")
        ("max-article-bytes", po::value<std::uint64_t>(&opt.max_article_bytes)->default_value(kDefaultMaxArticleBytes),
         "index only the first part of larger files, reading no further; skip JSONL lines longer than this "
         "(warnings name them)")
        ("flush-every", po::value<unsigned>(&opt.flush_every)->default_value(kDefaultFlushEvery),
         "N: a new index is written out every N passages per writing thread; memory grows about 4 KiB a passage "
         "with N (Xapian's XAPIAN_FLUSH_THRESHOLD, default 10000, applies too; 0: only that)")
        ("follow-symlinks", po::bool_switch(&opt.follow_symlinks), "follow symlinks that lead outside the folder given")
        ("shard", po::value<std::string>(&shard), "I/N: index only the articles of shard I of N (0-based, by a hash of the id)")
        ("shards", po::value<unsigned>(&opt.shards)->default_value(0),
         "N: write N shards in one run, as DB/shard-0 ... DB/shard-N-1 with a stub DB/XAPIANDB that opens them as one "
         "(with --rebuild: a new folder of N shards, swapped in for the index or shards at DB when done; at most 256; "
         "0 and 1: one index, no shards)")
        ("quiet,q", po::bool_switch(&opt.quiet), "no progress and no summary (warnings are still shown)");
    po::options_description hidden;
    hidden.add_options()("path", po::value<std::vector<std::string>>(&opt.paths)->composing(), "");
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description pos;
    pos.add("path", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "qanat-index: " << e.what() << "\nTry 'qanat-index --help'.\n";
        return kExitError;
    }
    if (vm.count("help")) {
        print_help(desc);
        return -1;
    }
    if (opt.db.empty()) opt.db = default_db();
    // "idx/" (as a shell completes it) is "idx": the new index is swapped in
    // by renaming, which a trailing slash made fail. A symlink is followed:
    // the index it leads to is the one updated or replaced (a rebuild put a
    // folder in the link's place and left the real index as it was).
    while (opt.db.size() > 1 && opt.db.back() == '/') opt.db.pop_back();
    {
        std::error_code ec;
        // "." or "idx/.": the folder itself, named (the new index is built
        // beside it, under its name).
        const std::string last = fs::path(opt.db).filename().string();
        if (last == "." || last == "..") {
            fs::path p = fs::absolute(opt.db, ec).lexically_normal();
            if (!p.has_filename()) p = p.parent_path();
            if (!ec) opt.db = p.string();
        }
        // A symlink, followed: to an index, or to where one is to be
        // created (a link to a folder not made yet).
        for (int hops = 0; hops < 40 && fs::is_symlink(opt.db, ec); ++hops) {
            const fs::path target = fs::read_symlink(opt.db, ec);
            if (ec) break;
            const fs::path next = target.is_absolute() ? target : fs::path(opt.db).parent_path() / target;
            const fs::path real = fs::weakly_canonical(next, ec);
            if (ec) break;  // (a loop: Xapian says so when it opens it)
            opt.db = real.string();
        }
        while (opt.db.size() > 1 && opt.db.back() == '/') opt.db.pop_back();
    }
    if (opt.paths.empty()) opt.paths.push_back(default_corpus());
    if (max_bytes < 200 || max_bytes > 1000000) {
        std::cerr << "qanat-index: --max-passage-bytes must be between 200 and 1000000\n";
        return kExitError;
    }
    opt.passages.max_bytes = max_bytes;
    if (!shard.empty()) {
        unsigned i = 0, n = 0;
        char slash = 0;
        std::istringstream ss(shard);
        if (!(ss >> i >> slash >> n) || slash != '/' || n == 0 || i >= n || !ss.eof()) {
            std::cerr << "qanat-index: --shard expects I/N with 0 <= I < N, e.g. --shard 0/3\n";
            return kExitError;
        }
        opt.shard_index = i;
        opt.shard_count = n;
    }
    if (opt.threads > 256 || opt.shards > 256) {
        std::cerr << "qanat-index: " << (opt.threads > 256 ? "--threads" : "--shards") << " is at most 256\n";
        return kExitError;
    }
    if (opt.threads == 0) opt.threads = std::max(1u, std::thread::hardware_concurrency());
    if (opt.shards > 1 && opt.shard_count > 1) {
        std::cerr << "qanat-index: --shard and --shards do not go together\n";
        return kExitError;
    }
    if (opt.db.rfind("tcp://", 0) == 0) {
        std::cerr << "qanat-index: --db '" << opt.db << "' names a part served by xapian-tcpsrv; qanat-index "
                  << "writes an index folder: run it where that part is served, with the part's folder as --db\n";
        return kExitError;
    }
    if (opt.shard_count > 1 && opt.rebuild) {  // (a shard is always updated in place)
        std::cerr << "qanat-index: --rebuild with --shard: remove the shard's index and index again\n";
        return kExitError;
    }
    opt.progress = !opt.quiet && ::isatty(STDERR_FILENO);
    return kExitOk;
}

/// "1 passage", "2 passages".
std::string count_of(std::uint64_t n, const char* noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string fmt_seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", s);
    return buf;
}

/// Folders left by a --rebuild that was killed (db.rebuild-PID, db.old-PID
/// whose process is gone) are removed.
void remove_stale_rebuilds(const std::string& db) {
    fs::path p(db);
    fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::string base = p.filename().string();
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        for (std::string tag : {".rebuild-", ".old-"}) {
            if (name.rfind(base + tag, 0) != 0) continue;
            std::string pid = name.substr(base.size() + tag.size());
            if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
            pid_t id = static_cast<pid_t>(std::stol(pid));
            if (id == ::getpid() || (::kill(id, 0) == 0 || errno == EPERM)) continue;  // still running
            fs::remove_all(e.path(), ec);
        }
    }
}

/// Where this run writes.
struct Layout {
    std::vector<std::string> parts;  ///< one writer each
    bool by_hash = false;            ///< articles go to parts by a hash of their id (shards)
    bool merge = false;              ///< parts are merged into `merged` at the end (a new index)
    std::string work;                ///< folder of a new index being built, swapped in at the end
    std::string merged;
    std::optional<Xapian::WritableDatabase> guard;  ///< holds the lock of the index being replaced
    std::vector<Xapian::WritableDatabase> guards;   ///< those of the shards being replaced (--rebuild --shards)
    std::string stub;                ///< XAPIANDB stub listing the shards
    bool replaces = false;           ///< the new index replaces a qanat index at --db
};

/// The folders an article's file was in and is in now, when the same
/// article is found at `now`, where the two paths differ only in the folders
/// above their common end ("/a/proj/articles/1.txt" and
/// "/a/proj2/articles/1.txt": "/a/proj" and "/a/proj2"); empty if they share
/// no end, or the old folder is still there.
std::pair<std::string, std::string> moved_from(const std::string& was, const std::string& now) {
    fs::path w(was), n(now);
    bool common = false;
    while (w.has_filename() && n.has_filename() && w.filename() == n.filename() && w.has_parent_path() &&
           n.has_parent_path() && w != w.parent_path()) {
        w = w.parent_path();
        n = n.parent_path();
        common = true;
    }
    std::error_code ec;
    if (!common || w.empty() || w == n || w == w.root_path() || fs::exists(w, ec) || ec) return {};
    return {w.string(), n.string()};
}

enum class Existing { Missing, Empty, Qanat, Foreign };

Existing existing_index(const std::string& path) {
    if (!fs::exists(path)) return Existing::Missing;
    try {
        Xapian::Database db(path);
        if (!db.get_metadata(std::string(schema::kMetaSchema)).empty()) return Existing::Qanat;
        return db.get_doccount() == 0 ? Existing::Empty : Existing::Foreign;
    } catch (const Xapian::DatabaseNotFoundError&) {
        return fs::is_directory(path) && fs::is_empty(path) ? Existing::Missing : Existing::Foreign;
    } catch (const Xapian::Error&) {
        return Existing::Foreign;
    }
}

/// A file name a Xapian index (and qanat's facet table) is made of.
bool index_file_name(const std::string& name) {
    return name == "flintlock" || name == "iamglass" || name == "v.tmp" || name == "XAPIANDB" ||
           (name.size() > 6 && name.compare(name.size() - 6, 6, ".glass") == 0) ||
           name.rfind(std::string(schema::kFacetTableFile), 0) == 0;
}

/// The folder holds only what an index is made of: a damaged index may be
/// replaced, a folder of other files not.
bool only_index_files(const std::string& path);

/// A folder of --shards parts holds its stub and its shard folders only.
bool only_shard_files(const std::string& path) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(path, ec)) {
        const std::string name = e.path().filename().string();
        if (name == "XAPIANDB" || name == "XAPIANDB.tmp") continue;
        const bool shard = name.rfind("shard-", 0) == 0 && name.size() > 6 &&
                           name.find_first_not_of("0123456789", 6) == std::string::npos;
        if (!shard || !e.is_directory(ec) || !only_index_files(e.path().string())) return false;
    }
    return !ec;
}

bool only_index_files(const std::string& path) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) return false;
    for (const auto& e : fs::directory_iterator(path, ec))
        if (!index_file_name(e.path().filename().string()) || !e.is_regular_file(ec)) return false;
    return !ec;
}

/// No article path lies inside the index folder: a rebuild would remove it.
void check_sources_outside(const Options& opt) {
    std::error_code ec;
    const fs::path db = fs::weakly_canonical(opt.db, ec);
    if (ec) return;
    for (const auto& p : opt.paths) {
        const fs::path src = fs::weakly_canonical(p, ec);
        if (ec) continue;
        auto d = db.begin(), s = src.begin();
        while (d != db.end() && s != src.end() && *d == *s) ++d, ++s;
        if (d == db.end())
            throw IndexError("the articles at '" + p + "' are inside the index folder '" + opt.db +
                             "': give the index a folder of its own (--db)");
    }
}

void make_parent(const std::string& path) {
    if (fs::path parent = fs::path(path).parent_path(); !parent.empty()) {
        std::error_code ec;
        fs::create_directories(parent, ec);
        if (ec) throw IndexError("cannot create the index folder '" + path + "': " + ec.message());
    }
}

/// The index a first build creates at --db to hold its lock while the new
/// index is built aside (nothing was there before): removed if the run fails.
std::string g_placeholder;
bool g_placeholder_folder_was_there = false;  ///< an empty folder given as --db stays
/// Held while the placeholder, the work folder (g_work) or the index (g_db)
/// change: a stop by a signal (stop_on_signals) reads them.
std::mutex g_stop_mutex;
/// Set (under g_stop_mutex) once the run's changes are in place: a signal
/// after that lets the run end as it would.
bool g_committed = false;

/// Removes the placeholder index of a failed first build: its files, and
/// its folder unless that was there before (empty).
void remove_placeholder() {
    if (g_placeholder.empty()) return;
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(g_placeholder, ec))
        if (index_file_name(e.path().filename().string()) && e.is_regular_file(ec)) files.push_back(e.path());
    for (const auto& f : files) fs::remove(f, ec);
    if (!g_placeholder_folder_was_there) fs::remove(g_placeholder, ec);  // only if now empty
    g_placeholder.clear();
}

std::vector<std::string> local_databases(const std::string& db);

/// Whether another process holds Xapian's write lock on the index at db
/// (its flintlock file): a first build holds it from its first moment, while
/// what the folder holds does not yet say that it is an index.
bool locked_by_another(const std::string& db) {
    const std::string file = (fs::path(db) / "flintlock").string();
    const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    const bool held = ::fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    ::close(fd);
    return held;
}

/// What is at `path`, once another run creating an index there has taken
/// its lock: Xapian makes the folder and the lock file before it locks it
/// and writes the index's files, and a run that looked in that moment took
/// the half-made index for a damaged one ("not a qanat index") instead of
/// saying it is locked. Waits at most about 0.5 s, only for a folder that
/// has no "iamglass" yet.
Existing settled_index(const std::string& path) {
    Existing ex = existing_index(path);
    std::error_code ec;
    for (int tries = 0; tries < 50 && ex == Existing::Foreign && !fs::exists(fs::path(path) / "iamglass", ec) &&
                        !locked_by_another(path);
         ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ex = existing_index(path);
    }
    // Still no lock and no "iamglass": a first run killed while Xapian was
    // making its placeholder left Xapian's files alone (no index was ever
    // committed there). It was refused as a damaged index, and the searcher
    // said to create one: the files go, and this is a first run.
    // (Only what a new empty index is made of: no table over 64 KiB and no
    // facet table. An index that lost its "iamglass" holds more, and stays
    // refused as damaged: --rebuild replaces it.)
    auto placeholder_only = [&] {
        for (const auto& e : fs::directory_iterator(path, ec)) {
            const std::string name = e.path().filename().string();
            if (name.rfind(std::string(schema::kFacetTableFile), 0) == 0) return false;
            if (e.is_regular_file(ec) && e.file_size(ec) > 65536) return false;
        }
        return !ec;
    };
    if (ex == Existing::Foreign && !fs::exists(fs::path(path) / "iamglass", ec) && only_index_files(path) &&
        placeholder_only() && !locked_by_another(path)) {
        for (const auto& e : fs::directory_iterator(path, ec)) fs::remove(e.path(), ec);
        if (!ec && fs::is_empty(path, ec)) return Existing::Missing;
    }
    return ex;
}

/// Never a folder of the user's files: --rebuild replaced (and removed)
/// whatever --db named, the articles being indexed included.
IndexError holds_other_files(const std::string& db) {
    // (A first build that began a moment ago has not made its index whole yet.)
    if (locked_by_another(db)) return locked_error(db);
    return IndexError("'" + db + "' is not a qanat index (it holds other files); qanat will not write there or "
                      "replace it: use another --db");
}

/// Why a new index cannot be built beside db and swapped in by a rename
/// (its folder is a mount point, or the folder it is in cannot be written);
/// "" if it can.
std::string cannot_swap(const std::string& db) {
    fs::path p = fs::absolute(db).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
    const fs::path parent = p.parent_path();
    struct stat here {}, up {};
    if (::stat(p.c_str(), &here) == 0 && ::stat(parent.c_str(), &up) == 0 && here.st_dev != up.st_dev)
        return "'" + db + "' is a mount point";
    struct statx sx {};  // a bind mount has its parent's device
    if (::statx(AT_FDCWD, p.c_str(), 0, STATX_BASIC_STATS, &sx) == 0 && (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
        (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
        return "'" + db + "' is a mount point";
    // (Swapped, the folder a shell stands in would be a removed one.)
    std::error_code ec;
    const fs::path cwd = fs::current_path(ec), real = fs::weakly_canonical(p, ec);
    if (!cwd.empty() && !real.empty()) {
        const auto [a, b] = std::mismatch(real.begin(), real.end(), cwd.begin(), cwd.end());
        if (a == real.end()) return "'" + db + "' is the current folder, or holds it";
    }
    if (::access(parent.c_str(), W_OK | X_OK) != 0)
        return "the folder it is in, '" + parent.string() + "', cannot be written (" + std::strerror(errno) + ")";
    return "";
}

Layout plan_layout(const Options& opt) {
    Layout l;
    check_sources_outside(opt);
    make_parent(opt.db);
    if (locked_by_another(opt.db))
        throw locked_error(opt.db);
    const std::string no_swap = cannot_swap(opt.db);
    if (opt.rebuild && !no_swap.empty())
        throw IndexError("--rebuild builds the new index beside '" + opt.db + "' and swaps it in, but " + no_swap +
                         ": remove the index and run again without --rebuild, or give a --db in a folder qanat-index "
                         "can write");
    {
        // A folder of --shards parts, or an index of its own: one is not
        // written into the other (Xapian opens a folder's index before its
        // stub, so either hid the other, and the run said nothing).
        std::error_code ec;
        const bool stub_folder = fs::is_regular_file(fs::path(opt.db) / "XAPIANDB", ec);
        const bool own_index = fs::exists(fs::path(opt.db) / "iamglass", ec);
        // (An empty index is the place a first build held: one killed left it.)
        if (opt.shards > 1 && own_index && !opt.rebuild && existing_index(opt.db) != Existing::Empty)
            throw IndexError("'" + opt.db + "' holds an index of its own, not a folder of shards; --shards " +
                             std::to_string(opt.shards) + " writes a folder of parts: give it another --db, or " +
                             "--rebuild to replace it with shards");
        if (opt.shards <= 1 && stub_folder && !own_index && !opt.rebuild)
            throw IndexError("'" + opt.db + "' is a folder of shards (written with --shards N); update it with the "
                             "same --shards N, --rebuild it into one index, or give " +
                             std::string(opt.shard_count > 1 ? "this shard" : "this index") + " another --db");
    }
    if (opt.shards > 1) {
        // A folder of shards and a stub that lets qanat-search open them as one.
        std::error_code ec;
        std::string dir = opt.db;
        const Existing there = existing_index(opt.db);
        const bool stub_there = fs::is_regular_file(fs::path(opt.db) / "XAPIANDB", ec);
        // Not a folder of shards yet: nothing, an empty index (a first build
        // killed), or what a first build left before its index was whole.
        if (!stub_there && there == Existing::Foreign && !only_index_files(opt.db)) throw holds_other_files(opt.db);
        const bool first = !stub_there && no_swap.empty();
        if (opt.rebuild || first) {
            // A new folder of shards built beside the old index (or folder
            // of shards), holding their locks, then swapped in whole; a first
            // build too, so that its memory stays bounded as a new index's
            // does (written in place, it was one transaction: 1.2 GiB at
            // Reuters 10x).
            const bool stub_folder = fs::is_regular_file(fs::path(opt.db) / "XAPIANDB", ec);
            const Existing ex = stub_folder ? Existing::Qanat : settled_index(opt.db);
            if ((ex == Existing::Foreign && !only_index_files(opt.db)) || (stub_folder && !only_shard_files(opt.db)))
                throw holds_other_files(opt.db);
            if (ex == Existing::Qanat) {
                for (const auto& part : local_databases(opt.db)) {
                    try {
                        l.guards.push_back(open_for_writing(part, Xapian::DB_OPEN));
                    } catch (const Xapian::Error&) {
                        // A damaged or missing shard is replaced all the same.
                    }
                }
            } else {
                // Nothing there yet (or what a first build killed left): an
                // empty index holds the place (and its lock) until the swap,
                // as for one index. Another run holding it is refused here.
                g_placeholder_folder_was_there = fs::exists(opt.db);
                try {
                    l.guard = open_for_writing(opt.db, Xapian::DB_CREATE_OR_OPEN);
                } catch (const Xapian::Error&) {
                    if (ex == Existing::Missing) throw;  // (a damaged one is replaced all the same)
                }
                if (ex == Existing::Missing) {
                    std::lock_guard<std::mutex> lock(g_stop_mutex);
                    g_placeholder = opt.db;
                }
            }
            l.replaces = ex == Existing::Qanat;
            l.work = opt.db + ".rebuild-" + std::to_string(::getpid());
            fs::remove_all(l.work, ec);
            dir = l.work;
            l.merged = l.work;  // (swapped in whole)
        }
        fs::create_directories(dir, ec);
        if (ec) throw IndexError("cannot create the shard folder '" + dir + "': " + ec.message());
        for (unsigned i = 0; i < opt.shards; ++i) l.parts.push_back((fs::path(dir) / ("shard-" + std::to_string(i))).string());
        l.by_hash = true;
        l.stub = (fs::path(dir) / "XAPIANDB").string();
        return l;
    }
    Existing ex = settled_index(opt.db);
    if (ex == Existing::Foreign && !only_index_files(opt.db)) throw holds_other_files(opt.db);
    if (ex == Existing::Foreign && !opt.rebuild) {
        if (locked_by_another(opt.db))
            throw locked_error(opt.db);
        throw IndexError("'" + opt.db + "' is not a qanat index (or is damaged); use another --db, or --rebuild "
                         "to replace it");
    }
    bool fresh = opt.rebuild || ex != Existing::Qanat;
    // A first build where a new index cannot be swapped in (a mount point)
    // is written in place, in one transaction.
    if (!fresh || !no_swap.empty()) {
        l.parts.push_back(opt.db);  // updated in place, in one transaction
        return l;
    }
    // A new index: built beside the final place (holding its lock), in parallel
    // parts merged by Xapian's compaction, then swapped in.
    g_placeholder_folder_was_there = fs::exists(opt.db);
    try {
        l.guard = open_for_writing(opt.db, ex == Existing::Missing ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN);
    } catch (const Xapian::Error&) {
        // A damaged index is replaced all the same.
    }
    l.replaces = ex == Existing::Qanat;
    if (ex == Existing::Missing) {  // made by the guard: goes if the run fails
        std::lock_guard<std::mutex> lock(g_stop_mutex);
        g_placeholder = opt.db;
    }
    l.work = opt.db + ".rebuild-" + std::to_string(::getpid());
    {
        std::error_code ec;
        fs::remove_all(l.work, ec);
        fs::create_directories(l.work, ec);
        if (ec) {
            const fs::path parent = fs::path(opt.db).parent_path();
            throw IndexError("a new index is built beside the old one, in '" + l.work + "', and swapped in: cannot "
                             "create it (" + ec.message() + "); qanat-index needs to write in '" +
                             (parent.empty() ? std::string(".") : parent.string()) + "' too");
        }
    }
    unsigned n = std::max(1u, std::min(opt.threads, 4u));
    if (n == 1) {
        l.parts.push_back((fs::path(l.work) / "index").string());
    } else {
        for (unsigned i = 0; i < n; ++i) l.parts.push_back((fs::path(l.work) / ("part-" + std::to_string(i))).string());
        l.merge = true;
    }
    l.merged = (fs::path(l.work) / "index").string();
    return l;
}

/// The folder a new index is being built in, until it is put in place (see
/// plan_layout), and the index it replaces.
std::string g_work, g_db;

/// Removes a new index's work folder without throwing. A writing thread may
/// still be creating files in it as it goes (a failed run ends while the
/// other threads run), so it tries a few times; what stays, the next run
/// removes (remove_stale_rebuilds).
void remove_work(const std::string& work) {
    for (int tries = 0; tries < 20 && !work.empty(); ++tries) {
        std::error_code ec;
        fs::remove_all(work, ec);
        if (!fs::exists(work, ec)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

/// What a failed build of a new index leaves: nothing but the old index. With
/// the space left on the disk, a full disk being the usual cause (and Xapian's
/// own message not always naming it).
std::string unfinished(const std::string& db) {
    std::string s = "the new index was not finished";
    fs::path dir = fs::path(db).parent_path();
    std::error_code ec;
    const fs::space_info sp = fs::space(dir.empty() ? fs::path(".") : dir, ec);
    if (!ec) s += " (" + std::to_string(sp.available >> 20) + " MiB free on its disk)";
    if (!g_placeholder.empty()) return s + "; there is no index at '" + db + "'";
    return s + "; the index at '" + db + "' is as it was";
}

/// What a failed update in place leaves: the index as the last run left it
/// (its transaction is not committed), with the space left on its disk, a
/// full disk being the usual cause ("Modifications failed ..., and couldn't
/// open at the old revision: Error writing to file" said nothing of it, and
/// sounded worse than it was).
std::string update_unfinished(const std::string& db) {
    std::string s = "the update was not written";
    std::error_code ec;
    const fs::space_info sp = fs::space(fs::exists(db, ec) ? fs::path(db) : fs::path("."), ec);
    if (!ec) s += " (" + std::to_string(sp.available >> 20) + " MiB free on its disk)";
    return s + "; the index at '" + db + "' is as the last run left it";
}

/// What a failed run says (after "qanat-index: ") for the exception e.
std::string message_of(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const Xapian::Error& x) {
        if (g_work.empty() && !g_db.empty() && g_placeholder.empty())
            return "index error: " + x.get_description() + "; " + update_unfinished(g_db);
        return "index error: " + x.get_description();
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "internal error";
    }
}

/// Xapian can end the process when writing fails half-way (seen on a full
/// disk): its exception meets one of its own functions that may not throw,
/// and std::terminate is called. The run then ends as a failed run does: a
/// message, exit status 2, no work folder left, the index as it was.
[[noreturn]] void on_terminate() {
    const std::exception_ptr e = std::current_exception();
    std::string what = e ? message_of(e) : "internal error";
    if (!g_work.empty()) {
        what += "; " + unfinished(g_db);
        remove_work(g_work);
    }
    remove_placeholder();
    std::fprintf(stderr, "qanat-index: %s\n", what.c_str());
    std::_Exit(kExitError);
}

/// Stores the facet table searchers load (see store_facet_table); a failure
/// costs searches some speed, not results, and is only a warning.
void keep_facet_table(const std::string& path, std::vector<std::string>& warnings, bool unchanged = false) {
    try {
        store_facet_table(path, unchanged);
    } catch (const Xapian::Error& e) {
        warnings.push_back("facet table not stored in " + path + " (searches build it themselves): " + e.get_description());
    } catch (const std::runtime_error& e) {
        warnings.push_back("facet table not stored in " + path + " (searches build it themselves): " + e.what());
    }
}

/// Writes every file under `dir` (and the folders) to the disk: an index
/// written without Xapian's syncs, before it is swapped in.
void sync_files(const std::string& dir) {
    auto sync_one = [](const fs::path& p, bool folder) {
        const int fd = ::open(p.c_str(), (folder ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ::fsync(fd) != 0) {
            const int err = errno;
            if (fd >= 0) ::close(fd);
            throw IndexError("cannot write '" + p.string() + "' to the disk: " + std::strerror(err) +
                             " (the index there is as it was)");
        }
        ::close(fd);
    };
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() || e.is_directory()) sync_one(e.path(), e.is_directory());
    sync_one(dir, true);
}

/// Puts the new index at `fresh` in place of the one at `db`, in one step:
/// readers, and a run killed at any moment, find either the old index or the
/// new one at db, never none. The old one is left at `fresh`.
void swap_in(const std::string& fresh, const std::string& db) {
    if (!fs::exists(db)) {
        fs::rename(fresh, db);
        return;
    }
    if (::renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, db.c_str(), RENAME_EXCHANGE) == 0) return;
    if (errno != EINVAL && errno != ENOSYS)
        throw IndexError("cannot put the new index in place of '" + db + "': " + std::strerror(errno) +
                         " (the index there is as it was)");
    // A file system without the exchange: two renames, the old index put back
    // if the second fails.
    const std::string old = fresh + ".old";
    fs::rename(db, old);
    try {
        fs::rename(fresh, db);
    } catch (...) {
        std::error_code ec;
        fs::rename(old, db, ec);
        throw;
    }
    fs::rename(old, fresh);
}

/// After a successful commit: merge the parts, swap a new index in, write the
/// stub; one local index also gets its facet table (the one it had, when
/// `unchanged`: no passage written or removed, and that table held before).
void finish_layout(Layout& l, const Options& opt, std::vector<std::string>& warnings, bool unchanged) {
    if (!l.stub.empty()) {
        std::ofstream stub(l.stub + ".tmp");
        for (const auto& p : l.parts) stub << "auto " << fs::path(p).filename().string() << "\n";
        stub.close();
        if (!stub) throw IndexError("cannot write " + l.stub);
        fs::rename(l.stub + ".tmp", l.stub);
    }
    const bool one_local = l.stub.empty() && opt.shard_count <= 1;  // shards are searched without the table
    if (l.work.empty()) {
        if (one_local) keep_facet_table(opt.db, warnings, unchanged);
        return;
    }
    if (l.merge) {
        Xapian::Database all;
        for (const auto& p : l.parts) all.add_database(Xapian::Database(p));
        all.compact(l.merged);
    }
    if (one_local) keep_facet_table(l.merged, warnings);  // before readers can see the new index
    if (!l.merge) sync_files(l.merged);  // (compaction syncs what it writes)
    // From here the index at --db is the new one (or, if the swap fails half
    // way, the place is being handed over): nothing there is removed any more.
    {
        std::lock_guard<std::mutex> lock(g_stop_mutex);
        g_placeholder.clear();
        swap_in(l.merged, opt.db);
        g_work.clear();
        g_committed = true;
    }
    // The old index's locks are let go only now: another indexer that took
    // them between their release and the swap wrote into what was then
    // thrown away.
    l.guard.reset();
    l.guards.clear();
    std::error_code ec;  // the old index too, now at l.merged; what stays, the next run removes
    fs::remove_all(l.work, ec);
}

/// The local databases of the index at db: its shards, for a folder of
/// shards (a stub), else itself.
std::vector<std::string> local_databases(const std::string& db) {
    const fs::path stub = fs::path(db) / "XAPIANDB";
    std::error_code ec;
    if (!fs::is_regular_file(stub, ec)) return {db};
    std::vector<std::string> out;
    std::ifstream in(stub);
    std::string type, path;
    while (in >> type && std::getline(in >> std::ws, path))
        if (type != "remote") out.push_back((fs::path(db) / path).string());
    return out;
}

/// What the index at db has articles from, by their records, among the
/// files that could not be opened and the folders that could not be read.
/// (A damaged index that cannot be read has none to lose.)
struct NotRead {
    std::vector<std::string> files, folders;  ///< paths; keys
};
NotRead not_read_with_articles(const std::string& db, const std::vector<Unopened>& unopened,
                               const std::vector<std::string>& unread) {
    NotRead out;
    if (unopened.empty() && unread.empty()) return out;
    std::unordered_map<std::string, std::string> files;  // key -> path
    for (const auto& u : unopened) files.emplace(u.key, u.path);
    std::unordered_set<std::string> folders(unread.begin(), unread.end());
    const std::string prefix(schema::kMetaArticlePrefix);
    for (const auto& path : local_databases(db)) {
        try {
            const Xapian::Database old(path);
            for (auto it = old.metadata_keys_begin(prefix);
                 it != old.metadata_keys_end(prefix) && !(files.empty() && folders.empty()); ++it) {
                const ArticleRecord rec = ArticleRecord::parse(old.get_metadata(*it));
                if (auto f = files.find(rec.source); f != files.end()) {
                    out.files.push_back(f->second);
                    files.erase(f);
                    continue;
                }
                const std::string& at = rec.found_at();
                for (auto d = folders.begin(); d != folders.end(); ++d)
                    if (under_root(at, *d)) {
                        out.folders.push_back(*d);
                        folders.erase(d);
                        break;
                    }
            }
        } catch (const Xapian::Error&) {
        }
    }
    return out;
}

/// Rethrows the exception being handled; a Xapian error met while a new
/// index was built aside also says what was left (see unfinished()).
[[noreturn]] void rethrow_aside(const Layout& l, const std::string& db) {
    try {
        throw;
    } catch (const Xapian::Error&) {
        if (l.work.empty()) throw;
        throw IndexError(message_of(std::current_exception()) + "; " + unfinished(db));
    }
}

/// After a failure: nothing written stays.
void abandon(Writers& w, Layout& l) {
    try {
        w.finish();
    } catch (...) {
    }
    w.cancel_all();
    remove_work(l.work);
}

/// The article ids met in this run, each with where it was first met (to
/// name it when the same id comes again). A run keeps this for every
/// article, so it is small: a text file's id is its name's, found among the
/// walk's files through a list of their places sorted by id (4 bytes a text
/// file, and a bit for "met"); an id from a JSONL line is kept as bytes, with
/// a hash, its file's place and its line (about 40 bytes).
class IdsSeen {
  public:
    explicit IdsSeen(const std::vector<SourceFile>& files) : files_(files), met_(files.size()) {
        for (std::size_t i = 0; i < files.size(); ++i)
            if (files[i].type() == SourceType::Text) by_id_.push_back(static_cast<std::uint32_t>(i));
        // (By place within one id: the first in the walk comes first.)
        std::sort(by_id_.begin(), by_id_.end(), [&](std::uint32_t a, std::uint32_t b) {
            const std::string_view ia = files[a].id_view(), ib = files[b].id_view();
            return ia != ib ? ia < ib : a < b;
        });
    }

    /// Records id as met in file (at line, for JSONL); if it was met before,
    /// returns where.
    std::optional<std::pair<const SourceFile*, std::size_t>> add(const std::string& id, const SourceFile* file,
                                                                 std::size_t line) {
        if (auto t = text_met(id)) return std::pair{&files_[*t], std::size_t{0}};
        index_.make_room(entries_.size(), [&](std::size_t n) { return entries_[n].hash; });
        const std::uint64_t h = fnv1a64(id);
        const std::size_t i = slot(id, h);
        if (index_.taken(i)) {
            const Entry& e = entries_[index_.entry(i)];
            return std::pair{&files_[e.file], static_cast<std::size_t>(e.line)};
        }
        const std::size_t place = static_cast<std::size_t>(file - files_.data());
        if (file->type() == SourceType::Text && file->id_view() == id) {
            met_[place] = true;
            return std::nullopt;
        }
        // (ids are far shorter than 4 GiB: JSONL lines are read whole)
        entries_.push_back(Entry{h, line, static_cast<std::uint32_t>(place), static_cast<std::uint32_t>(id.size()), ids_.size()});
        ids_ += id;
        index_.put(i, entries_.size() - 1);
        return std::nullopt;
    }

    bool contains(const std::string& id) const {
        return text_met(id) || (!index_.empty() && index_.taken(slot(id, fnv1a64(id))));
    }

    void clear() {
        by_id_ = {};
        met_ = {};
        entries_ = {};
        index_.clear();
        ids_ = {};
    }

  private:
    struct Entry {
        std::uint64_t hash;
        std::uint64_t line;     ///< the JSONL line
        std::uint32_t file;     ///< place in the walk's files
        std::uint32_t id_size;  ///< the id's bytes in ids_, from id_at
        std::uint64_t id_at;
    };
    /// The place of the text file named id that was met, if one was.
    std::optional<std::size_t> text_met(std::string_view id) const {
        auto it = std::lower_bound(by_id_.begin(), by_id_.end(), id,
                                   [&](std::uint32_t f, std::string_view v) { return files_[f].id_view() < v; });
        for (; it != by_id_.end() && files_[*it].id_view() == id; ++it)
            if (met_[*it]) return *it;
        return std::nullopt;
    }
    /// The slot that holds id (hash h), or the free slot where it would go.
    std::size_t slot(const std::string& id, std::uint64_t h) const {
        return index_.find(h, [&](std::size_t n) {
            const Entry& e = entries_[n];
            return e.hash == h && e.id_size == id.size() && std::string_view(ids_).substr(e.id_at, e.id_size) == id;
        });
    }

    const std::vector<SourceFile>& files_;
    std::vector<std::uint32_t> by_id_;  ///< places of the text files, by id
    std::vector<bool> met_;             ///< by place: the text file's id was met
    std::deque<Entry> entries_;         ///< JSONL ids, in the order met (a deque: grows without copying)
    SlotIndex index_;                   ///< the entries by hash
    std::string ids_;                   ///< JSONL ids, one after another
};

/// jemalloc's control call, where the program is linked with it (null otherwise).
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp, std::size_t newlen)
    __attribute__((weak));

/// Gives the pages of memory freed so far back to the system. The walk's
/// scratch (hashes, orders, the list as it grew) is freed before the analysis
/// starts; the allocator would otherwise keep its pages for some seconds, on
/// top of the analysis and the writers' buffers, and they would make the
/// run's peak grow with the number of files.
void release_free_memory() {
    if (mallctl)
        mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);  // 4096: MALLCTL_ARENAS_ALL
    else
        ::malloc_trim(0);
}

struct Counts {
    std::size_t added = 0, changed = 0, unchanged = 0, removed = 0, skipped = 0, passages = 0, duplicates = 0;
};

int run(const Options& opt) {
    const auto started = std::chrono::steady_clock::now();
    // Actors: actors.tsv of the folders given, then --actors files.
    WalkResult walked = walk(opt.paths, WalkOptions{opt.follow_symlinks});
    Gazetteer gazetteer;
    std::vector<std::string> actor_files = walked.actor_files;
    actor_files.insert(actor_files.end(), opt.actor_files.begin(), opt.actor_files.end());
    for (const auto& f : actor_files) {
        // Read whole or not at all: a list cut short by a read error would
        // analyse every article again with the wrong names.
        std::string text, err;
        bool truncated = false, io_error = false;
        if (!read_file(f, UINT64_MAX, &text, &err, &truncated, &io_error)) {
            std::cerr << "qanat-index: " << f << ": actor list: " << err << "\n";
            return kExitError;
        }
        // (Saved as UTF-16, "Unicode text" in Excel, or as Windows-1252: read
        // as such, as an article is. It was "name is not valid UTF-8".)
        if (Decoded d = decode_text(text); d.ok && d.text != text) {
            for (const auto& n : d.notes) walked.warnings.push_back(f + ": actor list: " + n);
            text = std::move(d.text);
        }
        try {
            gazetteer.load_tsv(text, f, &walked.warnings);
        } catch (const GazetteerError& e) {
            std::cerr << "qanat-index: " << e.what() << "\n";
            return kExitError;
        }
    }

    std::vector<std::string> warnings = walked.warnings;
    for (const auto& w : warnings) std::cerr << "qanat-index: warning: " << w << "\n";

    remove_stale_rebuilds(opt.db);
    IndexSettings settings{opt.analysis, opt.passages, gazetteer.serialise(), opt.max_article_bytes};
    Layout layout = plan_layout(opt);
    {
        std::lock_guard<std::mutex> lock(g_stop_mutex);
        g_work = layout.work;
        g_db = opt.db;
    }
    // An index updated in place whose facet table holds keeps it if no passage changes.
    const bool table_held = layout.work.empty() && layout.stub.empty() && opt.shard_count <= 1 && facet_table_current(opt.db);
    // A new index built aside needs no transaction (it is swapped in whole), and
    // parts merged by compaction need neither sync nor copy-on-write (they are
    // thrown away after the merge, or whole if the run fails): memory stays
    // flat however large the corpus, and nothing is synced twice.
    // Shards built aside are the same: they are synced once, before the swap
    // (sync_files), not at each of their commits.
    WriteMode mode;
    mode.transaction = layout.work.empty();
    mode.sync = layout.work.empty();
    mode.in_place = !layout.work.empty();
    mode.flush_every = opt.flush_every;
    if (layout.merge) mode.roll_every = kRollEvery;
    // Which articles each part holds: shard i of --shards N, the --shard
    // given, or all of them.
    std::vector<std::string> shards;
    for (std::size_t i = 0; i < layout.parts.size(); ++i)
        shards.push_back(layout.by_hash                ? std::to_string(i) + "/" + std::to_string(layout.parts.size())
                         : opt.shard_count > 1 ? std::to_string(opt.shard_index) + "/" + std::to_string(opt.shard_count)
                                               : std::string("all"));
    if (layout.by_hash) {
        // (Random, so that two runs never share one.)
        std::random_device rd;
        mode.run = hex64((static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
                         static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    }
    Writers writers(layout.parts, settings, mode, shards);
    Shared shared;
    shared.opt = &opt;
    shared.gazetteer = &gazetteer;
    std::string what_changed;  // (for the message)
    for (std::size_t i = 0; i < writers.size(); ++i) {
        writers.at(i).each_record([&](std::string&& id, ArticleRecord&& rec) {
            shared.records.emplace(std::move(id), std::move(rec));
        });
        shared.force = shared.force || writers.at(i).settings_changed();
        if (what_changed.empty()) what_changed = writers.at(i).what_changed();
    }
    if (layout.by_hash && !opt.quiet)
        for (std::size_t i = 1; i < writers.size(); ++i)
            if (writers.at(i).stored_run() != writers.at(0).stored_run()) {
                std::cerr << "qanat-index: the shards were left by different runs (one stopped between the shards' "
                             "commits): this run brings them together again\n";
                break;
            }
    if (shared.force)
        for (std::size_t i = 0; i < writers.size(); ++i) writers.at(i).clear_spelling();
    if (shared.force && !opt.quiet)
        std::cerr << "qanat-index: " << what_changed << " changed since the index was written; every article is "
                     "analysed again"
                  << (layout.work.empty() && opt.shard_count <= 1
                          ? " (in place; --rebuild, which writes a new index aside, is about four times faster)"
                          : "")
                  << "\n";

    // JSONL files that are unchanged (same size and time) keep all their
    // articles: the size and time each JSONL file of this run had, and its
    // ids (a text file's source is its own, and needs no list).
    std::unordered_map<std::string, ArticleRecord> jsonl_stats;
    std::unordered_set<std::string> jsonl_keys;
    for (const auto& f : walked.files) {
        if (f.type() != SourceType::Jsonl) continue;
        std::string key = f.key();
        if (auto rec = writers.at(0).file_record(key)) jsonl_stats.emplace(key, *rec);
        jsonl_keys.insert(std::move(key));
    }
    // The index's JSONL files: those not found this run under a folder given
    // lose their record (see the removal of articles below).
    std::vector<ArticleRecord> file_records;
    writers.at(0).each_file_record([&](ArticleRecord&& rec) {
        if (!jsonl_keys.count(rec.source)) file_records.push_back(std::move(rec));
    });
    for (const auto& [id, rec] : shared.records)
        if (jsonl_keys.count(rec.source)) shared.ids_by_source[rec.source].push_back(id);
    for (auto& [src, ids] : shared.ids_by_source) std::sort(ids.begin(), ids.end());
    // Which part an article goes to: by a hash of its id for shards, in turn
    // for the parts of a new index (merged at the end).
    std::size_t turn = 0;
    auto part_of = [&](const std::string& id) -> std::size_t {
        if (writers.size() == 1) return 0;
        if (layout.by_hash) return shard_of(id, static_cast<unsigned>(writers.size()));
        return turn++ % writers.size();
    };
    writers.start();

    Progress progress(opt.progress);
    Counts counts;
    counts.skipped = walked.skipped;  // (symlinks not followed and the like, said above)
    IdsSeen seen(walked.files);
    // Folders the index's articles were found in that are gone and whose
    // articles this run found elsewhere (a project folder moved or renamed):
    // see the removal of articles below.
    // Counted here: how many of a gone folder's articles were found again in
    // each new place; judged below against all the folder's articles.
    std::map<std::string, std::map<std::string, std::size_t>> moved_to;  // old folder -> new folder -> articles
    release_free_memory();  // (the walk's scratch, before the analysis needs memory)
    bool had_warnings = !walked.warnings.empty();

    Pipeline pipe(shared, opt.threads, opt.threads * 4 + 4);
    std::exception_ptr producer_error;
    std::thread producer([&] {
        try {
            // Text files go a few at a time: most of an unchanged run's files
            // need only a lookup, and a task each costs more in handing over.
            Task texts;
            std::uint64_t text_bytes = 0;
            auto send_texts = [&] {
                if (!texts.file) return;
                pipe.push(std::move(texts));
                texts = Task{};
                text_bytes = 0;
            };
            for (const auto& f : walked.files) {
                if (f.type() == SourceType::Text) {
                    if (!texts.file) {
                        texts.file = &f;
                        texts.texts = 0;
                    }
                    ++texts.texts;
                    texts.stats.push_back(stat_of(f.path()));
                    text_bytes += texts.stats.back().size;
                    if (texts.texts >= kTextsPerTask || text_bytes >= kTextBytesPerTask) send_texts();
                    continue;
                }
                send_texts();
                const FileStat now = stat_of(f.path());
                const std::string key = f.key();
                auto st = jsonl_stats.find(key);
                if (!shared.force && now.ok && st != jsonl_stats.end() && st->second.size == now.size &&
                    st->second.mtime_ns == now.mtime_ns && st->second.ctime_ns == now.ctime_ns &&
                    st->second.via == f.via(key)) {
                    Task t;
                    t.file = &f;
                    t.jsonl_unchanged = true;
                    pipe.push(std::move(t));
                    continue;
                }
                const FileDescriptor file(::open(f.path().c_str(), O_RDONLY | O_CLOEXEC));
                const int fd = file.fd;
                if (fd < 0) {
                    Task t;  // unreadable: what was indexed is kept
                    t.file = &f;
                    t.read_error = std::string("cannot read (") + std::strerror(errno) + ")";
                    pipe.push(std::move(t));
                    continue;
                }
                // UTF-16 (as PowerShell's "> file" writes it): every line was
                // "not valid JSON". Said once; what was indexed is kept.
                if (char bom[2]; ::pread(fd, bom, 2, 0) == 2 && ((bom[0] == '\xFF' && bom[1] == '\xFE') ||
                                                                  (bom[0] == '\xFE' && bom[1] == '\xFF'))) {
                    Task t;
                    t.file = &f;
                    t.read_error = "JSONL in UTF-16, not UTF-8: convert it (iconv -f UTF-16 -t UTF-8 FILE > NEW.jsonl)";
                    pipe.push(std::move(t));
                    continue;
                }
                // Read in blocks; a line is kept up to --max-article-bytes (and
                // a '\r' ending it), and a longer one is read no further (the
                // worker says so).
                const std::uint64_t keep = opt.max_article_bytes < UINT64_MAX ? opt.max_article_bytes + 1
                                                                              : opt.max_article_bytes;
                std::string line;
                bool too_long = false;
                Task t;
                t.file = &f;
                t.first_line = 1;
                std::size_t lineno = 0, bytes = 0;
                auto end_line = [&] {
                    ++lineno;
                    if (!too_long && line.size() > opt.max_article_bytes && line.back() != '\r') {
                        too_long = true;
                        line = std::string();
                    }
                    if (too_long) t.too_long.push_back(t.lines.size());
                    bytes += line.size();
                    t.lines.push_back(std::move(line));
                    line = std::string();
                    too_long = false;
                    if (t.lines.size() >= kChunkLines || bytes >= kChunkBytes) {
                        pipe.push(std::move(t));
                        t = Task{};
                        t.file = &f;
                        t.first_line = lineno + 1;
                        bytes = 0;
                    }
                };
                std::vector<char> block(1u << 16);
                int read_errno = 0;
                for (;;) {
                    const ssize_t got = ::read(fd, block.data(), block.size());
                    if (got < 0 && errno == EINTR) continue;
                    if (got < 0) read_errno = errno;
                    if (got <= 0) break;
                    const char* p = block.data();
                    const char* const end = p + got;
                    while (p < end) {
                        const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
                        const char* stop = nl ? nl : end;
                        const auto take = static_cast<std::size_t>(stop - p);
                        if (!too_long && line.size() + take > keep) {
                            too_long = true;
                            line = std::string();
                        }
                        if (!too_long) line.append(p, take);
                        if (!nl) break;
                        end_line();
                        p = nl + 1;
                    }
                }
                if (read_errno) {
                    // The lines read whole are indexed; the one the error cut
                    // is not. The articles not read are kept as they were, and
                    // the file's record is dropped, so that the next run reads
                    // it again (the main thread sees to both).
                    if (!t.lines.empty()) pipe.push(std::move(t));
                    Task failed;
                    failed.file = &f;
                    failed.read_error = "read error after line " + std::to_string(lineno) + " (" +
                                        std::strerror(read_errno) + ")";
                    failed.io_error = true;
                    pipe.push(std::move(failed));
                    continue;
                }
                if (!line.empty() || too_long) end_line();  // a last line without its newline
                if (!t.lines.empty()) pipe.push(std::move(t));
                // A marker task records the file's size and time once all its lines are in.
                Task done;
                done.file = &f;
                done.first_line = 0;
                done.stats.push_back(now);
                pipe.push(std::move(done));
            }
            send_texts();
        } catch (...) {
            producer_error = std::current_exception();
        }
        pipe.close();
    });

    std::size_t files_done = 0;
    std::unordered_set<std::string> failed_sources;  ///< JSONL files not read to their end
    std::unordered_set<std::string> with_duplicates;  ///< JSONL files with an article left out as a duplicate, or kept as it was: read again next run
    std::vector<std::string> read_errors;            ///< files whose reading failed part way
    std::vector<Unopened> unopened;                  ///< files that could not be opened
    try {
        TaskResult r;
        while (pipe.pop(&r)) {
            for (auto& w : r.warnings) {
                std::cerr << (opt.progress ? "\r\x1b[K" : "") << "qanat-index: warning: " << w << "\n";
                had_warnings = true;
            }
            read_errors.insert(read_errors.end(), r.read_errors.begin(), r.read_errors.end());
            if (layout.replaces) unopened.insert(unopened.end(), r.unopened.begin(), r.unopened.end());
            if (r.jsonl_failed) {
                // Its articles not read are kept at the end (an id met in a
                // later file is that file's); its record is dropped, so that
                // the next run reads it again.
                const std::string key = r.jsonl_failed->key();
                writers.forget_file_record_everywhere(key);
                failed_sources.insert(key);
            }
            if (r.jsonl_done) {
                ArticleRecord fr;
                fr.size = r.jsonl_stat.size;
                fr.mtime_ns = r.jsonl_stat.mtime_ns;
                fr.ctime_ns = r.jsonl_stat.ctime_ns;
                fr.source = r.jsonl_done->key();
                fr.via = r.jsonl_done->via(fr.source);
                // (Without its size and time, from a stat() that failed, or
                // with an article left out as a duplicate, the file is read
                // again next run.)
                for (std::size_t i = 0; i < writers.size(); ++i) {
                    if (r.jsonl_stat.ok && !with_duplicates.count(fr.source)) writers.set_file_record(i, fr.source, fr);
                    else writers.forget_file_record(i, fr.source);
                }
            }
            for (auto& o : r.outcomes) {
                if (auto first = seen.add(o.id, o.file, o.line)) {
                    Outcome earlier;
                    earlier.file = first->first;
                    earlier.line = first->second;
                    std::cerr << "qanat-index: warning: " << o.where() << ": duplicate id '" << o.id
                              << "' (first at " << earlier.where() << "); skipped\n";
                    had_warnings = true;
                    ++counts.skipped;
                    // Its file is read again next run, whatever its size and
                    // time: the article left out is indexed once the first
                    // one is gone.
                    if (o.file && o.file->type() == SourceType::Jsonl) {
                        const std::string key = o.file->key();
                        if (with_duplicates.insert(key).second)
                            writers.forget_file_record_everywhere(key);
                    }
                    continue;
                }
                // An id now from another file: the JSONL file it came from may
                // still hold it (left out as a duplicate from now on), so that
                // file is read again at its next run.
                if (o.existed && (o.type == Outcome::Indexed || o.type == Outcome::Touched))
                    if (auto p = shared.records.find(o.id);
                        p != shared.records.end() && p->second.source != o.record.source && !p->second.source.empty()) {
                        writers.forget_file_record_everywhere(p->second.source);
                        // Two folders indexed one after the other, each with a
                        // "1.txt": the second replaced the first without a word.
                        std::error_code ec;
                        if (fs::exists(p->second.source, ec)) {
                            // What to do depends on how the two met.
                            const fs::path was(p->second.source), now(o.record.source);
                            const bool jsonl = (o.file && o.file->type() == SourceType::Jsonl) ||
                                               was.extension() == ".jsonl";
                            std::string advice;
                            if (jsonl)
                                advice = "give one of them another id";
                            else if (was.parent_path() == now.parent_path())
                                advice = "two files of one folder differ only in their extension: rename one";
                            else
                                advice = "ids are paths relative to the folder given: index such folders together, "
                                         "or from their common parent";
                            std::cerr << "qanat-index: warning: " << o.where() << ": article id '" << o.id
                                      << "' was " << p->second.source << ", which is still there; replaced ("
                                      << advice << ")\n";
                            had_warnings = true;
                        } else if (const auto [from, to] = moved_from(p->second.found_at(), o.record.found_at());
                                   !from.empty()) {
                            ++moved_to[from][to];
                        }
                    }
                switch (o.type) {
                case Outcome::Indexed:
                    writers.put(part_of(o.id), o.id, o.record, std::move(o.built.documents),
                                std::move(o.built.spelling));
                    // A file with no text to index (warned) is recorded, not
                    // added; if it had passages, they are removed.
                    // (One that had none before is added.)
                    (o.built.passages == 0 ? (o.old_passages ? counts.removed : counts.skipped)
                     : o.old_passages      ? counts.changed
                                           : counts.added)++;
                    counts.passages += o.built.passages;
                    counts.duplicates += o.built.duplicates;
                    break;
                case Outcome::Touched:
                    writers.touch(part_of(o.id), o.id, o.record);
                    // (An article with no text to index is still skipped.)
                    ++(o.record.passages == 0 ? counts.skipped : counts.unchanged);
                    break;
                case Outcome::Unchanged: ++(o.record.passages == 0 ? counts.skipped : counts.unchanged); break;
                case Outcome::Skipped: ++counts.skipped; break;
                }
            }
            counts.skipped += r.lines_skipped;
            if (r.read_again && with_duplicates.insert(r.read_again->key()).second)
                writers.forget_file_record_everywhere(r.read_again->key());
            files_done += r.files;
            progress.update(files_done, walked.files.size(), counts.added + counts.changed + counts.unchanged,
                            counts.passages);
        }
    } catch (...) {
        pipe.stop();
        producer.join();
        abandon(writers, layout);
        rethrow_aside(layout, opt.db);
    }
    producer.join();
    if (producer_error) {
        abandon(writers, layout);
        try {
            std::rethrow_exception(producer_error);
        } catch (...) {
            rethrow_aside(layout, opt.db);
        }
    }

    // A new index that would replace one is not put in place without the
    // articles of files it could not read: the old index has them.
    const NotRead lost = layout.replaces ? not_read_with_articles(opt.db, unopened, walked.unread) : NotRead();
    if (layout.replaces && (walked.incomplete || !read_errors.empty() || !lost.files.empty() || !lost.folders.empty())) {
        abandon(writers, layout);
        std::string what;
        // "N files <happened> (the first, and others)", joined with ", and ".
        const auto add = [&what](const std::vector<std::string>& v, const char* noun, const char* happened) {
            if (v.empty()) return;
            what += (what.empty() ? "" : ", and ") + count_of(v.size(), noun) + " " + happened + " (" + v.front() +
                    (v.size() > 1 ? " and others" : "") + ")";
        };
        add(read_errors, "file", "could not be read to the end");
        add(lost.files, "file", "with articles in the index could not be opened");
        add(lost.folders, "folder", "with articles in the index could not be read");
        if (walked.incomplete) what += (what.empty() ? "" : ", and ") + std::string("a folder could not be read to its end");
        throw IndexError(what + "; see the warnings. The new index would lack articles the old one has, so the " +
                         "index at '" + opt.db + "' is as it was: build it again once they can be read");
    }

    // Articles whose files are gone from the folders given are removed. An
    // article is judged by where its file was found (a symlink's own path,
    // else the file's): those indexed from other folders stay. Kept as not
    // read instead (see Worker::keep): an article of a file not read to its
    // end, of a folder that could not be read (at all, or to its end), or
    // found through a symlink leading outside that this run did not follow.
    // In a run that analyses everything again, every article it does not
    // analyse is marked to be analysed at its next run.
    std::vector<std::string> roots;  // (a file given: where it was given)
    for (const auto& r : walked.roots) roots.push_back(r.is_dir ? r.canonical : r.at);
    const std::unordered_set<std::string> unfollowed(walked.unfollowed.begin(), walked.unfollowed.end());
    const auto under_any = [](const std::string& at, const std::vector<std::string>& folders) {
        return std::any_of(folders.begin(), folders.end(), [&](const std::string& f) { return under_root(at, f); });
    };
    // (Not for a JSONL file this run read or kept: it was there to read.)
    const auto not_read = [&](const ArticleRecord& rec) {
        if (walked.incomplete) return true;
        if (jsonl_keys.count(rec.source)) return false;
        return (!rec.via.empty() && unfollowed.count(rec.via) > 0) ||
               under_any(rec.found_at(), walked.unread);
    };
    // A folder is taken as moved when it is gone and at least half of its
    // articles were found again in one new place: one id met by chance
    // elsewhere (a folder on a drive not mounted now, another folder with a
    // "1.txt") is no move, and the folder's articles stay.
    std::map<std::string, std::string> moved_roots;  // old folder -> new folder
    std::map<std::string, std::size_t> removed_after_move;  // (said after the removal)
    for (const auto& [from, places] : moved_to) {
        const auto best = std::max_element(places.begin(), places.end(),
                                           [](const auto& x, const auto& y) { return x.second < y.second; });
        const std::size_t all = static_cast<std::size_t>(std::count_if(
            shared.records.begin(), shared.records.end(), [&](const auto& r) { return under_root(r.second.found_at(), from); }));
        if (best->second * 2 >= all) moved_roots.emplace(from, best->first);
    }
    if (walked.incomplete)
        std::cerr << "qanat-index: warning: a folder could not be read to its end: no article is removed this run\n";
    for (const auto& [id, rec] : shared.records) {
        if (seen.contains(id)) continue;
        if (opt.shard_count > 1 && shard_of(id, opt.shard_count) != opt.shard_index) continue;
        const std::string& at = rec.found_at();
        // (A JSONL file of this run is judged wherever a symlink to it led.)
        const bool failed = failed_sources.count(rec.source) > 0;
        // (An article of a folder moved into one given, whose file is gone
        // from both places: this run's to remove. It stayed for good.)
        std::error_code gone_ec;
        const auto moved = std::find_if(moved_roots.begin(), moved_roots.end(),
                                        [&](const auto& m) { return under_root(at, m.first); });
        const bool moved_away = moved != moved_roots.end() && !fs::exists(at, gone_ec) && !gone_ec &&
                                !under_any(at, roots);
        if (moved_away) ++removed_after_move[moved->first];
        if (!failed && !jsonl_keys.count(rec.source) && !under_any(at, roots) && !moved_away) {
            if (shared.force) writers.touch(layout.by_hash ? part_of(id) : 0, id, stale(rec));
            continue;  // indexed from elsewhere: not this run's to judge
        }
        if (failed || not_read(rec)) {
            if (shared.force) writers.touch(layout.by_hash ? part_of(id) : 0, id, stale(rec));
            ++counts.unchanged;
            continue;
        }
        // A file made a symlink to a file indexed under its own name: its
        // article goes, said. (A symlink the walk did not follow, or a FIFO,
        // the walk has said already.)
        {
            std::error_code ec;
            if (rec.via.empty() && !jsonl_keys.count(rec.source) && fs::is_symlink(rec.source, ec) &&
                !unfollowed.count(rec.source) && fs::is_regular_file(rec.source, ec)) {
                std::cerr << "qanat-index: warning: " << rec.source << ": still there, but a symlink to a file "
                          << "indexed under its own name now: its article '" << id << "' is removed\n";
                had_warnings = true;
            }
        }
        writers.remove(layout.by_hash ? part_of(id) : 0, id);
        // (A file that never had text to index, gone: nothing left the index.)
        if (rec.passages > 0) ++counts.removed;
    }
    if (!opt.quiet)
        for (const auto& [from, n] : removed_after_move)
            std::cerr << "qanat-index: " << from << " is gone and its articles are found in " << moved_roots.at(from)
                      << ": " << n << (n == 1 ? " article" : " articles")
                      << " whose files are in neither place removed\n";
    // A JSONL file gone from a folder given loses its record, as its articles
    // were removed: put back with the same size and time, it is read again.
    // So does every JSONL file not read in a run that analyses everything
    // again: its articles were not.
    for (const auto& rec : file_records) {
        const std::string& at = rec.found_at();
        if (shared.force || (under_any(at, roots) && !not_read(rec)))
            writers.forget_file_record_everywhere(rec.source);
    }
    file_records = {};
    // What the run kept per article and per file is not needed from here on:
    // the commit, the merge and the facet table have the memory.
    shared.records = {};
    shared.ids_by_source = {};
    seen.clear();
    walked.files = std::vector<SourceFile>();
    walked.names = NameStore();
    try {
        writers.finish();
    } catch (...) {
        abandon(writers, layout);
        rethrow_aside(layout, opt.db);
    }
    Xapian::doccount total = writers.passage_count();
    try {
        // (A signal waits for the commits: shards committed in part would
        // be left out of step.)
        std::lock_guard<std::mutex> lock(g_stop_mutex);
        writers.commit_all(layout.merge);
        if (layout.merge) layout.parts = writers.files();
        if (layout.work.empty()) g_committed = true;  // updated in place: done
    } catch (...) {
        abandon(writers, layout);
        rethrow_aside(layout, opt.db);
    }
    std::vector<std::string> late;
    try {
        finish_layout(layout, opt, late, table_held && counts.added == 0 && counts.changed == 0 && counts.removed == 0);
    } catch (...) {
        remove_work(g_work);  // a merge that failed (a full disk): the index is as it was
        if (g_work.empty()) throw;
        rethrow_aside(layout, opt.db);
    }
    progress.clear();
    for (const auto& w : late) {
        std::cerr << "qanat-index: warning: " << w << "\n";
        had_warnings = true;
    }
    if (!opt.quiet) {
        std::cerr << "qanat-index: " << counts.added << " added, " << counts.changed << " changed, " << counts.unchanged
                  << " unchanged, " << counts.removed << " removed, " << counts.skipped << " skipped; "
                  << count_of(counts.passages, "passage") << " written ("
                  << count_of(counts.duplicates, "repeated block") << " left out); " << count_of(total, "passage")
                  << " in " << opt.db << "; "
                  << fmt_seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count())
                  << " s\n";
    }
    return had_warnings ? kExitWarnings : kExitOk;
}

}  // namespace

/// SIGINT, SIGTERM and SIGHUP end the run as a failed run does: what it
/// built aside is removed (it was left for the next run, a build's size on
/// the disk), so is a first build's placeholder (searches said a build was
/// running), and the index stays as it was. Taken by a thread of their own
/// (sigwait), not in a handler: removing folders is no work for one.
void stop_on_signals() {
    sigset_t set;
    sigemptyset(&set);
    bool any = false;
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        // One ignored from the start stays ignored (nohup, "cmd &" in a script).
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaddset(&set, sig);
        any = true;
    }
    if (!any || ::pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return;  // (before any other thread: they inherit it)
    std::thread([set] {
        int sig = 0;
        std::unique_lock<std::mutex> lock(g_stop_mutex, std::defer_lock);
        for (;;) {
            if (::sigwait(&set, &sig) != 0) return;
            lock.lock();
            if (!g_committed) break;  // (held from here to the end)
            lock.unlock();  // the index is written: the run ends in a moment, as it would
        }
        std::string what = std::string("stopped by ") + (sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
        if (!g_work.empty()) {
            what += "; " + unfinished(g_db);
            remove_work(g_work);
        } else if (!g_db.empty()) {
            what += "; " + update_unfinished(g_db);
        }
        remove_placeholder();
        std::fprintf(stderr, "qanat-index: %s\n", what.c_str());
        std::_Exit(128 + sig);
    }).detach();
}

int index_main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    std::set_terminate(on_terminate);
    stop_on_signals();
    Options opt;
    int rc = parse_options(argc, argv, opt);
    if (rc == -1) return kExitOk;
    if (rc != kExitOk) return rc;
    int status = kExitError;
    try {
        status = run(opt);
    } catch (...) {
        std::cerr << "qanat-index: " << message_of(std::current_exception()) << "\n";
    }
    if (status == kExitError) {
        std::lock_guard<std::mutex> lock(g_stop_mutex);
        remove_placeholder();  // (the run's lock is released by now)
    }
    return status;
}

}  // namespace qanat::indexer
