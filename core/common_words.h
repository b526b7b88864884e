// English words that are not names: those an English dictionary lists only in
// lower case. Generated at build time from Debian's wamerican word list.
#pragma once

#include <string_view>

namespace qanat {

/// Words separated by '\n', sorted.
std::string_view common_words_blob();

/// True if the (lower-case) word is a common English word and never a name.
bool is_common_word(std::string_view lower_word);

/// Words the dictionary lists only with a capital, lower-cased, '\n'-separated.
std::string_view proper_nouns_blob();

/// True if the (lower-case) word is a proper noun: a name wherever it stands.
bool is_proper_noun(std::string_view lower_word);

}  // namespace qanat
