// English words that are not names: those an English dictionary lists only in
// lower case. Generated at build time from Debian's wamerican word list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace qanat {

/// A sorted word list, looked up in place: nothing to build at run time.
struct SortedWords {
    std::string_view blob;        ///< the words, each followed by '\n', in byte order
    const std::uint32_t* starts;  ///< count + 1 offsets into blob: where each word starts
    std::size_t count;
    const std::uint32_t* first;   ///< 257 entries: by first byte, the first word at or after it
    bool contains(std::string_view word) const;
};

/// Common English words: listed only in lower case.
SortedWords common_words_blob();

/// True if the (lower-case) word is a common English word and never a name.
bool is_common_word(std::string_view lower_word);

/// Words the dictionary lists only with a capital, lower-cased.
SortedWords proper_nouns_blob();

/// True if the (lower-case) word is a proper noun: a name wherever it stands.
bool is_proper_noun(std::string_view lower_word);

}  // namespace qanat
