#include "document.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "names.h"
#include "normalize.h"
#include "schema.h"
#include "varint.h"

namespace qanat {

namespace {

constexpr char kFieldSep = '\x1f';
constexpr char kItemSep = '\x1e';

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    if (s.empty()) return out;
    for (std::size_t p = 0;;) {
        auto q = s.find(sep, p);
        out.push_back(s.substr(p, q == std::string_view::npos ? std::string_view::npos : q - p));
        if (q == std::string_view::npos) break;
        p = q + 1;
    }
    return out;
}

}  // namespace

namespace {

// The stored form of a passage: a format byte, then fields as unsigned
// varints and length-prefixed strings, in a fixed order.
constexpr char kStoredFormat = 1;

struct Reader : VarintReader {
    Reader(std::string_view data, std::size_t from) : VarintReader{data, "stored passage is damaged", from} {}
};

}  // namespace

std::string StoredPassage::serialise() const {
    std::string out;
    out.reserve(text.size() + title.size() + article_id.size() + path.size() + 32 + 24 * actors.size());
    out += kStoredFormat;
    put_string(out, article_id);
    put_string(out, title);
    put_string(out, path);
    put_string(out, published);
    put_varint(out, ordinal);
    put_varint(out, start);
    put_varint(out, end);
    put_string(out, text);
    put_varint(out, static_cast<std::uint64_t>(kind));
    put_varint(out, actors.size());
    for (const auto& a : actors) {
        put_string(out, a.name);
        put_varint(out, static_cast<std::uint64_t>(a.kind));
        put_varint(out, a.start);
        put_varint(out, a.end);
    }
    put_varint(out, years.size());
    for (const auto& y : years) {
        put_string(out, y.label);
        put_varint(out, y.start);
        put_varint(out, y.end);
    }
    return out;
}

StoredPassage StoredPassage::deserialise(std::string_view data) {
    StoredPassage p;
    Reader r{data, 1};
    if (data.empty() || data[0] != kStoredFormat) r.damaged();
    p.article_id = r.string();
    p.title = r.string();
    p.path = r.string();
    p.published = r.string();
    p.ordinal = static_cast<unsigned>(r.varint());
    p.start = r.varint();
    p.end = r.varint();
    p.text = r.string();
    auto kind = r.varint();
    if (kind > static_cast<std::uint64_t>(BlockKind::Links)) r.damaged();
    p.kind = static_cast<BlockKind>(kind);
    auto n = r.varint();
    if (n > data.size()) r.damaged();
    for (std::uint64_t i = 0; i < n; ++i) {
        ActorRef a;
        a.name = r.string();
        auto k = r.varint();
        a.kind = k > static_cast<std::uint64_t>(ActorKind::Unknown) ? ActorKind::Unknown : static_cast<ActorKind>(k);
        a.start = r.varint();
        a.end = r.varint();
        p.actors.push_back(std::move(a));
    }
    n = r.varint();
    if (n > data.size()) r.damaged();
    for (std::uint64_t i = 0; i < n; ++i) {
        YearRef y;
        y.label = r.string();
        y.start = r.varint();
        y.end = r.varint();
        p.years.push_back(std::move(y));
    }
    return p;
}

std::vector<std::pair<std::string, ActorKind>> StoredPassage::actor_set() const {
    std::vector<std::pair<std::string, ActorKind>> out;
    for (const auto& a : actors) out.emplace_back(a.name, a.kind);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end(),
                          [](const auto& x, const auto& y) { return x.first == y.first; }),
              out.end());
    return out;
}

std::vector<std::string> StoredPassage::year_set() const {
    std::set<std::string> s;
    for (const auto& y : years) s.insert(y.label);
    return {s.begin(), s.end()};
}

std::string FacetKey::serialise() const {
    std::string s = article_id;
    s += kFieldSep;
    bool first = true;
    for (const auto& [name, kind] : actors) {
        if (!first) s += kItemSep;
        first = false;
        s += static_cast<char>('0' + static_cast<int>(kind));
        s += name;
    }
    s += kFieldSep;
    first = true;
    for (const auto& y : years) {
        if (!first) s += kItemSep;
        first = false;
        s += y;
    }
    s += kFieldSep;
    s += published;
    return s;
}

