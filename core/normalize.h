// Text normalisation with ICU, shared by indexing, querying, entity matching
// and highlighting, so that all of them agree on what "the same word" means.
//
//   fold("Iran’s")  == fold("IRAN'S") == "iran's"
//   fold("Erdoğan") == "erdogan"
//   fold("1980–88") == "1980-88"
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace qanat {

/// For matching: NFKC, full case folding, diacritics removed, curly and straight
/// apostrophes and quotes alike, every dash a hyphen-minus.
std::string fold(std::string_view utf8);

/// The same without case folding: used on query strings, whose operators
/// (AND, OR, NOT, NEAR) are case-sensitive.
std::string fold_keep_case(std::string_view utf8);

/// Replaces every invalid UTF-8 sequence with U+FFFD. Returns the number of
/// replacements through `replaced`.
std::string repair_utf8(std::string_view bytes, std::size_t* replaced = nullptr);

/// True if the bytes are valid UTF-8.
bool valid_utf8(std::string_view bytes);

/// The length a UTF-8 sequence starting with `lead` has (1 for ASCII), or 0
/// if no sequence starts with it.
std::size_t utf8_sequence_length(unsigned char lead);

/// Where the first sequence that is not UTF-8 starts (bytes.size() if none).
std::size_t first_invalid_utf8(std::string_view bytes);

/// A word in a text, as byte offsets [start, end).
struct Span {
    std::size_t start = 0;
    std::size_t end = 0;
    bool operator==(const Span&) const = default;
};

/// Splits text into words the way Xapian's TermGenerator does: runs of letters,
/// digits and marks; an apostrophe between letters stays in the word; digits
/// joined by '.' or ',' are one number; "U.S." and "AT&T" are one word.
std::vector<Span> words(std::string_view utf8);

/// True if the code point at the start of `s` is an upper-case letter.
bool starts_upper(std::string_view s);

/// True if every letter of the word is upper case and it has at least one letter.
bool all_upper(std::string_view s);

}  // namespace qanat
