#include "printers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "json_writer.h"

namespace qanat::searcher {

namespace {

constexpr const char* kHlOn = "\x1b[1;31m";
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kDim = "\x1b[2m";
constexpr const char* kOff = "\x1b[0m";
constexpr const char* kMarkOn = "[[";
constexpr const char* kMarkOff = "]]";

double round6(double v) { return std::round(v * 1e6) / 1e6; }

void write_facet(JsonWriter& w, const Facet& f, bool with_kind) {
    w.begin_array();
    for (const auto& v : f.values) {
        w.begin_object().key("value").value(v.value);
        if (with_kind) w.key("kind").value(v.kind);
        w.key("passages").value(v.passages).key("articles").value(v.articles).end_object();
    }
    w.end_array();
}

void write_span(JsonWriter& w, std::size_t a, std::size_t b) {
    w.begin_array().value(static_cast<unsigned long long>(a)).value(static_cast<unsigned long long>(b)).end_array();
}

void write_strings(JsonWriter& w, const std::vector<std::string>& v) {
    w.begin_array();
    for (const auto& s : v) w.value(s);
    w.end_array();
}

void write_result(JsonWriter& w, const QueryInfo& q, const SearchResult& r) {
    w.begin_object();
    if (q.batch) w.key("id").value(q.id);
    w.key("format_version").value(kJsonFormatVersion);
    w.key("query").value(r.query);
    w.key("parsed").value(r.parsed);
    w.key("total").begin_object().key("passages").value(r.total_passages).key("articles").value(r.total_articles).end_object();
    w.key("hits").begin_array();
    for (const auto& h : r.hits) {
        const auto& p = h.passage;
        w.begin_object();
        w.key("rank").value(h.rank);
        w.key("score").value(round6(h.score));
        w.key("article").begin_object().key("id").value(p.article_id).key("title").value(p.title).key("path").value(p.path);
        if (!p.published.empty()) w.key("published").value(p.published);
        w.end_object();
        w.key("passage").begin_object().key("index").value(p.ordinal).key("start").value(static_cast<unsigned long long>(p.start));
        w.key("end").value(static_cast<unsigned long long>(p.end)).key("kind").value(block_kind_name(p.kind)).end_object();
        w.key("text").value(p.text);
        w.key("highlights").begin_array();
        for (const auto& sp : h.highlights) write_span(w, sp.start, sp.end);
        w.end_array();
        // The snippet's parts joined by " … "; its highlights as byte offsets
        // into that string, and where each part lies in the text.
        std::string snippet;
        std::vector<std::pair<std::size_t, std::size_t>> in_snippet;
        for (const auto& part : h.snippet) {
            if (&part != &h.snippet.front()) snippet += kSnippetSeparator;
            for (const auto& sp : h.highlights)
                if (sp.start >= part.start && sp.end <= part.end)
                    in_snippet.emplace_back(snippet.size() + sp.start - part.start, snippet.size() + sp.end - part.start);
            snippet += std::string_view(p.text).substr(part.start, part.end - part.start);
        }
        w.key("snippet").value(snippet);
        w.key("snippet_highlights").begin_array();
        for (const auto& [a, b] : in_snippet) write_span(w, a, b);
        w.end_array();
        w.key("snippet_spans").begin_array();
        for (const auto& part : h.snippet) write_span(w, part.start, part.end);
        w.end_array();
        w.key("actors").begin_array();
        for (const auto& [name, kind] : p.actor_set())
            w.begin_object().key("name").value(name).key("kind").value(actor_kind_name(kind)).end_object();
        w.end_array();
        w.key("years");
        write_strings(w, p.year_set());
        if (r.explained) {  // (empty for a hit that scores 0: filters only, or only NOT)
            w.key("explain").begin_array();
            for (const auto& c : h.explain)
                w.begin_object().key("term").value(c.term).key("weight").value(round6(c.weight)).key("why").value(c.why).end_object();
            w.end_array();
        }
        w.end_object();
    }
    w.end_array();
    w.key("facets").begin_object();
    w.key("actor");
    write_facet(w, r.actors, true);
    w.key("year");
    write_facet(w, r.years, false);
    w.key("published");
    write_facet(w, r.published, false);
    w.end_object();
    w.key("facet_values").begin_object().key("actor").value(r.actors.total_values);
    w.key("year").value(r.years.total_values).key("published").value(r.published.total_values).end_object();
    w.key("warnings");
    write_strings(w, r.warnings);
    w.key("suggestion");
    if (r.suggestion.empty()) w.null();
    else w.value(r.suggestion);
    if (!r.corrected.empty()) w.key("corrected").value(r.corrected);
    w.key("partial").value(r.partial);
    if (r.partial) {
        w.key("unavailable");
        write_strings(w, r.unavailable);
    }
    w.end_object();
}

class JsonPrinter : public Printer {
  public:
    JsonPrinter(std::ostream& out, bool lines) : out_(out), lines_(lines) {}
    void result(const QueryInfo& q, const SearchResult& r) override {
        buf_.clear();
        JsonWriter w(buf_, lines_ ? -1 : 2);
        write_result(w, q, r);
        buf_ += '\n';
        out_ << buf_;
    }
    void error(const QueryInfo& q, const std::string& query, const std::string& message) override {
        buf_.clear();
        JsonWriter w(buf_, lines_ ? -1 : 2);
        w.begin_object();
        if (q.batch) w.key("id").value(q.id);
        w.key("format_version").value(kJsonFormatVersion).key("query").value(query).key("error").value(message);
        w.end_object();
        buf_ += '\n';
        out_ << buf_;
    }

