// The Xapian writers of one indexing run: one index, or several parts each
// written by a thread of its own (Xapian writes one database from one thread).
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "index_writer.h"

namespace qanat::indexer {

class Writers {
  public:
    /// Opens (creating if needed) an IndexWriter at each path.
    /// `shards[i]`, where given, is the articles part i holds (WriteMode::shard).
    Writers(const std::vector<std::string>& paths, const IndexSettings& settings, WriteMode mode = {},
            const std::vector<std::string>& shards = {});
    ~Writers();
    Writers(const Writers&) = delete;
    Writers& operator=(const Writers&) = delete;

    std::size_t size() const { return parts_.size(); }
    /// Direct access, only before start() or after finish().
    IndexWriter& at(std::size_t i) { return *parts_[i]->writer; }

    /// Starts one thread per part; from then on use the queueing calls below.
    void start();
    void put(std::size_t part, std::string id, ArticleRecord rec, std::vector<Xapian::Document> docs,
             std::vector<std::pair<std::string, unsigned>> spelling);
    void touch(std::size_t part, std::string id, ArticleRecord rec);
    void remove(std::size_t part, std::string id);
    void set_file_record(std::size_t part, std::string key, ArticleRecord rec);
    void forget_file_record(std::size_t part, std::string key);
    /// forget_file_record in every part.
    void forget_file_record_everywhere(const std::string& key);
    /// Waits until every queued change is written; rethrows a writer's error.
    void finish();

    Xapian::doccount passage_count() const;
    /// Every part's databases, part by part, in order (WriteMode::roll_every):
    /// what a merge takes, after commit_all().
    std::vector<std::string> files() const;
    /// Commits every part, in parallel. With split_spelling (parts that
    /// compaction merges), each spelling word is written by one part only,
    /// chosen by a hash of the word: the parts write their shares of the
    /// spelling table in parallel, and no word's fragments are made twice.
    void commit_all(bool split_spelling = false);
    void cancel_all();

  private:
    struct Put {
        std::string id;
        ArticleRecord rec;
        std::vector<Xapian::Document> docs;
        std::vector<std::pair<std::string, unsigned>> spelling;
    };
    struct Touch {
        std::string id;
        ArticleRecord rec;
    };
    struct Remove {
        std::string id;
    };
    struct FileRecord {
        std::string key;
        ArticleRecord rec;
        bool forget = false;  ///< drop the record instead
    };
    using Op = std::variant<Put, Touch, Remove, FileRecord>;

    struct Part {
        std::unique_ptr<IndexWriter> writer;
        std::mutex m;
        std::condition_variable cv;
        std::deque<Op> ops;
        std::size_t queued_docs = 0;
        bool closing = false;
        std::exception_ptr error;
        std::thread thread;
    };

    void enqueue(std::size_t part, Op op, std::size_t docs);
    void loop(Part& p);

    std::vector<std::unique_ptr<Part>> parts_;
    bool started_ = false;
};

}  // namespace qanat::indexer