FacetKey FacetKey::deserialise(std::string_view s) {
    FacetKey k;
    auto fields = split(s, kFieldSep);
    if (fields.size() != 4) return k;
    k.published = std::string(fields[3]);
    k.article_id = std::string(fields[0]);
    for (auto a : split(fields[1], kItemSep)) {
        if (a.empty()) continue;
        int kind = a[0] - '0';
        if (kind < 0 || kind > static_cast<int>(ActorKind::Unknown)) kind = static_cast<int>(ActorKind::Unknown);
        k.actors.emplace_back(std::string(a.substr(1)), static_cast<ActorKind>(kind));
    }
    for (auto y : split(fields[2], kItemSep))
        if (!y.empty()) k.years.emplace_back(y);
    return k;
}

std::string year_label_term(std::string_view label) {
    if (label.size() == 5 && label.back() == 's')
        return schema::term(schema::kDecade, label.substr(0, 3));
    return schema::term(schema::kYear, label);
}

DocumentBuilder::DocumentBuilder(const AnalysisSettings& analysis, const Gazetteer& gazetteer,
                                 PassageOptions options)
    : analyzer_(analysis), gazetteer_(gazetteer), options_(options), terms_(analyzer_.stemmer(), analyzer_.term_generator()) {}

void DocumentBuilder::annotate(std::string_view text, std::vector<ActorRef>* actors,
                               std::vector<YearRef>* years) const {
    for (const auto& m : ActorFinder(gazetteer_).find(text, {{0, text.size(), true}}))
        actors->push_back({m.name, m.kind, m.start, m.end});
    add_years(text, years);
}

void DocumentBuilder::add_years(std::string_view text, std::vector<YearRef>* years) {
    for (const auto& y : find_years(text)) {
        if (y.decade) {
            years->push_back({std::to_string(y.from) + "s", y.start, y.end});
        } else {
            for (int v = y.from; v <= y.to; ++v) years->push_back({std::to_string(v), y.start, y.end});
        }
    }
}

namespace {

/// Words worth suggesting: letters only, 3 to 30 bytes, no apostrophe.
bool spelling_word(std::string_view w, std::string_view folded) {
    if (w.size() < 3 || w.size() > 30 || folded.empty()) return false;
    for (char c : w)
        if ((c >= '0' && c <= '9') || c == '.' || c == ',' || c == '&' || c == '_') return false;
    return folded.find('\'') == std::string_view::npos;
}

}  // namespace

std::vector<std::pair<std::string, unsigned>> spelling_words(std::string_view prose) {
    std::map<std::string, unsigned> counts;
    for (auto w : words(prose)) {
        const std::string_view word = prose.substr(w.start, w.end - w.start);
        std::string folded = match_form(word);
        if (spelling_word(word, folded)) ++counts[std::move(folded)];
    }
    return {counts.begin(), counts.end()};
}

