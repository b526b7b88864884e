#include "common_words.h"

#include <string>
#include <unordered_set>

namespace qanat {

bool is_common_word(std::string_view lower_word) {
    static const std::unordered_set<std::string_view> words = [] {
        std::unordered_set<std::string_view> s;
        std::string_view blob = common_words_blob();
        s.reserve(60000);
        while (!blob.empty()) {
            auto nl = blob.find('\n');
            s.insert(blob.substr(0, nl));
            if (nl == std::string_view::npos) break;
            blob.remove_prefix(nl + 1);
        }
        return s;
    }();
    return words.count(lower_word) > 0;
}

}  // namespace qanat
