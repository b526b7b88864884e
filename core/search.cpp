#include "search.h"

#include <algorithm>
#include <functional>
#include <array>
#include <cmath>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "common_words.h"
#include "hash.h"
#include "index_writer.h"
#include "passages.h"
#include "schema.h"
#include "table_file.h"
#include "varint.h"

namespace qanat {

namespace {

int parse_int(std::string_view s, bool* ok) {
    int v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    *ok = r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
    return v;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
    return s;
}

/// OR of the year terms (and decade terms) that cover [from, to].
Xapian::Query year_query(const YearRange& r) {
    std::vector<Xapian::Query> terms;
    for (int y = r.from; y <= r.to; ++y) terms.emplace_back(year_label_term(std::to_string(y)));
    for (int d = r.from / 10; d <= r.to / 10; ++d)
        terms.emplace_back(year_label_term(std::to_string(d * 10) + "s"));
    return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

/// A year: value: a range (year_query), or "=1980s", "=2003": that facet
/// value alone (the passages that name the decade as such, or the year), as
/// the year facet counts it.
Xapian::Query year_filter(std::string_view value) {
    std::string_view v = trim(value);
    if (v.empty() || v[0] != '=') return year_query(parse_year_range(v));
    v = trim(v.substr(1));
    const YearRange r = parse_year_range(v);
    const bool decade = r.decade && r.to - r.from == 9;
    if (r.from != r.to && !decade)
        throw SearchError("year value '" + std::string(value) +
                          "' is no facet value: '=' takes one year or a decade (=2003, =1980s)");
    return Xapian::Query(year_label_term(decade ? std::to_string(r.from) + "s" : std::to_string(r.from)));
}

Xapian::Query published_query(const YearRange& r) {
    std::vector<Xapian::Query> terms;
    // Four digits, as the date was given and indexed ("0999").
    char year[16];
    for (int y = r.from; y <= r.to; ++y) {
        std::snprintf(year, sizeof year, "%04d", y);
        terms.emplace_back(schema::term(schema::kPublished, year));
    }
    return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

/// A bad field value (year:, published:, actor:) is recorded here by the field
/// processors, not thrown: Xapian 1.4.22's parser frees memory it does not own
/// when an exception leaves a FieldProcessor (found by fuzzing). The query is
/// parsed to the end, and raise_field_error() then makes it a SearchError
/// (not a retry as plain words).
thread_local std::string field_error, field_error_value;

/// `value`: "field:value" as the query may write it, to say where it is.
Xapian::Query field_value_error(const std::string& msg, const std::string& value = {}) {
    if (field_error.empty()) {
        field_error = msg;
        field_error_value = value;
    }
    return Xapian::Query::MatchNothing;
}

std::size_t character_at(std::string_view text, std::size_t at);

/// Throws the recorded field error, saying where its value is in `typed`
/// (the query as the user wrote it), when it can be found there.
void raise_field_error(const std::string& typed = {}) {
    if (field_error.empty()) return;
    std::string m = std::move(field_error);
    const std::string v = std::move(field_error_value);
    field_error.clear();
    field_error_value.clear();
    const std::size_t colon = v.find(':');
    if (colon != std::string::npos) {
        // field:value or field:"value", the field's name in any case.
        std::string lower = typed;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string field = v.substr(0, colon + 1), value = v.substr(colon + 1);
        for (auto& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (const std::string& form : {field + value, field + "\"" + value}) {
            std::size_t at = lower.find(form);
            while (at != std::string::npos && at > 0 && std::isalnum(static_cast<unsigned char>(lower[at - 1])))
                at = lower.find(form, at + 1);
            if (at == std::string::npos) continue;
            m += " (at character " + std::to_string(character_at(typed, at)) + ")";
            break;
        }
    }
    throw SearchError(m);
}

class YearProcessor : public Xapian::FieldProcessor {
  public:
    Xapian::Query operator()(const std::string& value) override {
        try {
            return year_filter(value);
        } catch (const SearchError& e) {
            return field_value_error(e.what(), "year:" + value);
        }
    }
};

/// article:ID, with ids too long for a term shortened as the index does.
class ArticleProcessor : public Xapian::FieldProcessor {
  public:
    std::vector<std::string> named;  ///< the article: values of the query
    Xapian::Query operator()(const std::string& value) override {
        named.push_back(value);
        return Xapian::Query(schema::term(schema::kArticle, value));
    }
};

class PublishedProcessor : public Xapian::FieldProcessor {
  public:
    Xapian::Query operator()(const std::string& value) override {
        try {
            // A date is its year: published:2025-02-14, and published:1862-03
            // where the month cannot end a range (1862-03 would end before it
            // starts; published:2001-05 stays the range 2001 to 2005).
            const bool digits = std::all_of(value.begin(), value.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c)) || c == '-';
            });
            const bool month = value.size() >= 7 && value[4] == '-' && value.substr(5, 2) >= "01" && value.substr(5, 2) <= "12";
            const bool date = digits && month &&
                              ((value.size() == 10 && value[7] == '-') ||
                               (value.size() == 7 && value.substr(5, 2) <= value.substr(2, 2)));
            YearRange r = parse_year_range(date ? value.substr(0, 4) : value);
            return published_query(r);
        } catch (const SearchError& e) {
            return field_value_error(std::string("published: ") + e.what(), "published:" + value);
        }
    }
};

/// kind:group: passages that name an actor of that kind.
class KindProcessor : public Xapian::FieldProcessor {
  public:
    Xapian::Query operator()(const std::string& value) override {
        ActorKind k{};
        if (!parse_actor_kind(trim(value), &k))
            return field_value_error("kind: takes person, organisation, place, group or unknown, not '" + value + "'",
                                     "kind:" + value);
        return Xapian::Query(schema::term(schema::kActorKind, actor_kind_name(k)));
    }
};

class ActorProcessor : public Xapian::FieldProcessor {
  public:
    ActorProcessor(const Gazetteer& g, const Xapian::Database* db) : g_(g), db_(db) {}
    std::vector<std::string> named;  ///< the actors of the query's actor: fields (names as the list writes them)
    std::vector<std::string> notes;  ///< warnings for the query (a name that is a word of several)
    /// Before a query: what the last one found is forgotten (the index may
    /// have changed since).
    void new_query() {
        named.clear();
        notes.clear();
        freq_.clear();
        listed_.clear();
    }
    Xapian::Query operator()(const std::string& value) override {
        std::string v(trim(value));
        // "=Capitol": that actor alone, as a facet names it (a facet value
        // turned into a filter counts what the facet counted), not the
        // people whose names it begins nor the actors whose names hold it.
        const bool exact = !v.empty() && v[0] == '=';
        if (exact) v = std::string(trim(std::string_view(v).substr(1)));
        if (v.empty()) return field_value_error("actor: needs a name, e.g. actor:PMF or actor:\"Muqtada al-Sadr\"");
        if (!exact && v.find('*') != std::string::npos) return wildcard(v);
        const Actor* a = g_.find(v);
        std::string key = actor_key(a ? a->name : v);
        const std::string term = schema::term(schema::kActor, key);
        if (exact) {
            named.push_back(a ? a->name : v);
            return Xapian::Query(term);
        }
        // "Hussein": no actor of that name, but a word of the names of some
        // (Saddam Hussein, Fuad Hussein): passages that name any of them.
        const bool unknown = !a && db_ && db_->get_termfreq(term) == 0;
        if (unknown) {
            const std::vector<std::string> keys = actor_keys_with(key, true, kMaxWordOf);
            if (!keys.empty() && keys.size() <= kMaxWordOf)
                return any_of(keys, keys.size() == 1 ? std::string()
                                                     : "actor '" + v + "' is a word of the names of " +
                                                           std::to_string(keys.size()) + " actors (" + listed(keys) +
                                                           "): passages that name any of them");
        }
        // "Saddam": an actor of one word (found where a text says "Saddam"
        // alone) and a word of people's names (Saddam Hussein): it stands
        // for them too, as a name's word does.
        if (!a && !unknown && db_ && key.find(' ') == std::string::npos) {
            const std::optional<ActorRef> own = first_mention(key);
            if (own && (own->kind == ActorKind::Person || own->kind == ActorKind::Unknown)) {
                std::vector<std::string> keys{key};
                // (A given name's: "Saddam" is Saddam Hussein; "Washington" is
                // not George Washington, nor "Bush" every Bush.)
                for (auto& k : actor_keys_with(key, true, kMaxWordOf))
                    if (k != key && k.compare(0, key.size() + 1, key + " ") == 0) {
                        const std::optional<ActorRef> m = first_mention(k);
                        if (m && m->kind == ActorKind::Person) keys.push_back(std::move(k));
                    }
                if (keys.size() > 1 && keys.size() <= kMaxWordOf + 1) {
                    const std::vector<std::string> others(keys.begin() + 1, keys.end());
                    return any_of(keys, "actor '" + v + "' is also a word of the names of " + std::to_string(others.size()) +
                                            (others.size() == 1 ? " person (" : " people (") + listed(others) +
                                            "): passages that name any of them (actor:=" + v + " for '" + v +
                                            "' alone, as its facet counts it)");
                }
            }
        }
        // "HMC": an abbreviation an article defined ("Higher Military
        // Commission (HMC)"), the passages of those articles that name it.
        if (unknown) {
            const std::string abbrev = schema::term(schema::kActorAbbrev, key);
            if (db_->get_termfreq(abbrev) > 0) return Xapian::Query(abbrev);
        }
        named.push_back(a ? a->name : v);
        return Xapian::Query(term);
    }

  private:
    /// The actor keys of the index with `key` at the start of one of their
    /// words ("hussein" in "saddam hussein", "al-" words too) and, if
    /// whole_word, at its end; more than `limit` are not looked for. Each
    /// key's passage count is kept from the term list (asked again, it is a
    /// round trip to a remote part).
    std::vector<std::string> actor_keys_with(const std::string& key, bool whole_word, std::size_t limit) {
        std::vector<std::string> keys;
        if (!db_) return keys;
        const std::string prefix = schema::term(schema::kActor, "");
        for (auto t = db_->allterms_begin(prefix); t != db_->allterms_end(prefix) && keys.size() <= limit; ++t) {
            const std::string k = (*t).substr(prefix.size());
            if (word_in(k, key, whole_word)) {
                keys.push_back(k);
                freq_[k] = t.get_termfreq();
            }
        }
        return keys;
    }

    /// `key` at the start of a word of the actor key `k` (after a space or a
    /// hyphen) and, if whole_word, at its end.
    static bool word_in(const std::string& k, const std::string& key, bool whole_word) {
        for (std::size_t at = k.find(key); at != std::string::npos; at = k.find(key, at + 1)) {
            const std::size_t end = at + key.size();
            const bool starts = at == 0 || k[at - 1] == ' ' || k[at - 1] == '-';
            const bool ends = !whole_word || end == k.size() || k[end] == ' ' || k[end] == '-';
            if (starts && ends) return true;
        }
        return false;
    }

