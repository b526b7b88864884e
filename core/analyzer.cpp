#include "analyzer.h"

#include <stdexcept>
#include <vector>

#include "hash.h"
#include "normalize.h"
#include "stopwords.h"

namespace qanat {
namespace {

/// Xapian hands its stemmer each word, lower-cased. We fold it (diacritics,
/// apostrophes, NFKC) and stem it, so that index and query agree without
/// touching Xapian's word splitting.
class FoldingStemmer : public Xapian::StemImplementation {
  public:
    explicit FoldingStemmer(const std::string& language)
        : inner_(language == "none" ? Xapian::Stem() : Xapian::Stem(language)) {}

    std::string operator()(const std::string& word) override {
        // A word met before is found in one probe: its slot is fixed by its
        // hash, and a word that lands on a taken slot replaces the one there.
        // The cache starts small (a searcher stems a few words) and grows
        // with the misses, up to kMaxSlots: enough for the words an indexer
        // meets most, small enough to stay in the processor's cache (rarer
        // words are stemmed again; 65,536 slots measured no faster).
        const std::uint64_t h = fnv1a64(word);
        Slot* slot = &cache_[h & (cache_.size() - 1)];
        if (slot->filled && slot->word == word) return slot->stem;
        if (++misses_ > cache_.size() && cache_.size() < kMaxSlots) {
            cache_ = std::vector<Slot>(cache_.size() * 4);
            misses_ = 0;
            slot = &cache_[h & (cache_.size() - 1)];
        }
        std::string f = fold(word);
        // British and American spellings of the same noun: mobilisation / mobilization.
        for (std::size_t p = f.find("isation"); p != std::string::npos; p = f.find("isation", p + 7))
            f[p + 1] = 'z';
        std::string stem = inner_(f);
        slot->filled = false;  // until word and stem are both in place
        slot->word = word;
        slot->stem = std::move(stem);
        slot->filled = true;
        return slot->stem;
    }

    std::string get_description() const override {
        return "qanat-fold+" + inner_.get_description();
    }

  private:
    struct Slot {
        std::string word, stem;
        bool filled = false;
    };
    static constexpr std::size_t kMaxSlots = std::size_t{1} << 14;  // a power of 4 times 256
    Xapian::Stem inner_;
    std::vector<Slot> cache_ = std::vector<Slot>(256);
    std::size_t misses_ = 0;
};

}  // namespace

std::string AnalysisSettings::serialise() const {
    return "language=" + language + ";normalizer=" + std::to_string(normalizer);
}

AnalysisSettings AnalysisSettings::parse(std::string_view s) {
    AnalysisSettings a;
    a.language.clear();
    a.normalizer = 0;
    while (!s.empty()) {
        auto semi = s.find(';');
        std::string_view item = s.substr(0, semi);
        s = semi == std::string_view::npos ? std::string_view{} : s.substr(semi + 1);
        auto eq = item.find('=');
        if (eq == std::string_view::npos) throw std::invalid_argument("bad analysis settings");
        auto key = item.substr(0, eq);
        auto val = item.substr(eq + 1);
        if (key == "language")
            a.language = std::string(val);
        else if (key == "normalizer")
            a.normalizer = std::stoi(std::string(val));
    }
    if (a.language.empty() || a.normalizer == 0) throw std::invalid_argument("bad analysis settings");
    return a;
}

Analyzer::Analyzer(AnalysisSettings settings) : settings_(std::move(settings)) {
    try {
        stem_ = Xapian::Stem(new FoldingStemmer(settings_.language));
    } catch (const Xapian::InvalidArgumentError&) {
        throw std::invalid_argument("unknown stemming language '" + settings_.language + "'");
    }
    stopper_ = std::make_shared<Xapian::SimpleStopper>();
    natural_stopper_ = std::make_shared<Xapian::SimpleStopper>();
    if (settings_.language == "english" || settings_.language == "en") {
        for (auto w : english_stopwords()) {
            stopper_->add(std::string(w));
            natural_stopper_->add(std::string(w));
        }
        for (auto w : english_query_stopwords()) natural_stopper_->add(std::string(w));
    }
}

std::string Analyzer::term(std::string_view word) const {
    // Xapian lower-cases before stemming; fold() does that and more.
    return stem_(fold(word));
}

bool Analyzer::is_stopword(std::string_view folded_word, bool natural) const {
    return (natural ? *natural_stopper_ : *stopper_)(std::string(folded_word));
}

Xapian::TermGenerator Analyzer::term_generator() const {
    Xapian::TermGenerator tg;
    tg.set_stemmer(stem_);
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
    return tg;
}

Xapian::QueryParser Analyzer::query_parser(bool natural) const {
    Xapian::QueryParser qp;
    qp.set_stemmer(stem_);
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
    qp.set_stopper(natural ? natural_stopper_.get() : stopper_.get());
    return qp;
}

}  // namespace qanat
