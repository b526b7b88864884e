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
};

/// Storage for the files' names: blocks that never move, so that a name
/// kept here stays where it is while the walk's files are sorted and
/// handed around.
class NameStore {
  public:
    std::string_view keep(std::string_view s);

  private:
    std::vector<std::unique_ptr<char[]>> blocks_;
    std::size_t used_ = 0, capacity_ = 0;  ///< in the last block
};

/// One file to index. A run keeps one for every file under the folders
/// given, so a file holds its name (kept in the walk's NameStore), size and
/// time; its path and key only where they are not the root's joined with
/// `display` (a symlink, bytes that are not UTF-8, a file given by itself).
/// About 56 bytes a file, and its name.
struct SourceFile {
    const Root* root = nullptr;
    std::string_view display;  ///< relative to the folder given (or the file as given)
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    SourceType type = SourceType::Text;

    /// As opened (the PATH given joined with the relative path).
    std::string path() const;
    /// Canonical absolute path (as text: %XX for bytes that are not UTF-8):
    /// identifies the source between runs.
    std::string key() const;
    /// Article id for text files: display without extension (empty for JSONL).
    std::string id() const;
    std::string_view id_view() const;

    void set_path(std::string p);
    void set_key(std::string k);

  private:
    struct Resolved {
        std::string path, key;  ///< empty: derived from root and display
    };
    std::unique_ptr<Resolved> resolved_;  ///< null: both derived
};

struct WalkResult {
    std::vector<Root> roots;
    std::vector<SourceFile> files;       ///< sorted by display path, then path
    NameStore names;                     ///< the files' display names
    std::vector<std::string> warnings;   ///< unreadable entries, symlinks left out
    std::vector<std::string> actor_files;  ///< actors.tsv at the top of a folder given
    std::size_t ignored = 0;             ///< files of other types
};

struct WalkOptions {
    bool follow_symlinks = false;  ///< follow symlinks that lead outside the folder
};

/// Throws std::runtime_error if a PATH does not exist.
WalkResult walk(const std::vector<std::string>& paths, const WalkOptions& options);

}  // namespace qanat::indexer
