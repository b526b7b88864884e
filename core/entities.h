// Actors and years mentioned in a passage, as spans of its text.
//
// Actors come from a gazetteer (canonical name, kind, aliases; see
// corpus/actors.tsv). Matching is by words, folded (case, diacritics,
// apostrophes), except that short all-capital aliases ("US", "PMF") only match
// text in capitals, so that the pronoun "us" is not the United States.
#pragma once

#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "normalize.h"

namespace qanat {

enum class ActorKind { Person, Organisation, Place, Group, Unknown };

std::string_view actor_kind_name(ActorKind k);
/// Accepts "person", "organisation"/"organization"/"org", "place", "group".
bool parse_actor_kind(std::string_view s, ActorKind* out);

struct Actor {
    std::string name;  ///< canonical name, as shown in facets
    ActorKind kind = ActorKind::Unknown;
    std::vector<std::string> aliases;  ///< other names, not including `name`
};

/// The key an actor is indexed under: its canonical name folded, spaces single.
std::string actor_key(std::string_view name);

/// A word as names are matched: folded, without a possessive ("Iran’s" -> "iran").
std::string match_form(std::string_view word);

/// A folded word of everyday English (a stop word, or a word the dictionary
/// lists only in lower case: "is", "us", "gulf"). Such a word names an actor
/// only when written as the list writes it ("US", "Gulf").
bool everyday_word(std::string_view folded);

/// An alias that matches text in capitals only: one word, all capitals, at
/// most six bytes ("US", "PMF").
bool capitals_only(std::string_view alias);

struct GazetteerError : std::runtime_error {
    GazetteerError(const std::string& source, std::size_t line, const std::string& what)
        : std::runtime_error(source + ":" + std::to_string(line) + ": " + what) {}
};

struct ActorMention {
    std::size_t start = 0, end = 0;  ///< byte offsets in the text searched
    std::size_t actor = 0;           ///< index into Gazetteer::actors()
};

class Gazetteer {
  public:
    /// Parses TSV: canonical name <TAB> kind <TAB> aliases separated by '|'.
    /// Blank lines and lines starting with '#' are skipped. `source` names the
    /// file in error messages.
    /// A name or alias another line has already given to an actor is
    /// said in `warnings` ("FILE:LINE: ..."), if given: the first line wins.
    void load_tsv(std::string_view content, const std::string& source, std::vector<std::string>* warnings = nullptr);

    /// Adds an actor; an actor with the same key gets the new aliases.
    void add(Actor a);

    const std::vector<Actor>& actors() const { return actors_; }

    /// The actor a name or alias denotes, case- and diacritic-insensitively;
    /// nullptr if none.
    const Actor* find(std::string_view name_or_alias) const;

    /// Every mention in text, longest alias first, left to right, no overlaps.
    /// In a query (`query`), a name that needs capitals in the text ("Sadr",
    /// "PMF") is also found in lower case ("sadr", "pmf"), unless that word
    /// is everyday English ("us", "gulf").
    std::vector<ActorMention> mentions(std::string_view text, bool query = false) const;
    /// The same, given the words of text (words()) and their match forms
    /// (folded, without a possessive 's).
    std::vector<ActorMention> mentions(std::string_view text, const std::vector<Span>& spans,
                                       const std::vector<std::string>& folded, bool query = false) const;

    /// Compact form stored in the index metadata.
    std::string serialise() const;
    static Gazetteer deserialise(std::string_view s);

  private:
    /// How much of the alias's capitalisation the text must share.
    enum class Case {
        Any,      ///< names of several words: "popular mobilization forces" matches
        Initial,  ///< one capitalised word ("Axis", "Gulf"): the text word starts with a capital
        All,      ///< short all-capital alias ("US", "PMF"): the text word is in capitals
    };
    struct Pattern {
        std::vector<std::string> words;  ///< folded words
        std::size_t actor;
        Case letter_case;
    };
    void add_pattern(std::string_view alias, std::size_t actor);
    /// The listed word i, of `actor`, is part of a name the list does not
    /// have ("George Washington", "Gulf of Mexico").
    bool other_name_around(std::string_view text, const std::vector<Span>& spans,
                           const std::vector<std::string>& folded, std::size_t i, std::size_t actor) const;

    std::vector<Actor> actors_;
    std::unordered_map<std::string, std::size_t> by_key_;  ///< actor_key(any alias) -> actor
    std::unordered_map<std::string, std::string> listed_at_;  ///< actor_key -> "FILE:LINE" that gave it (load_tsv)
    std::unordered_map<std::string, std::vector<Pattern>> patterns_;  ///< by first folded word
};

struct YearMention {
    std::size_t start = 0, end = 0;  ///< byte offsets
    int from = 0, to = 0;            ///< inclusive; from == to for one year
    bool decade = false;             ///< "the 1980s": from = 1980, to = 1989
};

/// Years a text speaks of: "in 2003", "June 24, 2025", "1980-88", "1980–1988",
/// "from 2003 to 2011", "the 1980s". Not years: amounts ("$3 billion",
/// "2,500"), decimals, phone numbers, numbers inside URLs, quantities ("2000
/// troops").
std::vector<YearMention> find_years(std::string_view text);

}  // namespace qanat