    /// Passages that name any of `keys`, each named in the query; `note`, if
    /// any, said once (the query is parsed twice, for the match and for
    /// highlights).
    Xapian::Query any_of(const std::vector<std::string>& keys, const std::string& note) {
        std::vector<Xapian::Query> any;
        for (const auto& k : keys) {
            any.emplace_back(schema::term(schema::kActor, k));
            named.push_back(k);
        }
        if (!note.empty() && std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
        return Xapian::Query(Xapian::Query::OP_OR, any.begin(), any.end());
    }

    /// The actor with key `key` as the first passage that names it writes
    /// it (its name and kind); none if no passage does or the index cannot
    /// be read.
    std::optional<ActorRef> first_mention(const std::string& key) const {
        if (!db_) return std::nullopt;
        try {
            const std::string term = schema::term(schema::kActor, key);
            auto p = db_->postlist_begin(term);
            if (p == db_->postlist_end(term)) return std::nullopt;
            StoredPassage sp = StoredPassage::deserialise(db_->get_document(*p).get_value(schema::kSlotPassage));
            for (auto& m : sp.actors)
                if (actor_key(m.name) == key) return std::move(m);
        } catch (const Xapian::Error&) {
        }
        return std::nullopt;
    }

    /// An actor's name as the list writes it, else as the first passage that
    /// names it does ("Graham Allison", not the key "graham allison").
    std::string shown_name(const std::string& key) const {
        const Actor* a = g_.find(key);
        if (a && actor_key(a->name) == key) return a->name;
        if (const std::optional<ActorRef> m = first_mention(key)) return m->name;
        return key;  // (the key, then)
    }

    /// At most kListed names, those named in the most passages first, then
    /// how many more.
    std::string listed(std::vector<std::string> keys) {
        // (The query is parsed twice, for the match and for highlights: the
        // list is made once.)
        std::string joined;
        for (const auto& k : keys) joined += k + '\n';
        if (auto it = listed_.find(joined); it != listed_.end()) return it->second;
        if (db_ && keys.size() > 1) {
            std::vector<std::pair<Xapian::doccount, std::string>> by;
            for (auto& k : keys) {
                auto f = freq_.find(k);
                by.emplace_back(f != freq_.end() ? f->second : db_->get_termfreq(schema::term(schema::kActor, k)), std::move(k));
            }
            std::stable_sort(by.begin(), by.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
            for (std::size_t i = 0; i < by.size(); ++i) keys[i] = std::move(by[i].second);
        }
        std::string list;
        for (std::size_t i = 0; i < keys.size() && i < kListed; ++i) list += (list.empty() ? "" : ", ") + shown_name(keys[i]);
        if (keys.size() > kListed) list += " and " + std::to_string(keys.size() - kListed) + " more";
        listed_.emplace(std::move(joined), list);
        return list;
    }

    /// actor:Kurd*: passages that name any actor with a word of its name
    /// starting so (Kurdistan, Kurdistan Workers' Party, Iraqi Kurdistan).
    Xapian::Query wildcard(const std::string& v) {
        std::string key = actor_key(v.substr(0, v.size() - 1));
        if (key.empty() || v.find('*') != v.size() - 1)
            return field_value_error("actor: takes a name, or the start of a word of names then '*' (actor:Kurd*), not '" +
                                     v + "'",
                                     "actor:" + v);
        // "Kurdistan *", "al-*": a word more after those.
        const unsigned char before = static_cast<unsigned char>(v[v.size() - 2]);
        if (!std::isalnum(before) && before < 0x80) key += ' ';
        std::vector<std::string> keys = actor_keys_with(key, false, std::string::npos);
        // The actor list's other names too: actor:Hashd* is the PMF, listed
        // as "Hashd al-Shaabi" but indexed under its name.
        for (const Actor& a : g_.actors()) {
            const std::string own = actor_key(a.name);
            if (std::find(keys.begin(), keys.end(), own) != keys.end()) continue;
            const bool alias_starts = std::any_of(a.aliases.begin(), a.aliases.end(),
                                                  [&](const std::string& al) { return word_in(actor_key(al), key, false); });
            if (!alias_starts || !db_) continue;
            const Xapian::doccount n = db_->get_termfreq(schema::term(schema::kActor, own));
            if (n == 0) continue;
            freq_[own] = n;
            keys.push_back(own);
        }
        if (keys.size() > kMaxWildcard)
            return field_value_error("actor:" + v + " stands for " + std::to_string(keys.size()) +
                                     " actors (at most " + std::to_string(kMaxWildcard) + "): give more of the name");
        if (keys.empty()) {
            const std::string note = "no actor has a name with a word starting '" + key + "'";
            if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
            return Xapian::Query(schema::term(schema::kActor, key + "*"));  // (no such term)
        }
        return any_of(keys, "actor:" + v + " stands for " + std::to_string(keys.size()) +
                                (keys.size() == 1 ? " actor (" : " actors (") + listed(keys) + ")");
    }

    static constexpr std::size_t kMaxWordOf = 20;  ///< more names than this: too vague to stand for
    static constexpr std::size_t kMaxWildcard = 200;
    static constexpr std::size_t kListed = 12;  ///< names a warning lists
    const Gazetteer& g_;
    const Xapian::Database* db_;
    std::unordered_map<std::string, Xapian::doccount> freq_;  ///< passages per actor key, as the term list said
    std::unordered_map<std::string, std::string> listed_;      ///< keys -> the names a warning lists
};

/// N of a reference "mN" the searcher wrote into the query; `none` if the
/// value is not one (typed by a user).
std::size_t reference(const std::string& value, std::size_t none) {
    std::size_t n = none;
    if (value.size() < 2 || value[0] != 'm') return none;
    const char* end = value.data() + value.size();
    auto [p, ec] = std::from_chars(value.data() + 1, end, n);
    return ec == std::errc() && p == end ? n : none;
}

/// alias:mN (written by the searcher, not the user): the Nth actor named in the
/// query, searched under every name it has, as words.
class AliasProcessor : public Xapian::FieldProcessor {
  public:
    AliasProcessor(const Gazetteer& g, const Analyzer& an) : g_(g), an_(an) {}
    std::vector<std::size_t> actors;  ///< of the query being parsed
    std::vector<Xapian::Query> built;  ///< the name queries made for them

    Xapian::Query operator()(const std::string& value) override {
        const std::size_t i = reference(value, actors.size());
        if (i >= actors.size()) return field_value_error("bad alias reference '" + value + "'");
        const Actor& a = g_.actors()[actors[i]];
        std::vector<Xapian::Query> names;
        std::vector<std::string> all{a.name};
        all.insert(all.end(), a.aliases.begin(), a.aliases.end());
        std::set<std::vector<std::string>> seen;
        Xapian::Query known(schema::term(schema::kActor, actor_key(a.name)));
        for (const auto& name : all) {
            std::vector<std::string> terms = terms_of(name);
            if (terms.empty() || !seen.insert(terms).second) continue;
            // "US", "IS": everyday words in lower case ("us", "is"), which as
            // words would match everywhere; a name of several words found
            // inside another actor's ("Kurdistan Democratic Party" in "...
            // Party of Iran"; one word, "Hezbollah", stays a word). They
            // count only in passages that name the actor (where the index
            // found the name written as this actor's).
            const bool everyday = capitals_only(name) && everyday_word(match_form(name));
            Xapian::Query words = terms.size() == 1 ? Xapian::Query(terms[0])
                                                    : Xapian::Query(Xapian::Query::OP_PHRASE, terms.begin(), terms.end(),
                                                                    static_cast<Xapian::termcount>(terms.size()));
            if (everyday || (terms.size() >= 2 && inside_another(terms, actors[i])))
                names.emplace_back(Xapian::Query::OP_FILTER, words, known);
            else
                names.push_back(words);
        }
        // One synonym: a passage that says both "PMF" and "Popular Mobilization
        // Forces" weighs as if it said one name twice, not as two matches.
        Xapian::Query same(Xapian::Query::OP_SYNONYM, names.begin(), names.end());
        built.push_back(same);
        return Xapian::Query(Xapian::Query::OP_OR, same, known);
    }

    /// A new query: forget the last one's names.
    void clear() {
        actors.clear();
        built.clear();
    }

  private:
    const Gazetteer& g_;
    const Analyzer& an_;
    std::vector<std::vector<std::vector<std::string>>> names_;  ///< by actor: the terms of each of its names

    std::vector<std::string> terms_of(const std::string& name) const {
        std::vector<std::string> terms;
        for (auto sp : words(name)) terms.push_back(an_.term(std::string_view(name).substr(sp.start, sp.end - sp.start)));
        return terms;
    }

    /// The words are found inside a longer name of another actor.
    bool inside_another(const std::vector<std::string>& terms, std::size_t self) {
        if (names_.empty()) {
            for (const auto& b : g_.actors()) {
                std::vector<std::vector<std::string>> n{terms_of(b.name)};
                for (const auto& al : b.aliases) n.push_back(terms_of(al));
                names_.push_back(std::move(n));
            }
        }
        for (std::size_t b = 0; b < names_.size(); ++b) {
            if (b == self) continue;
            for (const auto& other : names_[b])
                if (other.size() > terms.size() &&
                    std::search(other.begin(), other.end(), terms.begin(), terms.end()) != other.end())
                    return true;
        }
        return false;
    }
};

/// wild:mN (written by the searcher, not the user): the Nth wildcard of the
/// query ("milit*"), expanded here over the whole index, which its parts share:
/// Xapian would expand it in each part on its own (each keeping its own most
/// frequent words), so that scores over shards differed from one index.
class WildcardProcessor : public Xapian::FieldProcessor {
  public:
    static constexpr Xapian::termcount kMaxTerms = 200;  ///< the most frequent words kept
    std::vector<std::string> patterns;  ///< of the query being parsed (folded)
    std::vector<Xapian::Query> built;   ///< their expansions
    const Xapian::Database* db = nullptr;  ///< the searcher's (all its parts)
    const Analyzer* analyzer = nullptr;    ///< the index's analysis: a whole word's term

    Xapian::Query operator()(const std::string& value) override {
        const std::size_t i = reference(value, patterns.size());
        if (i >= patterns.size()) return field_value_error("bad wildcard reference '" + value + "'");
        const std::string& pattern = patterns[i];
        std::vector<std::pair<Xapian::doccount, std::string>> words;
        for (auto t = db->allterms_begin(pattern); t != db->allterms_end(pattern); ++t) words.emplace_back(t.get_termfreq(), *t);
        // Terms are stems: "company*" would miss "company" itself (indexed
        // as "compani") and "relations*" "relations" ("relat"). The whole
        // word's term is part of its expansion.
        if (analyzer) {
            const std::string whole = analyzer->term(pattern);
            if (whole.compare(0, pattern.size(), pattern) != 0) {
                const Xapian::doccount tf = db->get_termfreq(whole);
                if (tf > 0) words.emplace_back(tf, whole);
            }
        }
        // The most frequent first; among equals, in byte order.
        std::sort(words.begin(), words.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        if (words.size() > kMaxTerms) words.resize(kMaxTerms);
        std::vector<std::string> terms;
        for (auto& w : words) terms.push_back(std::move(w.second));
        std::sort(terms.begin(), terms.end());
        Xapian::Query q = terms.empty() ? Xapian::Query::MatchNothing
                                        : Xapian::Query(Xapian::Query::OP_SYNONYM, terms.begin(), terms.end());
        if (built.size() <= i) built.resize(i + 1);
        built[i] = q;
        return q;
    }
};

/// Heterogeneous lookup: find by string_view without making a string.
struct ViewHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

/// Spellings of one actor merge in a facet: "Erdoğan" and "Erdogan",
/// "al-Sudani" and "al Sudani", "Veterans' Administration" and "Veterans
/// Administration", "H.W." and "H. W.": the key its passages' actor term
/// has, so that a facet value counts what its filter finds.
std::string spelling_key(std::string_view name) { return actor_key(name); }

/// The decade a year falls in ("1987" -> "1980s"); other values stand for
/// themselves. The first decade of a century before 1900 is "1800-09":
/// "1800s", as a filter and in a text, is the century.
std::string facet_decade_key(std::string_view year) {
    if (year.size() != 4) return std::string(year);
    const std::string start = std::string(year.substr(0, 3)) + "0";
    if (start[2] == '0' && start < "1900") return start + "-09";
    return std::string(year.substr(0, 3)) + "0s";
}

/// Facet values met so far by one searcher, each parsed once: the stored
/// value, its merge key and kind. Queries of a batch (and of a long-running
/// process) meet the same values again and again; this keeps them from being
/// split, folded, copied and hashed into new maps each time. The per-query
/// counts live beside them in small flat arrays (a few words a value), which
/// counting every match of a large query reads and writes at random: kept
/// apart from the names so that they stay in the processor's cache. A query
/// zeroes what the one before it touched.
class FacetDictionary {
  public:
    /// Per-query counts of one value.
    struct Count {
        Xapian::doccount passages = 0, articles = 0;
        Xapian::doccount last_article = 0;  ///< the query's article ordinal last counted
    };
    /// One facet (actors, years, decades, publication years).
    struct Values {
        std::vector<std::string_view> keys;  ///< in `owned`, or in the dictionary's `backing`
        std::deque<std::string> owned;       ///< keys made here (a deque: they never move)
        std::vector<Count> counts;  ///< in step with keys
        std::unordered_map<std::string, std::uint32_t, ViewHash, std::equal_to<>> by_key;
        std::unordered_map<std::string, std::uint32_t, ViewHash, std::equal_to<>> by_value;  ///< value -> key
        std::vector<std::uint32_t> touched;  ///< this query's counted values

        template <class KeyOf>
        std::uint32_t id(std::string_view value, KeyOf key_of) {
            auto it = by_value.find(value);
            if (it != by_value.end()) return it->second;
            std::string key = key_of();
            auto [k, fresh] = by_key.try_emplace(key, static_cast<std::uint32_t>(keys.size()));
            if (fresh) {
                owned.push_back(std::move(key));
                keys.push_back(owned.back());
                counts.emplace_back();
            }
            by_value.emplace(std::string(value), k->second);
            return k->second;
        }
        void reset() {
            for (std::uint32_t i : touched) counts[i] = Count{};
            touched.clear();
        }
    };
    /// An actor value as stored: a kind digit and a name (one spelling).
    struct Spelling {
        std::string_view name;  ///< in `owned_names`, or in `backing`
        std::uint32_t tally = 0;  ///< its actor in `actors`
        std::uint8_t kind = 0;
    };

    Values actors, years, decades, published;
    std::vector<Spelling> spellings;
    std::deque<std::string> owned_names;  ///< spellings met here
    /// The facet table file whose lists the names were taken from (see
    /// FacetTable::load): kept mapped while they are in use.
    std::shared_ptr<const table_file::Mapped> backing;
    std::vector<std::uint32_t> spelling_tally;  ///< each spelling's actor, in step with spellings
    std::vector<Xapian::doccount> spelling_passages;  ///< per query, in step with spellings
    std::vector<std::uint32_t> touched_spellings;
    std::vector<std::uint32_t> best_spelling;  ///< by actor: the query's most used spelling
    std::vector<std::array<Xapian::doccount, 5>> actor_kinds;  ///< by actor: the query's passages per kind
    /// A stored actor value's spelling and actor (kept together: resolving a
    /// key then reads nothing else).
    struct SpellingId {
        std::uint32_t spelling, actor;
    };
    std::unordered_map<std::string, SpellingId, ViewHash, std::equal_to<>> spelling_ids;
    std::unordered_map<std::string, std::uint32_t, ViewHash, std::equal_to<>> article_ids;
    /// Set when every passage is met once, in docid order (FacetTable::write):
    /// an article is then a run of one id, numbered in turn without a map.
    bool adjacent_articles = false;
    std::string last_article_id;
    std::uint32_t articles_in_turn = 0;
    std::size_t article_count() const { return adjacent_articles ? articles_in_turn : article_ids.size(); }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> scratch_actors;  ///< for facet_row::resolve
    std::vector<std::uint32_t> scratch_years, scratch_decades;

    /// False while the lookup maps lag behind the lists (after a stored
    /// table was taken in whole, see FacetTable::load): index() catches up
    /// before anything is looked up.
    bool indexed = true;
    void index() {
        if (indexed) return;
        // Keys and stored spellings; the value maps refill as values are
        // met again (a value not in them is found through its key).
        for (Values* v : {&actors, &years, &decades, &published}) {
            v->by_key.clear();
            v->by_value.clear();
            for (std::uint32_t i = 0; i < v->keys.size(); ++i) v->by_key.emplace(v->keys[i], i);
        }
        spelling_ids.clear();
        for (std::uint32_t i = 0; i < spellings.size(); ++i) {
            const Spelling& sp = spellings[i];
            spelling_ids.try_emplace(std::string(1, static_cast<char>('0' + sp.kind)).append(sp.name), SpellingId{i, sp.tally});
        }
        indexed = true;
    }

    /// An ordinal for an article id: the passages of one article are
    /// adjacent, and counting articles compares ordinals.
    std::uint32_t article(std::string_view id) {
        if (adjacent_articles) {
            if (articles_in_turn == 0 || id != last_article_id) {
                last_article_id.assign(id);
                ++articles_in_turn;
            }
            return articles_in_turn - 1;
        }
        auto it = article_ids.find(id);
        if (it != article_ids.end()) return it->second;
        return article_ids.emplace(std::string(id), static_cast<std::uint32_t>(article_ids.size())).first->second;
    }

    void begin_query() {
        for (Values* v : {&actors, &years, &decades, &published}) v->reset();
        for (std::uint32_t i : touched_spellings) spelling_passages[i] = 0;
        touched_spellings.clear();
    }

    /// The kind of a stored actor value (its first character, a digit).
    static std::uint8_t kind_of(std::string_view stored) {
        int kind = stored.empty() ? -1 : stored[0] - '0';
        if (kind < 0 || kind > static_cast<int>(ActorKind::Unknown)) kind = static_cast<int>(ActorKind::Unknown);
        return static_cast<std::uint8_t>(kind);
    }

    SpellingId spelling(std::string_view stored) {
        auto it = spelling_ids.find(stored);
        if (it != spelling_ids.end()) return it->second;
        Spelling sp;
        sp.kind = kind_of(stored);
        owned_names.emplace_back(stored.substr(1));
        sp.name = owned_names.back();
        sp.tally = actors.id(sp.name, [&] { return spelling_key(sp.name); });
        spellings.push_back(std::move(sp));
        spelling_tally.push_back(spellings.back().tally);
        spelling_passages.push_back(0);
        SpellingId id{static_cast<std::uint32_t>(spellings.size() - 1), spellings.back().tally};
        return spelling_ids.emplace(std::string(stored), id).first->second;
    }
};

/// A facet key resolved into ids of a FacetDictionary: the article, the
/// actor spellings (ordered by actor, so that spellings of one actor are
/// adjacent), the distinct years, the distinct decades, the publication
/// year. Laid out flat as
/// [article, n, spelling x n, m, year x m, k, decade x k, published].
namespace facet_row {
constexpr std::uint32_t kNone = 0xffffffffu;

/// Appends a row from its parts' ids (the dictionary's scratch lists of
/// actors and years, which it orders and dedupes).
void encode(FacetDictionary& d, std::uint32_t article, std::uint32_t published, std::vector<std::uint32_t>& out) {
    out.push_back(article);
    auto& actors = d.scratch_actors;
    if (actors.size() > 1) {
        std::sort(actors.begin(), actors.end());
        actors.erase(std::unique(actors.begin(), actors.end()), actors.end());
    }
    out.push_back(static_cast<std::uint32_t>(actors.size()));
    for (auto [t, s] : actors) out.push_back(s);
    for (auto* ids : {&d.scratch_years, &d.scratch_decades}) {
        if (ids->size() > 1) {
            std::sort(ids->begin(), ids->end());
            ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
        }
        out.push_back(static_cast<std::uint32_t>(ids->size()));
        out.insert(out.end(), ids->begin(), ids->end());
    }
    out.push_back(published);
}

/// The fields of a stored facet key: article id, actors, years, publication
/// year; false when the value is not a facet key.
bool split(std::string_view value, std::string_view (&f)[4], std::size_t& fields) {
    std::size_t k = 0, p = 0;
    while (k < 3) {
        std::size_t q = value.find('\x1f', p);
        if (q == std::string_view::npos) break;
        f[k++] = value.substr(p, q - p);
        p = q + 1;
    }
    if (k < 2) return false;
    f[k] = value.substr(p);
    fields = k + 1;
    return true;
}

/// Calls fn for each item of a facet key's list field.
template <class Fn>
void items(std::string_view field, Fn fn) {
    while (!field.empty()) {
        std::size_t q = field.find('\x1e');
        fn(field.substr(0, q));
        if (q == std::string_view::npos) break;
        field.remove_prefix(q + 1);
    }
}

/// Appends the resolved form of a stored facet key to out; false (and
/// nothing appended) when the value is not a facet key.
bool resolve(std::string_view value, FacetDictionary& d, std::vector<std::uint32_t>& out) {
    std::string_view f[4];
    std::size_t fields = 0;
    if (!split(value, f, fields)) return false;
    d.index();
    std::uint32_t article = d.article(f[0]);
    d.scratch_actors.clear();
    items(f[1], [&](std::string_view a) {
        if (a.size() < 2) return;
        auto [s, t] = d.spelling(a);
        d.scratch_actors.emplace_back(t, s);
    });
    d.scratch_years.clear();
    d.scratch_decades.clear();
    items(f[2], [&](std::string_view y) {
        d.scratch_years.push_back(d.years.id(y, [&] { return std::string(y); }));
        d.scratch_decades.push_back(d.decades.id(y, [&] { return facet_decade_key(y); }));
    });
    std::uint32_t published = fields >= 4 && !f[3].empty() ? d.published.id(f[3], [&] { return std::string(f[3]); }) : kNone;
    encode(d, article, published, out);
    return true;
}
}  // namespace facet_row

/// Every passage's facet key, resolved once (facet_row) and kept in memory by
/// docid, so that counting a match is a few array reads instead of decoding
/// Xapian's value stream and parsing the key. Built from one pass over the
/// value stream, which costs about what counting a query that matches half
/// the passages the slow way costs (measured on Reuters, bench/RESULTS.md); a
/// searcher builds it once the matches it has counted the slow way add up to
/// a quarter of the passages (so a single query never pays for it, and a
/// batch or a long-running process pays once). 30-60 bytes a passage.
///
/// The indexer writes the same table to a file in the index folder (write(),
/// store_facet_table), which a searcher maps and uses in place (load()):
/// the rows are read where the operating system caches them, not copied.
class FacetTable {
  public:
    bool built() const { return built_; }
    void clear() {
        built_ = false;
        own_start_.clear();
        own_rows_.clear();
        file_.reset();
        start_ = rows_ = nullptr;
        places_ = 0;
    }
    void build(const Xapian::Database& db, FacetDictionary& d) {
        clear();
        own_rows_.reserve(static_cast<std::size_t>(db.get_doccount()) * 9);
        scan(db, d, own_start_, own_rows_, [](std::vector<std::uint32_t>&) { return std::uint64_t{0}; });
        adopt(own_start_.data(), own_start_.size(), own_rows_.data());
    }
    void prefetch_place(Xapian::docid did) const {
        if (did + 1 < places_) __builtin_prefetch(start_ + did);
    }
    void prefetch_row(Xapian::docid did) const {
        if (did + 1 < places_) __builtin_prefetch(rows_ + start_[did]);
    }

    /// Writes the table of db to the file at path: the rows as the value
    /// stream gives them, then where each docid's row starts, then the
    /// dictionary's lists, as load() uses them. Held in memory meanwhile:
    /// the starts (4 bytes a passage) and the dictionary, not the rows.
    static void write(const std::string& path, const Xapian::Database& db) {
        FacetDictionary d;
        // Read whole in docid order, an article's passages come one after
        // another: a new id is a new article, and no map of ids is needed.
        d.adjacent_articles = true;
        auto bytes = [](const std::vector<std::uint32_t>& v) {
            return std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof v[0]);
        };
        table_file::Writer w(path);
        std::vector<std::uint32_t> start, row;
        scan(db, d, start, row, [&](std::vector<std::uint32_t>& r) {
            w.add(bytes(r));
            const std::uint64_t n = r.size();
            r.clear();
            return n;
        });
        w.end_section();  // kRows
        w.add(bytes(start));
        w.end_section();  // kStarts
        std::string lists;
        put_varint(lists, d.article_count());
        put_varint(lists, d.actors.keys.size());
        for (const auto& k : d.actors.keys) put_string(lists, k);
        put_varint(lists, d.spellings.size());
        for (const auto& sp : d.spellings) {
            put_string(lists, std::string(1, static_cast<char>('0' + sp.kind)).append(sp.name));
            put_varint(lists, sp.tally);
        }
        for (const auto* v : {&d.years, &d.decades, &d.published}) {
            put_varint(lists, v->keys.size());
            for (const auto& k : v->keys) put_string(lists, k);
        }
        w.add(lists);
        w.finish(table_file::Header::of(db));
    }

    /// Maps the table the indexer wrote (write()) and takes its lists into
    /// a fresh dictionary; false (and nothing kept) when there is no file,
    /// or it describes another revision, or it fails its checks. Its rows
    /// are checked against its lists when it is mapped, so a damaged file
    /// cannot make counting read outside the table. The searchers of one
    /// process (a batch's workers) share a mapping while the file at path is
    /// the one mapped, unchanged since, and describes their revision: it is
    /// mapped and checked once, and each takes its own dictionary from the
    /// lists.
    bool load(const std::string& path, const Xapian::Database& db, FacetDictionary& d) {
        clear();
        Checked& checked = Checked::files();
        // Held while a file is mapped and checked: a second searcher that
        // comes meanwhile waits and takes the same mapping.
        std::lock_guard lock(checked.m);
        auto known = checked.by_path.find(path);
        if (known != checked.by_path.end()) {
            // The file at path still the one mapped, unchanged (its header then
            // describes db when the caller found the file on disk did, as
            // table_file::holds() tells; compared again so that load() holds
            // on its own).
            auto file = known->second.lock();
            if (file && file->header().describes(db) && table_file::file_id(path) == file->id()) {
                if (take_file(file, db, d, /*rows_checked=*/true)) return true;
                clear();
                d = FacetDictionary{};
            }
        }
        auto file = std::make_shared<table_file::Mapped>();
        bool taken = false;  // d and this table were written to
        // The lists and rows are checked here while another thread sums the
        // file's checksum: each pass reads the whole file, most of it not yet
        // in the processor's caches (about 20 ms for a million passages), and
        // the two then take the time of one.
        auto check = [&] {
            taken = true;
            return take_file(file, db, d, /*rows_checked=*/false);
        };
        if (file->open(path, db, check)) {
            checked.by_path[path] = file;
            return true;
        }
        clear();
        if (taken) d = FacetDictionary{};
        return false;
    }

    /// The resolved key of a passage, or nullptr when it has none.
    const std::uint32_t* row(Xapian::docid did) const {
        if (did + 1 >= places_ || start_[did] == start_[did + 1]) return nullptr;
        return rows_ + start_[did];
    }

  private:
    /// Files mapped and checked in this process, by path (see load()): a
    /// mapping lasts while a searcher's table or dictionary uses it (the map
    /// keeps one entry a path, however many files it has mapped there).
    struct Checked {
        std::mutex m;
        std::map<std::string, std::weak_ptr<const table_file::Mapped>, std::less<>> by_path;
        static Checked& files() {
            static Checked c;
            return c;
        }
    };

    /// Takes the mapped file's lists into a fresh d and its rows as this
    /// table; false when they do not hold (or memory runs out). The rows are
    /// checked against the lists unless that was done for this file before.
    bool take_file(const std::shared_ptr<const table_file::Mapped>& file, const Xapian::Database& db, FacetDictionary& d,
                   bool rows_checked) {
        file_ = file;
        try {
            const std::string_view lists = file->section(table_file::kLists);
            VarintReader r{lists, "facet table is damaged"};
            auto count = [&] {
                std::uint64_t n = r.varint();
                if (n > lists.size()) r.damaged();
                return static_cast<std::size_t>(n);
            };
            const std::size_t articles = static_cast<std::size_t>(r.varint());
            // The dictionary starts again from the stored lists: the values met
            // before (by queries counted the slow way) are all in them, and
            // nothing holds their old ids between queries. Taking the lists as
            // they are costs no lookups (the maps are made only if something is
            // ever looked up).
            d = FacetDictionary{};
            d.backing = file;
            // (Each list reserved whole: growing it would touch fresh memory
            // several times over, which costs more than the rest of the load.)
            d.actors.keys.resize(count());
            for (auto& k : d.actors.keys) k = r.string_view();
            d.actors.counts.resize(d.actors.keys.size());
            const std::size_t spellings = count();
            d.spellings.reserve(spellings);
            d.spelling_tally.reserve(spellings);
            d.spelling_passages.assign(spellings, 0);
            for (std::size_t i = 0; i < spellings; ++i) {
                std::string_view v = r.string_view();
                std::uint64_t k = r.varint();
                if (v.size() < 2 || k >= d.actors.keys.size()) r.damaged();
                FacetDictionary::Spelling sp;
                sp.kind = FacetDictionary::kind_of(v);
                sp.name = v.substr(1);
                sp.tally = static_cast<std::uint32_t>(k);
                d.spellings.push_back(std::move(sp));
                d.spelling_tally.push_back(static_cast<std::uint32_t>(k));
            }
            for (auto* v : {&d.years, &d.decades, &d.published}) {
                v->keys.resize(count());
                for (auto& k : v->keys) k = r.string_view();
                v->counts.resize(v->keys.size());
            }
            if (!r.done()) r.damaged();
            d.indexed = false;

            auto words = [](std::string_view s) {
                return std::pair{reinterpret_cast<const std::uint32_t*>(s.data()), s.size() / sizeof(std::uint32_t)};
            };
            auto [start, places] = words(file->section(table_file::kStarts));
            auto [rows, row_count] = words(file->section(table_file::kRows));
            if (places != static_cast<std::size_t>(db.get_lastdocid()) + 2 ||
                (!rows_checked && !valid(start, places, rows, row_count, articles, d)))
                r.damaged();
            adopt(start, places, rows);
            return true;
        } catch (const std::exception&) {  // damaged, or out of memory: not taken
            return false;
        }
    }
    /// Reads db's facet keys in docid order, resolving each into `rows`
    /// (appended), and fills `start` (last docid + 2 entries: where each
    /// docid's row starts among all the rows). After each key, take(rows)
    /// may hand the rows on and clear them; it returns how many it took.
    template <class Take>
    static void scan(const Xapian::Database& db, FacetDictionary& d, std::vector<std::uint32_t>& start,
                     std::vector<std::uint32_t>& rows, Take take) {
        const Xapian::docid last = db.get_lastdocid();
        start.assign(static_cast<std::size_t>(last) + 2, 0);
        std::uint64_t taken = 0;
        auto here = [&] {
            const std::uint64_t at = taken + rows.size();
            if (at > std::numeric_limits<std::uint32_t>::max())
                throw std::runtime_error("facet table: too many values for one file");
            return static_cast<std::uint32_t>(at);
        };
        Xapian::docid next = 0;  // start filled up to here
        for (auto it = db.valuestream_begin(schema::kSlotFacets); it != db.valuestream_end(schema::kSlotFacets); ++it) {
            Xapian::docid did = it.get_docid();
            if (did > last) break;  // cannot happen in one revision
            const std::uint32_t at = here();
            while (next <= did) start[next++] = at;
            facet_row::resolve(*it, d, rows);
            taken += take(rows);
        }
        const std::uint32_t end = here();
        while (next < start.size()) start[next++] = end;
    }
    void adopt(const std::uint32_t* start, std::size_t places, const std::uint32_t* rows) {
        start_ = start;
        places_ = places;
        rows_ = rows;
        built_ = true;
    }
    /// Whether every row is whole and names only values d has (the layout
    /// of facet_row): what counting relies on. Read at every start, over
    /// every passage's row: the layout is checked with a few branches a row
    /// (the same way every time), the values without any (a flag they all
    /// feed), which takes about half the time of checking each value in turn.
    static bool valid(const std::uint32_t* start, std::size_t places, const std::uint32_t* rows, std::size_t row_count,
                      std::size_t articles, const FacetDictionary& d) {
        if (places < 2 || start[0] != 0 || start[places - 1] != row_count) return false;
        const std::size_t spellings = d.spellings.size(), years = d.years.keys.size(),
                          decades = d.decades.keys.size(), published = d.published.keys.size();
        bool bad = false;
        for (std::size_t did = 0; did + 1 < places; ++did) {
            const std::size_t p = start[did], end = start[did + 1];
            if (end < p || end > row_count) return false;
            if (p == end) continue;
            // [article, n, spelling x n, m, year x m, k, decade x k, published]
            const std::uint32_t* r = rows + p;
            const std::size_t len = end - p;
            if (len < 5) return false;
            const std::size_t n = r[1];
            if (n > len - 5) return false;
            const std::size_t m = r[2 + n];
            if (m > len - 5 - n) return false;
            const std::size_t k = r[3 + n + m];
            if (k != len - 5 - n - m) return false;
            bad |= r[0] >= articles;
            for (std::size_t i = 0; i < n; ++i) bad |= r[2 + i] >= spellings;
            for (std::size_t i = 0; i < m; ++i) bad |= r[3 + n + i] >= years;
            for (std::size_t i = 0; i < k; ++i) bad |= r[4 + n + m + i] >= decades;
            const std::uint32_t pub = r[len - 1];
            bad |= pub != facet_row::kNone && pub >= published;
        }
        return !bad;
    }

    bool built_ = false;
    std::vector<std::uint32_t> own_start_, own_rows_;  ///< a table built here
    std::shared_ptr<const table_file::Mapped> file_;    ///< a table the indexer wrote
    const std::uint32_t* start_ = nullptr;  ///< by docid: where its row starts in rows_
    std::size_t places_ = 0;                ///< entries in start_: last docid + 2
    const std::uint32_t* rows_ = nullptr;
};


/// Facet counts and totals from the spy's values (see FacetKey), which come
/// sorted: every value starts with its article id, so the values of one
/// article are adjacent, and "articles" is counted without keeping sets.
class FacetCounter {
  public:
    FacetCounter(const SearchRequest& req, FacetDictionary& dict) : req_(req), d_(dict) {
        d_.begin_query();
        for (const auto& k : req.facet_kinds)
            for (int i = 0; i <= static_cast<int>(ActorKind::Unknown); ++i)
                if (k == actor_kind_name(static_cast<ActorKind>(i))) kinds_[static_cast<std::size_t>(i)] = true;
        any_kind_ = req.facet_kinds.empty();
    }

    /// A stored facet key, met n times.
    void add(std::string_view value, Xapian::doccount n) {
        if (!req_.facets) {  // totals only: the article id is enough
            std::size_t q = value.find('\x1f');
            if (q == std::string_view::npos || value.find('\x1f', q + 1) == std::string_view::npos) return;
            add_passage(d_.article(value.substr(0, q)), n);
            return;
        }
        buf_.clear();
        if (facet_row::resolve(value, d_, buf_)) add(buf_.data(), n);
    }

    /// A resolved key (facet_row), met n times.
    void add(const std::uint32_t* row, Xapian::doccount n) {
        add_passage(row[0], n);
        if (!req_.facets) return;  // totals only
        const std::uint32_t* p = row + 1;
        std::uint32_t last = facet_row::kNone;  // spellings of one actor are adjacent: one count
        for (std::uint32_t i = 0, ns = *p++; i < ns; ++i, ++p) {
            std::uint32_t s = *p, t = d_.spelling_tally[s];
            if (!any_kind_ && !kinds_[d_.spellings[s].kind]) continue;
            if (d_.spelling_passages[s] == 0) d_.touched_spellings.push_back(s);
            d_.spelling_passages[s] += n;
            if (t != last) count(d_.actors, t, n);
            last = t;
        }
        std::uint32_t ny = *p++;
        if (!req_.year_decades)
            for (std::uint32_t i = 0; i < ny; ++i) count(d_.years, p[i], n);
        p += ny;
        std::uint32_t nd = *p++;
        if (req_.year_decades)
            for (std::uint32_t i = 0; i < nd; ++i) count(d_.decades, p[i], n);
        p += nd;
        if (*p != facet_row::kNone) count(d_.published, *p, n);
    }

    Xapian::doccount passages() const { return total_; }
    Xapian::doccount articles() const { return articles_; }

    void finish(SearchResult& res) {
        // The spelling most passages use names an actor (ties: the first by
        // name); its kind is the one most passages give it.
        // Flat by actor, set only for this query's actors (every counted
        // spelling's actor is counted too).
        auto& best = d_.best_spelling;
        auto& kinds = d_.actor_kinds;
        best.resize(d_.actors.keys.size());
        kinds.resize(d_.actors.keys.size());
        for (std::uint32_t t : d_.actors.touched) {
            best[t] = facet_row::kNone;
            kinds[t] = {};
        }
        for (std::uint32_t i : d_.touched_spellings) {
            const auto& sp = d_.spellings[i];
            Xapian::doccount n = d_.spelling_passages[i];
            kinds[sp.tally][sp.kind] += n;
            std::uint32_t& b = best[sp.tally];
            if (b == facet_row::kNone || n > d_.spelling_passages[b] ||
                (n == d_.spelling_passages[b] && sp.name < d_.spellings[b].name))
                b = i;
        }
        fill(d_.actors, res.actors, true);
        fill(req_.year_decades ? d_.decades : d_.years, res.years, false);
        if (!req_.year_decades) {
            fill(d_.published, res.published, false);
            return;
        }
        // Publication years by decade too (an article has one: the sums
        // count each passage and article once).
        FacetDictionary::Values by_decade;
        for (std::uint32_t i : d_.published.touched) {
            const Count& c = d_.published.counts[i];
            const std::uint32_t k = by_decade.id(facet_decade_key(d_.published.keys[i]),
                                                 [&] { return facet_decade_key(d_.published.keys[i]); });
            if (by_decade.counts[k].passages == 0 && by_decade.counts[k].articles == 0) by_decade.touched.push_back(k);
            by_decade.counts[k].passages += c.passages;
            by_decade.counts[k].articles += c.articles;
        }
        fill(by_decade, res.published, false);
    }

  private:
    using Count = FacetDictionary::Count;

    void add_passage(std::uint32_t article, Xapian::doccount n) {
        total_ += n;
        if (article != article_) {
            article_ = article;
            ++articles_;
        }
    }

    void count(FacetDictionary::Values& vs, std::uint32_t i, Xapian::doccount n) {
        Count& c = vs.counts[i];
        if (c.passages == 0) vs.touched.push_back(i);
        c.passages += n;
        if (c.last_article != articles_) {
            c.last_article = articles_;
            ++c.articles;
        }
    }

    /// The kind most of this query's passages give actor i; a known kind
    /// over "unknown".
    ActorKind kind_of(std::uint32_t i) const {
        const auto& k = d_.actor_kinds[i];
        std::size_t kind = static_cast<std::size_t>(ActorKind::Unknown);
        for (std::size_t j = 0; j < k.size(); ++j)
            if (j != kind && k[j] > 0 && (kind == static_cast<std::size_t>(ActorKind::Unknown) || k[j] > k[kind]))
                kind = j;
        return static_cast<ActorKind>(kind);
    }

  public:
    /// After finish(): the actors a hit's passage names, as the actor facet
    /// names them (the spelling most of the matches use, and their kind), so
    /// that a hit's actors and the facet agree ("Opec" and "OPEC" are one
    /// actor). From the passage's row of the facet table when there is one
    /// (no lookup by name: the dictionary's maps are not rebuilt for it),
    /// else by name. An actor this query did not count stays as it is.
    void name_as_counted(const std::uint32_t* row, std::vector<ActorRef>& actors) {
        auto counted = [&](std::uint32_t i) {
            return i < d_.best_spelling.size() && i < d_.actors.counts.size() && d_.actors.counts[i].passages > 0 &&
                   d_.best_spelling[i] != facet_row::kNone;
        };
        if (row) {
            const std::uint32_t n = row[1];
            for (std::uint32_t k = 0; k < n; ++k) {
                const auto& sp = d_.spellings[row[2 + k]];
                if (!counted(sp.tally)) continue;
                for (auto& a : actors)
                    if (a.name == sp.name) {  // (whatever kind this mention was given)
                        a.name = std::string(d_.spellings[d_.best_spelling[sp.tally]].name);
                        a.kind = kind_of(sp.tally);
                    }
            }
            return;
        }
        if (!d_.indexed) return;  // (counted from the table, which this passage is not in)
        for (auto& a : actors) {
            const auto it = d_.actors.by_key.find(spelling_key(a.name));
            if (it == d_.actors.by_key.end() || !counted(it->second)) continue;
            a.name = std::string(d_.spellings[d_.best_spelling[it->second]].name);
            a.kind = kind_of(it->second);
        }
    }

  private:
    /// actors: named by their best spelling, with their kind (finish()).
    void fill(const FacetDictionary::Values& vs, Facet& out, bool actors) const {
        // Ranked as light references first; only the values shown are built.
        struct Ref {
            const Count* c;
            std::uint32_t i;
            std::string_view value;
        };
        std::vector<Ref> refs;
        refs.reserve(vs.touched.size());
        for (std::uint32_t i : vs.touched) {
            std::string_view value = vs.keys[i];
            if (actors && d_.best_spelling[i] != facet_row::kNone) value = d_.spellings[d_.best_spelling[i]].name;
            refs.push_back({&vs.counts[i], i, value});
        }
        out.total_values = refs.size();
        // Among equals, the actors the query names first: with every count at
        // 1, "PMF disarm" lost the PMF to the alphabet and --facet-limit.
        auto named = [&](const Ref& r) { return actors && named_.count(r.value) > 0; };
        auto by_count = [&](const Ref& a, const Ref& b) {
            if (a.c->passages != b.c->passages) return a.c->passages > b.c->passages;
            if (a.c->articles != b.c->articles) return a.c->articles > b.c->articles;
            if (named(a) != named(b)) return named(a);
            return a.value < b.value;
        };
        if (req_.facet_limit > 0 && refs.size() > req_.facet_limit) {
            std::partial_sort(refs.begin(), refs.begin() + req_.facet_limit, refs.end(), by_count);
            refs.resize(req_.facet_limit);
        } else {
            std::sort(refs.begin(), refs.end(), by_count);
        }
        if (req_.facet_sort == FacetSort::Name)
            std::stable_sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) { return a.value < b.value; });
        out.values.reserve(refs.size());
        for (const Ref& r : refs) {
            FacetValue v;
            v.value = std::string(r.value);
            if (actors) v.kind = std::string(actor_kind_name(kind_of(r.i)));
            v.passages = r.c->passages;
            v.articles = r.c->articles;
            out.values.push_back(std::move(v));
        }
    }

