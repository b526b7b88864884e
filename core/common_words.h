// English words that are not names: those an English dictionary lists only in
// lower case. Generated at build time from Debian's wamerican word list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace qanat {

/// A sorted word list, generated into the program.
struct SortedWords {
    std::string_view blob;        ///< the words, each followed by '\n', in byte order
    const std::uint32_t* starts;  ///< count + 1 offsets into blob: where each word starts
    std::size_t count;
    /// The i-th word.
    std::string_view word(std::size_t i) const { return blob.substr(starts[i], starts[i + 1] - starts[i] - 1); }
};

/// A word list looked up by hash: one or two comparisons where a binary
/// search makes a dozen (the name rules ask about every capitalised word).
class HashedWords {
  public:
    explicit HashedWords(SortedWords words);
    bool contains(std::string_view word) const;

  private:
    SortedWords words_;
    std::vector<std::uint32_t> slots_;  ///< word index + 1, 0 for none; a power of two long
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
