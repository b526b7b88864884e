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

bool restamp(const std::string& path, const Header& now) {
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
    std::vector<std::string_view> sections;
    std::size_t at = sizeof h;
    for (std::uint64_t n : h.sections) {
        if (n > bytes.size() - at || padded(n) > bytes.size() - at) return false;
        sections.push_back(std::string_view(bytes).substr(at, n));
        at += padded(n);
    }
    if (at != bytes.size() || h.format != kFormat) return false;
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

bool Mapped::open(const std::string& path, const Xapian::Database& db, std::size_t sections) {
    reset();
    if (sections > std::size(Header{}.sections)) return false;
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    struct stat st {};
    if (f.fd < 0 || ::fstat(f.fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Header))) return false;
    const auto size = static_cast<std::size_t>(st.st_size);
    // The header first: a file for another revision, or whose size does not
    // add up, is left aside before anything is mapped.
    Header h;
    if (::pread(f.fd, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h) || !h.describes(db)) return false;
    std::uint64_t whole = sizeof h;
    for (std::size_t i = 0; i < sections; ++i) {
        if (h.sections[i] > size) return false;
        whole += padded(h.sections[i]);
    }
    if (whole != size) return false;
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, f.fd, 0);
    if (p == MAP_FAILED) return false;
    data_ = p;
    size_ = size;
    std::memcpy(&h, p, sizeof h);  // as mapped (the file may have been replaced meanwhile)
    if (!h.describes(db)) {
        reset();
        return false;
    }
    std::size_t at = sizeof h;
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < sections; ++i) {
        if (h.sections[i] > size - at || padded(h.sections[i]) > size - at) {
            reset();
            return false;
        }
        std::string_view s(static_cast<const char*>(p) + at, h.sections[i]);
        sum = checksum(s, sum);
        sections_.push_back(s);
        at += padded(h.sections[i]);
    }
    if (at != size || sum != h.sum) {
        reset();
        return false;
    }
    return true;
}

}  // namespace qanat::table_file
