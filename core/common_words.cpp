#include "common_words.h"

#include "hash.h"

namespace qanat {

HashedWords::HashedWords(SortedWords words) : words_(words) {
    std::size_t n = 1;
    while (n < 2 * words_.count) n *= 2;
    slots_.assign(n, 0);
    for (std::size_t i = 0; i < words_.count; ++i) {
        std::size_t s = fnv1a64(words_.word(i)) & (n - 1);
        while (slots_[s] != 0) s = (s + 1) & (n - 1);
        slots_[s] = static_cast<std::uint32_t>(i + 1);
    }
}

bool HashedWords::contains(std::string_view word) const {
    if (slots_.empty()) return false;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = fnv1a64(word) & mask; slots_[s] != 0; s = (s + 1) & mask) {
        if (words_.word(slots_[s] - 1) == word) return true;
    }
    return false;
}

bool is_common_word(std::string_view lower_word) {
    static const HashedWords words(common_words_blob());
    return words.contains(lower_word);
}

bool is_proper_noun(std::string_view lower_word) {
    static const HashedWords words(proper_nouns_blob());
    return words.contains(lower_word);
}

}  // namespace qanat
