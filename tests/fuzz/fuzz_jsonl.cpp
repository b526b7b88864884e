// Fuzzes JSONL line parsing (core/jsonl.h): parse_jsonl_article and
// normalise_date. The line is checked against an independent reading of the
// same JSON.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_util.h"
#include "jsonl.h"
#include "normalize.h"

using namespace qanat;

namespace {

bool digits(const std::string& s, std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/// "", "YYYY", "YYYY-MM" (01-12) or "YYYY-MM-DD" (01-31).
bool date_shape(const std::string& d) {
    if (d.empty()) return true;
    if (d.size() != 4 && d.size() != 7 && d.size() != 10) return false;
    if (!digits(d, 0, 4)) return false;
    if (d.size() >= 7) {
        if (d[4] != '-' || !digits(d, 5, 2)) return false;
        int m = std::stoi(d.substr(5, 2));
        if (m < 1 || m > 12) return false;
    }
    if (d.size() == 10) {
        if (d[7] != '-' || !digits(d, 8, 2)) return false;
        int day = std::stoi(d.substr(8, 2));
        if (day < 1 || day > 31) return false;
    }
    return true;
}

void check_line(std::string_view line) {
    JsonlResult r = parse_jsonl_article(line);
    FUZZ_CHECK(r.ok == r.error.empty());
    if (!r.ok) return;
    // Independent reading: the line is a JSON object with an id and a text
    // string; its NUL characters are spaces. A line JSON's parser refuses was
    // read for its lone surrogate escapes ("\ud800", made U+FFFD).
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) {
        const std::size_t u = line.find("\\u");
        FUZZ_CHECK(u != std::string_view::npos);
        FUZZ_CHECK(fuzz::strict_utf8(r.article.text));
        FUZZ_CHECK(r.article.text.find('\0') == std::string::npos);
        return;
    }
    FUZZ_CHECK(j.is_object());
    FUZZ_CHECK(j.contains("id") && j.contains("text") && j["text"].is_string());
    std::string text = j["text"].get<std::string>();
    std::replace(text.begin(), text.end(), '\0', ' ');
    FUZZ_CHECK(r.article.text == text);
    FUZZ_CHECK(!r.article.id.empty());
    const auto& id = j["id"];
    if (id.is_string()) {
        FUZZ_CHECK(r.article.id == id.get<std::string>());
    } else {
        // An integer id is its decimal form: distinct numbers, distinct ids.
        FUZZ_CHECK(id.is_number_integer());
        FUZZ_CHECK(r.article.id == id.dump());
    }
    FUZZ_CHECK(date_shape(r.article.published));
    FUZZ_CHECK(!r.article.title_line);
    FUZZ_CHECK(fuzz::strict_utf8(r.article.id));
    FUZZ_CHECK(fuzz::strict_utf8(r.article.text));
    FUZZ_CHECK(fuzz::strict_utf8(r.article.title));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view raw(reinterpret_cast<const char*>(data), size);
    // As read from a file: any bytes (the parser must refuse invalid UTF-8)...
    check_line(raw);
    // ...and as the indexer passes it on, after repairing invalid UTF-8.
    if (!valid_utf8(raw)) check_line(repair_utf8(raw));

    std::string d = normalise_date(raw);
    FUZZ_CHECK(date_shape(d));
    FUZZ_CHECK(normalise_date(d) == d);
    return 0;
}
