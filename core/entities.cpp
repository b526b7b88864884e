#include "entities.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "common_words.h"
#include "names.h"
#include "normalize.h"
#include "stopwords.h"

namespace qanat {

bool everyday_word(std::string_view folded) {
    static const std::set<std::string_view> stop = [] {
        std::set<std::string_view> s;
        for (auto w : english_stopwords()) s.insert(w);
        for (auto w : english_query_stopwords()) s.insert(w);
        return s;
    }();
    return stop.count(folded) > 0 || is_common_word(folded);
}

bool capitals_only(std::string_view alias) { return words(alias).size() == 1 && all_upper(alias) && alias.size() <= 6; }

std::string_view actor_kind_name(ActorKind k) {
    switch (k) {
    case ActorKind::Person: return "person";
    case ActorKind::Organisation: return "organisation";
    case ActorKind::Place: return "place";
    case ActorKind::Group: return "group";
    case ActorKind::Unknown: return "unknown";
    }
    return "unknown";
}

bool parse_actor_kind(std::string_view s, ActorKind* out) {
    std::string f = fold(s);
    if (f == "person" || f == "people") *out = ActorKind::Person;
    else if (f == "organisation" || f == "organization" || f == "org") *out = ActorKind::Organisation;
    else if (f == "place" || f == "country" || f == "location") *out = ActorKind::Place;
    else if (f == "group") *out = ActorKind::Group;
    else if (f == "unknown") *out = ActorKind::Unknown;
    else return false;
    return true;
}

namespace {


std::vector<std::string> match_words(std::string_view s) {
    std::vector<std::string> out;
    for (auto sp : words(s)) out.push_back(match_form(s.substr(sp.start, sp.end - sp.start)));
    return out;
}

/// Between two words of one name there may be only spaces and hyphens (and a
/// full stop after an initial: "George W. Bush").
bool joinable_gap(std::string_view gap, std::string_view prev_word = {}) {
    if (prev_word.size() == 1 && gap == ". ") return true;
    if (gap.size() > 4) return false;
    for (std::size_t i = 0; i < gap.size();) {
        unsigned char c = static_cast<unsigned char>(gap[i]);
        if (c == ' ' || c == '-' || c == '\'') {  // Workers' Party
            ++i;
        } else if (gap.substr(i, 3) == "\xE2\x80\x90" || gap.substr(i, 3) == "\xE2\x80\x91" ||
                   gap.substr(i, 3) == "\xE2\x80\x93" || gap.substr(i, 3) == "\xE2\x80\x99") {
            i += 3;
        } else if (gap.substr(i, 2) == "\xC2\xA0") {
            i += 2;
        } else {
            return false;
        }
    }
    return true;
}

std::string_view trim_ws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string match_form(std::string_view word) {
    std::string f = fold(word);
    if (f.size() > 2 && f.compare(f.size() - 2, 2, "'s") == 0) f.resize(f.size() - 2);
    return f;
}

std::string actor_key(std::string_view name) {
    std::string out;
    auto add = [&](std::string_view w) {
        if (!out.empty()) out += ' ';
        out += w;
    };
    for (const auto& w : match_words(name)) {
        // Initials written together are the same initials: "H.W." is
        // "H. W." ("George H.W. Bush" and "George H. W. Bush" one actor).
        bool initials = w.find('.') != std::string::npos;
        for (std::size_t i = 0; initials && i < w.size();) {
            const std::size_t dot = std::min(w.find('.', i), w.size());
            const std::size_t len = dot - i;
            const auto lead = static_cast<unsigned char>(w[i]);
            const std::size_t cp = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (len == 0 || len != cp || (len == 1 && !std::isalpha(lead))) initials = false;
            i = dot + 1;
        }
        if (!initials) {
            add(w);
            continue;
        }
        for (std::size_t i = 0; i < w.size();) {
            const std::size_t dot = std::min(w.find('.', i), w.size());
            add(std::string_view(w).substr(i, dot - i));
            i = dot + 1;
        }
    }
    return out;
}

void Gazetteer::load_tsv(std::string_view content, const std::string& source, std::vector<std::string>* warnings) {
    // A byte-order mark, as spreadsheets and Notepad save: not part of the first name.
    if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
    std::size_t lineno = 0;
    while (!content.empty()) {
        ++lineno;
        auto nl = content.find('\n');
        std::string_view line = content.substr(0, nl);
        content = nl == std::string_view::npos ? std::string_view{} : content.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (trim_ws(line).empty() || trim_ws(line)[0] == '#') continue;
        std::vector<std::string_view> cols;
        for (std::size_t p = 0;;) {
            auto t = line.find('\t', p);
            cols.push_back(line.substr(p, t == std::string_view::npos ? std::string_view::npos : t - p));
            if (t == std::string_view::npos) break;
            p = t + 1;
        }
        if (cols.size() < 2)
            throw GazetteerError(source, lineno, "expected 'name<TAB>kind<TAB>aliases', found no tab");
        if (cols.size() > 3) throw GazetteerError(source, lineno, "more than three tab-separated columns");
        Actor a;
        a.name = std::string(trim_ws(cols[0]));
        if (a.name.empty()) throw GazetteerError(source, lineno, "empty canonical name");
        if (!valid_utf8(a.name)) throw GazetteerError(source, lineno, "name is not valid UTF-8");
        if (!parse_actor_kind(trim_ws(cols[1]), &a.kind))
            throw GazetteerError(source, lineno,
                                 "unknown kind '" + std::string(trim_ws(cols[1])) +
                                     "' (person, organisation, place or group)");
        if (cols.size() == 3) {
            std::string_view al = cols[2];
            while (!al.empty()) {
                auto bar = al.find('|');
                std::string_view one = trim_ws(al.substr(0, bar));
                al = bar == std::string_view::npos ? std::string_view{} : al.substr(bar + 1);
                if (!one.empty()) a.aliases.emplace_back(one);
            }
        }
        if (actor_key(a.name).empty()) throw GazetteerError(source, lineno, "name has no words");
        const std::string here = source + ":" + std::to_string(lineno);
        // Conflicts with what earlier lines listed: the first line wins, and
        // the facets would be wrong with nothing to say why.
        const std::string name_key = actor_key(a.name);
        const auto named = by_key_.find(name_key);
        const std::size_t target = named != by_key_.end() ? named->second : actors_.size();
        if (warnings && named != by_key_.end()) {
            const Actor& was = actors_[named->second];
            if (actor_key(was.name) != name_key)
                warnings->push_back(here + ": '" + a.name + "' is already an alias of '" + was.name + "' (" +
                                    listed_at_[name_key] + "): this line adds to that actor");
            else if (was.kind != a.kind && was.kind != ActorKind::Unknown && a.kind != ActorKind::Unknown)
                warnings->push_back(here + ": '" + a.name + "' is listed again, as " +
                                    std::string(actor_kind_name(a.kind)) + " (" + listed_at_[name_key] + ": " +
                                    std::string(actor_kind_name(was.kind)) + "); the first kind stays");
        }
        for (const auto& al : a.aliases) {
            const std::string key = actor_key(al);
            const auto had = by_key_.find(key);
            if (warnings && had != by_key_.end() && had->second != target)
                warnings->push_back(here + ": alias '" + al + "' is already '" + actors_[had->second].name + "' (" +
                                    listed_at_[key] + "); it stays that actor's");
        }
        listed_at_.emplace(name_key, here);
        for (const auto& al : a.aliases) listed_at_.emplace(actor_key(al), here);
        add(std::move(a));
    }
}

void Gazetteer::add(Actor a) {
    std::string key = actor_key(a.name);
    auto it = by_key_.find(key);
    std::size_t idx;
    if (it != by_key_.end()) {
        idx = it->second;
        Actor& existing = actors_[idx];
        for (auto& al : a.aliases)
            if (std::find(existing.aliases.begin(), existing.aliases.end(), al) == existing.aliases.end())
                existing.aliases.push_back(al);
        if (existing.kind == ActorKind::Unknown) existing.kind = a.kind;
    } else {
        idx = actors_.size();
        actors_.push_back(a);
        by_key_.emplace(key, idx);
        add_pattern(a.name, idx);
    }
    for (const auto& al : a.aliases) {
        by_key_.emplace(actor_key(al), idx);
        add_pattern(al, idx);
    }
}

void Gazetteer::add_pattern(std::string_view alias, std::size_t actor) {
    Pattern p;
    p.actor = actor;
    p.words = match_words(alias);
    if (p.words.empty()) return;
    const bool one_word = words(alias).size() == 1;
    if (capitals_only(alias))
        p.letter_case = Case::All;
    else if (one_word && starts_upper(alias))
        p.letter_case = Case::Initial;
    else
        p.letter_case = Case::Any;
    auto& list = patterns_[p.words.front()];
    for (const auto& q : list)
        if (q.words == p.words && q.letter_case == p.letter_case) return;
    list.push_back(std::move(p));
    std::stable_sort(list.begin(), list.end(),
                     [](const Pattern& x, const Pattern& y) { return x.words.size() > y.words.size(); });
}

const Actor* Gazetteer::find(std::string_view name_or_alias) const {
    auto it = by_key_.find(actor_key(name_or_alias));
    return it == by_key_.end() ? nullptr : &actors_[it->second];
}

namespace {

/// "a", "an", "any", "another", "each", "every", "no", "such": before a
/// name in lower case, the name is any such thing.
bool generic_determiner(std::string_view w) {
    return w == "a" || w == "an" || w == "any" || w == "another" || w == "each" || w == "every" || w == "no" ||
           w == "such";
}

/// Snowball's English stop words ("with", "of", "the").
bool english_stop_word(std::string_view w) {
    static const std::set<std::string_view> s(english_stopwords().begin(), english_stopwords().end());
    return s.count(w) > 0;
}

/// The n words from word i are written in lower case.
bool lower_case_run(std::string_view text, const std::vector<Span>& spans, std::size_t i, std::size_t n) {
    for (std::size_t k = i; k < i + n; ++k)
        if (starts_upper(text.substr(spans[k].start, spans[k].end - spans[k].start))) return false;
    return true;
}

}  // namespace

std::vector<ActorMention> Gazetteer::mentions(std::string_view text, bool query) const {
    if (patterns_.empty()) return {};
    auto spans = words(text);
    std::vector<std::string> folded;
    folded.reserve(spans.size());
    for (auto sp : spans) folded.push_back(match_form(text.substr(sp.start, sp.end - sp.start)));
    return mentions(text, spans, folded, query);
}

std::vector<ActorMention> Gazetteer::mentions(std::string_view text, const std::vector<Span>& spans,
                                              const std::vector<std::string>& folded, bool query) const {
    std::vector<ActorMention> out;
    if (patterns_.empty()) return out;
    for (std::size_t i = 0; i < spans.size();) {
        auto it = patterns_.find(folded[i]);
        bool matched = false;
        if (it != patterns_.end()) {
            for (const auto& p : it->second) {
                std::size_t n = p.words.size();
                if (i + n > spans.size()) continue;
                bool ok = true;
                for (std::size_t k = 1; k < n && ok; ++k) {
                    ok = folded[i + k] == p.words[k] &&
                         joinable_gap(text.substr(spans[i + k - 1].end, spans[i + k].start - spans[i + k - 1].end),
                                      folded[i + k - 1]);
                }
                if (!ok) continue;
                if (p.letter_case != Case::Any) {
                    std::string_view w = text.substr(spans[i].start, spans[i].end - spans[i].start);
                    for (std::string_view poss : {"'s", "\xE2\x80\x99s"})  // PMF's
                        if (w.size() > poss.size() && w.substr(w.size() - poss.size()) == poss)
                            w.remove_suffix(poss.size());
                    const bool cased = p.letter_case == Case::All ? all_upper(w) : starts_upper(w);
                    if (!cased && !(query && !everyday_word(folded[i]))) continue;
                }
                // "a strategic framework agreement", "an armed forces
                // committee": a listed name of several words, in lower case
                // after an indefinite article, is any such thing, not the
                // actor ("the popular mobilization forces" stays the PMF).
                // (Not when the name says what kind of thing follows: "a
                // popular mobilization forces commander" is the PMF's.)
                const auto modifies_next = [&] {
                    return i + n < spans.size() && spans[i + n].start == spans[i + n - 1].end + 1 &&
                           text[spans[i + n - 1].end] == ' ' && !english_stop_word(folded[i + n]) &&
                           lower_case_run(text, spans, i + n, 1);
                };
                if (!query && p.letter_case == Case::Any && n > 1 && i > 0 && generic_determiner(folded[i - 1]) &&
                    lower_case_run(text, spans, i, n) && !modifies_next())
                    continue;
                // "Latin America", "South Korea": another place than the one
                // word names ("America" for the United States).
                // (An alias only: "West Beirut" is in Beirut.)
                if (n == 1 && i > 0 && p.letter_case == Case::Initial && compass_word(folded[i - 1]) &&
                    spans[i].start == spans[i - 1].end + 1 &&
                    starts_upper(text.substr(spans[i - 1].start, spans[i - 1].end - spans[i - 1].start)) &&
                    match_words(actors_[p.actor].name) != p.words)
                    continue;
                if (!query && n == 1 && other_name_around(text, spans, folded, i, p.actor)) continue;
                std::size_t end = spans[i + n - 1].end;
                // "Iran's": the possessive belongs to the name.
                out.push_back({spans[i].start, end, p.actor});
                i += n;
                matched = true;
                break;
            }
        }
        if (!matched) ++i;
    }
    return out;
}

bool Gazetteer::other_name_around(std::string_view text, const std::vector<Span>& spans,
                                  const std::vector<std::string>& folded, std::size_t i, std::size_t actor) const {
    const auto word = [&](std::size_t k) { return text.substr(spans[k].start, spans[k].end - spans[k].start); };
    // (The actor's words, only where a test needs them: this runs for every listed word met.)
    const auto in_name = [&](std::string_view w) {
        const std::vector<std::string> name = match_words(actors_[actor].name);
        return std::find(name.begin(), name.end(), w) != name.end();
    };
    // "Laura Bush", "George H.W. Bush": a listed person's surname after a
    // given name or initials not the person's own is another person
    // ("George Bush" and "George W. Bush" stay George W. Bush). "President
    // George Washington", "Congresswoman Barbara Jordan": after a title and
    // a given name, a listed place or group's word is a person's surname.
    // (Not after an adjective or another name: "Kurdish Iraq", "Kremlin
    // Iran", "Obama Iran policy" keep the place.)
    if (i > 0) {
        const std::string& before = folded[i - 1];
        const std::string_view raw = word(i - 1);
        const std::string_view gap = text.substr(spans[i - 1].end, spans[i].start - spans[i - 1].end);
        const bool initials = raw.size() <= 4 && std::all_of(raw.begin(), raw.end(), [](char c) {
                                  return (c >= 'A' && c <= 'Z') || c == '.';
                              }) && (gap == ". " || raw.back() == '.');
        const bool joined = gap == " " || (initials && gap == ". ");
        const auto listed = patterns_.find(before);
        const bool listed_alone =
            listed != patterns_.end() && std::any_of(listed->second.begin(), listed->second.end(),
                                                     [](const Pattern& q) { return q.words.size() == 1; });
        const bool given = starts_upper(raw) && !listed_alone &&
                           (initials || (!all_upper(raw) && is_proper_noun(before))) && !in_name(before);
        if (joined && given) {
            if (actors_[actor].kind == ActorKind::Person) return true;
            static const std::set<std::string_view> titles{
                "president", "congresswoman", "congressman", "senator", "sen", "representative", "rep", "general",
                "gen", "governor", "gov", "secretary", "judge", "justice", "mr", "mrs", "ms", "dr", "sir", "lady",
                "lord", "ambassador", "minister", "colonel", "admiral", "mayor", "professor", "chairman"};
            if (!initials && i > 1 && spans[i - 1].start >= spans[i - 2].end &&
                text.substr(spans[i - 2].end, spans[i - 1].start - spans[i - 2].end).find_first_not_of(". ") ==
                    std::string_view::npos &&
                titles.count(folded[i - 2]))
                return true;
        }
    }
    // "Gulf of Mexico", "Gulf of Aden": a listed word that is also an
    // everyday word, then "of" and a name, is the start of another name.
    if (i + 2 < spans.size() && folded[i + 1] == "of" && is_common_word(folded[i]) && starts_upper(word(i + 2)) &&
        spans[i + 1].start == spans[i].end + 1 && spans[i + 2].start == spans[i + 1].end + 1 && !in_name("of"))
        return true;
    return false;
}

std::string Gazetteer::serialise() const {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& a : actors_)
        j.push_back({{"name", a.name}, {"kind", actor_kind_name(a.kind)}, {"aliases", a.aliases}});
    return j.dump();
}

Gazetteer Gazetteer::deserialise(std::string_view s) {
    Gazetteer g;
    if (s.empty()) return g;
    auto j = nlohmann::json::parse(s);
    for (const auto& e : j) {
        Actor a;
        a.name = e.at("name").get<std::string>();
        parse_actor_kind(e.at("kind").get<std::string>(), &a.kind);
        a.aliases = e.at("aliases").get<std::vector<std::string>>();
        g.add(std::move(a));
    }
    return g;
}

// ---------------------------------------------------------------- years

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/// The word that follows position p (letters only, lower-cased); `end`, if
/// given, is set to where it ends.
std::string next_word(std::string_view t, std::size_t p, std::size_t* end = nullptr) {
    while (p < t.size() && (t[p] == ' ' || t[p] == '-')) ++p;
    std::string w;
    while (p < t.size() && is_alpha(t[p])) w += static_cast<char>(t[p++] | 0x20);
    if (end) *end = p;
    return w;
}

/// The word before position s (letters only, lower-cased; "" at the start
/// of a sentence or after other punctuation).
std::string word_before(std::string_view t, std::size_t s) {
    std::size_t back = s;
    while (back > 0 && t[back - 1] == ' ') --back;
    std::size_t ws = back;
    while (ws > 0 && is_alpha(t[ws - 1])) --ws;
    std::string w(t.substr(ws, back - ws));
    for (auto& c : w) c = static_cast<char>(c | 0x20);
    return w;
}

bool quantity_word(const std::string& w) {
    static const std::set<std::string> units{
        "people", "troops", "soldiers", "fighters", "personnel", "members", "men", "women",
        "children", "families", "km", "kilometres", "kilometers", "miles", "metres", "meters",
        "feet", "tons", "tonnes", "barrels", "bpd", "dollars", "dlrs", "euros", "pounds", "mln",
        "million", "billion", "shares", "workers", "employees", "units", "vehicles", "acres",
        "hectares", "cases", "deaths", "casualties", "votes", "seats", "pct", "percent",
        "points", "words", "pages", "rooms", "beds", "jobs", "refugees", "prisoners", "detainees",
        // Units of measure: "1990 kg", "1350 lbs", "2003 degrees".
        "kg", "kilograms", "kilogrammes", "grams", "lb", "lbs", "oz", "ounces", "degrees", "cm", "mm", "ft",
        "mph", "kph", "rpm", "mw", "kw", "hp", "litres", "liters", "gallons", "sq", "yards", "inches",
        // Times of day: "1800 hours", "1530 GMT".
        "hours", "hrs", "gmt", "utc"};
    return units.count(w) > 0;
}

/// An adjective between a count and what it counts ("1140 smaller towns").
bool count_adjective(const std::string& w) {
    static const std::set<std::string> adjectives{
        "smaller", "larger", "bigger", "new", "more", "fewer", "additional", "extra", "other", "separate",
        "small", "large", "public", "private", "local", "rural", "urban", "young", "armed", "foreign"};
    return adjectives.count(w) > 0;
}

/// The number ending at e counts things the words after it name, past an
/// adjective: "1500 Iraqi soldiers", "1140 smaller towns", "1600 public
/// works projects" (not "the 1991 Iraqi uprising", "1990 new car sales").
bool counted_past_adjective(std::string_view t, std::size_t e) {
    std::size_t p = e;
    const std::string first = next_word(t, e, &p);
    const bool adjective = count_adjective(first);
    if (!adjective && !is_demonym(first)) return false;
    const std::string second = next_word(t, p);
    if (quantity_word(second)) return true;
    return adjective && second.size() > 3 && second.back() == 's' && second[second.size() - 2] != 's';
}

/// The number ending at e, after an estimate ("about", "some", "nearly"),
/// counts the things after it: "about 1700 new fighter jets", "some 1200
/// tanks", "nearly 1500 Iraqi soldiers" (not "by 1850 prices had risen",
/// nor "about 1850, new laws": a comma ends the phrase; after "about" and
/// "around", which also say "circa", only before an adjective of counts).
bool counted_after_estimate(std::string_view t, std::size_t s, std::size_t e) {
    static const std::set<std::string> estimates{"about", "some", "nearly", "almost", "roughly", "approximately",
                                                 "around", "least", "than", "only", "estimated", "another"};
    const std::string before = word_before(t, s);
    if (!estimates.count(before)) return false;
    std::size_t p = e;
    while (p < t.size() && t[p] == ' ') ++p;
    if (p >= t.size() || !(t[p] >= 'a' && t[p] <= 'z')) return false;  // a lower-case word next
    const std::string first = next_word(t, e);
    if (count_adjective(first)) return true;
    // ("About 1870 railways reached the town", "around 1850 settlers": a
    // date; "some 1200 tanks", "nearly 1100 soldiers": a count.)
    if (before == "about" || before == "around") return false;
    return first.size() > 3 && first.back() == 's' && first[first.size() - 2] != 's';
}

/// The number at s is a reference, not a year: "section 1992", "Section 1753
/// of the Revised Statutes", "page 1955", "Room 1812", "H.R. 1984", "42
/// U.S.C. 1983", "§ 1983", "No. 1990".
bool reference_before(std::string_view t, std::size_t s) {
    static const std::set<std::string> words{
        "section", "sections", "page", "pages", "room", "rooms", "chapter", "paragraph", "clause", "rule",
        "form", "flight", "route", "highway", "interstate", "docket", "exhibit", "figure", "table", "verse",
        "platform", "gate", "suite", "apartment", "box", "extension", "ext", "volume", "item", "line",
        "number", "code", "statute", "amendment", "bill", "resolution", "resolutions"};
    if (words.count(word_before(t, s))) return true;
    std::size_t back = s;
    while (back > 0 && t[back - 1] == ' ') --back;
    for (std::string_view abbr : {"h.r.", "u.s.c.", "p.", "pp.", "no.", "nos.", "sec.", "art.", "fig.", "vol.",
                                  "\xC2\xA7"}) {
        if (back < abbr.size()) continue;
        const std::size_t a = back - abbr.size();
        if (a > 0 && is_alpha(t[a - 1])) continue;
        bool same = true;
        for (std::size_t k = 0; k < abbr.size() && same; ++k)
            same = static_cast<char>(t[a + k] | (is_alpha(t[a + k]) ? 0x20 : 0)) == abbr[k];
        if (same) return true;
    }
    return false;
}

/// The whitespace-delimited run containing p looks like a URL or a path.
bool inside_url(std::string_view t, std::size_t s, std::size_t e) {
    std::size_t a = s, b = e;
    while (a > 0 && t[a - 1] != ' ' && t[a - 1] != '\n' && t[a - 1] != '\t') --a;
    while (b < t.size() && t[b] != ' ' && t[b] != '\n' && t[b] != '\t') ++b;
    std::string_view run = t.substr(a, b - a);
    return run.find("://") != std::string_view::npos || run.find("www.") != std::string_view::npos ||
           (s > 0 && t[s - 1] == '/') || (e < t.size() && t[e] == '/') ||
           run.find('@') != std::string_view::npos;
}

bool plausible(int y) { return y >= 1000 && y <= 2099; }

/// The bytes of an apostrophe at p ("'" or U+2019), or 0.
std::size_t apostrophe_at(std::string_view t, std::size_t p) {
    if (p < t.size() && t[p] == '\'') return 1;
    return t.substr(p, 3) == "\xE2\x80\x99" ? 3 : 0;
}

/// The four digits at s end a phone number: "555-1999", "555.1999",
/// "(202) 555 2003", "+1 202 555 2003" (three digits and a hyphen or dot
/// before them; or a space, when a group of digits or a bracket stands
/// before those three).
bool phone_tail(std::string_view t, std::size_t s) {
    // "+44 20 7946 2018": groups of digits back to a '+'.
    for (std::size_t k = s; k >= 2 && (t[k - 1] == ' ' || t[k - 1] == '-' || t[k - 1] == '.') && is_digit(t[k - 2]);) {
        k -= 1;
        while (k > 0 && is_digit(t[k - 1])) --k;
        if (k > 0 && t[k - 1] == '+') return true;
    }
    if (s < 4) return false;
    const char sep = t[s - 1];
    if (sep != '-' && sep != '.' && sep != ' ') return false;
    std::size_t g = s - 1;  // the group before the separator
    std::size_t a = g;
    while (a > 0 && is_digit(t[a - 1])) --a;
    if (g - a != 3) return false;
    if (a > 0 && (is_alpha(t[a - 1]) || t[a - 1] == ',')) return false;
    if (sep != ' ') {
        // "202-555-1999", "(202) 555-1999", "Call 555-1999"; not "476-1453".
        if (a >= 2 && (t[a - 1] == '-' || t[a - 1] == '.' || t[a - 1] == ' ') && (is_digit(t[a - 2]) || t[a - 2] == ')'))
            return true;
        static const std::set<std::string> before{"call", "phone", "telephone", "tel", "fax", "dial", "mobile", "cell", "ring"};
        return before.count(word_before(t, a)) > 0;
    }
    // A space: only after another group ("202 555 2003", "(202) 555 2003").
    if (a < 2 || t[a - 1] != ' ') return false;
    return is_digit(t[a - 2]) || t[a - 2] == ')';
}

}  // namespace

