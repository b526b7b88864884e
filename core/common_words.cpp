#include "common_words.h"

namespace qanat {

bool SortedWords::contains(std::string_view word) const {
    if (word.empty()) return false;
    const auto b = static_cast<unsigned char>(word[0]);
    std::size_t lo = first[b], hi = first[b + 1];  // the words that start with this byte
    while (lo < hi) {
        std::size_t mid = lo + (hi - lo) / 2;
        std::string_view w = blob.substr(starts[mid], starts[mid + 1] - starts[mid] - 1);
        int c = w.compare(word);
        if (c == 0) return true;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return false;
}

bool is_common_word(std::string_view lower_word) {
    static const SortedWords words = common_words_blob();
    return words.contains(lower_word);
}

bool is_proper_noun(std::string_view lower_word) {
    static const SortedWords words = proper_nouns_blob();
    return words.contains(lower_word);
}

}  // namespace qanat
