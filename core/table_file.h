// A file of fixed-width arrays kept beside a Xapian index and read in place
// (mapped), for data derived from one revision of the index: the facet table.
// Its header names the database (UUID), revision, last docid and passage
// count it describes, and a checksum of everything after it; a file that
// does not describe the open revision, or fails its checks, is left aside.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

namespace qanat::table_file {

/// 1, 2: the table was in the index metadata; 3: the lists first, so the
/// rows had to be held in memory until the end; 4: the decade 1800-1809
/// (and each first decade of a century before 1900) was "1800s", the
/// century's name as a filter; 5: spellings of one actor were merged by a
/// key of their own, which kept "Veterans' Administration" apart from
/// "Veterans Administration" (one actor term).
inline constexpr std::uint32_t kFormat = 6;

/// The facet table's sections, in file order: the rows (written as the index
/// is read), where each docid's row starts, and the dictionary's lists.
enum FacetSection : std::size_t { kRows = 0, kStarts = 1, kLists = 2 };

/// Fixed-size header at the start of the file (native byte order: a file
/// from another byte order is left aside, like any stale one).
struct Header {
    char magic[8] = {'q', 'a', 'n', 'a', 't', 'f', 't', '\0'};
    std::uint32_t format = kFormat;
    std::uint32_t byte_order = 0x01020304;
    char uuid[40] = {};  ///< Xapian::Database::get_uuid(), NUL-padded
    std::uint64_t revision = 0, last = 0, docs = 0;
    std::uint64_t sections[3] = {};  ///< bytes in each section (before its padding to 8)
    std::uint64_t sum = 0;           ///< checksum(sections)

    /// A header for db as it is now (sizes and sum left at 0).
    static Header of(const Xapian::Database& db);
    /// Same magic, format and byte order, and the same database, revision,
    /// last docid and passage count as db.
    bool describes(const Xapian::Database& db) const;
};
static_assert(sizeof(Header) == 112);

/// The file's place in the index folder at db_path.
std::string path_in(const std::string& db_path);

/// The header of the file at path, when it can be read.
std::optional<Header> read_header(const std::string& path);

/// Whether the file at path has a header that describes db as it is now
/// (the header only: its sections are checked when it is mapped).
bool holds(const std::string& path, const Xapian::Database& db);

/// A 64-bit checksum, eight bytes at a time in four lanes (fast enough to
/// check tens of MiB as they are mapped); `seed` chains sections.
std::uint64_t checksum(std::string_view bytes, std::uint64_t seed = 0);

/// checksum() of bytes given in pieces: the same value however they are cut.
class Checksum {
  public:
    explicit Checksum(std::uint64_t seed = 0);
    void add(std::string_view bytes);
    std::uint64_t value() const;

  private:
    void block(const char* p);
    std::uint64_t lane_[4];
    char tail_[32] = {};
    std::size_t tail_size_ = 0;
    std::uint64_t size_ = 0;
};

/// Writes a file section by section (each padded to 8 bytes) to a new file
/// beside path, and renames it into place at finish(): readers see the old
/// file or the new one, and a section is never held whole in memory here.
/// Throws std::runtime_error naming the file when it cannot be written.
class Writer {
  public:
    explicit Writer(const std::string& path);
    ~Writer();  ///< removes the new file unless finish() renamed it
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    /// Appends to the section being written.
    void add(std::string_view bytes);
    /// Appends `size` bytes of the open file fd, from offset `at`; false
    /// (and the section incomplete) when they cannot be read.
    bool add_from(int fd, std::uint64_t at, std::uint64_t size);
    void end_section();
    /// The checksum of the sections ended so far, chained as in the header.
    std::uint64_t sum() const { return chained_; }
    /// Ends the sections (up to the header's three), then writes h with their
    /// sizes and sum at the start and renames the file into place.
    void finish(Header h);

  private:
    void flush();
    [[noreturn]] void fail(const char* what);
    std::string path_, tmp_;
    int fd_ = -1;
    std::string buffer_;
    std::vector<std::uint64_t> sizes_;
    std::uint64_t size_ = 0;  ///< of the section being written
    Checksum sum_;            ///< of the sections so far, chained
    std::uint64_t chained_ = 0;
};

/// The header and sections at once (see Writer).
void write(const std::string& path, Header h, const std::vector<std::string_view>& sections);

/// Rewrites the file at path stamped with db's present revision, its
/// sections as they were, when it describes db in all but the revision (for
/// a commit that changed no passage) and its checksum holds; false when it
/// does not, or cannot be read whole. Throws std::runtime_error when it
/// cannot be written.
bool restamp(const std::string& path, const Xapian::Database& db);

/// What tells one file, as last changed, from another at the same path: a
/// file renamed into place has a new inode, one rewritten in place a new
/// change time (and most often size or modification time).
struct FileId {
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_ns = 0, ctime_ns = 0;
    bool operator==(const FileId&) const = default;
};

/// The FileId of the file at path now, when it can be looked at.
std::optional<FileId> file_id(const std::string& path);

/// A file mapped read-only, with its header and sections checked against
/// the sizes and checksum the header gives.
class Mapped {
  public:
    Mapped() = default;
    Mapped(Mapped&& o) noexcept { *this = std::move(o); }
    Mapped& operator=(Mapped&& o) noexcept;
    Mapped(const Mapped&) = delete;
    Mapped& operator=(const Mapped&) = delete;
    ~Mapped() { reset(); }

    /// Maps path when its header describes db (checked before it is mapped:
    /// a stale or oversized file is not read), then runs check() on the
    /// calling thread while the checksum is summed on another (each reads the
    /// whole file: the two take the time of one); false (and nothing mapped)
    /// unless both hold. An exception from check() goes on once the
    /// checksum's thread is done.
    bool open(const std::string& path, const Xapian::Database& db, const std::function<bool()>& check);
    void reset();
    bool empty() const { return data_ == nullptr; }
    /// Section i (without its padding).
    std::string_view section(std::size_t i) const { return sections_.at(i); }
    /// The header, as checked when the file was mapped.
    const Header& header() const { return header_; }
    /// The file mapped, as it was when it was opened.
    const FileId& id() const { return id_; }

  private:
    void* data_ = nullptr;
    Header header_;
    FileId id_;
    std::size_t size_ = 0;
    std::vector<std::string_view> sections_;
};

}  // namespace qanat::table_file