  private:
    std::ostream& out_;
    bool lines_;
    std::string buf_;
};

/// A TREC column holds no white space and no control character: each becomes '_'.
std::string trec_field(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c <= 0x20 || c == 0x7F) {
            out += '_';
        } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0xA0) {
            out += '_';  // C1 controls and the no-break space
            ++i;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out.empty() ? "_" : out;
}

class TrecPrinter : public Printer {
  public:
    TrecPrinter(std::ostream& out, const std::string& tag) : out_(out), tag_(trec_field(tag)) {}
    void result(const QueryInfo& q, const SearchResult& r) override {
        std::string qid = trec_field(q.id.empty() ? "1" : q.id);
        char score[64];
        for (const auto& h : r.hits) {
            std::snprintf(score, sizeof score, "%.6f", h.score);
            out_ << qid << " Q0 " << trec_field(h.passage.article_id) << " " << h.rank << " " << score << " " << tag_
                 << "\n";
        }
    }
    void error(const QueryInfo&, const std::string&, const std::string&) override {}

  private:
    std::ostream& out_;
    std::string tag_;
};

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

class TextPrinter : public Printer {
  public:
    TextPrinter(std::ostream& out, const PrintOptions& opt) : out_(out), opt_(opt) {}

    void result(const QueryInfo& q, const SearchResult& r) override {
        // (A blank line between blocks, none before the first: "| head -1"
        // shows the first hit of a single query.)
        bool above = q.batch;
        if (q.batch) out_ << (count_++ ? "\n" : "") << "## " << terminal_safe(q.id) << ": " << terminal_safe(r.query) << "\n";
        // A single query's warnings go to standard error (see search_command.cpp).
        if (q.batch)
            for (const auto& w : r.warnings) out_ << "warning: " << terminal_safe(w) << "\n";
        if (r.partial) {
            out_ << "PARTIAL RESULTS: " << r.unavailable.size() << " part(s) of the index left out\n";
            above = true;
        }
        if (!r.suggestion.empty() && r.corrected.empty()) {
            out_ << "Did you mean: " << bold(terminal_safe(r.suggestion)) << (r.suggestion.back() == '?' ? "\n" : "?\n");
            above = true;
        }
        if (r.hits.empty()) {
            out_ << (r.total_passages == 0 ? "No passages match.\n" : "No passages on this page.\n");
        }
        for (const auto& h : r.hits) {
            if (above) out_ << "\n";
            above = true;
            hit(h);
        }
        out_ << "\n" << dim(plural(r.total_passages, "passage", "passages") + " in " +
                            plural(r.total_articles, "article", "articles") + " match.") << "\n";
        if (opt_.show_facets) {
            actors(r.actors);
            years(r.years, "Years");
            years(r.published, "Published");
        }
    }

    void error(const QueryInfo& q, const std::string& query, const std::string& message) override {
        if (q.batch) out_ << (count_++ ? "\n" : "") << "## " << terminal_safe(q.id) << ": " << terminal_safe(query) << "\n";
        out_ << "error: " << terminal_safe(message) << "\n";
    }

  private:
    std::string dim(const std::string& s) const { return opt_.color ? kDim + s + kOff : s; }
    std::string bold(const std::string& s) const { return opt_.color ? kBold + s + kOff : s; }