  public:
    /// The actors (canonical names) the query names, first among equals.
    std::set<std::string, std::less<>> named_;

  private:
    const SearchRequest& req_;
    FacetDictionary& d_;
    std::array<bool, 5> kinds_{};
    bool any_kind_ = true;
    std::uint32_t article_ = facet_row::kNone;
    Xapian::doccount total_ = 0, articles_ = 0;
    std::vector<std::uint32_t> buf_;
};

/// Feeds the facet key of every matching passage to a FacetCounter, in the
/// order the matcher meets them (docid order, for one database): from the
/// FacetTable when it is built, else from Xapian's value stream.
class FacetSpy : public Xapian::MatchSpy {
  public:
    FacetSpy(FacetCounter& c, const Xapian::Database& db, const FacetTable& table)
        : c_(c), table_(table.built() ? &table : nullptr) {
        if (!table_) {
            it_ = db.valuestream_begin(schema::kSlotFacets);
            end_ = db.valuestream_end(schema::kSlotFacets);
        }
    }
    /// A match found without the matcher (see count_directly); the table
    /// must be built.
    void push(Xapian::docid did) {
        pending_.push_back(did);
        if (pending_.size() == kBatch) flush();
    }
    void operator()(const Xapian::Document& doc, double) override {
        Xapian::docid did = doc.get_docid();
        ++seen_;
        if (table_) {
            pending_.push_back(did);
            if (pending_.size() == kBatch) flush();
            return;
        }
        // Docids come in increasing order: the value stream is read forward,
        // a chunk at a time, instead of looking each value up.
        if (it_ != end_ && it_.get_docid() < did) it_.skip_to(did);
        if (it_ != end_ && it_.get_docid() == did) {
            c_.add(*it_, 1);
        } else {
            c_.add(doc.get_value(schema::kSlotFacets), 1);  // out of order after all
        }
    }
    /// Counts the matches still held back; call after the match.
    void flush() {
        // A large query's matches are scattered over the table, and each
        // row read would wait on memory: rows are fetched a few matches
        // ahead (the row's place first, then the row).
        constexpr std::size_t kPlace = 32, kRow = 16;
        const std::size_t n = pending_.size();
        for (std::size_t i = 0; i < n; ++i) {
            if (i + kPlace < n) table_->prefetch_place(pending_[i + kPlace]);
            if (i + kRow < n) table_->prefetch_row(pending_[i + kRow]);
            if (const std::uint32_t* row = table_->row(pending_[i])) c_.add(row, 1);
        }
        pending_.clear();
    }
    /// Matches fed without the table.
    Xapian::doccount slow() const { return table_ ? 0 : seen_; }

  private:
    static constexpr std::size_t kBatch = 4096;
    std::vector<Xapian::docid> pending_;
    FacetCounter& c_;
    const FacetTable* table_;
    Xapian::ValueIterator it_, end_;
    Xapian::doccount seen_ = 0;
};

/// Ranks a query on a second thread while the calling thread counts its
/// matches: a large query's two passes over its matches then take the time
/// of the longer one, not of both. The thread has its own handle on the same
/// index (Xapian objects are never shared between threads): the query goes
/// across serialised, the hits come back as plain values, and the handle is
/// touched from outside only while no job runs.
class RankThread {
  public:
    struct Job {
        std::string query;  ///< Xapian::Query::serialise()
        std::unique_ptr<Xapian::Weight> weight;
        Xapian::doccount offset = 0, count = 0;
        Xapian::doccount per_article = 0;  ///< collapse on the article id when > 0
    };
    struct Ranked {
        Xapian::docid did;
        double weight;
        std::string sort_key;
    };

