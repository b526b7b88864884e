#include "passages.h"

#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <unordered_set>

#include "normalize.h"

namespace qanat {

std::string_view block_kind_name(BlockKind k) {
    switch (k) {
    case BlockKind::Prose: return "prose";
    case BlockKind::List: return "list";
    case BlockKind::Fields: return "fields";
    case BlockKind::Price: return "price";
    case BlockKind::References: return "references";
    case BlockKind::Links: return "links";
    }
    return "prose";
}

bool parse_block_kind(std::string_view name, BlockKind* out) {
    for (BlockKind k : {BlockKind::Prose, BlockKind::List, BlockKind::Fields, BlockKind::Price,
                        BlockKind::References, BlockKind::Links})
        if (block_kind_name(k) == name) {
            *out = k;
            return true;
        }
    return false;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (is_space(s.front()) || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (is_space(s.back()) || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    // A no-break space (U+00A0) is white space too.
    while (s.size() >= 2 && s.substr(0, 2) == "\xC2\xA0") s.remove_prefix(2);
    while (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xA0") s.remove_suffix(2);
    return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

int count_words(std::string_view s) {
    int n = 0;
    bool in = false;
    for (char c : s) {
        bool sp = is_space(c);
        if (!sp && !in) ++n;
        in = !sp;
    }
    return n;
}

/// Last character that is not a closing quote or bracket.
std::string_view last_meaningful(std::string_view t) {
    static const std::string_view closers[] = {"\"", "'", ")", "]", "\xE2\x80\x9D", "\xE2\x80\x99",
                                               "*"};
    bool again = true;
    while (again && !t.empty()) {
        again = false;
        for (auto c : closers)
            if (t.size() >= c.size() && t.substr(t.size() - c.size()) == c) {
                t.remove_suffix(c.size());
                again = true;
            }
    }
    if (t.empty()) return t;
    if (t.size() >= 3 && t.substr(t.size() - 3) == "\xE2\x80\xA6") return t.substr(t.size() - 3);
    return t.substr(t.size() - 1);
}

bool ends_sentence(std::string_view t) {
    auto l = last_meaningful(t);
    return l == "." || l == "!" || l == "?" || l == "\xE2\x80\xA6" || l == ";";
}

/// A bullet at the start of a line: "- ", "* ", "• ", "· ", "1. ", "2) ".
std::size_t bullet_length(std::string_view t) {
    for (std::string_view b : {"- ", "* ", "+ ", "\xE2\x80\xA2 ", "\xC2\xB7 ", "\xE2\x80\x93 ",
                               "\xE2\x80\x94 ", "\xE2\x97\xA6 ", "\xE2\x96\xAA "})
        if (starts_with(t, b)) return b.size();
    std::size_t i = 0;
    while (i < t.size() && i < 3 && t[i] >= '0' && t[i] <= '9') ++i;
    if (i > 0 && i + 1 < t.size() && (t[i] == '.' || t[i] == ')') && t[i + 1] == ' ') return i + 2;
    return 0;
}

bool is_roman_or_digits(std::string_view s) {
    if (s.empty() || s.size() > 8) return false;
    bool digits = std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    bool roman = std::all_of(s.begin(), s.end(), [](char c) {
        return c == 'i' || c == 'v' || c == 'x' || c == 'l' || c == 'c' || c == 'I' || c == 'V' ||
               c == 'X' || c == 'L' || c == 'C';
    });
    return digits || roman;
}

enum class LineClass { Prose, Heading, Label, ListItem, StarItem, FieldSpaced, FieldLike, Reference, Price, Link };

struct Para {
    std::size_t start, end;  // trimmed
    LineClass cls;
    int words;
    bool single_line;
};

bool has_currency_amount(std::string_view t) {
    for (std::string_view cur : {"\xC2\xA3", "$", "\xE2\x82\xAC", "\xC2\xA5"}) {
        for (std::size_t p = t.find(cur); p != std::string_view::npos; p = t.find(cur, p + 1)) {
            std::size_t q = p + cur.size();
            while (q < t.size() && t[q] == ' ') ++q;
            if (q < t.size() && t[q] >= '0' && t[q] <= '9') return true;
        }
    }
    return false;
}

/// "Name : value", "Email: x@y" (the key is a short run of letters).
int field_shape(std::string_view t) {
    std::size_t colon = t.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 30) return 0;
    std::string_view key = t.substr(0, colon);
    for (char c : key)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' ' || c == '_'))
            return 0;
    if (count_words(key) > 3) return 0;
    std::string_view rest = t.substr(colon + 1);
    if (trim(rest).empty()) return 0;
    if (!rest.empty() && rest[0] != ' ') return 0;  // "http://..." is not a field
    return key.back() == ' ' ? 2 : 1;
}

LineClass classify(std::string_view t) {
    const int w = count_words(t);
    if (contains(t, "\xE2\x98\x85") || contains(t, "\xE2\x98\x86")) return LineClass::StarItem;
    // References: "[iv] Author (2024). ...", "[12] ...", "Ibid."
    if (t.size() > 2 && t[0] == '[') {
        auto close = t.find(']');
        if (close != std::string_view::npos && is_roman_or_digits(t.substr(1, close - 1)))
            return LineClass::Reference;
        if (t.back() == ']' && w <= 20) return LineClass::Link;  // [Author: Related story]
    }
    if (t == "Ibid." || t == "Ibid") return LineClass::Reference;
    if (starts_with(t, "http://") || starts_with(t, "https://") || starts_with(t, "www."))
        return LineClass::Link;
    if (contains(t, " \xE2\x80\xBA ") && w <= 30) return LineClass::Link;  // breadcrumb ›
    if (contains(t, " | ") && w <= 12 && !ends_sentence(t)) return LineClass::Link;
    if (w <= 6 && contains(t, " / ") && !ends_sentence(t)) return LineClass::Link;  // photo credit
    if (has_currency_amount(t) && w <= 12 && !ends_sentence(t)) return LineClass::Price;
    std::size_t b = bullet_length(t);
    std::string_view body = b ? trim(t.substr(b)) : t;
    int fs = field_shape(body);
    if (fs == 2) return LineClass::FieldSpaced;
    if (b) return LineClass::ListItem;
    if (t.back() == ':' && w <= 6) return LineClass::Label;
    if (fs == 1 && w <= 8) return LineClass::FieldLike;
    if (w <= 15 && t.size() <= 120 && !ends_sentence(t) && t.back() != ',') return LineClass::Heading;
    // A question in title case is a heading too ("Vulnerabilities and
    // Shifting Tides: Cracks in the Alliance?"): every word of four letters
    // or more capitalised, three at least.
    if (w <= 15 && t.size() <= 120 && t.back() == '?') {
        int long_words = 0;
        bool title_case = true;
        for (auto sp : words(t)) {
            if (sp.end - sp.start < 4) continue;
            ++long_words;
            if (!starts_upper(t.substr(sp.start))) title_case = false;
        }
        if (title_case && long_words >= 3) return LineClass::Heading;
    }
    return LineClass::Prose;
}

bool title_like(std::string_view t) {
    int w = count_words(t);
    if (w < 3 || w > 25 || t.size() > 200) return false;
    auto l = last_meaningful(t);
    return l != "." && l != ":" && l != ";" && l != ",";
}

/// A headline in capitals, which may end with an abbreviation's full stop
/// ("REUTERS LAUNCHES VIDEOTEXT SERVICE IN U.K."): the title all the same.
bool capitals_headline(std::string_view t) {
    int w = count_words(t);
    if (w < 3 || w > 25 || t.size() > 200) return false;
    int letters = 0;
    for (unsigned char c : t) {
        if (c >= 'a' && c <= 'z') return false;
        if (c >= 'A' && c <= 'Z') ++letters;
    }
    auto l = last_meaningful(t);
    return letters >= 6 && l != ":" && l != ";" && l != ",";
}

struct LineView {
    std::size_t start, end;  // without the line break
    std::size_t indent;
};

std::vector<LineView> split_lines(std::string_view text) {
    std::vector<LineView> lines;
    std::size_t i = 0;
    while (i <= text.size()) {
        std::size_t j = i;
        while (j < text.size() && text[j] != '\n' && text[j] != '\r') ++j;
        std::size_t ind = 0;
        while (i + ind < j && is_space(text[i + ind])) ++ind;
        lines.push_back({i, j, ind});
        if (j >= text.size()) break;
        if (text[j] == '\r' && j + 1 < text.size() && text[j + 1] == '\n') ++j;
        i = j + 1;
    }
    return lines;
}

/// Trims white space off [s, e) of text.
std::pair<std::size_t, std::size_t> trim_range(std::string_view text, std::size_t s, std::size_t e) {
    std::string_view t = trim(text.substr(s, e - s));
    if (t.empty()) return {s, s};
    std::size_t ns = static_cast<std::size_t>(t.data() - text.data());
    return {ns, ns + t.size()};
}

/// Groups lines into paragraphs: blank lines separate blocks; in a hard-wrapped
/// block (short lines of similar length) lines are joined and an indented line
/// starts a new paragraph; otherwise each line is a paragraph.
std::vector<Para> paragraphs(std::string_view text) {
    auto lines = split_lines(text);
    std::vector<Para> out;
    std::size_t i = 0;
    auto blank = [&](const LineView& l) { return trim(text.substr(l.start, l.end - l.start)).empty(); };
    while (i < lines.size()) {
        if (blank(lines[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < lines.size() && !blank(lines[j])) ++j;
        // Lines [i, j) form a block.
        std::size_t n = j - i, maxlen = 0, longish = 0;
        for (std::size_t k = i; k < j; ++k) {
            std::size_t len = lines[k].end - lines[k].start;
            maxlen = std::max(maxlen, len);
            if (k + 1 < j && len >= 45) ++longish;
        }
        bool wrapped = n >= 2 && maxlen <= 100 && longish * 2 >= (n - 1);
        if (wrapped) {
            std::size_t ps = i;
            auto flush = [&](std::size_t a, std::size_t b) {
                auto [s, e] = trim_range(text, lines[a].start, lines[b - 1].end);
                if (s == e) return;
                std::string_view t = text.substr(s, e - s);
                LineClass c = (b - a == 1) ? classify(t) : LineClass::Prose;
                if (b - a > 1 && bullet_length(t)) c = LineClass::ListItem;
                out.push_back({s, e, c, count_words(t), b - a == 1});
            };
            for (std::size_t k = i + 1; k < j; ++k) {
                std::string_view lt = trim(text.substr(lines[k].start, lines[k].end - lines[k].start));
                bool new_para = (lines[k].indent > lines[k - 1].indent && lines[k].indent >= 2) ||
                                bullet_length(lt) > 0;
                if (new_para) {
                    flush(ps, k);
                    ps = k;
                }
            }
            flush(ps, j);
        } else {
            for (std::size_t k = i; k < j; ++k) {
                auto [s, e] = trim_range(text, lines[k].start, lines[k].end);
                if (s == e) continue;
                std::string_view t = text.substr(s, e - s);
                out.push_back({s, e, classify(t), count_words(t), true});
            }
        }
        i = j;
    }
    return out;
}

BlockKind kind_of(LineClass c) {
    switch (c) {
    case LineClass::StarItem:
    case LineClass::ListItem: return BlockKind::List;
    case LineClass::FieldSpaced:
    case LineClass::FieldLike: return BlockKind::Fields;
    case LineClass::Reference: return BlockKind::References;
    case LineClass::Price: return BlockKind::Price;
    case LineClass::Link: return BlockKind::Links;
    default: return BlockKind::Prose;
    }
}

struct BreakIterDeleter {
    void operator()(icu::BreakIterator* b) const { delete b; }
};

icu::BreakIterator& sentence_iterator() {
    thread_local std::unique_ptr<icu::BreakIterator, BreakIterDeleter> it;
    if (!it) {
        UErrorCode err = U_ZERO_ERROR;
        it.reset(icu::BreakIterator::createSentenceInstance(icu::Locale("en@ss=standard"), err));
        if (U_FAILURE(err) || !it) {
            err = U_ZERO_ERROR;
            it.reset(icu::BreakIterator::createSentenceInstance(icu::Locale::getEnglish(), err));
        }
    }
    return *it;
}

std::string dedupe_key(std::string_view t) {
    std::string f = fold(t);
    std::string k;
    k.reserve(f.size());
    bool sp = false;
    for (char c : f) {
        bool s = is_space(c) || c == '\n' || c == '\r';
        if (s) {
            sp = true;
            continue;
        }
        if (sp && !k.empty()) k += ' ';
        sp = false;
        k += c;
    }
    return k;
}

/// A passage as a pull quote is compared: its dedupe_key `k` without
/// footnote markers ("[xxxvii]", "[3]") and without the quotation marks and
/// full stop around it.
std::string quote_key(const std::string& k) {
    std::string out;
    out.reserve(k.size());
    for (std::size_t i = 0; i < k.size(); ++i) {
        if (k[i] == '[') {
            const std::size_t close = k.find(']', i);
            if (close != std::string::npos && close - i <= 10) {
                i = close;
                continue;
            }
        }
        out += k[i];
    }
    auto edge = [](char c) { return c == '.' || c == '"' || c == '\'' || c == ' ' || c == '!' || c == '?'; };
    std::size_t a = 0, b = out.size();
    while (a < b && edge(out[a])) ++a;
    while (b > a && edge(out[b - 1])) --b;
    return out.substr(a, b - a);
}

/// How a sentence at the end of an article speaks to its reader rather than
/// about its subject: 2 a call to comment, subscribe or read on ("Share your
/// perspectives in the comments below"), 1 a question put to the reader ("Do
/// you believe ...?") or a link's title left behind ("History of Syria |
/// Britannica"), 0 neither.
int reader_address(std::string_view sentence) {
    std::string t;
    t.reserve(sentence.size() + 2);
    t += ' ';
    for (char c : sentence) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    t += ' ';
    // Quoted or reported speech is the article's ("Tehran must let us know
    // its intentions," he told reporters).
    for (std::string_view quoted : {"\"", "\xE2\x80\x9C", "\xE2\x80\x9D", " said", " says ", " told ", " according to "})
        if (t.find(quoted) != std::string::npos) return 0;
    // Spoken to the reader: their comments, thoughts or views, or a sentence
    // that opens with a call ("Subscribe to ...", "Share your ...").
    for (std::string_view call : {"in the comments", "comments below", "comment below", "comments section",
                                  "your thoughts", "your perspectives", "your opinion", "your views"})
        if (t.find(call) != std::string::npos) return 2;
    for (std::string_view opening : {" subscribe", " sign up", " follow us", " share this", " share your", " let us know",
                                     " tell us", " leave a comment", " join the conversation", " click here",
                                     " explore other articles", " read more"})
        if (t.compare(0, opening.size(), opening) == 0) return 2;
    const bool question = ends_sentence(sentence) && last_meaningful(sentence) == "?";
    if (question && (t.find(" you ") != std::string::npos || t.find(" your ") != std::string::npos)) return 1;
    if (sentence.size() <= 80 && sentence.find(" | ") != std::string_view::npos && !ends_sentence(sentence)) return 1;
    return 0;
}

}  // namespace

std::vector<std::pair<std::size_t, std::size_t>> sentences(std::string_view text, std::size_t start,
                                                           std::size_t end) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    UErrorCode err = U_ZERO_ERROR;
    UText* ut = utext_openUTF8(nullptr, text.data() + start, static_cast<int64_t>(end - start), &err);
    if (U_FAILURE(err)) {
        out.emplace_back(start, end);
        return out;
    }
    icu::BreakIterator& bi = sentence_iterator();
    bi.setText(ut, err);
    int32_t prev = bi.first();
    for (int32_t p = bi.next(); p != icu::BreakIterator::DONE; p = bi.next()) {
        auto [s, e] = trim_range(text, start + static_cast<std::size_t>(prev),
                                 start + static_cast<std::size_t>(p));
        if (s < e) out.emplace_back(s, e);
        prev = p;
    }
    utext_close(ut);
    if (out.empty()) out.emplace_back(start, end);
    return out;
}

std::vector<std::pair<std::size_t, std::size_t>> sentence_windows(std::string_view text,
                                                                  std::size_t start,
                                                                  std::size_t end,
                                                                  std::size_t max_bytes) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    if (end - start <= max_bytes) {
        out.emplace_back(start, end);
        return out;
    }
    // Pieces no longer than max_bytes: sentences, long sentences cut at spaces.
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    for (auto [s, e] : sentences(text, start, end)) {
        while (e - s > max_bytes) {
            std::size_t cut = s + max_bytes;
            while (cut > s + max_bytes / 2 && !is_space(text[cut]) && text[cut] != '\n') --cut;
            if (cut <= s + max_bytes / 2) {
                cut = s + max_bytes;  // no space: cut between UTF-8 sequences
                while (cut > s && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
            }
            auto [a, b] = trim_range(text, s, cut);
            if (a < b) pieces.emplace_back(a, b);
            auto [c, d] = trim_range(text, cut, e);
            s = c;
            e = d;
            if (s == e) break;
        }
        if (s < e) pieces.emplace_back(s, e);
    }
    // Greedy windows; the last window is balanced with its predecessor so that
    // no passage is a short leftover.
    std::size_t ws = pieces.front().first, we = pieces.front().second;
    for (std::size_t i = 1; i < pieces.size(); ++i) {
        if (pieces[i].second - ws > max_bytes) {
            out.emplace_back(ws, we);
            ws = pieces[i].first;
        }
        we = pieces[i].second;
    }
    out.emplace_back(ws, we);
    return out;
}

ParsedArticle parse_article(std::string_view text, const PassageOptions& options,
                            std::string_view given_title, bool find_title_line) {
    ParsedArticle art;
    std::vector<Para> paras = paragraphs(text);
    std::vector<bool> consumed(paras.size(), false);
    std::vector<bool> chrome(paras.size(), false);  // navigation before the title

    // The title line: the first title-like line among the first few, after
    // nothing but navigation ("Iran", "Search:").
    std::string_view title_line;
    if (given_title.empty() && find_title_line) {
        for (std::size_t i = 0; i < paras.size() && i < 6; ++i) {
            const Para& p = paras[i];
            std::string_view t = text.substr(p.start, p.end - p.start);
            if (!p.single_line) break;
            if ((p.cls == LineClass::Heading && title_like(t)) || (i == 0 && capitals_headline(t))) {
                title_line = t;
                consumed[i] = true;
                for (std::size_t k = 0; k < i; ++k) chrome[k] = true;
                break;
            }
            bool navigation = p.cls == LineClass::Label || p.cls == LineClass::Link ||
                              (p.cls == LineClass::Heading && p.words <= 2);
            if (!navigation) break;
        }
    }
    if (!given_title.empty()) {
        art.title = std::string(given_title);
    } else if (!title_line.empty()) {
        art.title = std::string(title_line);
    }
    // The same line again later (a repeated title) is navigation too.
    if (!title_line.empty())
        for (std::size_t i = 0; i < paras.size(); ++i)
            if (!consumed[i] && text.substr(paras[i].start, paras[i].end - paras[i].start) == title_line)
                chrome[i] = true;

    // Dated URL or breadcrumb near the top: /2025/02/ or › 2025 › 02 ›
    for (std::size_t i = 0; i < paras.size() && i < 8 && art.published.empty(); ++i) {
        if (paras[i].cls != LineClass::Link) continue;
        std::string_view t = text.substr(paras[i].start, paras[i].end - paras[i].start);
        std::string digits;  // year then month separated by '/' or '›'
        std::vector<std::string> nums;
        std::string cur;
        for (char c : t) {
            if (c >= '0' && c <= '9') {
                cur += c;
            } else {
                if (!cur.empty()) nums.push_back(cur);
                cur.clear();
            }
        }
        if (!cur.empty()) nums.push_back(cur);
        for (std::size_t k = 0; k + 1 < nums.size(); ++k) {
            if (nums[k].size() == 4 && (nums[k][0] == '1' || nums[k][0] == '2') && nums[k + 1].size() == 2 &&
                nums[k + 1] >= "01" && nums[k + 1] <= "12") {
                art.published = nums[k] + "-" + nums[k + 1];
                break;
            }
        }
    }

    // Resolve the kind of every paragraph.
    const std::size_t n = paras.size();
    std::vector<int> kind(n, -1);  // BlockKind, or -1 = heading/label to resolve
    for (std::size_t i = 0; i < n; ++i) {
        if (consumed[i]) continue;
        const Para& p = paras[i];
        if (chrome[i]) {
            kind[i] = static_cast<int>(BlockKind::Links);
            continue;
        }
        switch (p.cls) {
        case LineClass::Prose: kind[i] = static_cast<int>(BlockKind::Prose); break;
        case LineClass::Heading:
        case LineClass::Label: kind[i] = -1; break;
        case LineClass::ListItem: {
            // A list of sentences is prose; a run of short items is a list.
            std::string_view t = text.substr(p.start, p.end - p.start);
            bool sentence = p.words >= 6 && ends_sentence(t);
            kind[i] = static_cast<int>(sentence ? BlockKind::Prose : BlockKind::List);
            break;
        }
        case LineClass::FieldLike: {
            // "Key: value" is a field only among other fields; alone it is a heading.
            bool run = (i > 0 && (paras[i - 1].cls == LineClass::FieldLike ||
                                  paras[i - 1].cls == LineClass::FieldSpaced)) ||
                       (i + 1 < n && (paras[i + 1].cls == LineClass::FieldLike ||
                                      paras[i + 1].cls == LineClass::FieldSpaced));
            kind[i] = run ? static_cast<int>(BlockKind::Fields) : -1;
            break;
        }
        default: kind[i] = static_cast<int>(kind_of(p.cls)); break;
        }
    }
    // Short runs of short list items (fewer than 3) read as prose.
    for (std::size_t i = 0; i < n;) {
        if (kind[i] != static_cast<int>(BlockKind::List) || paras[i].cls != LineClass::ListItem) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < n && kind[j] == static_cast<int>(BlockKind::List) && paras[j].cls == LineClass::ListItem) ++j;
        if (j - i < 3)
            for (std::size_t k = i; k < j; ++k) kind[k] = static_cast<int>(BlockKind::Prose);
        i = j;
    }
    // An article of nothing but short lines is prose all the same.
    bool any_prose = false;
    for (std::size_t i = 0; i < n; ++i)
        if (!consumed[i] && kind[i] == static_cast<int>(BlockKind::Prose)) any_prose = true;
    if (!any_prose)
        for (std::size_t i = 0; i < n; ++i)
            if (!consumed[i] && !chrome[i] && kind[i] == -1) kind[i] = static_cast<int>(BlockKind::Prose);
    // Headings and labels: joined to the prose they introduce; otherwise part
    // of the neighbouring non-prose block, or navigation.
    std::vector<bool> heading_of_next(n, false);
    for (std::size_t i = n; i-- > 0;) {
        if (consumed[i] || kind[i] != -1) continue;
        std::size_t j = i + 1;
        while (j < n && consumed[j]) ++j;
        if (j < n && (kind[j] == static_cast<int>(BlockKind::Prose) || heading_of_next[j])) {
            heading_of_next[i] = true;
            kind[i] = static_cast<int>(BlockKind::Prose);
        } else if (j < n && kind[j] != static_cast<int>(BlockKind::Prose)) {
            kind[i] = kind[j];
        } else if (i > 0 && kind[i - 1] > static_cast<int>(BlockKind::Prose)) {
            kind[i] = kind[i - 1];
        } else {
            kind[i] = static_cast<int>(BlockKind::Links);
        }
    }

    // Build passages.
    auto emit = [&](std::size_t s, std::size_t e, BlockKind k) {
        if (k == BlockKind::Prose) {
            for (auto [a, b] : sentence_windows(text, s, e, options.max_bytes))
                art.passages.push_back({a, b, k, false});
            return;
        }
        // Non-prose blocks: cut at line boundaries near max_bytes.
        std::size_t ws = s;
        while (ws < e) {
            std::size_t we = e;
            if (e - ws > options.max_bytes) {
                std::size_t cut = text.rfind('\n', ws + options.max_bytes);
                we = (cut == std::string_view::npos || cut <= ws) ? std::min(e, ws + options.max_bytes) : cut;
                while (we < e && we > ws && (static_cast<unsigned char>(text[we]) & 0xC0) == 0x80) --we;
            }
            auto [a, b] = trim_range(text, ws, we);
            if (a < b) art.passages.push_back({a, b, k, false});
            ws = we;
            while (ws < e && (text[ws] == '\n' || text[ws] == '\r')) ++ws;
        }
    };
    std::size_t i = 0;
    while (i < n) {
        if (consumed[i]) {
            ++i;
            continue;
        }
        BlockKind k = static_cast<BlockKind>(kind[i]);
        std::size_t s = paras[i].start;
        if (k == BlockKind::Prose) {
            // Headings stay with the paragraph they introduce.
            std::size_t j = i;
            while (heading_of_next[j] && j + 1 < n && !consumed[j + 1]) ++j;
            if (heading_of_next[j]) {  // nothing followed after all
                emit(s, paras[j].end, BlockKind::Prose);
                i = j + 1;
                continue;
            }
            // A long paragraph is split; its heading joins the first window.
            if (j > i && paras[j].end - s > options.max_bytes) {
                std::size_t hs = s;
                auto windows = sentence_windows(text, paras[j].start, paras[j].end, options.max_bytes);
                windows.front().first = hs;
                for (auto [a, b] : windows) art.passages.push_back({a, b, BlockKind::Prose, false});
            } else {
                emit(s, paras[j].end, BlockKind::Prose);
            }
            i = j + 1;
            continue;
        }
        // A label ("This story seems to be about:") starts a block of its own,
        // so that a repeated list is recognised as a repeat.
        std::size_t j = i;
        while (j + 1 < n && !consumed[j + 1] && kind[j + 1] == kind[i] && paras[j + 1].cls != LineClass::Label) ++j;
        emit(s, paras[j].end, k);
        i = j + 1;
    }

    // The article's last prose passage may end by speaking to the reader
    // ("What are your thoughts on the relationship between Iraq and Iran? ...
    // Share your perspectives in the comments below"): those sentences are
    // not what the article says, and they matched its subject's words. They
    // are cut off as a block of their own kind (links: a site's furniture),
    // when they run to the end and one of them is a call to comment,
    // subscribe or read on.
    // (A long paragraph is several passages: the run may start in an
    // earlier one.)
    for (std::size_t last = art.passages.size(); last-- > 0;) {
        if (art.passages[last].kind != BlockKind::Prose) continue;
        std::size_t first = last;
        while (first > 0 && art.passages[first - 1].kind == BlockKind::Prose &&
               text.substr(art.passages[first - 1].end, art.passages[first].start - art.passages[first - 1].end)
                       .find('\n') == std::string_view::npos)
            --first;
        std::vector<std::pair<std::size_t, std::size_t>> sents;
        for (std::size_t k = first; k <= last; ++k) {
            const auto more = sentences(text, art.passages[k].start, art.passages[k].end);
            sents.insert(sents.end(), more.begin(), more.end());
        }
        std::size_t from = sents.size();
        bool call = false;
        while (from > 0) {
            const int r = reader_address(text.substr(sents[from - 1].first, sents[from - 1].second - sents[from - 1].first));
            if (r == 0) break;
            call = call || r == 2;
            --from;
        }
        if (!call) break;
        const std::size_t cut = sents[from].first;
        std::size_t k = first;
        while (art.passages[k].end <= cut) ++k;
        const Passage tail{std::max(cut, art.passages[k].start), art.passages[last].end, BlockKind::Links, false};
        const auto at = [&](std::size_t idx) { return art.passages.begin() + static_cast<long>(idx); };
        if (art.passages[k].start >= cut) {  // passages k..last: the tail
            art.passages[k] = tail;
            art.passages.erase(at(k + 1), at(last + 1));
        } else {  // the tail starts inside passage k
            art.passages[k].end = trim_range(text, art.passages[k].start, cut).second;
            if (k < last) {
                art.passages[k + 1] = tail;
                art.passages.erase(at(k + 2), at(last + 1));
            } else {
                art.passages.insert(at(k + 1), tail);
            }
        }
        break;
    }

    // A block repeated in the article is indexed once.
    std::vector<std::string> dedupe_keys(art.passages.size());  // (never resized: seen points into it)
    std::unordered_set<std::string_view> seen;
    for (std::size_t k = 0; k < art.passages.size(); ++k) {
        auto& p = art.passages[k];
        dedupe_keys[k] = dedupe_key(text.substr(p.start, p.end - p.start));
        if (!seen.insert(dedupe_keys[k]).second) p.duplicate = true;
    }
    // A pull quote, a short paragraph that repeats a sentence of another
    // ("ISIS is set to more than double its attacks from 2023." beside "...
    // warned that ISIS is set to more than double its attacks from 2023[xxxvii],
    // signaling ..."), is a repeat too: indexed, it outranked its source.
    {
        std::vector<std::string> keys(art.passages.size());
        // A heading joined to a pull quote ("Regional Dynamics: ...\nIran has
        // sought ..."): the quote is what repeats.
        std::vector<std::string> bodies(art.passages.size());
        for (std::size_t k = 0; k < art.passages.size(); ++k)
            if (art.passages[k].kind == BlockKind::Prose && !art.passages[k].duplicate) {
                const std::string_view t = text.substr(art.passages[k].start, art.passages[k].end - art.passages[k].start);
                keys[k] = quote_key(dedupe_keys[k]);
                const std::size_t nl = t.find('\n');
                if (nl != std::string_view::npos && nl <= 160 && t.find('\n', nl + 1) == std::string_view::npos &&
                    nl > 0 && t[nl - 1] != '.' && t[nl - 1] != '!' && t[nl - 1] != '?' && t[nl - 1] != ':')
                    bodies[k] = quote_key(dedupe_key(t.substr(nl + 1)));
            }
        // Whole words only ("200 fighters ..." is not inside "1,200 fighters
        // ..."), and only among the passages near it, where pull quotes stand:
        // comparing every pair made an article of 40,000 paragraphs take 20
        // times as long.
        constexpr std::size_t kNear = 20;
        auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80); };
        auto contains_words = [&](const std::string& in, const std::string& q) {
            for (std::size_t at = in.find(q); at != std::string::npos; at = in.find(q, at + 1)) {
                // Before: the start, a space or an opening mark ("1,200" is not "200").
                const char b = at == 0 ? ' ' : in[at - 1];
                const bool starts = b == ' ' || b == '(' || b == '"' || b == '\'' || b == '[' || !word_char(q.front());
                // After: the end, or no letter or digit, nor a number going on ("2023.5").
                const std::size_t e = at + q.size();
                const bool number_goes_on = e + 1 < in.size() && (in[e] == ',' || in[e] == '.') &&
                                            std::isdigit(static_cast<unsigned char>(in[e + 1]));
                const bool ends = e == in.size() || ((!word_char(in[e]) || !word_char(q.back())) && !number_goes_on);
                if (starts && ends) return true;
            }
            return false;
        };
        const std::size_t n_pass = art.passages.size();
        for (std::size_t k = 0; k < n_pass; ++k) {
            for (const std::string* q : {&keys[k], &bodies[k]}) {
                if (q->size() < 30 || q->size() > 400 || art.passages[k].duplicate) continue;
                const std::size_t from = k > kNear ? k - kNear : 0, to = std::min(n_pass, k + kNear + 1);
                for (std::size_t j = from; j < to; ++j)
                    if (j != k && keys[j].size() > q->size() && contains_words(keys[j], *q)) {
                        art.passages[k].duplicate = true;
                        break;
                    }
            }
        }
    }

    // No title line: the first heading, or the start of the first sentence.
    if (art.title.empty()) {
        art.title_from_text = true;
        for (std::size_t k = 0; k < n; ++k) {
            if (consumed[k]) continue;
            std::string_view t = text.substr(paras[k].start, paras[k].end - paras[k].start);
            if (heading_of_next[k] && title_like(t)) {
                art.title = std::string(t);
                break;
            }
        }
        if (art.title.empty()) {
            for (const auto& p : art.passages) {
                if (p.kind != BlockKind::Prose) continue;
                auto sents = sentences(text, p.start, p.end);
                std::string_view first = text.substr(sents.front().first, sents.front().second - sents.front().first);
                if (first.size() > 90) {
                    std::size_t cut = first.rfind(' ', 80);
                    if (cut == std::string_view::npos || cut < 20) cut = 80;
                    while (cut > 0 && (static_cast<unsigned char>(first[cut]) & 0xC0) == 0x80) --cut;
                    std::string_view head = first.substr(0, cut);
                    while (!head.empty() && (head.back() == ',' || head.back() == ';' || head.back() == ':' || is_space(head.back())))
                        head.remove_suffix(1);
                    art.title = std::string(head) + "\xE2\x80\xA6";
                } else {
                    art.title = std::string(first);
                }
                break;
            }
        }
    }
    // "# Iraq and Iran Today" (Markdown): the title without its marks.
    if (!given_title.empty()) return art;
    std::string_view t = art.title;
    std::size_t hashes = 0;
    while (hashes < t.size() && t[hashes] == '#') ++hashes;
    if (hashes >= 1 && hashes <= 6 && hashes < t.size() && t[hashes] == ' ') {
        t.remove_prefix(hashes);
        while (!t.empty() && (t.back() == '#' || t.back() == ' ')) t.remove_suffix(1);
        while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
        if (!t.empty()) art.title = std::string(t);
    }
    return art;
}

}  // namespace qanat