    void hit(const Hit& h) {
        const auto& p = h.passage;
        char score[32];
        std::snprintf(score, sizeof score, "%.3f", h.score);
        out_ << std::setw(3) << h.rank << ". " << bold(terminal_safe(p.title)) << "\n";
        std::string meta = "     " + terminal_safe(p.article_id) + " \xC2\xB6" + std::to_string(p.ordinal) +
                           "  score " + score;
        if (p.kind != BlockKind::Prose) meta += "  [" + std::string(block_kind_name(p.kind)) + "]";
        out_ << dim(meta) << "\n";
        // Snippet with highlights.
        std::string line = "     ";
        if (!h.snippet.empty() && h.snippet.front().start > 0) line += "\xE2\x80\xA6";
        for (const auto& part : h.snippet) {
            if (&part != &h.snippet.front()) line += kSnippetSeparator;
            std::size_t pos = part.start;
            for (const auto& s : h.highlights) {
                if (s.end <= part.start || s.start >= part.end) continue;
                std::size_t a = std::max(s.start, part.start), b = std::min(s.end, part.end);
                line += terminal_safe(std::string_view(p.text).substr(pos, a - pos), true);
                std::string word = terminal_safe(std::string_view(p.text).substr(a, b - a));
                line += opt_.color ? (kHlOn + word + kOff) : (kMarkOn + word + kMarkOff);
                pos = b;
            }
            line += terminal_safe(std::string_view(p.text).substr(pos, part.end - pos), true);
        }
        if (!h.snippet.empty() && h.snippet.back().end < p.text.size()) line += "\xE2\x80\xA6";
        out_ << line << "\n";
        for (const auto& c : h.explain) {
            char w[32];
            std::snprintf(w, sizeof w, "%7.3f", c.weight);
            out_ << dim(std::string("     ") + w + "  " + terminal_safe(c.term) + "  (" + terminal_safe(c.why) + ")") << "\n";
        }
    }

    void actors(const Facet& f) {
        if (f.total_values == 0) return;
        out_ << "\n" << bold("Actors") << dim(" (top " + std::to_string(f.values.size()) + " of " +
                                                 std::to_string(f.total_values) + "; passages, articles)")
             << "\n";
        std::size_t w = 0;
        for (const auto& v : f.values) w = std::max(w, display_width(v.value));
        for (const auto& v : f.values) {
            std::string name = terminal_safe(v.value);
            out_ << "  " << name << std::string(w - display_width(v.value) + 2, ' ') << std::setw(5)
                 << v.passages << std::setw(4) << v.articles << "  " << dim(v.kind) << "\n";
        }
    }

    void years(const Facet& f, const char* heading) {
        if (f.total_values == 0) return;
        out_ << "\n" << bold(heading) << dim(" (top " + std::to_string(f.values.size()) + " of " +
                                                std::to_string(f.total_values) + ", in year order; passages, articles)")
             << "\n";
        // A histogram in year order (JSON keeps the facet's order).
        std::vector<FacetValue> v = f.values;
        std::sort(v.begin(), v.end(), [](const FacetValue& a, const FacetValue& b) { return a.value < b.value; });
        Xapian::doccount mx = 1;
        for (const auto& e : v) mx = std::max(mx, e.passages);
        for (const auto& e : v) {
            std::size_t bar = std::max<std::size_t>(1, (e.passages * 30 + mx - 1) / mx);
            std::string b;
            for (std::size_t i = 0; i < bar; ++i) b += "\xE2\x96\x88";
            out_ << "  " << std::left << std::setw(6) << e.value << std::right << " " << b << " " << e.passages
                 << dim(" (" + std::to_string(e.articles) + ")") << "\n";
        }
    }

    static std::size_t display_width(const std::string& s) {
        std::size_t n = 0;
        for (unsigned char c : s)
            if ((c & 0xC0) != 0x80) ++n;
        return n;
    }

    std::ostream& out_;
    PrintOptions opt_;
    std::size_t count_ = 0;
};

}  // namespace

std::string terminal_safe(std::string_view s, bool breaks) {
    std::string out;
    out.reserve(s.size());
    bool space = false, line_break = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            if (!space) out += ' ';
            space = true;
            line_break = line_break || c == '\n';
            continue;
        }
        // A heading and its paragraph, or the lines of a list, on one line:
        // a dash between them ("Iran's Formidable Iraqi Ally A cornerstone...").
        if (breaks && line_break) out += "\xE2\x80\x94 ";
        space = false;
        line_break = false;
        if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(s[i + 1]));
            out += buf;
            ++i;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string result_json(const QueryInfo& q, const SearchResult& r, int indent) {
    std::string out;
    JsonWriter w(out, indent);
    write_result(w, q, r);
    return out;
}

std::unique_ptr<Printer> make_printer(Format f, std::ostream& out, const PrintOptions& opt) {
    switch (f) {
    case Format::Text: return std::make_unique<TextPrinter>(out, opt);
    case Format::Json: return std::make_unique<JsonPrinter>(out, false);
    case Format::Jsonl: return std::make_unique<JsonPrinter>(out, true);
    case Format::Trec: return std::make_unique<TrecPrinter>(out, opt.run_tag);
    }
    return nullptr;
}

}  // namespace qanat::searcher
