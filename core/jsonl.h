// One JSONL line -> an article: {"id", "title", "text", optional "date", "url", "source"}.
#pragma once

#include <string>
#include <string_view>

#include "document.h"

namespace qanat {

struct JsonlResult {
    bool ok = false;
    Article article;     ///< when ok
    std::string error;   ///< when not ok: what is wrong with the line
    std::string warning; ///< when ok: what was left out of it ("date" not a date)
};

/// Parses one line. The id may be a string or an integer; text is required.
/// `date` becomes the publication date ("YYYY", "YYYY-MM" or "YYYY-MM-DD").
JsonlResult parse_jsonl_article(std::string_view line);

/// "2025-02-14T10:00:00Z" -> "2025-02-14"; "2025/02" -> "2025-02"; "" if no date.
std::string normalise_date(std::string_view s);

}  // namespace qanat
