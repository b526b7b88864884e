// Stop-word lists, dropped from free-text queries (not from the index, so that
// phrases such as "battle of truth" still match).
#pragma once

#include <span>
#include <string_view>

namespace qanat {

/// Snowball's English stop-word list (snowballstem.org, english/stop.txt).
std::span<const std::string_view> english_stopwords();

/// The SMART system's English stop list (Salton; 570 words), for queries
/// written as sentences or questions.
std::span<const std::string_view> english_query_stopwords();

}  // namespace qanat
