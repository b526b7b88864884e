// Finding the files to index: folders walked recursively, symlinks kept inside
// the folder given, ids derived from paths.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace qanat::indexer {

enum class SourceType { Text, Jsonl };

struct Root {
    std::string given;      ///< as the user wrote it
    std::string canonical;  ///< absolute, symlinks resolved
    bool is_dir = false;
    /// The canonical path was found and is UTF-8 as it is: a file's key can
    /// be derived from it (see walk()).
    bool derives_keys = false;
    /// A file given: where it was given (the canonical folder it was given
    /// in, joined with its name), which is not its key if it is a symlink.
    std::string at;
};

/// Whether the key (a canonical path, as text) is `folder` or under it.
bool under_root(std::string_view key, std::string_view folder);

/// One file to index, as the walk found it: 16 bytes a file (its root, and
/// where its name is kept in the walk's NameStore), since a run keeps one for
/// every file under the folders given. Its size and time are not kept: they
/// are read (stat) when the file is, so that a run's list of files costs the
/// same whatever the files hold. Its path and key are kept beside its name
/// only where they are not the root's joined with display() (a symlink, bytes
/// that are not UTF-8, a file given by itself).
class SourceFile {
  public:
    SourceFile() = default;
    SourceFile(const Root* root, const char* kept) : root_(root), kept_(kept) {}

    SourceType type() const;
    /// Relative to the folder given (or the file as given).
    std::string_view display() const;
    /// As opened (the PATH given joined with the relative path).
    std::string path() const;
    /// Canonical absolute path (as text: %XX for bytes that are not UTF-8):
    /// identifies the source between runs.
    std::string key() const;
    /// Article id for text files: display without extension (empty for JSONL).
    std::string id() const;
    std::string_view id_view() const;
    /// Where the walk found the file, when its key is elsewhere: the path
    /// of a symlink leading outside the folder given (--follow-symlinks),
    /// or of a symlink given as PATH (canonical folder joined with the
    /// name). Empty otherwise: the key says where the file is. `key` is
    /// this file's key().
    std::string via(const std::string& key) const;

  private:
    /// What is kept after the name: the path, then the key (where kept).
    const char* after_name() const;

    const Root* root_ = nullptr;
    /// In the NameStore: a byte of flags (type; path and key kept), the
    /// name, then the path and the key where kept, each ended by a NUL
    /// (which no file name holds).
    const char* kept_ = nullptr;
};

/// Storage for the files' names: blocks that never move, so that a name
/// kept here stays where it is while the walk's files are sorted and
/// handed around.
class NameStore {
  public:
    /// Keeps display (and path and key, where not empty) for a file of
    /// this type; returns what a SourceFile points at.
    const char* keep(SourceType type, std::string_view display, std::string_view path, std::string_view key);

  private:
    char* room(std::size_t n);
    std::vector<std::unique_ptr<char[]>> blocks_;
    std::size_t used_ = 0, capacity_ = 0;  ///< in the last block
};

/// A file's size and modification time (zero where it cannot be read).
struct FileStat {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    /// The inode's change time: a file put in place with its old size and
    /// time (cp -p, rsync -a, tar, touch -r) has a new one.
    std::int64_t ctime_ns = 0;
    bool ok = false;  ///< stat() succeeded: only then can the file be taken as unchanged
};
FileStat stat_of(const std::string& path);

struct WalkResult {
    std::vector<Root> roots;
    std::vector<SourceFile> files;       ///< sorted by display path, then path
    NameStore names;                     ///< the files' display names
    std::vector<std::string> warnings;   ///< unreadable entries, symlinks left out
    /// Where the symlinks leading outside that were not followed (no
    /// --follow-symlinks) stand (as SourceFile::via): still there, so the
    /// articles found through them stay.
    std::vector<std::string> unfollowed;
    /// Folders that could not be read at all (their permissions): the
    /// articles found under them stay. (Keys, as a file's.)
    std::vector<std::string> unread;
    std::vector<std::string> actor_files;  ///< actors.tsv at the top of a folder given
    std::size_t ignored = 0;             ///< files of other types
    /// Entries left out with a warning that says so: symlinks not followed,
    /// broken or looping ones, FIFOs and devices named like articles.
    std::size_t skipped = 0;
    /// A folder could not be read to its end (an I/O error): files under it
    /// may be missing from `files`.
    bool incomplete = false;
};

struct WalkOptions {
    bool follow_symlinks = false;  ///< follow symlinks that lead outside the folder
};

/// Throws std::runtime_error if a PATH does not exist.
WalkResult walk(const std::vector<std::string>& paths, const WalkOptions& options);

}  // namespace qanat::indexer