    explicit RankThread(Xapian::Database db) : db_(std::move(db)), thread_([this] { loop(); }) {}
    ~RankThread() {
        {
            std::lock_guard<std::mutex> lock(m_);
            stop_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }
    RankThread(const RankThread&) = delete;
    RankThread& operator=(const RankThread&) = delete;

    std::future<std::vector<Ranked>> submit(Job job) {
        std::packaged_task<std::vector<Ranked>()> task(
            [this, j = std::make_shared<Job>(std::move(job))] { return rank(*j); });
        auto f = task.get_future();
        {
            std::lock_guard<std::mutex> lock(m_);
            jobs_.push_back(std::move(task));
        }
        cv_.notify_one();
        return f;
    }

    /// Only while no job runs (every future of submit() has been waited for).
    Xapian::Database& db() { return db_; }

  private:
    std::vector<Ranked> rank(const Job& j) {
        Xapian::Enquire enquire(db_);
        enquire.set_query(Xapian::Query::unserialise(j.query, registry_));
        enquire.set_weighting_scheme(*j.weight);
        enquire.set_sort_by_relevance_then_value(schema::kSlotOrder, false);
        if (j.per_article > 0) enquire.set_collapse_key(schema::kSlotArticle, j.per_article);
        Xapian::MSet mset = enquire.get_mset(j.offset, j.count);
        std::vector<Ranked> out;
        out.reserve(mset.size());
        for (auto it = mset.begin(); it != mset.end(); ++it) out.push_back({*it, it.get_weight(), it.get_sort_key()});
        return out;
    }

    void loop() {
        for (;;) {
            std::packaged_task<std::vector<Ranked>()> task;
            {
                std::unique_lock<std::mutex> lock(m_);
                cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
                if (jobs_.empty()) return;  // stopping, nothing left
                task = std::move(jobs_.front());
                jobs_.pop_front();
            }
            task();
        }
    }

    Xapian::Database db_;
    Xapian::Registry registry_;
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<std::packaged_task<std::vector<Ranked>()>> jobs_;
    bool stop_ = false;
    std::thread thread_;  ///< last: starts once the rest is ready
};

/// Counts the matches of a query of the simplest shape, one term less any
/// of a few others (a word with the non-prose blocks left out, the most
/// common query and the one with the most matches), from the posting lists
/// themselves: the matcher's own visit costs about twice as much for the
/// same docids. False, with nothing counted, for any other shape.
bool count_directly(const Xapian::Database& db, const Xapian::Query& q, FacetSpy& spy) {
    auto term_of = [](const Xapian::Query& x, std::string& out) {
        if (x.get_type() != Xapian::Query::LEAF_TERM || x.get_terms_begin() == x.get_terms_end()) return false;
        out = *x.get_terms_begin();
        return !out.empty();
    };
    std::string base;
    std::vector<std::string> minus;
    if (q.get_type() == Xapian::Query::OP_AND_NOT && q.get_num_subqueries() == 2) {
        if (!term_of(q.get_subquery(0), base)) return false;
        Xapian::Query r = q.get_subquery(1);
        std::string t;
        if (term_of(r, t)) {
            minus.push_back(t);
        } else if (r.get_type() == Xapian::Query::OP_OR) {
            for (std::size_t i = 0; i < r.get_num_subqueries(); ++i) {
                if (!term_of(r.get_subquery(i), t)) return false;
                minus.push_back(t);
            }
        } else {
            return false;
        }
    } else if (!term_of(q, base)) {
        return false;
    }
    std::vector<std::pair<Xapian::PostingIterator, Xapian::PostingIterator>> out;
    for (const auto& t : minus) out.emplace_back(db.postlist_begin(t), db.postlist_end(t));
    for (auto it = db.postlist_begin(base), end = db.postlist_end(base); it != end; ++it) {
        Xapian::docid did = *it;
        bool excluded = false;
        for (auto& [o, oend] : out) {
            if (o != oend && *o < did) o.skip_to(did);
            if (o != oend && *o == did) excluded = true;
        }
        if (!excluded) spy.push(did);
    }
    return true;
}

/// A tcp:// address, or a stub file or folder that names a remote database.
bool is_remote(const std::string& spec) {
    if (spec.rfind("tcp://", 0) == 0) return true;
    std::string stub = spec;
    std::error_code ec;
    if (std::filesystem::is_directory(spec, ec)) stub = (std::filesystem::path(spec) / "XAPIANDB").string();
    std::ifstream in(stub);
    std::string word;
    while (in >> word)
        if (word == "remote") return true;
    return false;
}

/// A stub (a file, or a folder's XAPIANDB) is opened part by part, as if
/// each were given with --db: "remote HOST:PORT" becomes tcp://HOST:PORT,
/// "auto PATH" and "glass PATH" the path (from the stub's folder). Then
/// --timeout bounds each part, --allow-partial leaves out the parts that do
/// not answer, an error names the part, and the parts are checked to make one
/// index. A stub with lines of other kinds is left to Xapian.
std::vector<std::string> stub_parts(const std::string& spec) {
    if (spec.rfind("tcp://", 0) == 0) return {spec};
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool folder = fs::is_directory(spec, ec);
    const fs::path stub = folder ? fs::path(spec) / "XAPIANDB" : fs::path(spec);
    if (!fs::is_regular_file(stub, ec)) return {spec};
    std::ifstream in(stub);
    std::vector<std::string> parts;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string kind, where, extra;
        if (!(words >> kind)) continue;  // a blank line
        if (kind[0] == '#') continue;
        if (!(words >> where) || (words >> extra)) return {spec};
        if (kind == "remote" && where[0] != ':' && where.find(':') != std::string::npos) {
            parts.push_back("tcp://" + where);
        } else if (kind == "auto" || kind == "glass") {
            fs::path p(where);
            parts.push_back((p.is_absolute() ? p : stub.parent_path() / p).string());
        } else {
            return {spec};
        }
    }
    if (parts.empty()) return {spec};
    return parts;
}

/// "tcp://HOST:PORT/" -> "HOST:PORT".
std::string remote_address(const std::string& spec) {
    std::string hp = spec.substr(6);
    while (!hp.empty() && hp.back() == '/') hp.pop_back();
    return hp;
}

Xapian::Database open_one(const std::string& spec, unsigned timeout_ms) {
    if (spec.rfind("tcp://", 0) == 0) {
        const std::string hp = remote_address(spec);
        auto colon = hp.rfind(':');
        if (colon == std::string::npos)
            throw IndexError("remote index '" + spec + "' needs a port: tcp://HOST:PORT");
        std::string host = hp.substr(0, colon);
        bool ok = false;
        int port = parse_int(std::string_view(hp).substr(colon + 1), &ok);
        if (!ok || port <= 0 || port > 65535) throw IndexError("remote index '" + spec + "': bad port");
        try {
            return Xapian::Remote::open(host, static_cast<unsigned>(port), timeout_ms, timeout_ms);
        } catch (const Xapian::Error& e) {
            throw IndexError("cannot reach remote index '" + spec + "': " + e.get_msg());
        }
    }
    try {
        Xapian::Database db(spec);
        db.get_doccount();  // a stub's remote parts are reached now, not at the first search
        return db;
    } catch (const Xapian::NetworkError& e) {
        throw IndexError("cannot reach a remote part of '" + spec + "': " + e.get_msg());
    } catch (const Xapian::DatabaseNotFoundError&) {
        // A shard of a folder of --shards parts: written by qanat-index over
        // the folder (an index written at the shard's place is not a shard).
        const std::filesystem::path folder = std::filesystem::path(spec).parent_path();
        std::error_code ec;
        if (!folder.empty() && std::filesystem::is_regular_file(folder / "XAPIANDB", ec))
            throw IndexError("shard '" + spec + "' of the folder of shards '" + folder.string() +
                             "' is missing; write it again with: qanat-index --db '" + folder.string() + "' --shards " +
                             std::to_string(stub_parts(folder.string()).size()) + " [PATH...]");
        throw IndexError("no index at '" + spec + "'; create one with: qanat-index --db '" + spec + "' [PATH...]");
    } catch (const Xapian::DatabaseOpeningError& e) {
        throw IndexError("cannot open the index at '" + spec + "': " + e.get_msg());
    }
}

/// --expand auto: the fewest passages an index has before feedback is used.
constexpr Xapian::doccount kMinFeedbackPassages = 5000;

bool is_prefixed(const std::string& t) { return !t.empty() && t[0] >= 'A' && t[0] <= 'Z'; }

void merge_spans(std::vector<Span>& s) {
    std::sort(s.begin(), s.end(), [](const Span& a, const Span& b) {
        return a.start < b.start || (a.start == b.start && a.end > b.end);
    });
    std::vector<Span> out;
    for (const auto& x : s) {
        if (!out.empty() && x.start <= out.back().end) {
            out.back().end = std::max(out.back().end, x.end);
        } else {
            out.push_back(x);
        }
    }
    s = std::move(out);
}

/// Wildcard prefixes written in the query: "milit*" -> "milit".
std::string filter_values_blanked(std::string q);

std::vector<std::string> wildcard_prefixes(const std::string& typed) {
    // (A wildcard in a filter's value, actor:Kurd*, stands for actors, not
    // for words to highlight.)
    const std::string query = filter_values_blanked(typed);
    std::vector<std::string> out;
    for (auto sp : words(query)) {
        if (sp.end < query.size() && query[sp.end] == '*') {
            std::string w = fold(std::string_view(query).substr(sp.start, sp.end - sp.start));
            auto colon = w.rfind(':');
            if (colon != std::string::npos) w = w.substr(colon + 1);
            if (!w.empty()) out.push_back(w);
        }
    }
    return out;
}

bool is_upper_word_op(std::string_view w) {
    return w == "AND" || w == "OR" || w == "NOT" || w == "XOR" || w == "NEAR" || w == "ADJ";
}

/// Byte i continues a word (a field's name starts no word there).
bool inside_word(std::string_view q, std::size_t i) {
    return i > 0 && (std::isalnum(static_cast<unsigned char>(q[i - 1])) || q[i - 1] == '_');
}

/// title:"a b" -> title:(a b), with a warning: titles keep no word positions
/// (see DocumentBuilder::build), so a phrase of title words found nothing.
std::string title_phrases_as_words(std::string q, std::vector<std::string>& warnings) {
    static const std::string field = "title:\"";
    bool changed = false;
    for (std::size_t at = q.find(field); at != std::string::npos; at = q.find(field, at + 1)) {
        if (inside_word(q, at)) continue;
        const std::size_t open = at + field.size() - 1, close = q.find('"', open + 1);
        if (close == std::string::npos) break;
        q[open] = '(';
        q[close] = ')';
        // One word in quotes is that word: no warning.
        changed = changed || q.find_first_of(" \t-", open + 1) < close;
    }
    if (changed)
        warnings.push_back("title: takes words, not phrases (titles keep no word positions): "
                           "the words of a quoted title are searched in any order");
    return q;
}

/// The character (1-based, UTF-8 aware) at byte `at`, for messages.
std::size_t character_at(std::string_view text, std::size_t at) {
    std::size_t n = 1;
    for (std::size_t i = 0; i < at && i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
    return n;
}

/// Unbalanced brackets and quotes are errors that say where: Xapian would
/// parse such a query again without any operator ("Iraq NOT Iran)" searched
/// Iraq AND Iran), or run a quote to the end ("Iraq NOT Iran" as a phrase).
void check_balanced(std::string_view q) {
    std::vector<std::size_t> open;
    std::size_t quote = std::string_view::npos;
    auto fail = [&](const std::string& what, std::size_t at) {
        throw SearchError("the query has " + what + " at character " + std::to_string(character_at(q, at)) + " (" +
                          std::string(q.substr(0, at)) + ">>" + q[at] + "<<" + std::string(q.substr(at + 1)) +
                          "): close it or leave it out");
    };
    for (std::size_t i = 0; i < q.size(); ++i) {
        if (q[i] == '"') {
            quote = quote == std::string_view::npos ? i : std::string_view::npos;
            continue;
        }
        if (quote != std::string_view::npos) continue;
        if (q[i] == '(') open.push_back(i);
        if (q[i] == ')') {
            if (open.empty()) fail("a ')' that closes nothing", i);
            open.pop_back();
        }
    }
    if (quote != std::string_view::npos) fail("an unclosed '\"'", quote);
    if (!open.empty()) fail("an unclosed '('", open.back());
}

/// An operator of the query with nothing on one of its sides, where Xapian's
/// message says only which grammar rule failed ("Syntax: <expression> AND
/// <expression>"): "'AND' at character 16 has nothing on its right (Iraq NOT
/// Iran >>AND<<)". Empty when every operator has its sides (then Xapian's own
/// message is all there is to say).
std::string operator_without_side(std::string_view q) {
    struct Token {
        std::string_view text;
        std::size_t at;
    };
    std::vector<Token> tokens;  // words (a quoted phrase is one), '(' and ')'
    for (std::size_t i = 0; i < q.size();) {
        const char c = q[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '(' || c == ')') {
            tokens.push_back({q.substr(i, 1), i});
            ++i;
        } else {
            const std::size_t start = i;
            bool quoted = false;
            for (; i < q.size(); ++i) {
                if (q[i] == '"') quoted = !quoted;
                if (!quoted && (std::isspace(static_cast<unsigned char>(q[i])) || q[i] == '(' || q[i] == ')')) break;
            }
            tokens.push_back({q.substr(start, i - start), start});
        }
    }
    auto op_name = [](std::string_view t) -> std::string_view {
        // NEAR/3 and ADJ/3 are NEAR and ADJ.
        const std::string_view head = t.substr(0, t.find('/'));
        if ((head == "NEAR" || head == "ADJ") && head.size() < t.size()) return head;
        return is_upper_word_op(t) ? t : std::string_view{};
    };
    auto binary = [&](std::size_t k) {
        const std::string_view n = op_name(tokens[k].text);
        return !n.empty() && n != "NOT";
    };
    auto say = [&](const Token& t, const char* side) {
        return "'" + std::string(t.text) + "' at character " + std::to_string(character_at(q, t.at)) +
               " has nothing on its " + side + " (" + std::string(q.substr(0, t.at)) + ">>" + std::string(t.text) +
               "<<" + std::string(q.substr(t.at + t.text.size())) + ")";
    };
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        const std::string_view name = op_name(tokens[k].text);
        if (name.empty()) continue;
        // Its left: a binary operator needs an operand before it (NOT starts
        // an expression: "everything but", or AND NOT, OR NOT).
        if (name != "NOT" && (k == 0 || tokens[k - 1].text == "(" || !op_name(tokens[k - 1].text).empty()))
            return say(tokens[k], "left");
        // Its right: an operand (NOT may follow a binary operator).
        const bool right_missing = k + 1 == tokens.size() || tokens[k + 1].text == ")" || binary(k + 1) ||
                                   (name == "NOT" && op_name(tokens[k + 1].text) == "NOT");
        if (right_missing) return say(tokens[k], "right");
    }
    return {};
}

/// The fields that filter (boolean terms), as a query writes them.
constexpr std::string_view kFilterFields[] = {"actor", "year", "article", "published", "kind"};

std::vector<bool> literal_bytes(std::string_view text);
bool proximity_op(std::string_view w);

/// "f:" at byte i, the field's name in any case ("Actor:", "YEAR:").
bool field_name_at(std::string_view q, std::size_t i, std::string_view f) {
    if (q.size() < i + f.size() + 1 || q[i + f.size()] != ':') return false;
    for (std::size_t k = 0; k < f.size(); ++k)
        if (std::tolower(static_cast<unsigned char>(q[i + k])) != f[k]) return false;
    return true;
}

/// The ')' that closes the '(' at `open` (brackets inside quotes are
/// characters), or q.size() if none does.
std::size_t closing_bracket(std::string_view q, std::size_t open) {
    std::size_t depth = 0;
    bool in_quote = false;
    for (std::size_t e = open; e < q.size(); ++e) {
        if (q[e] == '"') in_quote = !in_quote;
        if (in_quote) continue;
        if (q[e] == '(') ++depth;
        if (q[e] == ')' && --depth == 0) return e;
    }
    return q.size();
}

/// The query with the values of its filter fields (actor:..., year:...,
/// quoted or in brackets) and their field names turned to spaces.
std::string filter_values_blanked(std::string q) {
    bool quoted = false;
    for (std::size_t i = 0; i < q.size(); ++i) {
        if (q[i] == '"') quoted = !quoted;
        if (quoted || inside_word(q, i)) continue;
        for (std::string_view f : kFilterFields) {
            if (!field_name_at(q, i, f) || i + f.size() + 1 >= q.size()) continue;
            std::size_t e = i + f.size() + 1;
            if (q[e] == '"') {
                e = q.find('"', e + 1);
                e = e == std::string::npos ? q.size() : e + 1;
            } else if (q[e] == '(') {
                e = closing_bracket(q, e);
                if (e < q.size()) ++e;
            } else {
                while (e < q.size() && !std::isspace(static_cast<unsigned char>(q[e])) && q[e] != ')') ++e;
            }
            for (std::size_t k = i; k < e && k < q.size(); ++k) q[k] = ' ';
            i = e - 1;
            break;
        }
    }
    return q;
}

/// Field names are read in any case ("Actor:Sadr", "YEAR:2003" were phrases
/// of two words); a field with nothing after it is an error that says where
/// ("actor:" alone searched the word "actor").
std::string checked_fields(std::string q) {
    static const std::vector<std::string> fields = [] {
        std::vector<std::string> v{"title"};
        v.insert(v.end(), std::begin(kFilterFields), std::end(kFilterFields));
        return v;
    }();
    const std::vector<bool> literal = literal_bytes(q);
    for (std::size_t i = 0; i < q.size(); ++i) {
        if (literal[i] || inside_word(q, i)) continue;
        for (const auto& f : fields) {
            if (!field_name_at(q, i, f)) continue;
            const std::size_t v = i + f.size() + 1;
            // "one of a kind: the best" is words ("kind" is an English word
            // more often than a field; kind:group is the field). "kind:" at
            // the end has no value, as "actor:" there has none.
            if (f == "kind" && v < q.size() && std::isspace(static_cast<unsigned char>(q[v]))) continue;
            for (std::size_t k = 0; k < f.size(); ++k) q[i + k] = f[k];
            // actor:="Axis of Resistance": the quotes hold the value, '='
            // and all, as in actor:"=Axis of Resistance" (Xapian took '="Axis'
            // as the value and the rest as words).
            if (v + 1 < q.size() && q[v] == '=' && q[v + 1] == '"') std::swap(q[v], q[v + 1]);
            if (v >= q.size() || std::isspace(static_cast<unsigned char>(q[v])) || q[v] == ')')
                throw SearchError("'" + f + ":' at character " + std::to_string(character_at(q, i)) +
                                  " has no value: give one (" + f + ":WORD) or leave it out");
        }
    }
    return q;
}

/// A filter field before a group applies to each of its values, as a text
/// field does to its words: `actor:(PMF Sadr)` is `(actor:PMF actor:Sadr)`,
/// passages that name either (Xapian gave the field "PMF" and searched the
/// word "sadr"; `year:(2003 2004)` was an error about the year "(2003").
/// Operators, signs and brackets inside stay as they are.
std::string distributed_filter_groups(const std::string& q) {
    std::string out;
    bool quoted = false;
    for (std::size_t i = 0; i < q.size();) {
        if (q[i] == '"') quoted = !quoted;
        const bool word_start = !quoted && !inside_word(q, i);
        std::string field;
        if (word_start)
            for (std::string_view f : kFilterFields)
                if (q.compare(i, f.size() + 2, std::string(f) + ":(") == 0) field = f;
        if (field.empty()) {
            out += q[i++];
            continue;
        }
        // The group's end (brackets are balanced by now, quotes too).
        const std::size_t open = i + field.size() + 1;
        const std::size_t close = closing_bracket(q, open);
        const std::string inner = q.substr(open + 1, close - open - 1);
        std::string group = "(";
        bool any = false, in_q = false, operators = false, proximity = false, nested = false;
        for (std::size_t k = 0; k < inner.size(); ++k) {
            const char c = inner[k];
            const bool starts = !in_q && !std::isspace(static_cast<unsigned char>(c)) && c != '(' && c != ')' &&
                                c != '+' && c != '-' &&
                                (k == 0 || std::isspace(static_cast<unsigned char>(inner[k - 1])) || inner[k - 1] == '(' ||
                                 ((inner[k - 1] == '+' || inner[k - 1] == '-') &&
                                  (k == 1 || std::isspace(static_cast<unsigned char>(inner[k - 2])) || inner[k - 2] == '(')));
            if (starts) {
                std::size_t end = k;
                while (end < inner.size() && !std::isspace(static_cast<unsigned char>(inner[end])) && inner[end] != ')') ++end;
                const std::string_view token(inner.data() + k, end - k);
                if (proximity_op(token)) {
                    proximity = true;
                } else if (is_upper_word_op(token)) {
                    operators = true;
                } else {
                    group += field + ":";
                    any = true;
                }
            }
            if (c == '"') in_q = !in_q;
            if (!in_q && (c == '(' || c == ')')) nested = true;
            group += c;
        }
        if (!any)
            throw SearchError("'" + field + ":(' at character " + std::to_string(character_at(q, i)) +
                              " has no value: give one (" + field + ":(A B) for either) or leave it out");
        if (proximity)
            throw SearchError("NEAR and ADJ do not go between filters ('" + field + ":(' at character " +
                              std::to_string(character_at(q, i)) + "): a passage names an actor or a year, or not");
        // Values alone are filters side by side, as if typed so: brackets
        // would make them a query of their own, which --any joins with OR
        // ("Iraq actor:(Sadr PMF)" found every passage with "Iraq").
        if (operators || nested)
            out += group + ")";
        else
            out += group.substr(1);
        i = close + 1;
    }
    return out;
}

/// What Xapian reads differently from what was likely meant, said as warnings:
/// NEAR or ADJ beside a group or a wildcard, or with a bad distance
/// ("NEAR/0"), is a word; a '*' inside a word is no wildcard; "or" and "not"
/// in lower case are words (stop words); bytes that are not UTF-8.
void query_warnings(std::string_view raw, std::string_view q, std::vector<std::string>& warnings) {
    if (!valid_utf8(raw)) {
        const std::size_t at = first_invalid_utf8(raw);
        warnings.push_back("the query has bytes that are not UTF-8 (from byte " + std::to_string(at + 1) +
                           "); they were read as U+FFFD");
    }
    const std::vector<bool> literal = literal_bytes(q);
    std::vector<std::pair<std::size_t, std::string_view>> toks;
    for (std::size_t i = 0; i < q.size();) {
        while (i < q.size() && std::isspace(static_cast<unsigned char>(q[i]))) ++i;
        const std::size_t s = i;
        while (i < q.size() && !std::isspace(static_cast<unsigned char>(q[i]))) ++i;
        if (i > s) toks.emplace_back(s, q.substr(s, i - s));
    }
    bool upper_op = false, lower_op = false;
    // A filter (actor:, year:, kind:, ...) beside NEAR or ADJ: Xapian keeps
    // one side and drops the other ("actor:Sadr NEAR actor:PMF" was actor:PMF).
    const std::string blank = filter_values_blanked(std::string(q));
    auto filter_token = [&](std::size_t j) {
        const auto [p, w] = toks[j];
        return blank.compare(p, w.size(), std::string(w.size(), ' ')) == 0;
    };
    for (std::size_t k = 0; k < toks.size(); ++k) {
        const auto [at, t] = toks[k];
        if (literal[at]) continue;
        if (is_upper_word_op(t)) upper_op = true;
        if (k > 0 && k + 1 < toks.size() && (t == "or" || t == "not")) lower_op = true;
        if (proximity_op(t) && k > 0 && k + 1 < toks.size() && (filter_token(k - 1) || filter_token(k + 1)))
            throw SearchError("NEAR and ADJ do not go beside filters ('" + std::string(t) + "' at character " +
                              std::to_string(character_at(q, at)) +
                              "): a passage names an actor or a year, or not; give the filter alone");
        if (proximity_op(t)) {
            const std::size_t slash = t.find('/');
            bool bad = false;
            if (slash != std::string_view::npos) {
                const std::string_view n = t.substr(slash + 1);
                bad = n.empty() || n.size() > 6 || !std::all_of(n.begin(), n.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
                      std::stoi(std::string(n)) < 1;
            }
            // A wildcard beside it was searched as the word it starts ("tax*
            // NEAR cut" as tax AND near AND cut): an error, not a quiet answer.
            for (const std::size_t j : {k - 1, k + 1})
                if (k > 0 && j < toks.size() && toks[j].second.size() > 1 && toks[j].second.back() == '*') {
                    // (Where it stands in the query as typed, which a filter's
                    // group may have been rewritten from.)
                    const std::size_t typed_at = raw.find(toks[j].second);
                    throw SearchError("NEAR and ADJ take one word on each side, not a wildcard ('" +
                                      std::string(toks[j].second) + "' at character " +
                                      std::to_string(typed_at != std::string_view::npos ? character_at(raw, typed_at)
                                                                                        : character_at(q, toks[j].first)) +
                                      "): write the word in full, or leave out the " + std::string(t));
                }
            const bool group = (k > 0 && toks[k - 1].second.back() == ')') ||
                               (k + 1 < toks.size() && toks[k + 1].second.front() == '(');
            if (bad || group || k == 0 || k + 1 == toks.size())
                warnings.push_back("'" + std::string(t) + "' at character " + std::to_string(character_at(q, at)) +
                                   " is searched as a word: NEAR and ADJ take one word on each side, and NEAR/N a "
                                   "distance of 1 or more");
        }
        // "country:Iraq": no such field; Xapian searched the phrase "country iraq".
        {
            std::size_t n = 0;
            while (n < t.size() && std::isalpha(static_cast<unsigned char>(t[n]))) ++n;
            if (n >= 2 && n + 1 < t.size() && t[n] == ':' && t[n + 1] != '/' && t[n + 1] != ':' &&
                !std::isspace(static_cast<unsigned char>(t[n + 1]))) {
                std::string name(t.substr(0, n));
                for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                const bool known = name == "title" || std::find(std::begin(kFilterFields), std::end(kFilterFields), name) !=
                                                          std::end(kFilterFields);
                static const std::set<std::string> schemes{"http", "https", "ftp", "mailto", "tcp", "file", "urn"};
                if (!known && !schemes.count(name))
                    warnings.push_back("'" + std::string(t.substr(0, n + 1)) + "' at character " +
                                       std::to_string(character_at(q, at)) +
                                       " is no field (fields: actor:, kind:, year:, published:, article:, title:): '" +
                                       std::string(t) + "' was searched as words");
            }
        }
        const std::size_t star = t.find('*');
        if (star != std::string_view::npos && star + 1 < t.size() && std::isalnum(static_cast<unsigned char>(t[star + 1])))
            warnings.push_back("'*' inside '" + std::string(t) + "' is no wildcard: only a '*' at a word's end is");
    }
    // A '*' inside quotes: a phrase takes whole words, and Xapian searched
    // the word without it ("weapons of mass destr*" as "... destr").
    // (Read in the query as typed: its positions and spelling.)
    bool in_quotes = false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '"') in_quotes = !in_quotes;
        const auto prev = i > 0 ? static_cast<unsigned char>(raw[i - 1]) : 0;
        if (!in_quotes || raw[i] != '*' || i == 0 || !(std::isalnum(prev) || prev >= 0x80)) continue;  // ("иран*")
        std::size_t s = i;
        while (s > 0 && raw[s - 1] != '"' && !std::isspace(static_cast<unsigned char>(raw[s - 1]))) --s;
        warnings.push_back("'" + std::string(raw.substr(s, i + 1 - s)) + "' at character " +
                           std::to_string(character_at(raw, s)) + " is inside quotes: a phrase takes whole words, "
                           "and it was searched as '" + std::string(raw.substr(s, i - s)) +
                           "'; write the word in full, or take it out of the quotes");
    }
    if (lower_op && !upper_op)
        warnings.push_back("'or' and 'not' in lower case are words, left out as stop words: write operators in "
                           "capitals (OR, NOT)");
}

/// The query's top-level parts: runs of non-blanks outside quotes and brackets.
std::vector<std::string> top_level_parts(std::string_view q) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    int depth = 0;
    for (char c : q) {
        if (c == '"') quoted = !quoted;
        if (!quoted && c == '(') ++depth;
        if (!quoted && c == ')' && depth > 0) --depth;
        if (!quoted && depth == 0 && std::isspace(static_cast<unsigned char>(c))) {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
            continue;
        }
        cur += c;
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

/// Two readings Xapian's grammar gives that a user does not mean:
/// - "-Iran -Iraq", only excluded words, found the passages that have them:
///   read as NOT (Iran OR Iraq);
/// - a filter beside an AND, OR, NOT or XOR bound to the word next to it
///   ("Iraq NOT Iran year:2003" was Iraq AND_NOT (Iran FILTER 2003), 65
///   passages against 14 without the filter): the filters of the top level
///   apply to the whole query, "(Iraq NOT Iran) year:2003".
std::string regroup_query(const std::string& q) {
    const std::vector<std::string> parts = top_level_parts(q);
    if (parts.empty()) return q;
    if (std::all_of(parts.begin(), parts.end(), [](const std::string& p) { return p.size() > 1 && p[0] == '-'; })) {
        std::string out = "NOT (";
        for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " OR " : "") + parts[i].substr(1);
        return out + ")";
    }
    // A filter, or a group of filters only ("(actor:PMF OR actor:Sadr)", as
    // actor:(PMF OR Sadr) is written by now).
    const std::function<bool(const std::string&)> filter = [&filter](const std::string& p) {
        if (p.size() > 2 && p.front() == '(' && p.back() == ')') {
            const std::vector<std::string> inner = top_level_parts(std::string_view(p).substr(1, p.size() - 2));
            return !inner.empty() && std::all_of(inner.begin(), inner.end(), [&](const std::string& x) {
                       return filter(x) || is_upper_word_op(x);
                   });
        }
        for (std::string_view f : kFilterFields)
            if (p.size() > f.size() + 1 && p.compare(0, f.size(), f) == 0 && p[f.size()] == ':' && p[f.size() + 1] != '(')
                return true;
        return false;
    };
    bool binary = false;
    for (const auto& p : parts) binary = binary || p == "AND" || p == "OR" || p == "NOT" || p == "XOR";
    if (!binary) return q;
    std::string rest, filters;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        // A filter that is an operand ("actor:Sadr AND actor:Iran") stays.
        auto op = [&](std::size_t k) { return k < parts.size() && (is_upper_word_op(parts[k]) || proximity_op(parts[k])); };
        const bool operand = (i > 0 && op(i - 1)) || op(i + 1);
        std::string& to = filter(parts[i]) && !operand ? filters : rest;
        to += (to.empty() ? "" : " ") + parts[i];
    }
    if (filters.empty() || rest.empty()) return q;
    return "(" + rest + ") " + filters;
}

