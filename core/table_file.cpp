#include "table_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <future>
#include <stdexcept>

#include "schema.h"

namespace qanat::table_file {

namespace {

constexpr std::size_t padded(std::size_t n) { return (n + 7) & ~std::size_t(7); }

/// Whether a file of `size` bytes is exactly h followed by its sections,
/// each padded to 8 bytes.
bool fits(const Header& h, std::size_t size) {
    std::uint64_t whole = sizeof h;
    for (std::uint64_t n : h.sections) {
        if (n > size) return false;
        whole += padded(n);
    }
    return whole == size;
}

/// Section i of a file laid out as `fits` checks, starting at base.
std::string_view section_at(const char* base, const Header& h, std::size_t i) {
    std::size_t at = sizeof h;
    for (std::size_t k = 0; k < i; ++k) at += padded(h.sections[k]);
    return {base + at, h.sections[i]};
}

std::uint64_t rotl(std::uint64_t v, int r) { return (v << r) | (v >> (64 - r)); }

/// Closes a descriptor on every way out.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

FileId id_of(const struct stat& st) {
    auto ns = [](const timespec& t) { return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec; };
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
            static_cast<std::uint64_t>(st.st_size), ns(st.st_mtim), ns(st.st_ctim)};
}

/// A table file opened for reading, with its size and header (and what
/// identifies it, when asked); false when it cannot be opened or is shorter
/// than a header.
bool open_file(const std::string& path, Fd& f, std::size_t& size, Header& h, FileId* id = nullptr) {
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (f.fd < 0 || ::fstat(f.fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Header))) return false;
    if (id) *id = id_of(st);
    size = static_cast<std::size_t>(st.st_size);
    return ::pread(f.fd, &h, sizeof h, 0) == static_cast<ssize_t>(sizeof h);
}

}  // namespace

Header Header::of(const Xapian::Database& db) {
    Header h;
    std::string uuid = db.get_uuid();
    std::memcpy(h.uuid, uuid.data(), std::min(uuid.size(), sizeof h.uuid - 1));
    h.revision = db.get_revision();
    h.last = db.get_lastdocid();
    h.docs = db.get_doccount();
    return h;
}

bool Header::describes(const Xapian::Database& db) const {
    Header now = of(db);
    return std::memcmp(magic, now.magic, sizeof magic) == 0 && format == kFormat && byte_order == now.byte_order &&
           std::memcmp(uuid, now.uuid, sizeof uuid) == 0 && revision == now.revision && last == now.last &&
           docs == now.docs;
}

std::string path_in(const std::string& db_path) {
    return (std::filesystem::path(db_path) / std::string(schema::kFacetTableFile)).string();
}

std::optional<FileId> file_id(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return id_of(st);
}

std::optional<Header> read_header(const std::string& path) {
    Fd f;
    std::size_t size = 0;
    Header h;
    if (!open_file(path, f, size, h)) return std::nullopt;
    return h;
}

bool holds(const std::string& path, const Xapian::Database& db) {
    auto h = read_header(path);
    return h && h->describes(db);
}

namespace {
constexpr std::uint64_t kMix = 0x9E3779B97F4A7C15ULL;

std::uint64_t word_at(const char* q) {
    std::uint64_t w;
    std::memcpy(&w, q, 8);
    return w;
}
}  // namespace

Checksum::Checksum(std::uint64_t seed)
    : lane_{seed ^ kMix, seed + 1, rotl(seed, 17) ^ 0xC2B2AE3D27D4EB4FULL, ~seed} {}

void Checksum::block(const char* p) {
    for (int i = 0; i < 4; ++i) lane_[i] = rotl((lane_[i] ^ word_at(p + 8 * i)) * kMix, 29);
}

void Checksum::add(std::string_view bytes) {
    if (bytes.empty()) return;  // (an empty view's data may be null)
    const char* p = bytes.data();
    std::size_t n = bytes.size();
    size_ += n;
    if (tail_size_ > 0) {
        std::size_t take = std::min(n, sizeof tail_ - tail_size_);
        std::memcpy(tail_ + tail_size_, p, take);
        tail_size_ += take;
        p += take;
        n -= take;
        if (tail_size_ < sizeof tail_) return;
        block(tail_);
        tail_size_ = 0;
    }
    for (; n >= sizeof tail_; p += sizeof tail_, n -= sizeof tail_) block(p);
    std::memcpy(tail_, p, n);
    tail_size_ = n;
}

std::uint64_t Checksum::value() const {
    std::uint64_t h = size_ * kMix;
    for (int i = 0; i < 4; ++i) h = rotl((h ^ lane_[i]) * kMix, 31);
    const char* p = tail_;
    std::size_t n = tail_size_;
    for (; n >= 8; p += 8, n -= 8) h = rotl((h ^ word_at(p)) * kMix, 29);
    for (; n > 0; ++p, --n) h = rotl((h ^ static_cast<unsigned char>(*p)) * kMix, 13);
    return h ^ (h >> 32);
}

std::uint64_t checksum(std::string_view bytes, std::uint64_t seed) {
    Checksum c(seed);
    c.add(bytes);
    return c.value();
}

namespace {
constexpr std::size_t kBuffer = 1u << 20;
}

Writer::Writer(const std::string& path) : path_(path), tmp_(path + ".tmp-" + std::to_string(::getpid())) {
    buffer_.reserve(kBuffer);
    buffer_.assign(sizeof(Header), '\0');  // written again at finish()
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("cannot create");
}

