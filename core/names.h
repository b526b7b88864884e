// Actors of a whole article: gazetteer matches, names the gazetteer does not
// list (capitalised sequences such as "Hamdi Malik" or "Euphrates Movement"),
// abbreviations the article defines ("Kurdistan Workers' Party (PKK)"), and
// short forms linked to the full name they stand for in that article
// ("Walshe" -> "Arran Robert Walshe"; "Hussein" -> the nearest full mention).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "entities.h"
#include "normalize.h"

namespace qanat {

struct NamedMention {
    std::size_t start = 0, end = 0;  ///< byte offsets in the article
    std::string name;                ///< canonical name
    ActorKind kind = ActorKind::Unknown;
    bool detected = false;           ///< found by shape, not in the gazetteer
};

struct TextRegion {
    std::size_t start = 0, end = 0;
    bool prose = true;  ///< names are detected by shape only in prose
};

/// An article's folded words numbered: the same word, the same number, by
/// order of first appearance.
struct WordNumbers {
    std::vector<std::uint32_t> of;      ///< by word (span): its number
    std::vector<std::uint64_t> hashes;  ///< by number: fnv1a64 of the folded word
    std::vector<std::size_t> first;     ///< by number: the word's first span
    std::size_t size() const { return hashes.size(); }
};
WordNumbers number_words(const std::vector<std::string>& folded);

class ActorFinder {
  public:
    explicit ActorFinder(const Gazetteer& g) : g_(g) {}

    /// Every actor mention in the article, in text order, without overlaps.
    std::vector<NamedMention> find(std::string_view text, const std::vector<TextRegion>& regions) const;
    /// The same, given the article's words (words()) and their match forms.
    std::vector<NamedMention> find(std::string_view text, const std::vector<TextRegion>& regions,
                                   const std::vector<Span>& spans, const std::vector<std::string>& folded) const;
    /// The same, given the words numbered too (number_words(folded)).
    std::vector<NamedMention> find(std::string_view text, const std::vector<TextRegion>& regions,
                                   const std::vector<Span>& spans, const std::vector<std::string>& folded,
                                   const WordNumbers& numbers) const;

  private:
    const Gazetteer& g_;
};

/// True for words that name no actor by themselves: demonyms and adjectives of
/// place, religion and ethnicity ("Iraqi", "Kurdish", "Shiite", "Western").
bool is_demonym(std::string_view folded_word);

/// North, South, East, West, Central, Latin: before a place or a demonym,
/// part of another ("Latin America", "West German").
bool compass_word(std::string_view folded_word);

/// "OPEC", "G7", and with full stops "U.S.", "U.K.": capitals (two at least),
/// digits and full stops, 2 to 10 bytes.
bool acronym(std::string_view w);

/// Kind guessed from the words of a name that the gazetteer does not list.
ActorKind guess_kind(std::string_view name);

}  // namespace qanat