/// For each byte of a query: inside quotes, or inside a field's group
/// (title:(a b)), where words are taken as typed.
std::vector<bool> literal_bytes(std::string_view text) {
    std::vector<bool> literal(text.size(), false);
    bool in = false;
    int group = 0;  // depth inside field:( ... )
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '"') in = !in;
        if (!in && text[i] == '(' && (group > 0 || (i > 0 && text[i - 1] == ':'))) ++group;
        literal[i] = in || group > 0;
        if (!in && text[i] == ')' && group > 0) --group;
    }
    return literal;
}

/// The word at `pos` has a '+' or '-' before it that is an operator ("+Iran",
/// "(-Iran"), not the hyphen of a compound ("pro-Iran").
bool signed_word(std::string_view text, std::size_t pos) {
    return pos > 0 && (text[pos - 1] == '+' || text[pos - 1] == '-') &&
           (pos == 1 || std::isspace(static_cast<unsigned char>(text[pos - 2])) || text[pos - 2] == '(');
}

/// NEAR, ADJ, NEAR/3, ADJ/2.
bool proximity_op(std::string_view w) {
    for (std::string_view op : {"NEAR", "ADJ"})
        if (w.substr(0, op.size()) == op && (w.size() == op.size() || w[op.size()] == '/')) return true;
    return false;
}

/// The run of non-blank characters that ends before `pos` (blanks skipped).
std::string_view word_before(std::string_view text, std::size_t pos) {
    while (pos > 0 && std::isspace(static_cast<unsigned char>(text[pos - 1]))) --pos;
    std::size_t start = pos;
    while (start > 0 && !std::isspace(static_cast<unsigned char>(text[start - 1]))) --start;
    return text.substr(start, pos - start);
}

/// The run of non-blank characters that starts after `pos` (blanks skipped).
std::string_view word_after(std::string_view text, std::size_t pos) {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    std::size_t end = pos;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    return text.substr(pos, end - pos);
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
    // Damerau-Levenshtein (optimal string alignment), stopping past `limit`.
    if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return limit + 1;
    std::vector<std::size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        std::size_t row_min = cur[0];
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
            row_min = std::min(row_min, cur[j]);
        }
        if (row_min > limit) return limit + 1;
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string nearest_term(const std::string& word, const std::vector<std::pair<std::string, Xapian::doccount>>& vocab) {
    const std::size_t limit = word.size() <= 4 ? 1 : 2;
    std::string best;
    std::size_t best_d = limit + 1;
    Xapian::doccount best_f = 0;
    for (const auto& [term, freq] : vocab) {
        std::size_t d = edit_distance(word, term, limit);
        if (d == 0 || d > limit) continue;
        if (d < best_d || (d == best_d && freq > best_f)) {
            best = term;
            best_d = d;
            best_f = freq;
        }
    }
    return best;
}

std::size_t prefix_edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        std::size_t row_min = cur[0];
        for (std::size_t j = 1; j <= b.size(); ++j) {
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            row_min = std::min(row_min, cur[j]);
        }
        if (row_min > limit) return limit + 1;
        std::swap(prev, cur);
    }
    const std::size_t best = *std::min_element(prev.begin(), prev.end());
    return best > limit ? limit + 1 : best;
}

bool parse_weighting(std::string_view name, Weighting* out) {
    static const std::pair<std::string_view, Weighting> names[] = {
        {"bm25", Weighting::BM25}, {"bm25+", Weighting::BM25Plus}, {"ineb2", Weighting::IneB2},
        {"ifb2", Weighting::IfB2}, {"bb2", Weighting::BB2},         {"inl2", Weighting::InL2},
        {"pl2", Weighting::PL2},   {"dph", Weighting::DPH},         {"dlh", Weighting::DLH}};
    for (const auto& [n, w] : names)
        if (n == name) {
            *out = w;
            return true;
        }
    return false;
}

YearRange parse_year_range(std::string_view value) {
    // "1980–88", "1980—1988": dashes as in text (and as year: reads them).
    const std::string_view raw = trim(value);
    std::string dashed;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const std::string_view rest = raw.substr(i);
        if (rest.substr(0, 3) == "\xE2\x80\x93" || rest.substr(0, 3) == "\xE2\x80\x94") {
            dashed += '-';
            i += 2;
        } else {
            dashed += raw[i];
        }
    }
    std::string_view v = dashed;
    auto bad = [&]() {
        return SearchError("year value '" + std::string(value) +
                           "' is not a year: use 2003, 1980..1988, 1980-88 or 1980s");
    };
    bool ok = false;
    YearRange r;
    if (v.size() == 5 && (v.back() == 's' || v.back() == 'S')) {
        int d = parse_int(v.substr(0, 4), &ok);
        if (!ok || d % 10 != 0) throw bad();
        if (d % 100 == 0 && d < 1900) return {d, d + 99, false};  // "1800s": the century, as the indexer reads it
        return {d, d + 9, true};
    }
    std::size_t sep = v.find("..");
    std::size_t seplen = 2;
    if (sep == std::string_view::npos) {
        sep = v.find('-', 1);
        seplen = 1;
    }
    if (sep != std::string_view::npos) {
        std::string_view a = v.substr(0, sep), b = v.substr(sep + seplen);
        r.from = parse_int(a, &ok);
        if (!ok || a.size() != 4) throw bad();
        r.to = parse_int(b, &ok);
        if (!ok || (b.size() != 4 && b.size() != 2)) throw bad();
        if (b.size() == 2) r.to += (r.from / 100) * 100;
        if (b.size() == 2 && r.to < r.from && b == "00" && r.from % 100 >= 90) r.to += 100;  // 1999-00: the century's end
        if (r.to < r.from)
            throw SearchError("year range '" + std::string(value) + "' ends before it starts");
        if (r.to - r.from > 1000) throw SearchError("year range '" + std::string(value) + "' is longer than 1000 years");
        return r;
    }
    r.from = r.to = parse_int(v, &ok);
    if (!ok || v.size() != 4) throw bad();
    return r;
}

/// A word's term as indexed; "U.S.", "U.K." without their dots, as Xapian
/// reads an acronym.
std::string word_term(const Analyzer& analyzer, std::string_view w) {
    if (w.find('.') != std::string_view::npos &&
        std::all_of(w.begin(), w.end(), [](char c) { return c == '.' || std::isalpha(static_cast<unsigned char>(c)); })) {
        std::string bare;
        for (char c : w)
            if (c != '.') bare += c;
        return analyzer.term(bare);
    }
    return analyzer.term(w);
}

/// By byte of q (and one past its end): inside double quotes.
std::vector<bool> quoted_bytes(std::string_view q) {
    std::vector<bool> quoted(q.size() + 1, false);
    bool in = false;
    for (std::size_t i = 0; i < q.size(); ++i) {
        if (q[i] == '"') in = !in;
        quoted[i] = in;
    }
    return quoted;
}

/// What joins two words into Xapian's phrase ("post-war", "Iraq/Iran"): one
/// of its phrase generators, "-", "/", "\\", "@" or ".".
bool phrase_joint(std::string_view gap) {
    return gap.size() == 1 && (gap[0] == '-' || gap[0] == '/' || gap[0] == '\\' || gap[0] == '@' || gap[0] == '.');
}

QueryPhrases query_phrases(std::string_view q, const Analyzer& analyzer) {
    QueryPhrases out;
    const std::vector<Span> ws = words(q);
    const std::vector<bool> quoted = quoted_bytes(q);
    std::vector<std::string> cur;
    auto flush = [&] {
        if (cur.size() >= 2) out.phrases.push_back(cur);
        cur.clear();
    };
    for (std::size_t k = 0; k < ws.size(); ++k) {
        const std::string_view w = q.substr(ws[k].start, ws[k].end - ws[k].start);
        // Quoted words, and words joined by hyphens ("Iran-backed"), are phrases.
        const bool in_quote = quoted[ws[k].start];
        const bool joined_before = k > 0 && (quoted[ws[k - 1].start] == in_quote) &&
                                   (in_quote ? true : phrase_joint(q.substr(ws[k - 1].end, ws[k].start - ws[k - 1].end)));
        const bool same_quote = k > 0 && in_quote && quoted[ws[k - 1].start] &&
                                q.substr(ws[k - 1].end, ws[k].start - ws[k - 1].end).find('"') == std::string_view::npos;
        if (!(in_quote ? same_quote : joined_before)) flush();
        const bool joined_after = !in_quote && k + 1 < ws.size() && !quoted[ws[k + 1].start] &&
                                  phrase_joint(q.substr(ws[k].end, ws[k + 1].start - ws[k].end));
        if (in_quote || joined_before || joined_after) {
            cur.push_back(word_term(analyzer, w));
        } else if (!is_upper_word_op(w) && !(ws[k].end < q.size() && q[ws[k].end] == ':')) {
            out.free.insert(word_term(analyzer, w));
        }
    }
    flush();
    return out;
}

std::vector<Span> highlight_spans(const StoredPassage& p, const Analyzer& analyzer,
                                  const std::vector<std::string>& text_terms,
                                  const std::vector<std::string>& wildcards,
                                  const std::vector<std::string>& filter_terms, const QueryPhrases* phrases) {
    std::vector<Span> out;
    if (!text_terms.empty() || !wildcards.empty()) {
        std::unordered_set<std::string> terms(text_terms.begin(), text_terms.end());
        for (const auto& pre : wildcards) terms.insert(analyzer.term(pre));  // "company*" shows "companies"
        // Words of a phrase only (not also asked for alone) are shown where
        // the phrase stands: "of" of "Bank of Japan", "New" of "New York" in
        // "New Orleans", were shown everywhere.
        std::unordered_set<std::string> phrase_only;
        if (phrases)
            for (const auto& ph : phrases->phrases)
                for (const auto& t : ph)
                    if (!phrases->free.count(t)) phrase_only.insert(t);
        const std::vector<Span> ws = words(p.text);
        std::vector<std::string> term_of(ws.size());
        std::vector<char> hit(ws.size(), 0);
        for (std::size_t k = 0; k < ws.size(); ++k) {
            const std::string_view w = std::string_view(p.text).substr(ws[k].start, ws[k].end - ws[k].start);
            term_of[k] = word_term(analyzer, w);
            if (terms.count(term_of[k]) && !phrase_only.count(term_of[k])) hit[k] = 1;
            if (!hit[k] && !wildcards.empty()) {
                const std::string f = fold(w);
                for (const auto& pre : wildcards)
                    if (f.compare(0, pre.size(), pre) == 0) hit[k] = 1;
            }
        }
        if (phrases)
            for (const auto& ph : phrases->phrases)
                for (std::size_t k = 0; k + ph.size() <= ws.size(); ++k)
                    if (std::equal(ph.begin(), ph.end(), term_of.begin() + static_cast<long>(k)))
                        for (std::size_t j = 0; j < ph.size(); ++j) hit[k + j] = 1;
        for (std::size_t k = 0; k < ws.size(); ++k)
            if (hit[k]) out.push_back(ws[k]);
    }
    if (!filter_terms.empty()) {
        std::unordered_set<std::string> ft(filter_terms.begin(), filter_terms.end());
        for (const auto& a : p.actors)
            if (ft.count(schema::term(schema::kActor, actor_key(a.name))) ||
                ft.count(schema::term(schema::kActorKind, actor_kind_name(a.kind))) ||
                (a.end <= p.text.size() &&
                 ft.count(schema::term(schema::kActorAbbrev, actor_key(std::string_view(p.text).substr(a.start, a.end - a.start))))))
                out.push_back({a.start, a.end});
        for (const auto& y : p.years)
            if (ft.count(year_label_term(y.label))) out.push_back({y.start, y.end});
    }
    merge_spans(out);
    return out;
}

namespace {

/// One window of at most max_bytes (see choose_snippet); `what` names the
/// thing each highlight shows.
Span snippet_window(std::string_view text, const std::vector<Span>& hl, const std::vector<std::string>& what,
                    std::size_t max_bytes, const std::vector<Span>& all_hl) {
    if (text.size() <= max_bytes) return {0, text.size()};
    auto sents = sentences(text, 0, text.size());
    // Best run of whole sentences within max_bytes: the most different things
    // highlighted (a window with "Saddam" and "1980–88" over one that says
    // "Saddam" twice), then the most highlights, earliest first.
    auto score_of = [&](std::size_t from, std::size_t to) {
        int count = 0;
        std::set<std::string_view> kinds;
        for (std::size_t k = 0; k < hl.size(); ++k)
            if (hl[k].start >= from && hl[k].end <= to) {
                ++count;
                kinds.insert(what[k]);
            }
        return static_cast<int>(kinds.size()) * 10000 + count;
    };
    std::size_t best_s = 0, best_e = 0;
    int best_score = -1;
    std::vector<std::size_t> long_sentence(hl.size(), 0);  // 1: inside a sentence longer than max_bytes
    for (std::size_t i = 0; i < sents.size(); ++i) {
        if (sents[i].second - sents[i].first > max_bytes) {
            for (std::size_t k = 0; k < hl.size(); ++k)
                if (hl[k].start >= sents[i].first && hl[k].start < sents[i].second) long_sentence[k] = 1;
            continue;
        }
        std::size_t j = i;
        while (j + 1 < sents.size() && sents[j + 1].second - sents[i].first <= max_bytes) ++j;
        const int score = score_of(sents[i].first, sents[j].second);
        if (score > best_score) {
            best_score = score;
            best_s = sents[i].first;
            best_e = sents[j].second;
        }
    }
    // Highlights inside over-long sentences: windows of words cut around
    // them, never more than max_bytes, never inside a UTF-8 sequence. Such a
    // window is shown only when it holds more different highlights than the
    // best run of whole sentences (two matches far apart in one long
    // sentence, or a match no whole sentence can show).
    auto continuation = [&](std::size_t i) { return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80; };
    auto cut_around = [&](std::size_t first, std::size_t last_end) -> Span {
        // first..last_end fits in max_bytes; the room left goes before it (up
        // to a third of the window), the rest after it.
        const std::size_t lead = std::min(max_bytes - (last_end - first), max_bytes / 3);
        std::size_t s = first > lead ? first - lead : 0;
        // Start at a word: forward to the next space, unless that passes the highlight.
        if (s > 0) {
            std::size_t w = s;
            while (w < first && text[w - 1] != ' ' && text[w - 1] != '\n') ++w;
            s = w;
        }
        // Or at the start of the highlight's sentence, when that is within the lead.
        for (const auto& [from, to] : sents)
            if (from <= first && first < to) {
                if (from > s) s = from;
                break;
            }
        while (continuation(s)) ++s;
        std::size_t e = std::min(text.size(), s + max_bytes);
        std::size_t we = e;
        while (we < text.size() && we > s && text[we] != ' ' && text[we] != '\n') --we;
        if (we > s && we >= last_end) {
            e = we;
        } else if (e < text.size()) {
            // No space after the highlights: back to where a word ends, not
            // into one ("the silver-purc", "peace-th"), and off a hyphen.
            auto in_word = [&](std::size_t i) {
                const unsigned char c = static_cast<unsigned char>(text[i]);
                return std::isalnum(c) || c >= 0x80;
            };
            while (e > last_end && in_word(e - 1) && in_word(e)) --e;
            while (e > last_end && (text[e - 1] == '-' || text[e - 1] == ' ')) --e;
        }
        while (continuation(e) && e > s) --e;
        // Never inside a highlight of several words ("Japan| Line"): the
        // whole of it if the window still fits, else none of it.
        // (A highlight the window is for, longer than it, is cut as before.)
        for (const auto& h : all_hl) {
            if (h.start < s && s < h.end) {
                if (e - h.start <= max_bytes) {
                    s = h.start;
                } else if (h.end <= first) {
                    s = h.end;
                    while (s < first && text[s] == ' ') ++s;
                }
            }
            if (h.start < e && e < h.end) {
                if (h.end - s <= max_bytes) {
                    e = h.end;
                } else if (h.start >= last_end && h.start > first) {
                    e = h.start;
                    while (e > last_end && text[e - 1] == ' ') --e;
                }
            }
        }
        return {s, e};
    };
    const int sentence_kinds = best_score < 0 ? 0 : best_score / 10000;
    int cut_score = -1;
    Span cut{0, 0};
    for (std::size_t k = 0; k < hl.size(); ++k) {
        if (!long_sentence[k] || hl[k].end - hl[k].start > max_bytes) continue;
        // Up to the last highlight within reach that shows something new
        // (a word said again is no reason to move the window).
        std::set<std::string_view> seen{what[k]};
        std::size_t last_end = hl[k].end;
        for (std::size_t j = k + 1; j < hl.size() && hl[j].end - hl[k].start <= max_bytes; ++j)
            if (seen.insert(what[j]).second) last_end = std::max(last_end, hl[j].end);
        const Span w = cut_around(hl[k].start, last_end);
        const int score = score_of(w.start, w.end) / 10000;  // the earliest of equal windows
        if (score > cut_score) {
            cut_score = score;
            cut = w;
        }
    }
    if (best_score >= 0 && (best_score > 0 || hl.empty()) && cut_score <= sentence_kinds) return {best_s, best_e};
    if (cut_score >= 0) return cut;
    // Nothing highlighted (or only spans longer than max_bytes): from the
    // first highlight's start, else the text's, cut at words.
    const std::size_t at = hl.empty() ? 0 : hl.front().start;
    return cut_around(at, at);
}

}  // namespace

std::vector<Span> choose_snippet(std::string_view text, const std::vector<Span>& hl, std::size_t max_bytes,
                                 const Analyzer* analyzer) {
    if (text.size() <= max_bytes) return {{0, text.size()}};
    // What a highlight shows: the terms of its words; two highlights show
    // the same thing when the words of one end the other's, so that a
    // name's forms count once ("Mohammed al-Sudani", "Al-Sudani",
    // "Sudani's") and two names ending alike do not ("Progress Party",
    // "Kurdistan Democratic Party").
    std::vector<std::vector<std::string>> terms(hl.size());
    for (std::size_t k = 0; k < hl.size(); ++k)
        if (hl[k].end <= text.size() && hl[k].start < hl[k].end) {
            const std::string_view w = text.substr(hl[k].start, hl[k].end - hl[k].start);
            for (auto sp : words(w)) {
                const std::string_view word = w.substr(sp.start, sp.end - sp.start);
                terms[k].push_back(analyzer ? analyzer->term(word) : fold(word));
            }
            if (terms[k].empty()) terms[k].push_back(analyzer ? analyzer->term(w) : fold(w));
        }
    auto ends = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {  // a ends b
        return !a.empty() && a.size() <= b.size() && std::equal(a.rbegin(), a.rend(), b.rbegin());
    };
    std::vector<std::size_t> group(hl.size());
    for (std::size_t k = 0; k < hl.size(); ++k) {
        group[k] = k;
        for (std::size_t j = 0; j < k; ++j)
            if (!terms[k].empty() && (ends(terms[k], terms[j]) || ends(terms[j], terms[k]))) {
                group[k] = group[j];
                break;
            }
    }
    std::vector<std::string> what(hl.size());
    for (std::size_t k = 0; k < hl.size(); ++k)
        if (!terms[k].empty()) {
            for (const auto& t : terms[group[k]]) what[k] += t + ' ';
        }
    std::set<std::string_view> all;
    for (const auto& w : what)
        if (!w.empty()) all.insert(w);
    auto shown = [&](const std::vector<Span>& frags) {
        std::set<std::string_view> seen;
        for (std::size_t k = 0; k < hl.size(); ++k)
            for (const auto& f : frags)
                if (!what[k].empty() && hl[k].start >= f.start && hl[k].end <= f.end) seen.insert(what[k]);
        return seen;
    };
    std::vector<Span> best{snippet_window(text, hl, what, max_bytes, hl)};
    std::size_t best_shown = shown(best).size();
    // Things highlighted that one window cannot show together (a name early
    // in a long passage, a year near its end): two or three shorter windows,
    // each the best for what the ones before it left out, their bytes and
    // the separators together within max_bytes. Taken only when they show
    // more different things than the one window; each is at least
    // kMinFragment bytes.
    constexpr std::size_t kMinFragment = 60;
    for (std::size_t n = 2; n <= 3 && best_shown < all.size(); ++n) {
        if (max_bytes < n * kMinFragment + (n - 1) * kSnippetSeparator.size()) break;
        const std::size_t budget = (max_bytes - (n - 1) * kSnippetSeparator.size()) / n;
        std::vector<Span> frags;
        std::set<std::string_view> covered;
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<Span> rest;
            std::vector<std::string> rest_what;
            for (std::size_t k = 0; k < hl.size(); ++k)
                if (!what[k].empty() && !covered.count(what[k])) {
                    rest.push_back(hl[k]);
                    rest_what.push_back(what[k]);
                }
            if (rest.empty()) break;
            frags.push_back(snippet_window(text, rest, rest_what, budget, hl));
            covered = shown(frags);
        }
        // In text order; windows that overlap become one, and so do two
        // whose gap fits in the room left (the text between them shown
        // rather than a separator), the nearest first.
        std::sort(frags.begin(), frags.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
        std::vector<Span> merged;
        for (const auto& f : frags) {
            if (!merged.empty() && f.start <= merged.back().end)
                merged.back().end = std::max(merged.back().end, f.end);
            else
                merged.push_back(f);
        }
        for (;;) {
            std::size_t total = (merged.size() - 1) * kSnippetSeparator.size();
            for (const auto& f : merged) total += f.end - f.start;
            std::size_t at = merged.size();
            for (std::size_t i = 0; i + 1 < merged.size(); ++i) {
                const std::size_t gap = merged[i + 1].start - merged[i].end;
                if (total - kSnippetSeparator.size() + gap <= max_bytes &&
                    (at == merged.size() || gap < merged[at + 1].start - merged[at].end))
                    at = i;
            }
            if (at == merged.size()) break;
            merged[at].end = merged[at + 1].end;
            merged.erase(merged.begin() + static_cast<std::ptrdiff_t>(at) + 1);
        }
        const std::size_t n_shown = shown(merged).size();
        if (n_shown > best_shown) {
            best = std::move(merged);
            best_shown = n_shown;
        }
    }
    return best;
}