std::vector<YearMention> find_years(std::string_view t) {
    std::vector<YearMention> out;
    std::size_t i = 0;
    const std::size_t n = t.size();
    while (i < n) {
        if (!is_digit(t[i])) {
            ++i;
            continue;
        }
        std::size_t s = i;
        while (i < n && is_digit(t[i])) ++i;
        std::size_t e = i;
        if (e - s == 2) {
            // "'88", "’90s", "the '30s": a year of the last century written
            // short (30 and later: "'05" and "'20s" may be either century).
            std::size_t q = 0;
            if (s >= 1 && apostrophe_at(t, s - 1) == 1) q = 1;
            else if (s >= 3 && apostrophe_at(t, s - 3) == 3) q = 3;
            const int yy = (t[s] - '0') * 10 + (t[s + 1] - '0');
            if (!q || yy < 30 || (s > q && (is_alpha(t[s - q - 1]) || is_digit(t[s - q - 1])))) continue;
            std::size_t end = e;
            bool decade = false;
            if (yy % 10 == 0) {
                if (end < n && t[end] == 's') end += 1, decade = true;
                else if (end + 1 < n && t[end] == '\'' && t[end + 1] == 's') end += 2, decade = true;
                else if (t.substr(end, 4) == "\xE2\x80\x99s") end += 4, decade = true;
            }
            if (end < n && (is_alpha(t[end]) || is_digit(t[end]))) continue;
            if (end < n && (t[end] == '.' || t[end] == ',') && end + 1 < n && is_digit(t[end + 1])) continue;
            if (!decade && apostrophe_at(t, end)) continue;  // "'42'": quoted
            if (quantity_word(next_word(t, end))) continue;  // "'45 rpm"
            const int y = 1900 + yy;
            out.push_back({s - q, end, y, decade ? y + 9 : y, decade});
            i = end;
            continue;
        }
        if (e - s != 4) continue;
        // Part of a larger number: 1,2003 / 3.2003 / 2003.5 / 2003,000 / +1.228.637.0488
        if (s > 0) {
            char b = t[s - 1];
            if (is_digit(b) || is_alpha(b) || b == '$' || b == '#' || b == '+' || b == '_') continue;
            if ((b == '.' || b == ',') && s > 1 && is_digit(t[s - 2])) continue;
            if (b == '.' && s > 1 && t[s - 2] == '+') continue;
            if (s >= 2 && (t.substr(s - 2, 2) == "\xC2\xA3" || t.substr(s - 2, 2) == "\xC2\xA5")) continue;
            if (s >= 3 && t.substr(s - 3, 3) == "\xE2\x82\xAC") continue;
        }
        if (e < n) {
            char a = t[e];
            if ((a == '.' || a == ',') && e + 1 < n && is_digit(t[e + 1])) continue;
            if (a == '%' || a == '_') continue;
            if (is_alpha(a) && !(a == 's' && (e + 1 >= n || !is_alpha(t[e + 1])))) continue;
        }
        if (phone_tail(t, s)) continue;
        int y = std::stoi(std::string(t.substr(s, 4)));
        if (!plausible(y)) continue;
        if (inside_url(t, s, e)) continue;
        // Phone and id shapes: 0488 after a dot-separated group was caught above;
        // ISO dates (1970-02-23) count as the year.
        // "the 1980s", "1980's"; "the 1800s" is the century (1800-1899), as
        // the 1700s and earlier; "the 1900s" and "the 2000s" stay decades.
        if (e < n && t[e] == 's' && y % 100 == 0 && y < 1900 && (e + 1 >= n || !is_alpha(t[e + 1]))) {
            out.push_back({s, e + 1, y, y + 99, false});
            i = e + 1;
            continue;
        }
        if (e < n && t[e] == 's' && y % 10 == 0) {
            out.push_back({s, e + 1, y, y + 9, true});
            i = e + 1;
            continue;
        }
        if (e + 2 < n && (t[e] == '\'' ) && t[e + 1] == 's' && y % 10 == 0 &&
            (e + 2 >= n || !is_alpha(t[e + 2]))) {
            out.push_back({s, e + 2, y, y + 9, true});
            i = e + 2;
            continue;
        }
        if (e + 4 <= n && t.substr(e, 4) == "\xE2\x80\x99s" && y % 10 == 0) {
            out.push_back({s, e + 4, y, y + 9, true});
            i = e + 4;
            continue;
        }
        // (After "in", "since" and the like a number before an adjective is
        // a year: "in 2003 American troops".)
        // ("the 2003 local elections", "Iraq's 2005 armed forces reform": a year too.)
        static const std::set<std::string> year_before{"in", "since", "until", "till", "during", "from", "after",
                                                       "before", "circa", "the", "s"};
        if (quantity_word(next_word(t, e)) || (!year_before.count(word_before(t, s)) && counted_past_adjective(t, e)))
            continue;
        // (Before 1900 only: "about 1987 prospects", "the estimated 1986
        // results" are years, and counts that large are rarer.)
        if (reference_before(t, s)) {
            // "pages 1984-1990", "sections 1955 and 1960": the numbers after
            // a reference's are references too.
            for (std::size_t p = e;;) {
                while (p < n && t[p] == ' ') ++p;
                std::size_t sep = 0;
                if (p < n && (t[p] == '-' || t[p] == ',' || t[p] == '&')) sep = 1;
                else if (t.substr(p, 3) == "\xE2\x80\x93") sep = 3;
                else if (const std::string w = next_word(t, p); w == "and" || w == "to" || w == "through" || w == "or")
                    sep = w.size();
                if (!sep) break;
                std::size_t q = p + sep;
                while (q < n && t[q] == ' ') ++q;
                std::size_t r = q;
                while (r < n && is_digit(t[r])) ++r;
                if (r == q) break;
                i = p = r;
            }
            continue;
        }
        if (y < 1900 && counted_after_estimate(t, s, e)) continue;
        // Ranges: 1980-88, 1980–1988, 1980 - 88
        std::size_t p = e;
        while (p < n && t[p] == ' ') ++p;
        std::size_t dash = 0;
        if (p < n && t[p] == '-') dash = 1;
        else if (t.substr(p, 3) == "\xE2\x80\x93" || t.substr(p, 3) == "\xE2\x80\x94") dash = 3;
        if (dash) {
            std::size_t q = p + dash;
            while (q < n && t[q] == ' ') ++q;
            // "1980-'88": the end written short, as "1980-88".
            q += apostrophe_at(t, q);
            std::size_t r = q;
            while (r < n && is_digit(t[r])) ++r;
            bool ends_clean = r >= n || !(is_digit(t[r]) || is_alpha(t[r]) || (t[r] == '-' && r + 1 < n && is_digit(t[r + 1])));
            if (ends_clean && (r - q == 2 || r - q == 4)) {
                int to = std::stoi(std::string(t.substr(q, r - q)));
                if (r - q == 2) {
                    // "1999-00": the end of a century. Other short ends before
                    // the start stay apart ("1998-02" may be February 1998).
                    if (to == 0 && y % 100 >= 90) to = (y / 100 + 1) * 100;
                    else to = (y / 100) * 100 + to;
                }
                if (to > y && to - y <= 100 && plausible(to)) {
                    out.push_back({s, r, y, to, false});
                    i = r;
                    continue;
                }
            }
        }
        // "from 2003 to 2011", "between 2003 and 2011"
        {
            std::size_t q = e;
            std::string w = next_word(t, q);
            std::string prev = word_before(t, s);
            // "from the year 1869 to 1892"
            if (prev == "year") {
                std::size_t b = s;
                while (b > 0 && t[b - 1] == ' ') --b;
                b -= 4;
                if (word_before(t, b) == "the") {
                    while (b > 0 && t[b - 1] == ' ') --b;
                    b -= 3;
                    prev = word_before(t, b);
                }
            }
            // ("from 1980 through 1988", "from 2014 until 2021", "from 1960
            // to '70": the end's century is the start's.)
            const bool from_to = (prev == "from" && (w == "to" || w == "through" || w == "thru" || w == "until" ||
                                                     w == "till")) ||
                                 (prev == "between" && w == "and");
            if (from_to) {
                std::size_t r = e;
                while (r < n && t[r] == ' ') ++r;
                r += w.size();
                while (r < n && t[r] == ' ') ++r;
                const std::size_t apos = apostrophe_at(t, r);
                r += apos;
                std::size_t ds = r;
                while (r < n && is_digit(t[r])) ++r;
                if (r - ds == (apos ? 2u : 4u) && (r >= n || !(is_digit(t[r]) || is_alpha(t[r])))) {
                    int to = apos ? (y / 100) * 100 + std::stoi(std::string(t.substr(ds, 2)))
                               : std::stoi(std::string(t.substr(ds, 4)));
                    if (to > y && to - y <= 100 && plausible(to)) {
                        out.push_back({s, r, y, to, false});
                        i = r;
                        continue;
                    }
                }
            }
        }
        out.push_back({s, e, y, y, false});
    }
    return out;
}

}  // namespace qanat