Writer::~Writer() {
    if (fd_ >= 0) ::close(fd_);
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

void Writer::fail(const char* what) {
    std::string e = std::strerror(errno);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    ::unlink(tmp_.c_str());
    const std::string tmp = std::move(tmp_);
    tmp_.clear();  // nothing left for the destructor to remove
    throw std::runtime_error(std::string(what) + " " + tmp + ": " + e);
}

void Writer::flush() {
    const char* c = buffer_.data();
    std::size_t n = buffer_.size();
    while (n > 0) {
        ssize_t w = ::write(fd_, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail("cannot write");
        c += w;
        n -= static_cast<std::size_t>(w);
    }
    buffer_.clear();
}

void Writer::add(std::string_view bytes) {
    sum_.add(bytes);
    size_ += bytes.size();
    while (!bytes.empty()) {
        std::size_t take = std::min(bytes.size(), kBuffer - buffer_.size());
        buffer_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        if (buffer_.size() == kBuffer) flush();
    }
}

bool Writer::add_from(int fd, std::uint64_t at, std::uint64_t size) {
    std::string chunk(static_cast<std::size_t>(std::min<std::uint64_t>(size, kBuffer)), '\0');
    while (size > 0) {
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, chunk.size()));
        ssize_t r = ::pread(fd, chunk.data(), want, static_cast<off_t>(at));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;  // unreadable, or shorter than its header says
        add(std::string_view(chunk.data(), static_cast<std::size_t>(r)));
        at += static_cast<std::uint64_t>(r);
        size -= static_cast<std::uint64_t>(r);
    }
    return true;
}

void Writer::end_section() {
    if (sizes_.size() >= std::size(Header{}.sections)) throw std::logic_error("table_file::Writer: too many sections");
    const char zeros[8] = {};
    buffer_.append(zeros, padded(size_) - size_);
    if (buffer_.size() >= kBuffer) flush();
    sizes_.push_back(size_);
    chained_ = sum_.value();
    sum_ = Checksum(chained_);
    size_ = 0;
}

void Writer::finish(Header h) {
    while (sizes_.size() < std::size(h.sections)) end_section();
    for (std::size_t i = 0; i < sizes_.size(); ++i) h.sections[i] = sizes_[i];
    h.sum = chained_;
    flush();
    ssize_t w = ::pwrite(fd_, &h, sizeof h, 0);
    if (w != static_cast<ssize_t>(sizeof h)) {
        if (w >= 0) errno = EIO;
        fail("cannot write");
    }
    if (::close(fd_) != 0) {
        fd_ = -1;
        fail("cannot write");
    }
    fd_ = -1;
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail("cannot rename");
    tmp_.clear();
}

void write(const std::string& path, Header h, const std::vector<std::string_view>& sections) {
    if (sections.size() > std::size(h.sections)) throw std::logic_error("table_file::write: too many sections");
    Writer w(path);
    for (auto s : sections) {
        w.add(s);
        w.end_section();
    }
    w.finish(h);
}

bool restamp(const std::string& path, const Xapian::Database& db) {
    Fd f;
    std::size_t size = 0;
    Header h;
    if (!open_file(path, f, size, h)) return false;
    // The same table for the same passages: all that may differ is the revision.
    Header now = Header::of(db);
    h.revision = now.revision;
    if (!h.describes(db) || !fits(h, size)) return false;
    Writer w(path);
    std::uint64_t at = sizeof h;
    for (std::uint64_t n : h.sections) {
        if (!w.add_from(f.fd, at, n)) return false;
        w.end_section();
        at += padded(n);
    }
    // A damaged table is written again from the index, not given a new sum.
    if (w.sum() != h.sum) return false;
    w.finish(now);
    return true;
}

Mapped& Mapped::operator=(Mapped&& o) noexcept {
    if (this != &o) {
        reset();
        data_ = o.data_;
        size_ = o.size_;
        header_ = o.header_;
        id_ = o.id_;
        sections_ = std::move(o.sections_);
        o.data_ = nullptr;
        o.size_ = 0;
        o.sections_.clear();
    }
    return *this;
}

void Mapped::reset() {
    if (data_) ::munmap(data_, size_);
    data_ = nullptr;
    size_ = 0;
    header_ = Header{};
    id_ = FileId{};
    sections_.clear();
}

bool Mapped::open(const std::string& path, const Xapian::Database& db, const std::function<bool()>& check) {
    reset();
    // The header first: a file for another revision, or whose size does not
    // add up, is left aside before anything is mapped.
    Fd f;
    std::size_t size = 0;
    Header h;
    FileId id;
    if (!open_file(path, f, size, h, &id) || !h.describes(db) || !fits(h, size)) return false;
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, f.fd, 0);
    if (p == MAP_FAILED) return false;
    data_ = p;
    size_ = size;
    header_ = h;
    id_ = id;
    for (std::size_t i = 0; i < std::size(h.sections); ++i)
        sections_.push_back(section_at(static_cast<const char*>(p), h, i));
    auto summed = [this] {
        std::uint64_t sum = 0;
        for (auto s : sections_) sum = checksum(s, sum);
        return sum;
    };
    std::future<std::uint64_t> sum;
    try {
        sum = std::async(std::launch::async, summed);
    } catch (const std::exception&) {  // no thread to be had (or no memory): one after the other
    }
    bool ok = check();
    ok = (sum.valid() ? sum.get() : summed()) == h.sum && ok;
    if (!ok) reset();
    return ok;
}

}  // namespace qanat::table_file
