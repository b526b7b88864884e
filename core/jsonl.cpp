#include "jsonl.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "normalize.h"

namespace qanat {

std::string normalise_date(std::string_view s) {
    // YYYY, YYYY-MM or YYYY-MM-DD ('-', '/' or '.' between, the same twice),
    // a real month and day, and after a day only a time of day ("T10:00:00Z",
    // " 10:00", "+02:00"). Anything else is no date: "2021-13-45", "99999",
    // "2021-02-30" and "2021-02-14 garbage" were taken in part.
    std::size_t i = 0;
    auto digits = [&](std::size_t n, int& v) {
        v = 0;
        for (std::size_t k = 0; k < n; ++k, ++i) {
            if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
            v = v * 10 + (s[i] - '0');
        }
        return true;
    };
    int y = 0, m = 0, d = 0;
    if (!digits(4, y)) return "";
    char buf[48];
    if (i == s.size()) return std::string(s.substr(0, 4));
    const char sep = s[i];
    if (sep != '-' && sep != '/' && sep != '.') return "";
    ++i;
    if (!digits(2, m) || m < 1 || m > 12) return "";
    if (i == s.size()) {
        std::snprintf(buf, sizeof buf, "%04d-%02d", y, m);
        return buf;
    }
    if (s[i] != sep) return "";
    ++i;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (!digits(2, d) || d < 1 || d > days[m - 1] + (m == 2 && leap ? 1 : 0)) return "";
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    if (i == s.size()) return buf;
    // A time of day: HH:MM, then :SS and a fraction, then Z or an offset.
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return "";
    ++i;
    int hh = 0, mm = 0, ss = 0;
    if (!digits(2, hh) || hh > 23 || i >= s.size() || s[i++] != ':' || !digits(2, mm) || mm > 59) return "";
    if (i < s.size() && s[i] == ':') {
        ++i;
        if (!digits(2, ss) || ss > 60) return "";
        if (i < s.size() && s[i] == '.') {
            ++i;
            const std::size_t from = i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
            if (i == from) return "";
        }
    }
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) ++i;
    else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        ++i;
        int oh = 0, om = 0;
        if (!digits(2, oh) || oh > 14) return "";
        if (i < s.size() && s[i] == ':') ++i;
        if (i < s.size() && (!digits(2, om) || om > 59)) return "";
    }
    return i == s.size() ? std::string(buf) : "";
}

namespace {

/// The line with each lone surrogate escape ("\\ud800" without its pair, as
/// Python's json.dumps writes a string decoded badly) made "\\ufffd": JSON
/// allows them, and the parser refused the whole line for one. Empty if
/// there is none.
std::string without_lone_surrogates(std::string_view line) {
    auto hex4 = [&](std::size_t at, unsigned* v) {
        if (at + 4 > line.size()) return false;
        unsigned x = 0;
        for (std::size_t k = at; k < at + 4; ++k) {
            const char c = line[k];
            const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return false;
            x = x * 16 + static_cast<unsigned>(d);
        }
        *v = x;
        return true;
    };
    std::string out;
    bool changed = false;
    std::size_t copied = 0;
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
        if (line[i] != '\\') continue;
        if (line[i + 1] != 'u') {
            ++i;  // an escaped character ("\\\\" among them)
            continue;
        }
        unsigned v = 0;
        if (!hex4(i + 2, &v)) continue;
        if (v >= 0xD800 && v <= 0xDBFF) {
            unsigned low = 0;
            if (i + 7 < line.size() && line[i + 6] == '\\' && line[i + 7] == 'u' && hex4(i + 8, &low) && low >= 0xDC00 &&
                low <= 0xDFFF) {
                i += 11;  // a pair
                continue;
            }
        } else if (!(v >= 0xDC00 && v <= 0xDFFF)) {
            i += 5;
            continue;
        }
        out.append(line, copied, i - copied);
        out += "\\ufffd";
        copied = i + 6;
        changed = true;
        i += 5;
    }
    if (!changed) return {};
    out.append(line, copied, std::string_view::npos);
    return out;
}

/// NUL characters ("\\u0000") are valid JSON and nothing a reader sees: a
/// space each (the article was refused as a binary file).
void without_nul(std::string& s) { std::replace(s.begin(), s.end(), '\0', ' '); }

}  // namespace

JsonlResult parse_jsonl_article(std::string_view line) {
    JsonlResult r;
    nlohmann::json j;
    const std::string mended = without_lone_surrogates(line);
    if (!mended.empty()) line = mended;
    try {
        j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {  // syntax, or a number out of range
        r.error = std::string("not valid JSON (") + e.what() + ")";
        return r;
    }
    if (!j.is_object()) {
        r.error = "not a JSON object";
        return r;
    }
    auto id = j.find("id");
    if (id == j.end()) {
        r.error = "no \"id\"";
        return r;
    }
    if (id->is_string()) {
        r.article.id = id->get<std::string>();
    } else if (id->is_number_unsigned()) {
        r.article.id = std::to_string(id->get<unsigned long long>());
    } else if (id->is_number_integer()) {
        r.article.id = std::to_string(id->get<long long>());
    } else {
        r.error = "\"id\" must be a string or an integer";
        return r;
    }
    if (r.article.id.empty()) {
        r.error = "\"id\" is empty";
        return r;
    }
    auto text = j.find("text");
    if (text == j.end() || !text->is_string()) {
        r.error = "no \"text\" string";
        return r;
    }
    r.article.text = text->get<std::string>();
    auto str = [&](const char* k) -> std::string {
        auto it = j.find(k);
        return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
    };
    r.article.title = str("title");
    r.article.title_line = false;  // the text is the body: its first line is not a title
    if (auto date = j.find("date"); date != j.end() && !date->is_null()) {
        std::string d = date->is_number_unsigned() ? std::to_string(date->get<unsigned long long>())
                        : date->is_string()        ? date->get<std::string>()
                                                   : date->dump();
        r.article.published = normalise_date(d);
        if (r.article.published.empty() && !d.empty()) {
            if (d.size() > 40) d = d.substr(0, 40) + "...";
            r.warning = "\"date\" " + nlohmann::json(d).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                        " is not a date (YYYY, YYYY-MM or YYYY-MM-DD, as in 2025-02-14T10:00:00Z); left out";
        }
    }
    r.article.path = str("url");
    without_nul(r.article.text);
    without_nul(r.article.title);
    without_nul(r.article.path);
    r.ok = true;
    return r;
}

}  // namespace qanat
