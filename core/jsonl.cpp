#include "jsonl.h"

#include <nlohmann/json.hpp>

#include "normalize.h"

namespace qanat {

std::string normalise_date(std::string_view s) {
    std::string digits;
    std::string out;
    // Accept YYYY, YYYY-MM, YYYY-MM-DD with '-', '/' or '.' separators.
    std::size_t i = 0;
    auto take = [&](std::size_t n) {
        std::string d;
        while (i < s.size() && d.size() < n && s[i] >= '0' && s[i] <= '9') d += s[i++];
        return d;
    };
    std::string y = take(4);
    if (y.size() != 4) return "";
    out = y;
    if (i < s.size() && (s[i] == '-' || s[i] == '/' || s[i] == '.')) {
        ++i;
        std::string m = take(2);
        if (m.size() == 2 && m >= "01" && m <= "12") {
            out += "-" + m;
            if (i < s.size() && (s[i] == '-' || s[i] == '/' || s[i] == '.')) {
                ++i;
                std::string d = take(2);
                if (d.size() == 2 && d >= "01" && d <= "31") out += "-" + d;
            }
        }
    }
    return out;
}

JsonlResult parse_jsonl_article(std::string_view line) {
    JsonlResult r;
    nlohmann::json j;
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
    r.ok = true;
    return r;
}

}  // namespace qanat
