#include "sources.h"

#include "hash.h"
#include "normalize.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <system_error>

namespace fs = std::filesystem;

namespace qanat::indexer {

namespace {

/// The flags byte a SourceFile's kept name begins with.
constexpr char kJsonl = 1, kPathKept = 2, kKeyKept = 4;

bool has_ext(const fs::path& p, std::initializer_list<const char*> exts) {
    std::string e = p.extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* x : exts)
        if (e == x) return true;
    return false;
}

/// A name qanat reads articles from: text, Markdown, JSON Lines.
bool article_file_name(const fs::path& p) { return has_ext(p, {".txt", ".md", ".jsonl", ".markdown", ".text"}); }

bool within(const fs::path& inner, const fs::path& outer) {
    auto o = outer.begin(), i = inner.begin();
    for (; o != outer.end(); ++o, ++i) {
        if (i == inner.end() || *i != *o) return false;
    }
    return true;
}

/// A file name as text: bytes that are not UTF-8 are written %XX, so that
/// the article id stays unique, readable and the same on every run.
std::string printable(const std::string& name) {
    if (valid_utf8(name)) return name;
    std::string out;
    for (std::size_t i = 0; i < name.size();) {
        unsigned char c = static_cast<unsigned char>(name[i]);
        std::size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        if (len > 0 && i + len <= name.size() && valid_utf8(std::string_view(name).substr(i, len)) && c != '%') {
            out.append(name, i, len);
            i += len;
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
            ++i;
        }
    }
    return out;
}

/// Two files whose keys match are one file reached twice, unless the file
/// system says otherwise: a key writes bytes that are not UTF-8 as %XX,
/// which a name may also hold as it is ("b%FF.txt" beside "b\xff.txt").
bool same_file(const SourceFile& a, const SourceFile& b) {
    std::error_code ec;
    const bool same = fs::equivalent(a.path(), b.path(), ec);
    return same || ec;  // (unknown: as the keys say)
}

/// As fs::path(root.given) / display (a relative display), without parsing
/// either: a run builds each file's path more than once.
std::string joined_path(const Root& root, std::string_view display) {
    std::string p = root.given;
    if (!p.empty() && !p.ends_with('/')) p += '/';
    return p.append(display);
}
std::string joined_key(const Root& root, std::string_view display) {
    std::string k = root.canonical;
    if (!k.ends_with('/')) k += '/';  // ("/" given)
    return k.append(display);
}

}  // namespace

bool under_root(std::string_view key, std::string_view folder) {
    if (key == folder) return true;
    if (folder.empty() || key.size() <= folder.size() || key.substr(0, folder.size()) != folder) return false;
    return folder.back() == '/' || key[folder.size()] == '/';
}

FileStat stat_of(const std::string& path) {
    FileStat s;
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0) {
        s.size = static_cast<std::uint64_t>(st.st_size);
        s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
        s.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec;
        s.ok = true;
    }
    return s;
}

