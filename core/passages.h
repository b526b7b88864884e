// Article text -> title and passages with byte offsets.
//
// A passage is a paragraph, or a window of whole sentences of a long
// paragraph. A heading joins the paragraph it introduces. Blocks that are not
// prose (lists of names with star ratings, "Label : value" fields, price lines,
// reference lists, link lines, photo credits) are recognised by the shape of
// their lines, kept as passages of their own kind, and a block repeated within
// an article is marked as a duplicate so that it is indexed once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace qanat {

enum class BlockKind {
    Prose,
    List,        ///< a run of short list items (entity lists, menus)
    Fields,      ///< "Label : value" lines (author boxes, contact details)
    Price,       ///< lines offering something for a price
    References,  ///< footnotes and reference lists
    Links,       ///< navigation: link lines, breadcrumbs, "Related Articles", credits
};

/// Name used in the index and in output ("prose", "list", ...).
std::string_view block_kind_name(BlockKind k);
/// Inverse of block_kind_name; returns false for an unknown name.
bool parse_block_kind(std::string_view name, BlockKind* out);

struct Passage {
    std::size_t start = 0;  ///< byte offset in the article text
    std::size_t end = 0;    ///< one past the last byte
    BlockKind kind = BlockKind::Prose;
    bool duplicate = false;  ///< same text as an earlier passage of the article
};

struct PassageOptions {
    std::size_t max_bytes = 1500;  ///< paragraphs longer than this are split at sentences
};

struct ParsedArticle {
    std::string title;               ///< as a reader would name the article
    bool title_from_text = false;    ///< true if no title line: taken from a heading or sentence
    std::vector<Passage> passages;   ///< in text order
    std::string published;           ///< "YYYY" or "YYYY-MM" if a dated URL line shows it
};

/// Splits an article. `text` must be valid UTF-8. If `given_title` is not empty
/// (JSONL input), it is used and no title line is looked for; nor is one when
/// `find_title_line` is false (the title then comes from a heading or the
/// first sentence, and no text is taken out of the passages).
ParsedArticle parse_article(std::string_view text, const PassageOptions& options = {},
                            std::string_view given_title = {}, bool find_title_line = true);

/// Splits [start, end) of text into windows of whole sentences of at most
/// max_bytes each (a longer sentence is cut at a word boundary).
std::vector<std::pair<std::size_t, std::size_t>> sentence_windows(std::string_view text,
                                                                  std::size_t start,
                                                                  std::size_t end,
                                                                  std::size_t max_bytes);

/// Byte ranges of the sentences in text[start, end).
std::vector<std::pair<std::size_t, std::size_t>> sentences(std::string_view text, std::size_t start,
                                                           std::size_t end);

}  // namespace qanat
