#include "table_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
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

std::optional<Header> read_header(const std::string& path) {
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) return std::nullopt;
    Header h;
    if (::pread(f.fd, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h)) return std::nullopt;
    return h;
}

bool holds(const std::string& path, const Xapian::Database& db) {
    auto h = read_header(path);
    return h && h->describes(db);
}

std::uint64_t checksum(std::string_view bytes, std::uint64_t seed) {
    constexpr std::uint64_t k = 0x9E3779B97F4A7C15ULL;
    std::uint64_t lane[4] = {seed ^ k, seed + 1, rotl(seed, 17) ^ 0xC2B2AE3D27D4EB4FULL, ~seed};
    const char* p = bytes.data();
    std::size_t n = bytes.size();
    auto word = [](const char* q) {
        std::uint64_t w;
        std::memcpy(&w, q, 8);
        return w;
    };
    while (n >= 32) {
        for (int i = 0; i < 4; ++i) lane[i] = rotl((lane[i] ^ word(p + 8 * i)) * k, 29);
        p += 32;
        n -= 32;
    }
    std::uint64_t h = bytes.size() * k;
    for (int i = 0; i < 4; ++i) h = rotl((h ^ lane[i]) * k, 31);
    for (; n >= 8; p += 8, n -= 8) h = rotl((h ^ word(p)) * k, 29);
    for (; n > 0; ++p, --n) h = rotl((h ^ static_cast<unsigned char>(*p)) * k, 13);
    return h ^ (h >> 32);
}

void write(const std::string& path, Header h, const std::vector<std::string_view>& sections) {
    if (sections.size() > std::size(h.sections)) throw std::logic_error("table_file::write: too many sections");
    h.sum = 0;
    for (std::size_t i = 0; i < sections.size(); ++i) {
        h.sections[i] = sections[i].size();
        h.sum = checksum(sections[i], h.sum);
    }
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    auto fail = [&](const char* what) {
        std::string e = std::strerror(errno);
        ::unlink(tmp.c_str());
        throw std::runtime_error(std::string(what) + " " + tmp + ": " + e);
    };
    {
        Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
        if (f.fd < 0) fail("cannot create");
        auto put = [&](const void* p, std::size_t n) {
            const char* c = static_cast<const char*>(p);
            while (n > 0) {
                ssize_t w = ::write(f.fd, c, n);
                if (w < 0 && errno == EINTR) continue;
                if (w <= 0) fail("cannot write");
                c += w;
                n -= static_cast<std::size_t>(w);
            }
        };
        put(&h, sizeof h);
        const char zeros[8] = {};
        for (auto s : sections) {
            put(s.data(), s.size());
            put(zeros, padded(s.size()) - s.size());
        }
        if (::close(f.fd) != 0) {
            f.fd = -1;
            fail("cannot write");
        }
        f.fd = -1;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename");
}

bool restamp(const std::string& path, const Xapian::Database& db) {
    std::string bytes;
    {
        Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
        struct stat st {};
        if (f.fd < 0 || ::fstat(f.fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Header))) return false;
        bytes.resize(static_cast<std::size_t>(st.st_size));
        std::size_t at = 0;
        while (at < bytes.size()) {
            ssize_t r = ::pread(f.fd, bytes.data() + at, bytes.size() - at, static_cast<off_t>(at));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) return false;
            at += static_cast<std::size_t>(r);
        }
    }
    Header h;
    std::memcpy(&h, bytes.data(), sizeof h);
    // The same table for the same passages: all that may differ is the revision.
    Header now = Header::of(db);
    h.revision = now.revision;
    if (!h.describes(db) || !fits(h, bytes.size())) return false;
    std::vector<std::string_view> sections;
    for (std::size_t i = 0; i < std::size(h.sections); ++i) sections.push_back(section_at(bytes.data(), h, i));
    write(path, now, sections);
    return true;
}

Mapped& Mapped::operator=(Mapped&& o) noexcept {
    if (this != &o) {
        reset();
        data_ = o.data_;
        size_ = o.size_;
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
    sections_.clear();
}

bool Mapped::open(const std::string& path, const Xapian::Database& db) {
    reset();
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    struct stat st {};
    if (f.fd < 0 || ::fstat(f.fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Header))) return false;
    const auto size = static_cast<std::size_t>(st.st_size);
    // The header first: a file for another revision, or whose size does not
    // add up, is left aside before anything is mapped.
    Header h;
    if (::pread(f.fd, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h) || !h.describes(db) || !fits(h, size))
        return false;
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, f.fd, 0);
    if (p == MAP_FAILED) return false;
    data_ = p;
    size_ = size;
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < std::size(h.sections); ++i) {
        sections_.push_back(section_at(static_cast<const char*>(p), h, i));
        sum = checksum(sections_.back(), sum);
    }
    if (sum != h.sum) {
        reset();
        return false;
    }
    return true;
}

}  // namespace qanat::table_file