namespace {

/// What a part of an index says of itself (one Xapian database).
struct PartInfo {
    std::string spec, shard, actors, passages, run;
};

/// The parts searched together make one index: each the shard "I/N" of the
/// same N, none twice, none missing (with --allow-partial a missing one is
/// named as unavailable), and no whole index among them (parts written with
/// other options are said, see part_notes). One shard searched alone is
/// marked partial. Parts that say nothing of their
/// shard (written before qanat recorded it) are not checked.
void check_parts(const std::vector<PartInfo>& infos, bool allow_partial, std::vector<std::string>& unavailable) {
    const PartInfo* whole = nullptr;
    std::map<unsigned, const PartInfo*> by_index;
    const PartInfo* sized = nullptr;
    unsigned n = 0;
    for (const auto& p : infos) {
        if (p.shard.empty()) continue;
        if (p.shard == "all") {
            whole = &p;
            continue;
        }
        const std::size_t slash = p.shard.find('/');
        bool ok1 = false, ok2 = false;
        const int i = parse_int(std::string_view(p.shard).substr(0, slash), &ok1);
        const int count = slash == std::string::npos ? 0 : parse_int(std::string_view(p.shard).substr(slash + 1), &ok2);
        if (!ok1 || !ok2 || i < 0 || count < 1 || i >= count) continue;
        if (sized && static_cast<unsigned>(count) != n)
            throw IndexError("'" + p.spec + "' is shard " + p.shard + " and '" + sized->spec + "' shard " + sized->shard +
                             ": parts of two ways of splitting the articles; list the parts of one index");
        sized = &p;
        n = static_cast<unsigned>(count);
        const auto [at, fresh] = by_index.emplace(static_cast<unsigned>(i), &p);
        if (!fresh)
            throw IndexError("'" + at->second->spec + "' and '" + p.spec + "' are both shard " + p.shard +
                             ": list each part of the index once");
    }
    if (whole && (infos.size() > 1 || !unavailable.empty()))
        throw IndexError("'" + whole->spec + "' holds all the articles, not one part of them: search it alone, or "
                         "list only the parts of one index (--db for each)");
    if (!sized) return;
    std::vector<std::string> missing;  // "2/3"
    for (unsigned i = 0; i < n; ++i)
        if (!by_index.count(i)) missing.push_back(std::to_string(i) + "/" + std::to_string(n));
    // (A part that did not answer, left out with --allow-partial, is missing
    // here too: it is named already.)
    if (missing.empty() || (allow_partial && by_index.size() + unavailable.size() >= n && !unavailable.empty())) return;
    // One part alone (a shard checked on the machine that serves it): its
    // answers, marked partial.
    if (!allow_partial && infos.size() > 1) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        throw IndexError("the index is split in " + std::to_string(n) + " shards and shard" +
                         (missing.size() > 1 ? "s " : " ") + list + (missing.size() > 1 ? " are" : " is") +
                         " not listed: give every part (--db for each), or --allow-partial to search these alone");
    }
    for (const auto& m : missing) unavailable.push_back("shard " + m + " (not listed)");
}


/// What a search says of parts that differ though they make one index: an
/// update running (or stopped) between the shards' commits of one --shards
/// run, or parts written with another actor list or other passage settings
/// (a rolling update of the parts: the actor facet may then name one actor
/// twice, and scores differ a little). Read again whenever the index is.
std::vector<std::string> part_notes(const std::vector<PartInfo>& infos) {
    std::vector<std::string> said;
    for (const auto& p : infos)
        if (!p.run.empty() && !infos.front().run.empty() && p.run != infos.front().run) {
            said.push_back("the shards '" + infos.front().spec + "' and '" + p.spec +
                           "' were written by different runs of qanat-index (one is running, or stopped "
                           "between the shards' commits): some articles may be missing or found twice "
                           "until it has run to its end");
            break;
        }
    for (const auto& p : infos)
        if (p.actors != infos.front().actors || p.passages != infos.front().passages) {
            said.push_back("'" + p.spec + "' was written with " +
                           (p.actors != infos.front().actors ? "another actor list (--actors)"
                                                             : "other passage settings") +
                           " than '" + infos.front().spec + "' (an update of the parts under way?): the actor "
                           "facet may name one actor twice until every part is written with the same options");
            break;
        }
    return said;
}

PartInfo part_info(const std::string& spec, const Xapian::Database& one) {
    return {spec, one.get_metadata(std::string(schema::kMetaShard)),
            one.get_metadata(std::string(schema::kMetaActorsHash)),
            one.get_metadata(std::string(schema::kMetaPassages)), one.get_metadata(std::string(schema::kMetaRun))};
}

}  // namespace

struct Searcher::Impl {
    std::vector<std::string> specs;
    Xapian::Database db;
    Analyzer analyzer;
    Gazetteer gazetteer;
    FacetDictionary facets;  ///< facet values met so far, parsed once
    FacetTable facet_table;  ///< every passage's facet key, once it pays (local index only)
    std::uint64_t counted_slow = 0;  ///< matches counted from the value stream since the last (re)open
    std::string table_path;  ///< where the indexer writes the facet table (one local index folder), or ""
    int stored_table = -1;  ///< whether that file holds the table of this revision (-1: not looked yet)
    bool table_loaded = false;  ///< facet_table came from the index
    YearProcessor year_proc;
    ArticleProcessor article_proc;
    PublishedProcessor published_proc;
    KindProcessor kind_proc;
    std::unique_ptr<ActorProcessor> actor_proc;
    std::unique_ptr<AliasProcessor> alias_proc;
    WildcardProcessor wildcard_proc;

    bool remote = false;  ///< some part is served by xapian-tcpsrv
    std::unique_ptr<RankThread> ranker;  ///< one local index, threads >= 2

    SearcherOptions options;
    std::vector<std::string> unavailable;  ///< parts left out (allow_partial)
    std::vector<std::string> notes;        ///< said with every answer (see open, part_notes)
    /// Each part open (the same handles `db` holds): what they say of
    /// themselves is read again when the index is (reopen).
    std::vector<std::pair<std::string, Xapian::Database>> part_handles;

    /// After a reopen: the notes of the parts as they are now.
    void reread_notes() {
        if (part_handles.size() < 2) return;
        std::vector<PartInfo> infos;
        for (const auto& [spec, one] : part_handles) infos.push_back(part_info(spec, one));
        notes = part_notes(infos);
    }
    std::vector<std::string> not_answering;  ///< the parts of `unavailable` that did not answer (not: not listed)
    /// Parts that answered a probe but failed a query in the middle (a
    /// server that hangs part way), left out as if down until they are
    /// tried again (allow_partial): spec -> why.
    std::map<std::string, std::string> stalled;
    std::chrono::steady_clock::time_point uuid_checked = std::chrono::steady_clock::now();  ///< remote parts' UUIDs (reopen)
    std::chrono::steady_clock::time_point last_retry{};  ///< when they were last tried (reopen), after the try
    std::chrono::seconds retry_every{5};   ///< doubles while they do not answer, up to a minute

    /// The table describes one revision of the index: gone when it changes.
    void forget_table() {
        facet_table.clear();
        counted_slow = 0;
        stored_table = -1;
        table_loaded = false;
    }

    /// Opens every part again. Nothing changes until all of them are open
    /// (or left out): a failure leaves the searcher as it was.
    void open() {
        Xapian::Database combined;
        bool any_remote = false;
        std::vector<std::string> left_out, down_specs;
        std::optional<AnalysisSettings> first;
        std::size_t parts = 0;
        std::vector<PartInfo> infos;
        std::vector<std::pair<std::string, Xapian::Database>> handles;
        std::string opened_first;  // (a part left out may come before it)
        for (const auto& spec : specs) {
            Xapian::Database one;
            auto leave_out = [&](const std::string& why) {
                left_out.push_back(spec + " (" + why + ")");
                down_specs.push_back(spec);
            };
            if (auto st = stalled.find(spec); st != stalled.end() && options.allow_partial) {
                leave_out(st->second);
                continue;
            }
            try {
                one = open_one(spec, options.timeout_ms);
            } catch (const IndexError& e) {
                if (!options.allow_partial || !is_remote(spec)) throw;
                leave_out(e.what());
                continue;
            }
            std::optional<PartInfo> info;
            try {
                // Every part must have been built with the same analysis.
                check_index_compatible(one, spec, first ? &*first : nullptr);
                // The place a first build holds while it writes the new index
                // aside: "No passages match" said nothing of that.
                if (one.get_metadata(std::string(schema::kMetaSchema)).empty() && one.get_doccount() == 0)
                    throw IndexError("the index at '" + spec + "' holds nothing yet (a first build may be running): "
                                     "search again when qanat-index has finished");
                std::string an = one.get_metadata(std::string(schema::kMetaAnalysis));
                if (!first && !an.empty()) first = AnalysisSettings::parse(an);
                if (one.size() == 1) info = part_info(spec, one);
            } catch (const Xapian::NetworkError& e) {
                // Connected, then no answer (a server that hangs part way).
                if (!options.allow_partial || !is_remote(spec))
                    throw IndexError("remote index '" + spec + "' does not answer: " + e.get_msg());
                leave_out(e.get_msg());
                continue;
            }
            any_remote = any_remote || is_remote(spec);
            if (info) {
                infos.push_back(std::move(*info));
                handles.emplace_back(spec, one);
            }
            combined.add_database(one);
            if (parts++ == 0) opened_first = spec;
        }
        if (parts == 0) throw IndexError("no part of the index can be reached: " + left_out.front());
        check_parts(infos, options.allow_partial, left_out);
        std::vector<std::string> said = part_notes(infos);
        forget_table();
        part_handles = std::move(handles);
        remote = any_remote;
        unavailable = std::move(left_out);
        not_answering = std::move(down_specs);
        if (!not_answering.empty()) last_retry = std::chrono::steady_clock::now();
        notes = std::move(said);
        use(combined);
        table_path.clear();
        std::error_code ec;
        if (parts == 1 && db.size() == 1 && !remote && std::filesystem::is_directory(opened_first, ec))
            table_path = table_file::path_in(opened_first);
        ranker.reset();
        if (options.threads >= 2 && parts == 1 && db.size() == 1 && !remote)
            ranker = std::make_unique<RankThread>(open_one(opened_first, options.timeout_ms));
    }

    /// The remote part a Xapian error's context names ("remote:tcp(HOST:PORT)"), or "".
    std::string part_named_in(const std::string& context) const {
        for (const auto& spec : specs) {
            if (!is_remote(spec)) continue;
            const std::string hp = remote_address(spec);
            if (!hp.empty() && context.find("tcp(" + hp + ")") != std::string::npos) return spec;
        }
        return "";
    }

    /// The parts that do not answer now (each opened and asked on its own).
    /// Of `which` (every part by default), each waited for timeout_ms at most
    /// (--timeout by default); with first_only, up to the first that does not.
    std::vector<std::string> probe(const std::vector<std::string>* which = nullptr, unsigned timeout_ms = 0,
                                   bool first_only = false) {
        std::vector<std::string> down;
        for (const auto& spec : which ? *which : specs) {
            try {
                open_one(spec, timeout_ms ? timeout_ms : options.timeout_ms).get_doccount();
            } catch (const std::exception& e) {
                down.push_back(spec + " (" + e.what() + ")");
            } catch (const Xapian::Error& e) {
                down.push_back(spec + " (" + e.get_msg() + ")");
            }
            if (first_only && !down.empty()) break;
        }
        return down;
    }

    /// Loads the analyser and the actor list stored in the (first) database.
    void use(const Xapian::Database& d) {
        std::string an = d.get_metadata(std::string(schema::kMetaAnalysis));
        db = d;
        analyzer = Analyzer(an.empty() ? AnalysisSettings{} : AnalysisSettings::parse(an));
        gazetteer = Gazetteer::deserialise(d.get_metadata(std::string(schema::kMetaActors)));
        actor_proc = std::make_unique<ActorProcessor>(gazetteer, &db);
        alias_proc = std::make_unique<AliasProcessor>(gazetteer, analyzer);
        wildcard_proc.db = &db;
        wildcard_proc.analyzer = &analyzer;
    }

    Xapian::QueryParser parser(const SearchRequest& req) {
        Xapian::QueryParser qp = analyzer.query_parser(req.plain);
        qp.set_database(db);
        qp.set_max_expansion(200, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT, Xapian::QueryParser::FLAG_WILDCARD);
        bool any = req.op == DefaultOp::Any || (req.op == DefaultOp::Auto && req.plain);
        qp.set_default_op(any ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
        qp.add_prefix(std::string(schema::kTitle.field), std::string(schema::kTitle.prefix));
        qp.add_boolean_prefix(std::string(schema::kArticle.field), &article_proc);
        qp.add_boolean_prefix(std::string(schema::kActor.field), actor_proc.get());
        qp.add_boolean_prefix(std::string(schema::kYear.field), &year_proc);
        qp.add_boolean_prefix(std::string(schema::kPublished.field), &published_proc);
        qp.add_boolean_prefix(std::string(schema::kActorKind.field), &kind_proc);
        qp.add_prefix("qanatalias", alias_proc.get());
        qp.add_prefix("qanatwild", &wildcard_proc);
        return qp;
    }

    /// Actors named in the query (outside quotes and field values) become
    /// alias:mN references, so that "PMF" also finds "Popular Mobilization Forces".
    static constexpr std::size_t kMaxNames = 64;  ///< names searched under all their aliases, a query
    bool too_many_names = false;                    ///< the last query had more

    /// The name typed at [start, end) is part of a longer word, which Xapian
    /// reads as a phrase of its words, as typed.
    static bool in_longer_word(const std::string& text, std::size_t start, std::size_t end) {
        // The second word of a compound ("pro-Iran"; "-Iran" excludes).
        if (start > 0 && text[start - 1] == '-' && !signed_word(text, start)) return true;
        // The first word of a compound ("Iran-backed", "US-Iraq",
        // "Türkiye–Iraq"): the compound is Xapian's phrase, as typed.
        auto dash_at = [&](std::size_t i) {
            if (i < text.size() && text[i] == '-') return std::size_t{1};
            if (text.compare(i, 3, "\xE2\x80\x93") == 0 || text.compare(i, 3, "\xE2\x80\x94") == 0) return std::size_t{3};
            return std::size_t{0};
        };
        if (const std::size_t d = dash_at(end);
            d && end + d < text.size() && !std::isspace(static_cast<unsigned char>(text[end + d])))
            return true;
        if (start >= 3 && dash_at(start - 3) == 3) return true;
        // Joined to the next or previous word by a zero-width character
        // ("Iraq\u200Bwar"), which Xapian reads as one word.
        auto zero_width = [&](std::size_t i) {
            for (std::string_view z : {"\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D", "\xE2\x81\xA0", "\xEF\xBB\xBF"})
                if (text.compare(i, z.size(), z) == 0) return true;
            return false;
        };
        if (zero_width(end) || (start >= 3 && zero_width(start - 3))) return true;
        // Joined to another word by '/', '\\', '@' or a full stop ("Iraq/Iran",
        // "US/Iran", "Iraq.Iran"), Xapian reads the whole as a phrase of its
        // words; by '_' or '&', as one word: either way as typed. A
        // reference there broke it (the names dropped, or "no searchable words").
        auto joiner = [](char c) { return c == '/' || c == '\\' || c == '@' || c == '_' || c == '&'; };
        if (start > 0 && (joiner(text[start - 1]) || text[start - 1] == '.')) return true;
        if (end < text.size() &&
            (joiner(text[end]) ||
             (text[end] == '.' && end + 1 < text.size() && std::isalnum(static_cast<unsigned char>(text[end + 1])))))
            return true;
        return false;
    }

    std::string with_aliases(const std::string& text) {
        alias_proc->clear();
        too_many_names = false;
        const std::vector<bool> quoted = literal_bytes(text);
        std::string out;
        std::size_t pos = 0;
        for (const auto& m : gazetteer.mentions(text, true)) {
            if (quoted[m.start]) continue;
            // A field's value, a wildcard, a word of a hyphenated compound
            // ("pro-Iran"): left as typed. "+Iran" and "-Iran" keep their sign.
            if (m.start > 0 && text[m.start - 1] == ':') continue;
            if (m.start > 1 && text[m.start - 1] == '=' && text[m.start - 2] == ':') continue;  // actor:=Iraq
            if (m.start > 0 && text[m.start - 1] == '+' && !signed_word(text, m.start)) continue;
            if (m.end < text.size() && (text[m.end] == ':' || text[m.end] == '*')) continue;
            if (in_longer_word(text, m.start, m.end)) continue;
            // Each name is a query of all its aliases, which Xapian reads from
            // the index one by one: ten thousand names took seconds and a
            // gigabyte. Past kMaxNames, names are words.
            if (alias_proc->actors.size() >= kMaxNames) {
                too_many_names = true;
                break;
            }
            // NEAR and ADJ take words on either side, not a group of names.
            if (proximity_op(word_before(text, m.start)) || proximity_op(word_after(text, m.end))) continue;
            out.append(text, pos, m.start - pos);
            out += "qanatalias:m" + std::to_string(alias_proc->actors.size());
            alias_proc->actors.push_back(m.actor);
            pos = m.end;
        }
        out.append(text, pos, std::string::npos);
        return out;
    }

    /// Wildcards ("milit*") outside quotes and fields become wild:mN
    /// references, expanded by WildcardProcessor over the whole index.
    std::string with_wildcards(const std::string& text, bool plain) {
        wildcard_proc.patterns.clear();
        wildcard_proc.built.clear();
        if (plain) return text;  // --plain: no operators, no wildcards
        const std::vector<bool> literal = literal_bytes(text);
        std::string out;
        std::size_t pos = 0;
        for (auto sp : qanat::words(text)) {
            if (literal[sp.start]) continue;
            if (sp.end >= text.size() || text[sp.end] != '*') continue;
            if (sp.end + 1 < text.size() && !std::isspace(static_cast<unsigned char>(text[sp.end + 1])) &&
                text[sp.end + 1] != ')')
                continue;
            // Left to Xapian: a field's value (title:milit*, with its prefix),
            // part of a longer word ("al-Sadr*", "U.S.*", "Iran's*"), and beside
            // NEAR or ADJ, which take single words.
            const std::string_view w = std::string_view(text).substr(sp.start, sp.end - sp.start);
            if (std::any_of(w.begin(), w.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80 && !std::isalnum(static_cast<unsigned char>(c)); }))
                continue;
            if (sp.start > 0 && !std::isspace(static_cast<unsigned char>(text[sp.start - 1])) &&
                text[sp.start - 1] != '(' && !signed_word(text, sp.start))
                continue;
            if (proximity_op(word_before(text, sp.start)) || proximity_op(word_after(text, sp.end + 1))) continue;
            out.append(text, pos, sp.start - pos);
            out += "qanatwild:m" + std::to_string(wildcard_proc.patterns.size());
            wildcard_proc.patterns.push_back(fold(std::string_view(text).substr(sp.start, sp.end - sp.start)));
            pos = sp.end + 1;
        }
        out.append(text, pos, std::string::npos);
        return out;
    }

