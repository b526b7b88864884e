#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "jsonl.h"
#include "sources.h"
#include "support.h"

using namespace qanat::indexer;
namespace fs = std::filesystem;

namespace {
void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

const SourceFile* find(const WalkResult& r, std::string_view display) {
    for (const auto& f : r.files)
        if (f.display() == display) return &f;
    return nullptr;
}
}  // namespace

// A file is its root and where its name is kept: the path and key are kept
// beside the name only where they cannot be derived from the folder (a name
// that is not UTF-8, a symlink leading elsewhere, a file given by itself).
// Each case must come back as the walk found it.
TEST_CASE("walk: each file's name, path, key and type, kept or derived") {
    const fs::path tmp = qanat::test::scratch_path("walk");
    const fs::path dir = tmp / "in";
    write(dir / "b.txt", "bee");
    write(dir / "sub" / "a.md", "ay");
    write(dir / "feed.jsonl", "{}\n");
    write(dir / ".hidden.txt", "no");
    write(dir / "notes.csv", "no");
    write(dir / "n\xff.txt", "bytes");
    write(tmp / "outside" / "far.txt", "far");
    fs::create_symlink(tmp / "outside" / "far.txt", dir / "link.txt");
    const std::string canon = fs::canonical(dir).string();

    const WalkResult r = walk({dir.string()}, WalkOptions{/*follow_symlinks=*/true});
    REQUIRE(r.files.size() == 5);
    std::vector<std::string> order;
    for (const auto& f : r.files) order.emplace_back(f.display());
    CHECK(order == std::vector<std::string>{"b.txt", "feed.jsonl", "link.txt", "n%FF.txt", "sub/a.md"});
    CHECK(r.ignored == 1);

    const SourceFile* b = find(r, "b.txt");  // both derived
    REQUIRE(b);
    CHECK(b->type() == SourceType::Text);
    CHECK(b->id() == "b");
    CHECK(b->path() == dir.string() + "/b.txt");
    CHECK(b->key() == canon + "/b.txt");
    CHECK(stat_of(b->path()).size == 3);

    const SourceFile* a = find(r, "sub/a.md");
    REQUIRE(a);
    CHECK(a->id() == "sub/a");
    CHECK(a->key() == canon + "/sub/a.md");

    const SourceFile* feed = find(r, "feed.jsonl");
    REQUIRE(feed);
    CHECK(feed->type() == SourceType::Jsonl);
    CHECK(feed->id().empty());

    const SourceFile* odd = find(r, "n%FF.txt");  // path kept: the name's own bytes
    REQUIRE(odd);
    CHECK(odd->path() == dir.string() + "/n\xff.txt");
    CHECK(odd->key() == canon + "/n%FF.txt");
    CHECK(odd->id() == "n%FF");
    CHECK(stat_of(odd->path()).size == 5);

    const SourceFile* link = find(r, "link.txt");  // key kept: where the link leads
    REQUIRE(link);
    CHECK(link->path() == dir.string() + "/link.txt");
    CHECK(link->key() == fs::canonical(tmp / "outside" / "far.txt").string());
    CHECK(link->type() == SourceType::Text);

    // A file given by itself: path as given, key canonical (both kept).
    const std::string given = (dir / "sub" / ".." / "b.txt").string();
    const WalkResult one = walk({given}, WalkOptions{});
    REQUIRE(one.files.size() == 1);
    CHECK(one.files[0].display() == "b.txt");
    CHECK(one.files[0].path() == given);
    CHECK(one.files[0].key() == canon + "/b.txt");
    CHECK(stat_of(tmp / "missing").size == 0);
    fs::remove_all(tmp);
}

TEST_CASE("JSONL dates: real dates only, whole") {
    using qanat::normalise_date;
    // "2021-13-45" was 2021, "2021-02-30" kept as it was, "99999" 9999,
    // "2021-02-14 garbage" 2021-02-14: all without a warning.
    CHECK(normalise_date("2025") == "2025");
    CHECK(normalise_date("2025-02") == "2025-02");
    CHECK(normalise_date("2025/02/14") == "2025-02-14");
    CHECK(normalise_date("2024-02-29") == "2024-02-29");
    CHECK(normalise_date("2025-02-14T10:00:00Z") == "2025-02-14");
    CHECK(normalise_date("2025-02-14 10:00") == "2025-02-14");
    CHECK(normalise_date("2025-02-14T10:00:00.123+02:00") == "2025-02-14");
    for (const char* bad : {"2021-13-45", "2021-02-30", "2023-02-29", "99999", "20210214", "2021-02-14 garbage",
                            "2021-02-14T25:99:99Z", "2021-02/14", "1e10", "10000000000.0", "", "2021-"}) {
        CAPTURE(bad);
        CHECK(normalise_date(bad).empty());
    }
}
