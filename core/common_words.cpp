#include "common_words.h"

#include <string>
#include <unordered_set>

namespace qanat {

namespace {

std::unordered_set<std::string_view> load(std::string_view blob) {
    std::unordered_set<std::string_view> s;
    s.reserve(blob.size() / 8);
    while (!blob.empty()) {
        auto nl = blob.find('\n');
        s.insert(blob.substr(0, nl));
        if (nl == std::string_view::npos) break;
        blob.remove_prefix(nl + 1);
    }
    return s;
}

}  // namespace

bool is_common_word(std::string_view lower_word) {
    static const std::unordered_set<std::string_view> words = load(common_words_blob());
    return words.count(lower_word) > 0;
}

bool is_proper_noun(std::string_view lower_word) {
    static const std::unordered_set<std::string_view> words = load(proper_nouns_blob());
    return words.count(lower_word) > 0;
}

}  // namespace qanat