    /// An actor filter (--actor, actor:) that no passage carries: a warning,
    /// with the nearest name the actor list knows ("Sadrr": Muqtada al-Sadr),
    /// rather than a silent "No passages match".
    void warn_unknown_actors(const Xapian::Query& words, const std::vector<Xapian::Query>& filters,
                             std::vector<std::string>& warnings) {
        // Only filters, which all come through actor_proc (--actor, actor:): a
        // name in the words adds its actor's term too, which is no filter
        // ("Baghdad OR Mosul" warned of Mosul). And only those the query still
        // holds (a query parsed again as plain words has no actor: fields).
        std::set<std::string> in_query;
        auto collect = [&](const Xapian::Query& q) {
            for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t) in_query.insert(*t);
        };
        collect(words);
        for (const auto& f : filters) collect(f);
        std::set<std::string> keys;
        for (const auto& n : actor_proc->named) keys.insert(actor_key(n));
        for (const auto& key : keys) {
            const std::string t = schema::term(schema::kActor, key);
            if (!in_query.count(t) || db.get_termfreq(t) > 0) continue;
            std::string best;
            std::size_t best_d = 3;
            for (const auto& a : gazetteer.actors()) {
                if (db.get_termfreq(schema::term(schema::kActor, actor_key(a.name))) == 0) continue;
                std::vector<std::string> names{a.name};
                names.insert(names.end(), a.aliases.begin(), a.aliases.end());
                for (const auto& n : names) {
                    const std::size_t d = edit_distance(key, actor_key(n), 2);
                    if (d < best_d) {
                        best_d = d;
                        best = a.name;
                    }
                }
            }
            warnings.push_back("no passage names the actor '" + key + "'" +
                               (best.empty() ? std::string() : "; did you mean '" + best + "'?"));
        }
    }

    struct Parts;
    Parts build_query(const SearchRequest& req, SearchResult& res) {
        actor_proc->new_query();
        article_proc.named.clear();
        std::string typed = title_phrases_as_words(fold_keep_case(req.query), res.warnings);
        if (!req.plain) {
            check_balanced(typed);
            typed = distributed_filter_groups(checked_fields(typed));
            query_warnings(req.query, typed, res.warnings);
        } else {
            // ("milit*" found nothing, and said nothing.)
            for (auto sp : qanat::words(typed))
                if (sp.end < typed.size() && typed[sp.end] == '*') {
                    res.warnings.push_back("--plain reads words, not wildcards: '" + typed.substr(sp.start, sp.end - sp.start + 1) +
                                           "' was searched as '" + typed.substr(sp.start, sp.end - sp.start) +
                                           "' (leave out --plain for words starting so)");
                    break;
                }
        }
        std::string text = with_wildcards(with_aliases(req.plain ? typed : regroup_query(typed)), req.plain);
        if (too_many_names)
            res.warnings.push_back("only the first " + std::to_string(kMaxNames) +
                                   " names of the query are searched under all their aliases; the rest as words");
        Xapian::Query words;
        bool has_words = text.find_first_not_of(" \t\r\n") != std::string::npos;
        if (has_words) {
            Xapian::QueryParser qp = parser(req);
            const unsigned keyword_flags = Xapian::QueryParser::FLAG_BOOLEAN | Xapian::QueryParser::FLAG_PHRASE |
                                           Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
                                           Xapian::QueryParser::FLAG_PURE_NOT;
            field_error.clear();
            auto checked = [&req](const Xapian::Query& q) {
                raise_field_error(req.query);
                return q;
            };
            if (req.plain) {
                words = checked(qp.parse_query(text, 0));
            } else {
                try {
                    words = checked(qp.parse_query(text, keyword_flags));
                } catch (const Xapian::UnimplementedError&) {
                    // NEAR or ADJ beside something that is not a word (a
                    // wildcard or a name written into the query, when the
                    // operator was not found beside it: "x\xff" NEAR Ir*").
                    throw SearchError("cannot read the query: NEAR and ADJ take one word on each side, not a "
                                      "wildcard, a name searched under its aliases or a group");
                } catch (const Xapian::QueryParserError& e) {
                    // Retried as plain words, without the operators that broke
                    // it, unless one of them excludes: "Iraq NOT Iran AND" as
                    // plain words finds the passages the NOT left out.
                    const std::string where = operator_without_side(req.query);  // (as typed: positions)
                    const std::string why = where.empty() ? " (" + e.get_msg() + ")" : ": " + where;
                    const std::vector<std::string> tl = top_level_parts(typed);
                    for (std::size_t k = 0; k < tl.size(); ++k) {
                        const std::string& p = tl[k];
                        const bool excludes = ((p == "NOT" || p == "XOR") && k + 1 < tl.size() && !is_upper_word_op(tl[k + 1])) ||
                                              (p.size() > 1 && p[0] == '-');
                        if (excludes)
                            throw SearchError("cannot read the query" + why + ", and searching its words "
                                              "alone would drop its '" + (p[0] == '-' ? std::string("-") : p) +
                                              "': correct it, or search the words as typed with --plain");
                    }
                    std::string plain;
                    for (auto sp : qanat::words(typed)) {
                        std::string_view w = std::string_view(typed).substr(sp.start, sp.end - sp.start);
                        if (is_upper_word_op(w)) continue;
                        if (!plain.empty()) plain += ' ';
                        plain += w;
                    }
                    res.warnings.push_back("could not parse the query" + why +
                                           "; searched for its words instead: " + plain);
                    words = checked(qp.parse_query(with_aliases(plain), 0));
                }
            }
        }
        std::vector<Xapian::Query> filters;
        field_error.clear();
        for (const auto& a : req.actors) filters.push_back((*actor_proc)(a));
        raise_field_error();
        for (const auto& y : req.years) filters.push_back(year_filter(y));
        if (!req.articles.empty()) {
            std::vector<Xapian::Query> arts;
            for (const auto& a : req.articles) arts.emplace_back(schema::term(schema::kArticle, a));
            filters.emplace_back(Xapian::Query::OP_OR, arts.begin(), arts.end());
        }
        // A wildcard no word begins with matches nothing: no passage, not an error.
        const bool wildcard_matched_nothing =
            std::any_of(wildcard_proc.built.begin(), wildcard_proc.built.end(), [](const Xapian::Query& q) { return q.empty(); });
        if (words.empty() && filters.empty() && !wildcard_matched_nothing) {
            if (has_words)
                throw SearchError("the query has no searchable words (only stop words or punctuation?)");
            throw SearchError("empty query: give words to search for, or a filter such as --actor or --year");
        }
        Parts parts;
        parts.words = words;
        // What to highlight: the words as typed, and every mention of an actor
        // the query names (whichever alias the passage uses), not the words of
        // the aliases one by one.
        if (has_words) {
            Xapian::QueryParser hp = parser(req);
            Xapian::Query typed_query;
            try {
                typed_query = hp.parse_query(typed, req.plain ? 0u : static_cast<unsigned>(Xapian::QueryParser::FLAG_BOOLEAN |
                                                                                        Xapian::QueryParser::FLAG_PHRASE));
            } catch (const Xapian::Error&) {  // (a parse error, or NEAR beside a group)
                typed_query = hp.parse_query(typed, 0);
            }
            // A name that is also a stop word ("US", "IS") is shown where the
            // passage names its actor, not at every "us" and "is".
            std::set<std::string> stop_names;
            for (std::size_t a : alias_proc->actors) {
                const Actor& actor = gazetteer.actors()[a];
                std::vector<std::string> names{actor.name};
                names.insert(names.end(), actor.aliases.begin(), actor.aliases.end());
                for (const auto& n : names) {
                    const std::string t = analyzer.term(n);
                    if (n.find(' ') == std::string::npos && analyzer.is_stopword(fold(n))) stop_names.insert(t);
                }
            }
            for (auto t = typed_query.get_unique_terms_begin(); t != typed_query.get_unique_terms_end(); ++t)
                if (!stop_names.count(*t)) parts.highlight.push_back(*t);
            for (std::size_t a : alias_proc->actors)
                parts.highlight.push_back(schema::term(schema::kActor, actor_key(gazetteer.actors()[a].name)));
        }
        if (!filters.empty()) parts.filter = Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end());
        res.warnings.insert(res.warnings.end(), actor_proc->notes.begin(), actor_proc->notes.end());
        {
            // An article id the index does not hold ("No passages match" said no more).
            std::set<std::string> ids(article_proc.named.begin(), article_proc.named.end());
            ids.insert(req.articles.begin(), req.articles.end());
            for (const auto& id : ids)
                if (!db.term_exists(schema::term(schema::kArticle, id)))
                    res.warnings.push_back("no article '" + id + "' in the index");
        }
        warn_unknown_actors(words, filters, res.warnings);
        return parts;
    }

    struct Parts {
        Xapian::Query words;   ///< what is ranked
        Xapian::Query filter;  ///< what narrows (empty: nothing)
        std::vector<std::string> highlight;  ///< terms to highlight besides the filter's
    };

    /// words, narrowed by the filter, without non-prose blocks unless asked.
    static Xapian::Query compose(const SearchRequest& req, const Xapian::Query& words, const Xapian::Query& filter) {
        Xapian::Query q = words;
        if (!filter.empty())
            q = words.empty() ? Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, filter, 0.0)
                              : Xapian::Query(Xapian::Query::OP_FILTER, words, filter);
        if (!req.include_nonprose) {
            std::vector<Xapian::Query> blocks;
            for (BlockKind k : {BlockKind::List, BlockKind::Fields, BlockKind::Price, BlockKind::References,
                                BlockKind::Links})
                blocks.emplace_back(schema::term(schema::kBlock, block_kind_name(k)));
            q = Xapian::Query(Xapian::Query::OP_AND_NOT, q,
                              Xapian::Query(Xapian::Query::OP_OR, blocks.begin(), blocks.end()));
        }
        return q;
    }

    /// The weighting model; feedback and final ranking use the same one.
    static std::unique_ptr<Xapian::Weight> weight(const SearchRequest& req) {
        switch (req.weighting) {
        case Weighting::BM25: return std::make_unique<Xapian::BM25Weight>(req.k1, 0, 1, req.b, 0.5);
        case Weighting::BM25Plus: return std::make_unique<Xapian::BM25PlusWeight>(req.k1, 0, 1, req.b, 0.5, 1.0);
        case Weighting::IneB2: return std::make_unique<Xapian::IneB2Weight>();
        case Weighting::IfB2: return std::make_unique<Xapian::IfB2Weight>();
        case Weighting::BB2: return std::make_unique<Xapian::BB2Weight>();
        case Weighting::InL2: return std::make_unique<Xapian::InL2Weight>();
        case Weighting::PL2: return std::make_unique<Xapian::PL2Weight>();
        case Weighting::DPH: return std::make_unique<Xapian::DPHWeight>();
        case Weighting::DLH: return std::make_unique<Xapian::DLHWeight>();
        }
        return std::make_unique<Xapian::BM25Weight>();
    }

    /// An actor named in the query is searched under all its names: their
    /// words are shown where one of the names stands, not alone ("forces"
    /// for "Popular Mobilization Forces", "Islamic" of "Islamic Revolutionary
    /// Guard Corps" for "Islamic State"), unless typed outside a name too.
    void name_phrases(const std::string& q, QueryPhrases& out) {
        std::vector<ActorMention> ms = gazetteer.mentions(q, true);
        // Not in quotes ("PMF" is only itself) nor a field's value (actor:PMF).
        const std::vector<bool> quoted = quoted_bytes(q);
        // Nor part of a longer word ("Iran-backed", "Iraq/Iran"): that is a
        // phrase of its words, searched as typed.
        std::erase_if(ms, [&](const ActorMention& m) {
            std::size_t b = m.start;
            while (b > 0 && q[b - 1] != ' ' && q[b - 1] != '(' && q[b - 1] != '"') --b;
            return quoted[m.start] || q.substr(b, m.start - b).find(':') != std::string::npos ||
                   in_longer_word(q, m.start, m.end);
        });
        if (ms.empty()) return;
        std::set<std::string> inside, outside;
        for (auto sp : qanat::words(q)) {
            const std::string_view w = std::string_view(q).substr(sp.start, sp.end - sp.start);
            const bool in_name = std::any_of(ms.begin(), ms.end(), [&](const ActorMention& m) {
                return sp.start < m.end && m.start < sp.end;
            });
            (in_name ? inside : outside).insert(word_term(analyzer, w));
        }
        for (const auto& t : inside)
            if (!outside.count(t)) out.free.erase(t);
        for (const auto& m : ms) {
            const Actor& a = gazetteer.actors()[m.actor];
            std::vector<std::string> names{a.name};
            names.insert(names.end(), a.aliases.begin(), a.aliases.end());
            for (const auto& n : names) {
                std::vector<std::string> seq;
                for (auto sp : qanat::words(n)) seq.push_back(word_term(analyzer, std::string_view(n).substr(sp.start, sp.end - sp.start)));
                if (seq.size() >= 2)
                    out.phrases.push_back(std::move(seq));
                else if (seq.size() == 1)
                    out.free.insert(seq.front());  // a name of one word ("Iraq", "PMF") is shown wherever it stands
            }
        }
    }

    /// "Did you mean": each query word the index does not have, replaced by
    /// the closest word it has (Xapian's spelling data; over remote parts,
    /// which do not serve it, the closest indexed term). Empty if nothing
    /// changes or the corrected words are not in the index either.
    std::string suggest(const SearchRequest& req) {
        std::string text = fold_keep_case(req.query);
        std::string out;
        std::size_t pos = 0;
        bool changed = false;
        // Words of a name the actor list knows are spelt as the list spells them.
        std::vector<ActorMention> names = gazetteer.mentions(text, true);
        auto in_name = [&](const Span& sp) {
            return std::any_of(names.begin(), names.end(),
                               [&](const ActorMention& m) { return sp.start < m.end && m.start < sp.end; });
        };
        for (auto sp : qanat::words(text)) {
            if (in_name(sp)) continue;
            std::string_view w = std::string_view(text).substr(sp.start, sp.end - sp.start);
            bool field = (sp.end < text.size() && text[sp.end] == ':') || (sp.start > 0 && text[sp.start - 1] == ':');
            bool wildcard = sp.end < text.size() && text[sp.end] == '*';
            std::string lower = fold(w);
            if (field || wildcard || is_upper_word_op(w) || analyzer.is_stopword(lower) || w.size() < 3) continue;
            if (std::any_of(lower.begin(), lower.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
            if (db.term_exists(analyzer.term(lower))) continue;
            if (is_common_word(lower)) continue;  // spelt right, just not in this collection
            std::string better = spelling(lower);
            if (better.empty() || analyzer.is_stopword(better) || !db.term_exists(analyzer.term(better))) continue;
            // As typed: "Khamanei" -> "Khamenei", "IRAK" -> "IRAQ".
            const bool upper0 = w[0] >= 'A' && w[0] <= 'Z';
            const bool all_upper = upper0 && std::none_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
            std::string shout = better;
            for (char& c : shout)
                if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            if (all_upper && !is_upper_word_op(shout)) {  // ("NEARR": "near", not the operator)
                better = std::move(shout);
            } else if (upper0 && better[0] >= 'a' && better[0] <= 'z') {
                better[0] = static_cast<char>(better[0] - 'a' + 'A');
            }
            out.append(text, pos, sp.start - pos);
            out += better;
            pos = sp.end;
            changed = true;
        }
        if (!changed) return {};
        out.append(text, pos, std::string::npos);
        return out;
    }

    std::string spelling(const std::string& word) {
        std::string s;
        // The spelling data holds words of 3 to 30 bytes (see spelling_word in
        // document.cpp); Xapian's search for a 100 KB word took seconds.
        if (word.size() > 40) return s;
        try {
            s = db.get_spelling_suggestion(word, 2);
        } catch (const Xapian::Error&) {
        }
        if (!s.empty() || !remote) return s;
        // Remote parts serve no spelling data: the nearest indexed term instead.
        if (!vocabulary_loaded) {
            vocabulary_loaded = true;
            for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
                const std::string& term = *t;
                if (term.empty() || !(term[0] >= 'a' && term[0] <= 'z')) continue;
                if (term.size() < 3 || term.size() > 30) continue;
                vocabulary.emplace_back(term, t.get_termfreq());
            }
        }
        // The stems nearest to the word's, or to the start of the word (a stem
        // is most often the start of its words: "secur" of "secrity"), each
        // as a word the passages write; the word nearest to what was typed
        // ("coffe": the stem "off" is nearer to "coff" than "coffe" is, the
        // word "coffee" to "coffe").
        const std::string stem = analyzer.term(word);
        const std::size_t limit = stem.size() <= 4 ? 1 : 2;
        const std::size_t shortest = std::max<std::size_t>(3, word.size() > 4 ? word.size() - 4 : 0);
        std::vector<std::tuple<std::size_t, std::size_t, Xapian::doccount, std::string>> near;  // d, -length, freq
        for (const auto& [term, freq] : vocabulary) {
            if (term.size() < shortest) continue;
            std::size_t d = edit_distance(stem, term, limit);
            if (d == 0) continue;
            d = std::min(d, prefix_edit_distance(term, word, limit));
            if (d > limit) continue;
            near.emplace_back(d, 64 - std::min<std::size_t>(term.size(), 64), freq, term);
        }
        std::sort(near.begin(), near.end(), [](const auto& a, const auto& b) {
            if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) < std::get<0>(b);
            if (std::get<1>(a) != std::get<1>(b)) return std::get<1>(a) < std::get<1>(b);
            if (std::get<2>(a) != std::get<2>(b)) return std::get<2>(a) > std::get<2>(b);
            return std::get<3>(a) < std::get<3>(b);
        });
        if (near.size() > 8) near.resize(8);
        std::string best;
        std::size_t best_d = 3;  // a word within 2 edits of what was typed
        for (const auto& [d, length, freq, term] : near) {
            std::string w = word_for(term, word);
            if (w.empty() || w == word || analyzer.is_stopword(w)) continue;
            const std::size_t wd = edit_distance(word, w, 64);
            if (wd < best_d) {
                best = std::move(w);
                best_d = wd;
            }
        }
        return best;
    }

    /// A word that has the term `stem`, as the passages write it: among the
    /// words of a few passages that hold it, the nearest to what was typed
    /// (then the most used, then the first by the alphabet). A stem is no
    /// word to suggest ("treasuri" for "tresury"); "" if none is found.
    std::string word_for(const std::string& stem, const std::string& typed) {
        if (stem.empty()) return {};
        std::map<std::string, unsigned> seen;
        try {
            Xapian::Enquire e(db);
            e.set_query(Xapian::Query(stem));
            e.set_weighting_scheme(Xapian::BoolWeight());
            e.set_docid_order(Xapian::Enquire::ASCENDING);
            const Xapian::MSet ms = e.get_mset(0, 5);
            for (auto m = ms.begin(); m != ms.end(); ++m) {
                const StoredPassage p = StoredPassage::deserialise(m.get_document().get_value(schema::kSlotPassage));
                for (auto sp : qanat::words(p.text)) {
                    std::string w = fold(std::string_view(p.text).substr(sp.start, sp.end - sp.start));
                    if (analyzer.term(w) == stem) ++seen[w];
                }
            }
        } catch (const Xapian::Error&) {
            return {};
        }
        std::string best;
        std::size_t best_d = std::string::npos;
        unsigned best_n = 0;
        for (const auto& [w, n] : seen) {
            const std::size_t d = edit_distance(typed, w, 64);
            if (d < best_d || (d == best_d && n > best_n)) {
                best = w;
                best_d = d;
                best_n = n;
            }
        }
        return best;
    }

    std::map<std::string, double> expansion;  ///< feedback terms of the last query and their scale
    std::vector<std::string> title_words;     ///< query words also weighed in titles, last query

    /// What each part of the query adds to a passage's score, each part run
    /// alone on that passage with the same weighting: the words typed (or
    /// their stems), each actor named (any of its names), feedback terms.
    /// `phrase_only`: the query's words that stand only in its phrases.
    std::vector<Hit::Contribution> explain(const SearchRequest& req, const Hit& h,
                                           const std::vector<std::string>& typed_terms,
                                           const std::set<std::string>& phrase_only) {
        // This passage alone: its sort key is unique.
        const std::string key = schema::order_key(h.passage.article_id, h.passage.ordinal);
        const Xapian::Query only(Xapian::Query::OP_VALUE_RANGE, schema::kSlotOrder, key, key);
        auto weigh = [&](const Xapian::Query& part) -> double {
            Xapian::Enquire e(db);
            e.set_query(Xapian::Query(Xapian::Query::OP_FILTER, part, only));
            e.set_weighting_scheme(*weight(req));
            Xapian::MSet m = e.get_mset(0, 1);
            return m.empty() ? -1 : m.begin().get_weight();
        };
        std::map<std::string, std::string> typed_word;
        std::string typed = fold(req.query);
        for (auto sp : qanat::words(typed)) {
            std::string_view w = std::string_view(typed).substr(sp.start, sp.end - sp.start);
            typed_word.emplace(analyzer.term(w), std::string(w));
        }
        // A word of a phrase only counts where the phrase stands: "armed" of
        // '"armed factions" OR sanctions' was listed for a passage that has
        // "armed drones" (and the parts then added up to more than the score).
        std::set<std::string> shown;
        if (!phrase_only.empty())
            for (const auto& sp : h.highlights) {
                const std::string_view hl = std::string_view(h.passage.text).substr(sp.start, sp.end - sp.start);
                for (auto w : qanat::words(hl)) shown.insert(word_term(analyzer, hl.substr(w.start, w.end - w.start)));
            }
        std::vector<Hit::Contribution> out;
        std::set<std::string> done;
        for (std::size_t i = 0; i < alias_proc->built.size() && i < alias_proc->actors.size(); ++i) {
            double w = weigh(alias_proc->built[i]);
            const Actor& actor = gazetteer.actors()[alias_proc->actors[i]];
            if (w >= 0) out.push_back({actor.name, w, "actor named in the query: any of its names"});
            std::vector<std::string> names{actor.name};
            names.insert(names.end(), actor.aliases.begin(), actor.aliases.end());
            for (const auto& n : names)
                for (auto sp : qanat::words(n)) done.insert(analyzer.term(std::string_view(n).substr(sp.start, sp.end - sp.start)));
        }
        for (std::size_t i = 0; i < wildcard_proc.built.size() && i < wildcard_proc.patterns.size(); ++i) {
            double w = weigh(wildcard_proc.built[i]);
            if (w >= 0) out.push_back({wildcard_proc.patterns[i] + "*", w, "words beginning '" + wildcard_proc.patterns[i] + "'"});
            for (auto t = wildcard_proc.built[i].get_unique_terms_begin(); t != wildcard_proc.built[i].get_unique_terms_end(); ++t)
                done.insert(*t);
        }
        const std::string title_prefix(schema::kTitle.prefix);
        for (const auto& t : typed_terms) {
            // title:WORD: the word in the article's title.
            if (t.size() > title_prefix.size() && t.compare(0, title_prefix.size(), title_prefix) == 0 &&
                !std::isupper(static_cast<unsigned char>(t[title_prefix.size()]))) {
                if (!done.insert(t).second) continue;
                const double w = weigh(Xapian::Query(t));
                if (w >= 0) out.push_back({"title:" + t.substr(title_prefix.size()), w, "in the article's title (title:)"});
                continue;
            }
            if (is_prefixed(t) || !done.insert(t).second) continue;
            if (phrase_only.count(t) && !shown.count(t)) continue;
            double w = weigh(Xapian::Query(t));
            if (w < 0) continue;
            auto tw = typed_word.find(t);
            std::string why = tw == typed_word.end() ? "query term"
                              : tw->second == t    ? "word '" + t + "'"
                                                   : "stem of '" + tw->second + "'";
            out.push_back({t, w, why});
        }
        for (const auto& [t, scale] : expansion) {
            // A query word feedback adds again weighs twice: its own line and this one.
            const bool again = done.count(t) > 0;
            double w = weigh(Xapian::Query(t));
            if (w < 0) continue;
            char buf[96];
            std::snprintf(buf, sizeof buf, again ? "feedback on a query word (Bo1), weight x%.2f" : "feedback term (Bo1), weight x%.2f",
                          scale);
            out.push_back({t, w * scale, buf});
        }
        for (const auto& t : title_words) {
            double w = weigh(Xapian::Query(schema::term(schema::kTitle, t)));
            if (w < 0) continue;
            char buf[64];
            std::snprintf(buf, sizeof buf, "in the article's title, weight x%.2f", req.title_weight);
            out.push_back({"title:" + t, w * req.title_weight, buf});
        }
        std::sort(out.begin(), out.end(), [](const Hit::Contribution& a, const Hit::Contribution& b) {
            return a.weight != b.weight ? a.weight > b.weight : a.term < b.term;
        });
        return out;
    }

    bool vocabulary_loaded = false;
    std::vector<std::pair<std::string, Xapian::doccount>> vocabulary;

    /// Pseudo-relevance feedback with the Bo1 model (Amati, divergence from
    /// randomness): terms frequent in the top passages and rare in the
    /// collection are added to the query, each weighted by its Bo1 score
    /// relative to the best one, times expand_weight. A term must be in at
    /// least two of the top passages (as Terrier's expansion.mindocuments):
    /// a word of one passage only says what that passage is about, not what
    /// the top passages share, and is the usual source of drift.
    Xapian::Query expand(const SearchRequest& req, const Xapian::Query& words, const Xapian::Query& filter) {
        Xapian::Enquire e(db);
        e.set_query(compose(req, words, filter));
        e.set_weighting_scheme(*weight(req));
        e.set_sort_by_relevance_then_value(schema::kSlotOrder, false);
        Xapian::MSet top = e.get_mset(0, req.expand_docs);
        if (top.size() < 2) return words;
        std::unordered_map<std::string, double> tf;  // frequency in the top passages
        std::unordered_map<std::string, unsigned> in;  // how many of them have it
        for (auto it = top.begin(); it != top.end(); ++it) {
            Xapian::Document d = it.get_document();
            for (auto t = d.termlist_begin(); t != d.termlist_end(); ++t) {
                const std::string& term = *t;
                if (term.empty() || (term[0] >= 'A' && term[0] <= 'Z')) continue;  // titles, filters
                if ((term[0] >= '0' && term[0] <= '9') || analyzer.is_stopword(term, true)) continue;
                tf[term] += t.get_wdf();
                ++in[term];
            }
        }
        const double n = db.get_doccount();
        std::vector<std::pair<double, std::string>> scored;
        for (const auto& [term, f] : tf) {
            if (in[term] < 2) continue;
            double pn = static_cast<double>(db.get_collection_freq(term)) / n;
            if (pn <= 0) continue;
            scored.emplace_back(f * std::log2((1 + pn) / pn) + std::log2(1 + pn), term);
        }
        std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        if (scored.size() > req.expand_terms) scored.resize(req.expand_terms);
        if (scored.empty() || scored.front().first <= 0) return words;
        std::vector<Xapian::Query> extra;
        for (const auto& [w, term] : scored) {
            double scale = req.expand_weight * w / scored.front().first;
            extra.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(term), scale);
            expansion[term] = scale;
        }
        return with_extra(words, Xapian::Query(Xapian::Query::OP_OR, extra.begin(), extra.end()));
    }

    /// words OR extra, inside the filters and exclusions of the query's top:
    /// "actor:Lincoln slavery" is slavery FILTER Lincoln, and its feedback
    /// terms OR'ed beside it found passages that do not name Lincoln (5,867
    /// against 2 in the addresses).
    static Xapian::Query with_extra(const Xapian::Query& words, const Xapian::Query& extra) {
        const auto op = words.get_type();
        if ((op == Xapian::Query::OP_FILTER || op == Xapian::Query::OP_AND_NOT) && words.get_num_subqueries() >= 2) {
            std::vector<Xapian::Query> subs{with_extra(words.get_subquery(0), extra)};
            for (std::size_t i = 1; i < words.get_num_subqueries(); ++i) subs.push_back(words.get_subquery(i));
            return Xapian::Query(op, subs.begin(), subs.end());
        }
        // "actor:PMF AND militias": the filter is an operand of the AND (its
        // weight 0); the extra terms are filtered by it too.
        if (op == Xapian::Query::OP_AND) {
            std::vector<Xapian::Query> filters;
            for (std::size_t i = 0; i < words.get_num_subqueries(); ++i)
                if (filter_only(words.get_subquery(i))) filters.push_back(words.get_subquery(i));
            if (!filters.empty())
                return Xapian::Query(Xapian::Query::OP_OR, words,
                                     Xapian::Query(Xapian::Query::OP_FILTER, extra,
                                                   Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end())));
        }
        return Xapian::Query(Xapian::Query::OP_OR, words, extra);
    }

    /// The query is a filter: boolean terms only (actor:, year:, ... with a
    /// prefix), however combined.
    static bool filter_only(const Xapian::Query& q) {
        switch (q.get_type()) {
        case Xapian::Query::LEAF_TERM: {
            const auto t = q.get_terms_begin();
            return t != q.get_terms_end() && is_prefixed(*t);
        }
        case Xapian::Query::OP_SCALE_WEIGHT:
        case Xapian::Query::OP_AND:
        case Xapian::Query::OP_OR:
        case Xapian::Query::OP_FILTER:
        case Xapian::Query::OP_SYNONYM:
            if (q.get_num_subqueries() == 0) return false;
            for (std::size_t i = 0; i < q.get_num_subqueries(); ++i)
                if (!filter_only(q.get_subquery(i))) return false;
            return true;
        default:
            return false;
        }
    }

    /// The article title as a weighted field, for --plain queries: each
    /// query word also in a passage's title adds its score there times
    /// title_weight (the title of an abstract or a story says what it is
    /// about). It only adds weight: the passages matched are the same. The
    /// words are those typed (`typed`: unique terms, stop words out), not the
    /// words of an actor's other names, which count as one name in the text.
    Xapian::Query with_titles(const SearchRequest& req, const std::vector<std::string>& typed,
                              const Xapian::Query& words) {
        if (!req.plain || req.title_weight <= 0 || words.empty()) return words;
        std::vector<Xapian::Query> titled;
        for (const auto& t : typed) {
            if (is_prefixed(t)) continue;
            titled.emplace_back(schema::term(schema::kTitle, t));
            title_words.push_back(t);
        }
        if (titled.empty()) return words;
        // words OR (titles FILTER words): the matches of words, each with its
        // title part added. (words AND_MAYBE titles says the same, but over
        // xapian-tcpsrv parts Xapian 1.4 left out a passage that one local
        // index ranks sixth of ten: tests/cli/test_shards.py.)
        const Xapian::Query titles(Xapian::Query::OP_SCALE_WEIGHT,
                                   Xapian::Query(Xapian::Query::OP_OR, titled.begin(), titled.end()), req.title_weight);
        return Xapian::Query(Xapian::Query::OP_OR, words, Xapian::Query(Xapian::Query::OP_FILTER, titles, words));
    }

    SearchResult run(const SearchRequest& req) {
        SearchResult res;
        res.query = req.query;
        expansion.clear();
        title_words.clear();
        Parts parts = build_query(req, res);
        Xapian::Query words = parts.words;
        // Feedback by default only for natural-language queries, and only over
        // enough passages for their statistics to mean something: from a few
        // hundred passages the top ones are as likely to drift as to help.
        bool expanding = req.expand_terms > 0 && !words.empty() &&
                         (req.expand == Expansion::On ||
                          (req.expand == Expansion::Auto && req.plain && db.get_doccount() >= kMinFeedbackPassages));
        if (expanding) words = expand(req, words, parts.filter);
        // The title part adds no match (see with_titles): the matches are
        // counted without it, in the shapes count_directly knows.
        const Xapian::Query counted = compose(req, words, parts.filter);
        Xapian::Query q = compose(req, with_titles(req, parts.highlight, words), parts.filter);
        res.parsed = q.get_description();

        // A few more than asked for: scores equal to 1e-9 are ties, and ties go
        // by article and passage order. (Xapian compares exact doubles, whose
        // last bits differ between one index and the same passages in shards.)
        constexpr Xapian::doccount kTieMargin = 8;
        // The ranked pass goes to the second thread when the query may match
        // enough passages for the two passes to take longer than handing one
        // over (tens of microseconds), and when that thread's handle shows the
        // same revision of the index as this one.
        Xapian::doccount most = 0;
        if (ranker)
            for (auto t = counted.get_unique_terms_begin(); t != counted.get_unique_terms_end() && most < options.beside_from; ++t)
                most = std::max(most, db.get_termfreq(*t));
        bool beside = false;
        if (ranker && most >= options.beside_from && db.size() == 1) {
            if (ranker->db().get_revision() != db.get_revision()) ranker->db().reopen();
            beside = ranker->db().get_revision() == db.get_revision();
        }
        std::future<std::vector<RankThread::Ranked>> ranked_beside;
        if (beside)
            ranked_beside = ranker->submit({q.serialise(), weight(req), req.offset, req.limit + kTieMargin, req.per_article});
        struct Wait {  // the other thread is done before anything it uses can change
            std::future<std::vector<RankThread::Ranked>>& f;
            ~Wait() {
                if (f.valid()) f.wait();
            }
        } wait{ranked_beside};

        // Counts over every match come from a pass that ranks nothing (BoolWeight)
        // and feeds each matching passage's facet key to a FacetCounter; the
        // page of hits comes from a ranked pass that can stop early.
        FacetCounter counter(req, facets);
        for (std::size_t a : alias_proc->actors) counter.named_.insert(gazetteer.actors()[a].name);
        for (const auto& a : actor_proc->named) counter.named_.insert(a);  // actor: and --actor
        Xapian::Enquire counting(db);
        counting.set_query(counted);
        counting.set_weighting_scheme(Xapian::BoolWeight());
        if (db.size() == 1 && !remote) {
            // One local database: passages are met in docid order, each
            // article's together, and counted as they come.
            // Once this searcher has counted matches for a quarter of the
            // passages the slow way, it has spent about half what building
            // the table costs, and is likely to go on: from then on it counts
            // from the table.
            using Use = SearcherOptions::FacetTable;
            const Xapian::doccount n = db.get_doccount();
            if (!facet_table.built() && options.facet_table != Use::Never && n > 0) {
                if (stored_table < 0) stored_table = !table_path.empty() && table_file::holds(table_path, db) ? 1 : 0;
                // Mapping the indexer's table costs about what counting a
                // sixteenth of the passages the slow way costs, or less
                // (bench/RESULTS.md): it pays four times as soon as a build,
                // and at once when many queries follow.
                const std::uint64_t enough = stored_table ? (options.many_queries ? 0 : n / 16) : n / 4;
                // With a stored table, this query's own matches count too
                // (Xapian's estimate, from the terms' frequencies, before any
                // is read): a single query over much of the index maps the
                // table first rather than count them all without it.
                std::uint64_t coming = 0;
                if (stored_table && counted_slow < enough && options.facet_table == Use::Auto) {
                    Xapian::doccount est = counting.get_mset(0, 0).get_matches_estimated();
                    coming = req.facets ? est : est / 8;
                }
                if (options.facet_table == Use::Always || counted_slow + coming >= enough) {
                    table_loaded = stored_table && facet_table.load(table_path, db, facets);
                    if (!table_loaded) facet_table.build(db, facets);
                }
            }
            FacetSpy spy(counter, db, facet_table);
            if (!facet_table.built() || !count_directly(db, counted, spy)) {
                counting.add_matchspy(&spy);
                counting.get_mset(0, 0, db.get_doccount());
            }
            spy.flush();
            // Totals alone read only the article id: cheaper, but on a large
            // index the value stream's reads still outweigh the table's.
            counted_slow += req.facets ? spy.slow() : spy.slow() / 8;
        } else {
            // Several parts, or remote ones: Xapian's own spy, which the stock
            // xapian-tcpsrv runs and whose merged values come sorted. (Asked
            // for no documents: Xapian 1.4 over the remote protocol lets a spy
            // count some top documents twice when a page is asked for too.)
            Xapian::ValueCountMatchSpy spy(schema::kSlotFacets);
            counting.add_matchspy(&spy);
            counting.get_mset(0, 0, db.get_doccount());
            for (auto it = spy.values_begin(); it != spy.values_end(); ++it) counter.add(*it, it.get_termfreq());
        }

        std::vector<RankThread::Ranked> order;
        if (beside) {
            order = ranked_beside.get();
        } else {
            Xapian::Enquire enquire(db);
            enquire.set_query(q);
            enquire.set_weighting_scheme(*weight(req));
            enquire.set_sort_by_relevance_then_value(schema::kSlotOrder, false);
            if (req.per_article > 0) enquire.set_collapse_key(schema::kSlotArticle, req.per_article);
            Xapian::MSet mset = enquire.get_mset(req.offset, req.limit + kTieMargin);
            for (auto it = mset.begin(); it != mset.end(); ++it) order.push_back({*it, it.get_weight(), it.get_sort_key()});
        }
        auto rounded = [](double w) { return std::llround(w * 1e9); };
        std::stable_sort(order.begin(), order.end(), [&](const RankThread::Ranked& a, const RankThread::Ranked& b) {
            auto wa = rounded(a.weight), wb = rounded(b.weight);
            if (wa != wb) return wa > wb;
            return a.sort_key < b.sort_key;
        });
        if (order.size() > req.limit) order.resize(req.limit);
        res.total_passages = counter.passages();
        res.total_articles = counter.articles();
        if (req.facets) counter.finish(res);

        // Terms to highlight.
        std::vector<std::string> text_terms, filter_terms;
        std::vector<std::string> shown = parts.highlight;  // feedback terms are not highlighted
        for (auto t = parts.filter.get_unique_terms_begin(); t != parts.filter.get_unique_terms_end(); ++t)
            shown.push_back(*t);
        for (const auto& t : shown) {
            if (!is_prefixed(t))
                text_terms.push_back(t);
            else
                filter_terms.push_back(t);
        }
        const std::string folded_query = fold_keep_case(req.query);
        std::vector<std::string> wild = req.plain ? std::vector<std::string>{} : wildcard_prefixes(folded_query);
        // (--plain has no quoted phrases, but a compound is still Xapian's
        // phrase: "post-war".)
        std::string phrase_source = folded_query;
        if (req.plain) std::replace(phrase_source.begin(), phrase_source.end(), '"', ' ');
        QueryPhrases phrases = query_phrases(phrase_source, analyzer);
        std::set<std::string> phrase_only;  // (for --explain, before the actors' names join the phrases)
        for (const auto& ph : phrases.phrases)
            for (const auto& t : ph)
                if (!phrases.free.count(t)) phrase_only.insert(t);
        name_phrases(folded_query, phrases);
        unsigned rank = req.offset;
        for (const auto& r : order) {
            Hit h;
            h.rank = ++rank;
            h.score = r.weight;
            h.docid = r.did;
            h.passage = StoredPassage::deserialise(db.get_document(r.did, Xapian::DOC_ASSUME_VALID).get_value(schema::kSlotPassage));
            h.highlights = highlight_spans(h.passage, analyzer, text_terms, wild, filter_terms, &phrases);
            h.snippet = choose_snippet(h.passage.text, h.highlights, req.snippet_bytes, &analyzer);
            if (req.explain) h.explain = explain(req, h, parts.highlight, phrase_only);
            // (After the highlights, which find the actors under their stored names.)
            if (req.facets && !h.passage.actors.empty())
                counter.name_as_counted(facet_table.built() ? facet_table.row(h.docid) : nullptr, h.passage.actors);
            res.hits.push_back(std::move(h));
        }
        res.explained = req.explain;
        return res;
    }
};

