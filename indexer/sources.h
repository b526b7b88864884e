// Finding the files to index: folders walked recursively, symlinks kept inside
// the folder given, ids derived from paths.
#pragma once

#include <cstdint>
#include <string>
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

/// One file to index. A run keeps one for every file under the folders
/// given, so its path and key are kept only where they are not the root's
/// joined with `display` (a symlink, bytes that are not UTF-8, a file given
/// by itself): about 130 bytes a file.
struct SourceFile {
    const Root* root = nullptr;
    std::string display;  ///< relative to the folder given (or the file as given)
    SourceType type = SourceType::Text;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;

    /// As opened (the PATH given joined with the relative path).
    std::string path() const;
    /// Canonical absolute path (as text: %XX for bytes that are not UTF-8):
    /// identifies the source between runs.
    std::string key() const;
    /// Article id for text files: display without extension.
    std::string id() const;

    void set_path(std::string p);
    void set_key(std::string k);

  private:
    std::string path_, key_;  ///< empty: derived from root and display
};

struct WalkResult {
    std::vector<Root> roots;
    std::vector<SourceFile> files;       ///< sorted by display path, then path
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