BuiltArticle DocumentBuilder::build(const Article& article) {
    BuiltArticle out;
    ParsedArticle parsed = parse_article(article.text, options_, article.title, article.title_line);
    out.title = parsed.title;
    std::string published = article.published.empty() ? parsed.published : article.published;
    const std::string article_term = schema::term(schema::kArticle, article.id);
    // Actors are found over the whole article, so that short forms link to
    // full names mentioned in other passages.
    std::vector<TextRegion> regions;
    for (const auto& ps : parsed.passages)
        if (!ps.duplicate) regions.push_back({ps.start, ps.end, ps.kind == BlockKind::Prose});
    // The article's words, split and folded once for names and spelling.
    const std::vector<Span> spans = words(article.text);
    std::vector<std::string> folded;
    folded.reserve(spans.size());
    for (auto w : spans) folded.push_back(match_form(std::string_view(article.text).substr(w.start, w.end - w.start)));
    const WordNumbers numbers = number_words(folded);
    std::vector<NamedMention> mentions = ActorFinder(gazetteer_).find(article.text, regions, spans, folded, numbers);
    // Title words: for title: searches, without positions (no title phrases),
    // which keeps every passage from carrying its title's position lists.
    // Analysed once; every passage of the article gets the same terms.
    std::vector<std::pair<std::string, Xapian::termcount>> title_terms;
    {
        Xapian::Document title_doc;
        terms_.index_without_positions(title_doc, parsed.title, std::string(schema::kTitle.prefix));
        for (auto t = title_doc.termlist_begin(); t != title_doc.termlist_end(); ++t)
            title_terms.emplace_back(*t, t.get_wdf());
    }
    // Abbreviations the article uses for an actor ("PKK" for the Kurdistan
    // Workers' Party, defined as "Kurdistan Workers' Party (PKK)"): every
    // passage of the article that names the actor carries them too, so that
    // actor:PKK finds them where no actor list knows the abbreviation.
    std::map<std::string, std::set<std::string>> abbreviations;  // actor key -> abbreviation keys
    for (const auto& m : mentions) {
        const std::string_view surface = std::string_view(article.text).substr(m.start, m.end - m.start);
        if (surface.size() > 8 || !acronym(surface)) continue;
        std::string ab = actor_key(surface), key = actor_key(m.name);
        if (!ab.empty() && ab != key) abbreviations[key].insert(std::move(ab));
    }
    // Each name's actor key, worked out once an article (names recur from passage to passage).
    std::unordered_map<std::string, std::string> keys_of;
    auto key_of = [&](const std::string& name) -> const std::string& {
        auto it = keys_of.find(name);
        if (it == keys_of.end()) it = keys_of.emplace(name, actor_key(name)).first;
        return it->second;
    };
    std::vector<unsigned> spelling(numbers.size());  // by word number
    std::size_t next_word = 0;
    std::size_t next_mention = 0;
    unsigned ordinal = 0;
    for (const auto& ps : parsed.passages) {
        if (ps.duplicate) {
            ++out.duplicates;
            continue;
        }
        StoredPassage sp;
        sp.article_id = article.id;
        sp.title = parsed.title;
        sp.path = article.path;
        sp.published = published;
        sp.ordinal = ordinal++;
        sp.start = ps.start;
        sp.end = ps.end;
        sp.text = article.text.substr(ps.start, ps.end - ps.start);
        sp.kind = ps.kind;
        while (next_mention < mentions.size() && mentions[next_mention].start < ps.start) ++next_mention;
        for (std::size_t k = next_mention; k < mentions.size() && mentions[k].end <= ps.end; ++k)
            sp.actors.push_back({mentions[k].name, mentions[k].kind, mentions[k].start - ps.start, mentions[k].end - ps.start});
        add_years(sp.text, &sp.years);

        Xapian::Document doc;
        terms_.index(doc, sp.text);
        for (const auto& [term, wdf] : title_terms) doc.add_term(term, wdf);
        doc.add_boolean_term(article_term);
        FacetKey fk;
        fk.article_id = article.id;
        fk.actors = sp.actor_set();
        fk.years = sp.year_set();
        if (published.size() >= 4) fk.published = published.substr(0, 4);
        std::set<ActorKind> kinds;
        for (const auto& [name, kind] : fk.actors) {
            const std::string& key = key_of(name);
            doc.add_boolean_term(schema::term(schema::kActor, key));
            if (auto ab = abbreviations.find(key); ab != abbreviations.end())
                for (const auto& a : ab->second) doc.add_boolean_term(schema::term(schema::kActorAbbrev, a));
            kinds.insert(kind);
        }
        for (ActorKind k : kinds) doc.add_boolean_term(schema::term(schema::kActorKind, actor_kind_name(k)));
        for (const auto& y : fk.years) doc.add_boolean_term(year_label_term(y));
        if (sp.kind != BlockKind::Prose) {
            doc.add_boolean_term(schema::term(schema::kBlock, block_kind_name(sp.kind)));
            ++out.nonprose;
        }
        if (published.size() >= 4) {
            doc.add_boolean_term(schema::term(schema::kPublished, published.substr(0, 4)));
            std::string ymd;
            for (char c : published)
                if (c != '-') ymd += c;
            doc.add_value(schema::kSlotPublished, ymd);
        }
        doc.add_value(schema::kSlotArticle, article.id);
        doc.add_value(schema::kSlotOrder, schema::order_key(article.id, sp.ordinal));
        doc.add_value(schema::kSlotFacets, fk.serialise());
        doc.add_value(schema::kSlotPassage, sp.serialise());
        out.documents.push_back(std::move(doc));
        ++out.passages;
        while (next_word < spans.size() && spans[next_word].start < ps.start) ++next_word;
        for (; next_word < spans.size() && spans[next_word].end <= ps.end; ++next_word)
            if (sp.kind == BlockKind::Prose &&
                spelling_word(std::string_view(article.text).substr(spans[next_word].start,
                                                                    spans[next_word].end - spans[next_word].start),
                              folded[next_word]))
                ++spelling[numbers.of[next_word]];
    }
    for (std::size_t n = 0; n < spelling.size(); ++n)
        if (spelling[n]) out.spelling.emplace_back(folded[numbers.first[n]], spelling[n]);
    return out;
}

}  // namespace qanat