Searcher::Searcher(const std::vector<std::string>& databases, const SearcherOptions& options)
    : impl_(std::make_unique<Impl>()) {
    for (const auto& d : databases)
        for (auto& part : stub_parts(d)) impl_->specs.push_back(std::move(part));
    impl_->options = options;
    if (impl_->specs.empty()) throw IndexError("no index given");
    impl_->open();
}

Searcher::Searcher(const Xapian::Database& db, const SearcherOptions& options) : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    check_index_compatible(db, "(database)", nullptr);
    impl_->use(db);
}

Searcher::~Searcher() = default;

SearchResult Searcher::search(const SearchRequest& request) {
    for (int attempt = 0;; ++attempt) {
        try {
            SearchResult r = impl_->run(request);
            r.suggestion = impl_->suggest(request);
            if (request.auto_correct && r.total_passages == 0 && !r.suggestion.empty()) {
                SearchRequest again = request;
                again.query = r.suggestion;
                SearchResult c = impl_->run(again);
                c.query = request.query;
                c.suggestion = r.suggestion;
                c.corrected = r.suggestion;
                c.warnings.insert(c.warnings.begin(), "nothing matches '" + request.query + "'; showing '" +
                                                          r.suggestion + "' instead");
                r = std::move(c);
            }
            r.warnings.insert(r.warnings.end(), impl_->notes.begin(), impl_->notes.end());
            if (!impl_->unavailable.empty()) {
                r.partial = true;
                r.unavailable = impl_->unavailable;
                for (const auto& u : impl_->unavailable) r.warnings.push_back("left out: " + u);
            }
            return r;
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt >= 5) throw;
            impl_->db.reopen();
            impl_->forget_table();
        } catch (const Xapian::NetworkError& e) {
            // A part stopped answering: name it; go on without it if allowed.
            auto down = impl_->probe();
            // It answers a probe, but failed this query part way (a server
            // that hangs after a few answers): Xapian's context names it.
            // (A timeout: a connection closed is a server restarted, searched
            // again below over a new one.)
            const bool timed_out = std::string_view(e.get_type()) == "NetworkTimeoutError";
            const std::string culprit = timed_out ? impl_->part_named_in(e.get_context()) : std::string();
            if (down.empty() && !culprit.empty() && !impl_->stalled.count(culprit)) {
                down.push_back(culprit + " (" + e.get_msg() + ")");
                if (impl_->options.allow_partial && attempt < 2) {
                    impl_->stalled[culprit] = e.get_msg();
                    try {
                        impl_->open();
                        impl_->last_retry = std::chrono::steady_clock::now();
                        continue;
                    } catch (const std::exception&) {
                    } catch (const Xapian::Error&) {
                    }
                }
            }
            // Every part answers again (a server restarted): the connection
            // that failed is dead, so connect again and search again.
            if (down.empty() && attempt < 2) {
                try {
                    impl_->open();
                    continue;
                } catch (const std::exception&) {
                } catch (const Xapian::Error&) {
                }
            }
            if (down.empty()) down.push_back("a remote part (" + e.get_msg() + ")");
            if (!impl_->options.allow_partial || attempt >= 2) {
                std::string names;
                for (const auto& d : down) names += (names.empty() ? "" : "; ") + d;
                throw IndexError("part of the index does not answer: " + names +
                                 (impl_->options.allow_partial ? "" : " (--allow-partial searches the others)"));
            }
            impl_->open();
        }
    }
}

bool facet_table_current(const std::string& path) {
    try {
        return table_file::holds(table_file::path_in(path), Xapian::Database(path));
    } catch (const Xapian::Error&) {
        return false;
    }
}

void store_facet_table(const std::string& path, bool unchanged) {
    // Open for writing: no other writer commits while the table is written.
    Xapian::WritableDatabase db(path, Xapian::DB_OPEN);
    // Indexes of formats 1 and 2 kept the table in their metadata.
    std::vector<std::string> old_keys;
    for (auto k = db.metadata_keys_begin(std::string(schema::kMetaFacetTable)); k != db.metadata_keys_end(std::string(schema::kMetaFacetTable)); ++k)
        old_keys.push_back(*k);
    if (!old_keys.empty()) {
        for (const auto& k : old_keys) db.set_metadata(k, "");
        db.commit();
    }
    const std::string file = table_file::path_in(path);
    // Files a killed run left half written (no other writer can be writing one now).
    std::error_code ec;
    const std::string stale = std::filesystem::path(file).filename().string() + ".tmp-";
    for (const auto& e : std::filesystem::directory_iterator(path, ec))
        if (e.path().filename().string().rfind(stale, 0) == 0) std::filesystem::remove(e.path(), ec);
    if (table_file::holds(file, db)) return;  // nothing committed since it was written
    // The same table, stamped with this revision (restamp checks its sum, and
    // a searcher checks its rows when it maps it).
    if (unchanged && old_keys.empty() && table_file::restamp(file, db)) return;
    FacetTable::write(file, db);
}

void Searcher::reopen() {
    try {
        // A rebuild puts a new index in the old one's place (a rename): the
        // handles open on the old files would read the new version file with
        // them, and answer from both (hits of articles gone, counts of the
        // new). A new index has a new UUID: all is opened again.
        // Local parts' UUIDs are read at each look. A remote server keeps the
        // index it opened for as long as a connection lasts, and a part
        // rebuilt in its place is only seen over a new one: asked every 5
        // seconds (each is a process on the server), while every part answers.
        const bool any_remote =
            std::any_of(impl_->specs.begin(), impl_->specs.end(), [](const std::string& s) { return is_remote(s); });
        const auto now = std::chrono::steady_clock::now();
        if (!any_remote || (impl_->not_answering.empty() && now - impl_->uuid_checked >= std::chrono::seconds(5))) {
            impl_->uuid_checked = now;
            std::string fresh_uuid;
            try {
                Xapian::Database fresh;
                for (const auto& spec : impl_->specs) fresh.add_database(open_one(spec, impl_->options.timeout_ms));
                fresh_uuid = fresh.get_uuid();
            } catch (const std::exception&) {
                // Gone, or unreadable: reopen() below says so, as before.
            } catch (const Xapian::Error&) {
            }
            if (!fresh_uuid.empty() && fresh_uuid != impl_->db.get_uuid()) {
                try {
                    impl_->open();
                } catch (const std::exception&) {
                    // (open() changes nothing until it has all parts: the next look tries again)
                } catch (const Xapian::Error&) {
                }
                return;
            }
        }
        // Parts left out as not answering (--allow-partial) are tried again
        // now and then: a server back up is searched again.
        // Only those parts are asked, each waited for a second at most (a
        // hung server would otherwise hold a query for the whole --timeout,
        // and every query after it); the interval counts from the end of a
        // try and doubles while they do not answer.
        if (!impl_->not_answering.empty() && std::chrono::steady_clock::now() - impl_->last_retry >= impl_->retry_every) {
            if (impl_->probe(&impl_->not_answering, std::min(impl_->options.timeout_ms, 1000u), true).empty()) {
                try {
                    impl_->stalled.clear();
                    impl_->open();
                    impl_->retry_every = std::chrono::seconds(5);
                } catch (const std::exception&) {
                } catch (const Xapian::Error&) {
                }
            } else {
                impl_->retry_every = std::min(impl_->retry_every * 2, std::chrono::seconds(60));
            }
            impl_->last_retry = std::chrono::steady_clock::now();
            return;
        }
        if (impl_->db.reopen()) {
            impl_->forget_table();
            impl_->reread_notes();
        }
    } catch (const Xapian::NetworkError&) {
        // A remote part stopped answering: the next search names it, and goes
        // on without it with --allow-partial.
    }
}

Searcher::FacetSource Searcher::facet_source() const {
    if (!impl_->facet_table.built()) return FacetSource::Index;
    return impl_->table_loaded ? FacetSource::StoredTable : FacetSource::BuiltTable;
}

Xapian::doccount Searcher::passage_count() const { return impl_->db.get_doccount(); }

const Gazetteer& Searcher::gazetteer() const { return impl_->gazetteer; }

}  // namespace qanat
