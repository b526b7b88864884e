// The index schema: every term prefix, value slot and metadata key qanat uses.
// Nothing else in the project spells a prefix or a slot number.
//
// One Xapian document is one passage. Term prefixes follow Omega's convention:
// single capitals are the reserved ones (Q unique id, S title, Y year), project
// prefixes are "X" followed by capitals.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <xapian.h>

namespace qanat::schema {

/// Bumped whenever documents written by an older qanat cannot be read correctly.
inline constexpr int kVersion = 5;  // 2: facet key with publication year; 3: binary passage data; 4: no Q terms, title without positions; 5: passage in a value slot

struct Prefix {
    std::string_view field;  ///< query-parser field name ("" = not user-visible)
    std::string_view prefix;
    bool boolean;            ///< filter term (no weight) or free-text term
    std::string_view meaning;
};

inline constexpr Prefix kTitle{"title", "S", false, "words of the article title"};
inline constexpr Prefix kYear{"year", "Y", true, "a year the passage speaks of"};
inline constexpr Prefix kDecade{"", "XD", true, "a decade the passage speaks of (e.g. XD198 = the 1980s)"};
inline constexpr Prefix kArticle{"article", "XA", true, "article id"};
inline constexpr Prefix kActor{"actor", "XC", true, "actor key (folded canonical name)"};
inline constexpr Prefix kActorKind{"kind", "XK", true, "kind of an actor present (person, organisation, place, group, unknown)"};
inline constexpr Prefix kBlock{"", "XB", true, "non-prose block kind (list, fields, price, references, links)"};
inline constexpr Prefix kPublished{"published", "XP", true, "publication year of the article"};

inline constexpr Prefix kActorAbbrev{"", "XV", true, "an abbreviation an article uses for an actor it names (actor:HMC)"};

inline constexpr std::array<Prefix, 9> kPrefixes{kTitle, kYear,      kDecade,    kArticle,    kActor,
                                                 kActorKind, kBlock, kPublished, kActorAbbrev};

constexpr bool prefixes_unique() {
    for (std::size_t i = 0; i < kPrefixes.size(); ++i)
        for (std::size_t j = i + 1; j < kPrefixes.size(); ++j) {
            if (kPrefixes[i].prefix == kPrefixes[j].prefix) return false;
            if (!kPrefixes[i].field.empty() && kPrefixes[i].field == kPrefixes[j].field) return false;
        }
    return true;
}
static_assert(prefixes_unique(), "term prefixes and field names must be unique");

constexpr bool prefixes_follow_convention() {
    for (const auto& p : kPrefixes) {
        if (p.prefix.empty()) return false;
        if (p.prefix.size() == 1 && !(p.prefix[0] >= 'A' && p.prefix[0] <= 'Z')) return false;
        if (p.prefix.size() > 1 && p.prefix[0] != 'X') return false;
        for (char c : p.prefix)
            if (!(c >= 'A' && c <= 'Z')) return false;
    }
    return true;
}
static_assert(prefixes_follow_convention(), "prefixes: one capital, or X followed by capitals");

// Value slots.
enum Slot : Xapian::valueno {
    kSlotArticle = 0,   ///< article id: collapse key for --per-article
    kSlotOrder = 1,     ///< article id, NUL, big-endian ordinal: stable tie-break
    kSlotFacets = 2,    ///< facet key: article, actors, years (see facets.h)
    kSlotPublished = 3, ///< publication date YYYYMMDD where known
    /// The stored passage (StoredPassage::serialise). A value, not the
    /// document data: Xapian compresses document data with zlib one document
    /// at a time, about a tenth of a build's time for text this short; a value
    /// stream keeps it in chunks as it is (bench/RESULTS.md). (qanat-index
    /// has since stopped all of Xapian's compression, indexer/main.cpp; an
    /// index written by another program may still compress document data.)
    kSlotPassage = 4,
    kSlotCount
};
static_assert(kSlotArticle != kSlotOrder && kSlotOrder != kSlotFacets && kSlotFacets != kSlotPublished &&
                  kSlotPublished != kSlotPassage,
              "value slots must be unique");

// Metadata keys.
inline constexpr std::string_view kMetaSchema = "qanat.schema";
inline constexpr std::string_view kMetaAnalysis = "qanat.analysis";
inline constexpr std::string_view kMetaActors = "qanat.actors";       ///< gazetteer used (JSON)
inline constexpr std::string_view kMetaActorsHash = "qanat.actors.hash";
inline constexpr std::string_view kMetaPassages = "qanat.passages";   ///< passage settings
/// --max-article-bytes of the run that wrote the index (absent: the default, 64 MiB).
inline constexpr std::string_view kMetaMaxArticle = "qanat.max-article-bytes";
inline constexpr std::string_view kMetaCreatedBy = "qanat.created-by";
/// The version of the rules that find passages, actors and years, of the
/// run that wrote the index (absent: 1, before it was recorded). A newer
/// qanat-index analyses every article again once, so that an index does not
/// mix what two versions found.
inline constexpr std::string_view kMetaRules = "qanat.rules";
inline constexpr int kAnalysisRules = 13;
/// Which articles the index holds: "all", or "I/N" (shard I of N by a hash of
/// the id: --shard I/N, or part I of --shards N). Absent in older indexes.
inline constexpr std::string_view kMetaShard = "qanat.shard";
/// The id of the --shards run that last wrote this part (the same in every
/// part of one run). Absent for a whole index or a --shard I/N part.
inline constexpr std::string_view kMetaRun = "qanat.run";
/// The facet table (see store_facet_table in search.h): a file in the index
/// folder, written after the indexer's commit.
inline constexpr std::string_view kFacetTableFile = "qanat-facets";
/// Where indexes of formats 1 and 2 kept the facet table (a header under this
/// key, the data under this key + ".0", ".1", ...): cleared when found.
inline constexpr std::string_view kMetaFacetTable = "qanat.facet-table";
/// Per-article record used by incremental indexing: key = kMetaArticlePrefix + article id.
inline constexpr std::string_view kMetaArticlePrefix = "qanat.article:";
/// Size and time of a JSONL source file: key = kMetaFilePrefix + hash of its path.
inline constexpr std::string_view kMetaFilePrefix = "qanat.file:";

/// Xapian's hard limit on term length, minus headroom.
inline constexpr std::size_t kMaxTermBytes = 240;

/// Builds a boolean term following Omega's rule: a ':' separates a multi-character
/// prefix from a value that starts with a capital letter. Values too long for a
/// term are shortened with a hash so that the term stays unique.
std::string term(const Prefix& p, std::string_view value);

/// Sortable key for tie-breaking: article id, NUL, 4-byte big-endian ordinal.
std::string order_key(std::string_view article_id, unsigned ordinal);

}  // namespace qanat::schema