char* NameStore::room(std::size_t n) {
    if (capacity_ - used_ < n) {
        capacity_ = std::max<std::size_t>(n, 64u << 10);
        blocks_.push_back(std::make_unique_for_overwrite<char[]>(capacity_));
        used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    used_ += n;
    return at;
}

const char* NameStore::keep(SourceType type, std::string_view display, std::string_view path, std::string_view key) {
    const std::size_t n = 1 + display.size() + 1 + (path.empty() ? 0 : path.size() + 1) + (key.empty() ? 0 : key.size() + 1);
    char* const at = room(n);
    char* o = at;
    *o++ = static_cast<char>((type == SourceType::Jsonl ? kJsonl : 0) | (path.empty() ? 0 : kPathKept) |
                             (key.empty() ? 0 : kKeyKept));
    auto put = [&o](std::string_view part) {
        o = std::copy(part.begin(), part.end(), o);
        *o++ = '\0';
    };
    put(display);
    if (!path.empty()) put(path);
    if (!key.empty()) put(key);
    return at;
}

static_assert(sizeof(SourceFile) == 2 * sizeof(void*), "a run keeps one SourceFile for every file");

SourceType SourceFile::type() const { return kept_ && (*kept_ & kJsonl) ? SourceType::Jsonl : SourceType::Text; }
std::string_view SourceFile::display() const { return kept_ ? std::string_view(kept_ + 1) : std::string_view(); }
const char* SourceFile::after_name() const {
    const std::string_view d = display();
    return d.data() + d.size() + 1;
}
std::string SourceFile::path() const {
    if (kept_ && (*kept_ & kPathKept)) return after_name();
    return root_ ? joined_path(*root_, display()) : std::string();
}
std::string SourceFile::key() const {
    if (kept_ && (*kept_ & kKeyKept)) {
        const char* k = after_name();
        if (*kept_ & kPathKept) k += std::strlen(k) + 1;
        return k;
    }
    return root_ ? joined_key(*root_, display()) : std::string();
}
std::string_view SourceFile::id_view() const {
    if (type() != SourceType::Text) return {};
    // The name without its extension: up to the last dot of the file's own
    // name, unless that dot begins it (as std::filesystem's stem()).
    const std::string_view d = display();
    const std::size_t slash = d.rfind('/');
    const std::size_t name = slash == std::string_view::npos ? 0 : slash + 1;
    const std::size_t dot = d.rfind('.');
    return dot != std::string_view::npos && dot > name ? d.substr(0, dot) : d;
}
std::string SourceFile::id() const { return std::string(id_view()); }
std::string SourceFile::via(const std::string& key) const {
    if (!root_) return {};
    if (!root_->is_dir) return root_->at != key ? root_->at : std::string();
    return under_root(key, root_->canonical) ? std::string() : joined_key(*root_, display());
}

WalkResult walk(const std::vector<std::string>& paths, const WalkOptions& options) {
    WalkResult r;
    r.roots.reserve(paths.size());  // files point at their root: never moved
    // In step with r.files while walking: a hash of each file's key, and
    // whether it was reached by a symlink (plain arrays: nothing per file
    // that outlives the walk between the files' own allocations).
    std::vector<std::uint64_t> key_hash;
    std::vector<bool> by_link;
    for (const auto& given : paths) {
        std::error_code ec;
        fs::path gp(given);
        auto st = fs::status(gp, ec);
        if (ec || !fs::exists(st)) throw std::runtime_error(given + ": no such file or folder");
        const std::string canonical = fs::canonical(gp, ec).string();
        const bool resolved = !ec;
        ec.clear();
        r.roots.push_back(Root{given, printable(canonical), fs::is_directory(st), resolved && valid_utf8(canonical), {}});
        Root& root = r.roots.back();
        if (!root.is_dir) {
            const fs::path folder = gp.has_parent_path() ? gp.parent_path() : fs::path(".");
            const fs::path at = fs::canonical(folder, ec) / gp.filename();
            root.at = ec ? root.canonical : printable(at.string());
            ec.clear();
        }
        // `resolve`: p may be a symlink, or its key cannot be derived. A file
        // that is not a symlink, met inside the folder (whose walk never goes
        // through a symlinked folder), has the folder's canonical path joined
        // with its name as its own: no canonical() (a readlink for each part
        // of the path) and no lstat. Only where both parts are UTF-8 as they
        // are: printable() of the joined path is then the two joined.
        auto add = [&](const fs::path& p, const std::string& display, bool resolve) {
            std::string key;
            bool link = false;
            if (resolve) {
                key = printable(fs::canonical(p, ec).string());
                if (ec) {
                    r.warnings.push_back(p.string() + ": cannot resolve path (" + ec.message() + "); skipped");
                    ++r.skipped;
                    ec.clear();
                    return;
                }
                link = fs::is_symlink(p, ec);
                ec.clear();
            }
            // Path and key are kept only where they are not derived.
            std::string path = p.string();
            if (root.is_dir && path == joined_path(root, display)) path.clear();
            if (root.is_dir && key == joined_key(root, display)) key.clear();
            const SourceType type = has_ext(p, {".jsonl"}) ? SourceType::Jsonl : SourceType::Text;
            const SourceFile f(&root, r.names.keep(type, display, path, key));
            by_link.push_back(link);
            key_hash.push_back(fnv1a64(f.key()));
            r.files.push_back(f);
        };
        if (!root.is_dir) {
            if (!article_file_name(gp)) {
                r.warnings.push_back(given + ": not a .txt, .md or .jsonl file; skipped");
                ++r.skipped;
                continue;
            }
            add(gp, printable(gp.filename().string()), true);
            continue;
        }
        const fs::path canon_root(canonical);
        if (fs::exists(gp / "actors.tsv", ec)) r.actor_files.push_back((gp / "actors.tsv").string());
        // (A folder that may not be read gives an empty walk, no error.)
        if (::access(gp.c_str(), R_OK | X_OK) != 0) {
            r.warnings.push_back(given + ": cannot read folder (" + std::strerror(errno) + ")");
            r.unread.push_back(root.canonical);
            continue;
        }
        auto it = fs::recursive_directory_iterator(gp, fs::directory_options::skip_permission_denied, ec);
        if (ec) {
            r.warnings.push_back(given + ": cannot read folder (" + ec.message() + ")");
            r.unread.push_back(root.canonical);
            continue;
        }
        for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(ec)) {
            if (ec) {
                r.warnings.push_back(given + ": " + ec.message());
                ec.clear();
                continue;
            }
            const fs::directory_entry& e = *it;
            // Lexically: a symlink's name is where it stands, not where it leads.
            const std::string relative = e.path().lexically_relative(gp).generic_string();
            std::string display = printable(relative);
            // Hidden files and folders (.git, editor swap files) are not articles.
            if (!display.empty() && (display[0] == '.' || display.find("/.") != std::string::npos)) {
                if (e.is_directory(ec)) it.disable_recursion_pending();
                continue;
            }
            const bool link = e.is_symlink(ec);
            ec.clear();
            if (link) {
                fs::path target = fs::canonical(e.path(), ec);
                if (ec) {
                    ec.clear();
                    r.warnings.push_back(e.path().string() + ": broken or looping symlink; skipped");
                    ++r.skipped;
                    continue;
                }
                if (!within(target, canon_root) && fs::is_directory(target, ec)) {
                    // --follow-symlinks follows files; a folder is walked only
                    // when given (the warning said --follow-symlinks would include it).
                    r.warnings.push_back(e.path().string() + ": symlink to a folder outside " + given + " (to " +
                                         target.string() + "); skipped: symlinked folders are not walked, give " +
                                         "the folder itself as a PATH");
                    r.unfollowed.push_back(joined_key(root, display));
                    ++r.skipped;
                    continue;
                }
                ec.clear();
                if (!within(target, canon_root) && !options.follow_symlinks) {
                    if (!article_file_name(e.path())) {  // (followed, it would be ignored too)
                        ++r.ignored;
                        continue;
                    }
                    ++r.skipped;
                    r.warnings.push_back(e.path().string() + ": symlink leads outside " + given +
                                         " (to " + target.string() + "); skipped (--follow-symlinks to include)");
                    r.unfollowed.push_back(joined_key(root, display));
                    continue;
                }
                if (fs::is_directory(target, ec)) continue;  // never recurse through symlinked folders
            }
            if (!e.is_regular_file(ec)) {
                if (e.is_directory(ec) || ec) {
                    if (!ec && ::access(e.path().c_str(), R_OK | X_OK) != 0) {
                        r.warnings.push_back(e.path().string() + ": cannot read folder (" + std::strerror(errno) +
                                             "); skipped");
                        r.unread.push_back(joined_key(root, display));
                        it.disable_recursion_pending();
                    }
                    ec.clear();
                    continue;
                }
                // A FIFO, socket or device named like an article: said (its
                // article, if indexed before, is removed).
                if (article_file_name(e.path())) {
                    r.warnings.push_back(e.path().string() + ": not a regular file (" +
                                         (e.is_fifo(ec) ? "a FIFO" : e.is_socket(ec) ? "a socket" : "a device or other") +
                                         "); skipped");
                    ++r.skipped;
                } else {
                    ++r.ignored;
                }
                continue;
            }
            if (!article_file_name(e.path())) {
                if (display != "actors.tsv") ++r.ignored;
                continue;
            }
            add(e.path(), display, link || !root.derives_keys || display != relative);
        }
        // A folder that fails part way ends the walk of this one (the
        // iterator becomes the end), its error left in ec.
        if (ec) {
            r.warnings.push_back(given + ": cannot read the folder to its end (" + ec.message() + ")");
            r.incomplete = true;
        }
    }
    // The same file reached twice (a symlink to it, a folder given twice) is
    // indexed once: under its own name rather than a link's, else under the
    // first name in order.
    std::vector<std::size_t> by_key(r.files.size());
    std::iota(by_key.begin(), by_key.end(), std::size_t{0});
    std::sort(by_key.begin(), by_key.end(), [&](std::size_t a, std::size_t b) {
        return key_hash[a] != key_hash[b] ? key_hash[a] < key_hash[b] : a < b;
    });
    std::vector<bool> dropped(r.files.size());
    for (std::size_t i = 0; i < by_key.size();) {
        std::size_t end = i + 1;
        while (end < by_key.size() && key_hash[by_key[end]] == key_hash[by_key[i]]) ++end;
        for (std::size_t a = i; a < end; ++a) {  // (a run is one file, but for a shared hash)
            const std::size_t fa = by_key[a];
            if (dropped[fa]) continue;
            const std::string key = r.files[fa].key();
            std::size_t best = fa;
            for (std::size_t b = a + 1; b < end; ++b) {
                const std::size_t fb = by_key[b];
                if (dropped[fb] || r.files[fb].key() != key || !same_file(r.files[fa], r.files[fb])) continue;
                // Better: not a link where the other is, else a smaller name.
                const bool better = by_link[fb] != by_link[best] ? !by_link[fb]
                                                                 : r.files[fb].display() < r.files[best].display();
                dropped[better ? best : fb] = true;
                if (better) best = fb;
            }
        }
        i = end;
    }
    by_key = {};  // (let go before the sort below needs its own)
    key_hash = {};
    by_link = {};
    std::size_t kept = 0;
    for (std::size_t i = 0; i < r.files.size(); ++i)
        if (!dropped[i]) r.files[kept++] = r.files[i];
    r.files.resize(kept);
    std::stable_sort(r.files.begin(), r.files.end(), [](const SourceFile& a, const SourceFile& b) {
        return a.display() != b.display() ? a.display() < b.display() : a.path() < b.path();
    });
    r.files.shrink_to_fit();  // (it grew by doubling, and a run keeps it to the end)
    return r;
}

}  // namespace qanat::indexer
