#include "writers.h"

namespace qanat::indexer {

namespace {
/// Documents waiting for one writer before the analysis waits for it.
constexpr std::size_t kMaxQueuedDocs = 1000;
}  // namespace

Writers::Writers(const std::vector<std::string>& paths, const IndexSettings& settings, WriteMode mode,
                 const std::vector<std::string>& shards) {
    for (std::size_t i = 0; i < paths.size(); ++i) {
        const std::string& p = paths[i];
        if (i < shards.size()) mode.shard = shards[i];
        auto part = std::make_unique<Part>();
        part->writer = std::make_unique<IndexWriter>(p, settings, mode);
        parts_.push_back(std::move(part));
    }
}

Writers::~Writers() {
    if (started_) {
        for (auto& p : parts_) {
            {
                std::lock_guard lk(p->m);
                p->closing = true;
                p->ops.clear();
            }
            p->cv.notify_all();
        }
        for (auto& p : parts_)
            if (p->thread.joinable()) p->thread.join();
    }
}

void Writers::start() {
    started_ = true;
    for (auto& p : parts_) {
        Part* raw = p.get();
        p->thread = std::thread([this, raw] { loop(*raw); });
    }
}

void Writers::loop(Part& p) {
    for (;;) {
        Op op;
        std::size_t docs = 0;
        {
            std::unique_lock lk(p.m);
            p.cv.wait(lk, [&] { return !p.ops.empty() || p.closing; });
            if (p.ops.empty()) return;
            op = std::move(p.ops.front());
            p.ops.pop_front();
            if (auto* put = std::get_if<Put>(&op)) docs = put->docs.size();
        }
        try {
            if (!p.error) {
                std::visit(
                    [&](auto& o) {
                        using T = std::decay_t<decltype(o)>;
                        if constexpr (std::is_same_v<T, Put>) p.writer->put(o.id, o.rec, o.docs, o.spelling);
                        else if constexpr (std::is_same_v<T, Touch>) p.writer->touch(o.id, o.rec);
                        else if constexpr (std::is_same_v<T, Remove>) p.writer->remove(o.id);
                        else if (o.forget) p.writer->forget_file_record(o.key);
                        else p.writer->set_file_record(o.key, o.rec);
                    },
                    op);
            }
        } catch (...) {
            std::lock_guard lk(p.m);
            p.error = std::current_exception();
        }
        {
            std::lock_guard lk(p.m);
            p.queued_docs -= docs;
        }
        p.cv.notify_all();
    }
}

void Writers::enqueue(std::size_t part, Op op, std::size_t docs) {
    Part& p = *parts_.at(part);
    std::unique_lock lk(p.m);
    // Bounded: the analysis waits for a slow writer instead of filling memory.
    p.cv.wait(lk, [&] { return p.queued_docs < kMaxQueuedDocs || p.error; });
    if (p.error) std::rethrow_exception(p.error);
    p.queued_docs += docs;
    p.ops.push_back(std::move(op));
    lk.unlock();
    p.cv.notify_all();
}

void Writers::put(std::size_t part, std::string id, ArticleRecord rec, std::vector<Xapian::Document> docs,
                  std::vector<std::pair<std::string, unsigned>> spelling) {
    std::size_t n = docs.size();
    enqueue(part, Put{std::move(id), std::move(rec), std::move(docs), std::move(spelling)}, n);
}
void Writers::touch(std::size_t part, std::string id, ArticleRecord rec) {
    enqueue(part, Touch{std::move(id), std::move(rec)}, 0);
}
void Writers::remove(std::size_t part, std::string id) { enqueue(part, Remove{std::move(id)}, 0); }
void Writers::set_file_record(std::size_t part, std::string key, ArticleRecord rec) {
    enqueue(part, FileRecord{std::move(key), std::move(rec)}, 0);
}
void Writers::forget_file_record(std::size_t part, std::string key) {
    enqueue(part, FileRecord{std::move(key), ArticleRecord{}, true}, 0);
}

void Writers::forget_file_record_everywhere(const std::string& key) {
    for (std::size_t i = 0; i < parts_.size(); ++i) forget_file_record(i, key);
}

void Writers::finish() {
    if (!started_) return;
    for (auto& p : parts_) {
        {
            std::lock_guard lk(p->m);
            p->closing = true;
        }
        p->cv.notify_all();
    }
    for (auto& p : parts_)
        if (p->thread.joinable()) p->thread.join();
    started_ = false;
    for (auto& p : parts_)
        if (p->error) std::rethrow_exception(p->error);
}

Xapian::doccount Writers::passage_count() const {
    Xapian::doccount n = 0;
    for (const auto& p : parts_) n += p->writer->passage_count();
    return n;
}

std::vector<std::string> Writers::files() const {
    std::vector<std::string> all;
    for (const auto& p : parts_) {
        auto f = p->writer->files();
        all.insert(all.end(), f.begin(), f.end());
    }
    return all;
}

void Writers::commit_all(bool split_spelling) {
    // (A word only ever moves to the part of its share, so the order of the
    // exchanges does not matter.)
    if (split_spelling)
        for (std::size_t i = 0; i < parts_.size(); ++i)
            for (std::size_t j = 0; j < parts_.size(); ++j)
                if (j != i) parts_[i]->writer->take_spelling(*parts_[j]->writer, i, parts_.size());
    std::vector<std::exception_ptr> errors(parts_.size());
    std::vector<std::jthread> threads;  // joined however this ends
    for (std::size_t i = 1; i < parts_.size(); ++i)
        threads.emplace_back([&, i] {
            try {
                parts_[i]->writer->commit();
            } catch (...) {
                errors[i] = std::current_exception();
            }
        });
    try {
        if (!parts_.empty()) parts_[0]->writer->commit();
    } catch (...) {
        errors[0] = std::current_exception();
    }
    threads.clear();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

void Writers::cancel_all() {
    for (auto& p : parts_) p->writer->cancel();
}

}  // namespace qanat::indexer
