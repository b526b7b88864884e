#include "names.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "common_words.h"
#include "hash.h"
#include "slot_index.h"
#include "stopwords.h"

namespace qanat {

namespace {

const std::unordered_set<std::string_view>& demonyms() {
    static const std::unordered_set<std::string_view> s{
        "iraqi", "iraqis", "iranian", "iranians", "american", "americans", "turkish", "turk", "turks",
        "syrian", "syrians", "kurdish", "kurd", "kurds", "arab", "arabs", "arabic", "israeli", "israelis",
        "lebanese", "saudi", "saudis", "jordanian", "jordanians", "egyptian", "egyptians", "russian",
        "russians", "chinese", "ukrainian", "ukrainians", "yemeni", "yemenis", "palestinian",
        "palestinians", "persian", "persians", "western", "eastern", "northern", "southern", "european",
        "europeans", "british", "french", "german", "germans", "sunni", "sunnis", "shia", "shias",
        "shiite", "shiites", "shi'a", "shi'ite", "shi'ites", "muslim", "muslims", "islamic", "islamist",
        "islamists", "christian", "christians", "jewish", "jews", "zionist", "ba'athist", "baathist",
        "soviet", "qatari", "emirati", "kuwaiti", "bahraini", "omani", "afghan", "afghans", "pakistani",
        "indian", "japanese", "korean", "asian", "african", "gulf", "middle", "turkmen", "yazidi",
        "yazidis", "assyrian", "alawite", "druze", "salafi", "wahhabi", "pro", "anti", "non", "post",
        "pre", "neo", "britannic", "arabian",
        // Beyond the region: the adjectives of the countries news copy names most.
        "canadian", "canadians", "australian", "australians", "brazilian", "brazilians", "swiss", "dutch",
        "italian", "italians", "belgian", "belgians", "spanish", "mexican", "mexicans", "argentine",
        "argentinian", "venezuelan", "colombian", "chilean", "peruvian", "ecuadorean", "ecuadorian",
        "nigerian", "indonesian", "malaysian", "philippine", "filipino", "thai", "taiwanese", "vietnamese",
        "swedish", "norwegian", "danish", "finnish", "greek", "polish", "hungarian", "czech", "romanian",
        "portuguese", "irish", "scottish", "welsh", "austrian", "zairean", "kenyan", "ghanaian",
        "zimbabwean", "zambian", "algerian", "libyan", "moroccan", "tunisian", "sudanese", "ethiopian",
        "bangladeshi", "nepalese", "burmese", "singaporean", "cuban", "bolivian", "uruguayan",
        "paraguayan", "icelandic", "yugoslav", "bulgarian", "albanian", "slovak",
        "nicaraguan", "nicaraguans", "salvadoran", "salvadorean", "guatemalan", "honduran", "panamanian",
        "haitian", "jamaican", "spaniard", "spaniards", "prussian", "bavarian", "armenian", "georgian",
        "azerbaijani", "kazakh", "uzbek", "serbian", "serb", "serbs", "croatian", "croat", "croats", "bosnian",
        "slovenian", "macedonian", "lithuanian", "latvian", "estonian", "belarusian", "moldovan", "mongolian",
        "tibetan", "somali", "somalis", "rwandan", "ugandan", "tanzanian", "angolan", "mozambican", "namibian",
        "senegalese", "congolese", "liberian",
        // A state's people, and the adjectives of political movements.
        "texan", "texans", "californian", "californians", "virginian", "virginians", "hawaiian", "alaskan",
        "communist", "communists", "stalinist", "marxist", "marxists", "leninist", "fascist", "fascists",
        "nazi", "nazis", "bolshevik", "bolsheviks"};
    return s;
}

/// Words that are titles, not names: stripped from the edges of a name.
const std::unordered_set<std::string_view>& titles() {
    static const std::unordered_set<std::string_view> s{
        "president", "prime", "minister", "secretary", "general", "mr", "mrs", "ms", "dr", "sir", "lord",
        "ayatollah", "grand", "supreme", "leader", "king", "queen", "prince", "princess", "sheikh",
        "senator", "ambassador", "foreign", "defense", "defence", "interior", "deputy", "vice", "chief",
        "commander", "colonel", "major", "captain", "lieutenant", "sergeant", "judge", "justice",
        "governor", "mayor", "speaker", "chairman", "chairwoman", "director", "professor", "pope",
        "cleric", "imam", "emir", "sultan", "premier", "state", "former", "late", "acting", "marshal",
        "admiral", "brigadier", "reverend", "rev", "congressman", "congresswoman", "presidents", "senators",
        "hon", "honorable", "honourable", "dear", "messrs", "madam", "dame", "rabbi", "bishop", "archbishop",
        "secretaries", "jr", "sr"};
    return s;
}

/// Capitalised words that are not names wherever they stand.
const std::unordered_set<std::string_view>& not_names() {
    static const std::unordered_set<std::string_view> s{
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "sunday", "today", "yesterday", "tomorrow", "ibid", "name", "email", "bio", "phone", "address",
        "username", "url", "company", "job", "birthdate", "followers", "following", "socials", "search",
        "i", "i'm", "i've", "i'd", "i'll", "god", "allah", "internet", "english", "o", "oh", "ok",
        "read", "more", "share", "related", "articles", "photo", "video", "getty", "images", "afp",
        "mr.", "conclusion", "introduction", "background", "summary",
        // Forms of address and of worship: "Fellow-Citizens", "the Almighty",
        // "Divine Providence", "His Britannic Majesty", "Your Excellency".
        "fellow-citizens", "fellow", "almighty", "divine", "providence", "creator", "majesty", "majesty's",
        "excellency", "highness", "lordship",
        // Abbreviations of measures and times, written in capitals in news copy.
        "gmt", "gnp", "gdp", "cpi", "pct", "dlr", "dlrs", "mln", "bln", "ecu", "ecus", "est", "edt", "cst",
        "cdt", "pst", "pdt", "bst", "aids",
        // Offices written as abbreviations: "an MP with the Coordination Framework".
        "mp", "mps", "pm", "ceo", "cfo", "coo"};
    return s;
}

/// Capitalised words that name no actor when they stand alone, though they
/// may be part of a name ("the Nation", "Earth", "Christmas", "FY 1981",
/// "A.D."; "Cherokee Nation" stays a name), and stand for a longer name
/// only as its short form ("White" for "Jack White").
/// "Republican", "Democratic": a party's adjective, its name only in full.
bool party_adjective(std::string_view folded) {
    return folded == "republican" || folded == "democratic" || folded == "democrat";
}

bool not_a_name_alone(std::string_view folded) {
    static const std::unordered_set<std::string_view> s{
        "nation", "nations", "earth", "christmas", "easter", "black", "white", "fy", "tv", "a.d", "a.d.", "b.c",
        "b.c.", "ad", "bc",
        // A party's members ("Republicans"); its adjective is party_adjective.
        "republicans", "democrats"};
    if (party_adjective(folded)) return true;
    // "FY2024", "FY88": a fiscal year, written as one word.
    if (folded.size() >= 4 && folded.size() <= 6 && folded.substr(0, 2) == "fy" &&
        std::all_of(folded.begin() + 2, folded.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return true;
    return s.count(folded) > 0;
}

/// A title that is also a surname ("Martin Luther King", "Stephen King").
bool surname_title(std::string_view folded) {
    return folded == "king" || folded == "bishop" || folded == "major" || folded == "judge" || folded == "marshal";
}


/// "IV", "XII": a Roman numeral (a part, a title's number), not a name.
bool roman_numeral(std::string_view w) {
    if (w.empty() || w.size() > 6) return false;
    return std::all_of(w.begin(), w.end(), [](char c) { return c == 'I' || c == 'V' || c == 'X' || c == 'L'; });
}

/// Words that open a sentence before a name but are no part of it: "Unless
/// Congress acts", "Possibly Congress will", "Later Roosevelt said", "Tell
/// America ...".
bool sentence_opener(std::string_view folded) {
    static const std::unordered_set<std::string_view> s{
        "unless", "possibly", "perhaps", "probably", "later", "earlier", "tell", "ask", "let", "thank", "thanks",
        "meanwhile", "moreover", "however", "therefore", "thus", "hence", "although", "though", "whereas",
        "whether", "because", "since", "until", "unlike", "like", "indeed", "instead", "still", "yet", "now",
        "then", "also", "even", "surely", "certainly", "clearly", "finally", "already", "again", "always",
        "never", "often", "sometimes", "today", "tonight", "yesterday", "tomorrow", "recently", "soon",
        "nevertheless", "nonetheless", "furthermore", "besides", "otherwise", "accordingly", "consequently",
        "regardless", "despite", "without", "within", "upon", "unfortunately", "fortunately", "hopefully",
        "obviously", "apparently", "eventually", "initially", "ultimately", "yes", "no", "well", "say",
        "says", "said", "do", "does", "did", "will", "would", "should", "could", "can", "may", "might", "must",
        "shall", "has", "have", "had", "is", "was", "were", "are", "give", "help", "make", "send", "join", "every"};
    return s.count(folded) > 0;
}

/// Titles that also begin the names of institutions ("General Motors",
/// "Supreme Court", "State Department", "Foreign Ministry").
/// A plural everyday word that says who ("critics", "leaders"), not the
/// head of an organisation's name ("Knights of Columbus").
bool plural_head(std::string_view folded) {
    static const std::unordered_set<std::string_view> names{
        "knights", "sons", "daughters", "friends", "veterans", "brothers", "sisters", "workers", "nations",
        "states", "islands", "mothers", "fathers", "soldiers", "servants", "ladies", "children", "citizens"};
    return folded.size() > 4 && folded.back() == 's' && folded[folded.size() - 2] != 's' && is_common_word(folded) &&
           !names.count(folded);
}

bool institution_word(std::string_view folded) {
    static const std::unordered_set<std::string_view> s{"general", "supreme", "state", "foreign", "defense",
                                                        "defence", "interior", "justice", "grand"};
    return s.count(folded) > 0;
}

/// "Jan 15", "Sept. 3": a month's abbreviation before a number is a date.
bool month_abbreviation(std::string_view folded) {
    static const std::unordered_set<std::string_view> s{"jan", "feb", "mar", "apr", "jun", "jul", "aug",
                                                        "sep", "sept", "oct", "nov", "dec"};
    return s.count(folded) > 0;
}

/// Words that end the name of an organisation: "Securities and Exchange
/// Commission", "Moody's Investors Service Inc", "Procter & Gamble Co".
bool organisation_head(std::string_view folded) {
    static const std::unordered_set<std::string_view> s{
        "commission", "company", "co", "corp", "corporation", "inc", "ltd", "plc", "bank", "board", "exchange",
        "trust", "group", "association", "institute", "department", "ministry", "council", "committee",
        "agency", "authority", "service", "services", "fund", "industries", "airlines", "brothers",
        "partners", "holdings", "organisation", "organization", "federation", "office", "bureau"};
    return s.count(folded) > 0;
}

/// Words that alone are only the legal form of a company ("Corp", "Inc").
bool company_suffix(std::string_view folded) {
    static const std::unordered_set<std::string_view> s{"corp", "inc", "co", "cos", "ltd", "plc", "llc",
                                                        "corporation", "incorporated", "ag", "sa", "nv", "bv"};
    return s.count(folded) > 0;
}

/// Roles that stand between names in a run of capitals ("Finance Minister
/// Kiichi Miyazawa"); narrower than titles(), which also strips "General".
bool role_word(std::string_view w) {
    static const std::unordered_set<std::string_view> s{
        "president", "minister", "governor", "secretary", "chairman", "chairwoman", "director", "ambassador",
        "senator", "spokesman", "spokeswoman", "leader", "ayatollah", "king", "queen", "prince", "sheikh",
        "commander", "mayor", "judge", "chancellor", "premier", "envoy", "adviser", "advisor", "analyst",
        "speaker", "representative", "exchequer", "secretaries"};
    return s.count(w) > 0;
}

/// Lower-case words allowed inside a name: "Ahmed al-Sharaa", "Department of State".
bool is_particle(std::string_view w) {
    return w == "al" || w == "el" || w == "bin" || w == "ibn" || w == "bint" || w == "de" || w == "van" ||
           w == "von" || w == "der" || w == "den" || w == "da" || w == "di" || w == "du" || w == "la" ||
           w == "le" || w == "abu" || w == "ul";
}
bool is_connector(std::string_view w) { return w == "of" || w == "for"; }

bool is_stopword(std::string_view w) {
    static const std::unordered_set<std::string_view> s = [] {
        std::unordered_set<std::string_view> x;
        for (auto sw : english_stopwords()) x.emplace(sw);
        for (const char* extra : {"also", "yet", "however", "since", "even", "still", "though", "although",
                                  "last", "next", "first", "many", "much", "several", "every", "another",
                                  "whether", "unlike", "like", "despite", "instead", "meanwhile", "thus",
                                  "indeed", "perhaps", "rather", "so", "such", "according", "amid", "among",
                                  "beyond", "within", "without", "toward", "towards", "upon", "via", "per"})
            x.emplace(extra);
        return x;
    }();
    return s.count(w) > 0;
}

std::string fold_word(std::string_view w) { return match_form(w); }

std::string_view strip_possessive(std::string_view s) {
    for (std::string_view p : {"'s", "\xE2\x80\x99s"})
        if (s.size() > p.size() && s.substr(s.size() - p.size()) == p) return s.substr(0, s.size() - p.size());
    return s;
}

/// Between two words of one name: spaces, hyphens, nothing else.
bool name_gap(std::string_view gap) {
    if (gap.empty() || gap.size() > 3) return false;
    for (char c : gap)
        if (c != ' ' && c != '-') return false;
    return true;
}

/// "Workers' Party", "Workers’ Party": a plural possessive between two words.
bool plural_possessive_gap(std::string_view prev_word, std::string_view gap) {
    if (prev_word.size() < 3 || (prev_word.back() != 's' && prev_word.back() != 'S')) return false;
    return gap == "' " || gap == "\xE2\x80\x99 ";
}

/// "George W. Bush": after a one-letter initial the gap may hold a full stop.
bool name_gap_after(std::string_view prev_word, std::string_view gap) {
    if (prev_word.size() == 1 && gap.size() == 2 && gap[0] == '.' && gap[1] == ' ') return true;
    return name_gap(gap);
}

/// The word at [s, e) begins a sentence (or a line, or a quotation).
bool sentence_initial(std::string_view t, std::size_t s) {
    std::size_t i = s;
    // Opening quotes and brackets before the word, closing quotes and
    // footnote markers ("[vii]") after the previous sentence are skipped.
    auto skip_back = [&]() {
        bool moved = true;
        while (moved && i > 0) {
            moved = false;
            if (t[i - 1] == ']') {
                std::size_t open = t.rfind('[', i - 1);
                if (open != std::string_view::npos && i - open <= 12) {
                    i = open;
                    moved = true;
                    continue;
                }
            }
            if (i >= 3 && (t.substr(i - 3, 3) == "\xE2\x80\x9D" || t.substr(i - 3, 3) == "\xE2\x80\x99")) {
                i -= 3;
                moved = true;
            } else if (t[i - 1] == '"' || t[i - 1] == '\'' || t[i - 1] == ')') {
                --i;
                moved = true;
            }
        }
    };
    while (i > 0) {
        unsigned char c = static_cast<unsigned char>(t[i - 1]);
        if (c == ' ' || c == '\t' || c == '"' || c == '(' || c == '[' || c == '\'' || c == '*') {
            --i;
            continue;
        }
        if (i >= 3 && (t.substr(i - 3, 3) == "\xE2\x80\x9C" || t.substr(i - 3, 3) == "\xE2\x80\x98")) {
            i -= 3;
            continue;
        }
        if (i >= 2 && t.substr(i - 2, 2) == "\xC2\xA0") {
            i -= 2;
            continue;
        }
        break;
    }
    if (i == 0) return true;
    skip_back();
    if (i == 0) return true;
    char p = t[i - 1];
    if (p == '\n' || p == '\r' || p == '.' || p == '!' || p == '?' || p == ':' || p == ';') return true;
    return i >= 3 && t.substr(i - 3, 3) == "\xE2\x80\xA6";
}

/// A line that is a heading: short, mostly capitalised words, no full stop.
/// `ws` are the line's words, in `text`, which the line ends at line_end.
bool heading_words(std::string_view text, std::span<const Span> ws, std::size_t line_end) {
    if (ws.empty() || ws.size() > 15) return false;
    if (text.substr(ws.back().end, line_end - ws.back().end).find('.') != std::string_view::npos) return false;
    std::size_t caps = 0, content = 0;
    for (auto w : ws) {
        std::string_view x = text.substr(w.start, w.end - w.start);
        if (x.size() <= 3) continue;
        ++content;
        if (starts_upper(x)) ++caps;
    }
    return content >= 2 && caps * 10 >= content * 6;
}

/// The same test for the line [line_start, line_end) of `text`, from the
/// text's words (`spans`, of which spans[i] is on the line) rather than
/// splitting the line again. Where the two splits may differ, the line is
/// split by itself: a word cut by the line's edge (a passage cut mid-word),
/// and a last word right after a full stop (words() reads one character past
/// a capital: "U.S.A" or "Д.А" ending the line is one word on its own, and
/// "U.S." and "A", or "Д" and "А", in the article).
bool heading_line(std::string_view text, const std::vector<Span>& spans, std::size_t i, std::size_t line_start,
                  std::size_t line_end) {
    std::size_t first = i, last = i;  // the line's words: [first, last)
    while (first > 0 && spans[first - 1].start >= line_start) --first;
    while (last < spans.size() && spans[last].end <= line_end) ++last;
    bool own_split = (first > 0 && spans[first - 1].end > line_start) ||
                     (last < spans.size() && spans[last].start < line_end);
    if (last > first && spans[last - 1].start > 0 && text[spans[last - 1].start - 1] == '.') own_split = true;
    if (own_split) {
        const std::string_view line = text.substr(line_start, line_end - line_start);
        return heading_words(line, words(line), line.size());
    }
    return heading_words(text, std::span<const Span>(spans).subspan(first, last - first), line_end);
}

struct Token {
    std::size_t start, end;
    std::uint32_t word;       ///< the folded word's number in the article (see find)
    std::string_view raw;     ///< without a possessive
    std::string_view folded;  ///< folded, without a possessive
    bool upper;               ///< starts with a capital
    bool initial;             ///< begins a sentence
    bool heading;             ///< on a heading line
    std::size_t region = 0;   ///< the prose region it is in: a name never spans two
};

/// After a name at `end`: a lower-case word that says it is a place
/// ("province", "provinces", "governorate", "district"), directly or after
/// "and" and another capitalised word ("Diyala and Salahuddin provinces").
bool place_follows(std::string_view t, std::size_t end) {
    static const std::unordered_set<std::string_view> words{"province", "provinces", "governorate", "governorates",
                                                            "district", "districts", "region", "city"};
    auto word_at = [&](std::size_t& p) {
        while (p < t.size() && t[p] == ' ') ++p;
        const std::size_t s = p;
        while (p < t.size() && (std::isalpha(static_cast<unsigned char>(t[p])) || (t[p] & 0x80))) ++p;
        return t.substr(s, p - s);
    };
    std::size_t p = end;
    std::string_view w = word_at(p);
    if (words.count(w)) return true;
    if (w != "and") return false;
    std::string_view other = word_at(p);
    if (other.empty() || !starts_upper(other)) return false;
    return words.count(word_at(p)) > 0;
}

}  // namespace

bool acronym(std::string_view w) {
    if (w.size() < 2 || w.size() > 10) return false;
    int letters = 0;
    bool dots = false;
    for (char c : w) {
        if (c >= 'A' && c <= 'Z') ++letters;
        else if (c == '.') dots = true;
        else if (!(c >= '0' && c <= '9')) return false;
    }
    return letters >= 2 && (!dots || w.back() == '.' || w.find("..") == std::string_view::npos);
}

bool is_demonym(std::string_view folded_word) { return demonyms().count(folded_word) > 0; }

bool compass_word(std::string_view folded) {
    return folded == "north" || folded == "south" || folded == "east" || folded == "west" || folded == "central" ||
           folded == "latin";
}

namespace {

/// Countries and regions news copy names, as places.
bool country_name(std::string_view folded) {
    static const std::unordered_set<std::string_view> s{
        "afghanistan", "albania", "algeria", "angola", "argentina", "armenia", "australia", "austria",
        "azerbaijan", "bahrain", "bangladesh", "belarus", "belgium", "bolivia", "bosnia", "brazil", "britain",
        "bulgaria", "burma", "cambodia", "cameroon", "canada", "chad", "chile", "china", "colombia", "congo",
        "croatia", "cuba", "cyprus", "czechoslovakia", "denmark", "ecuador", "egypt", "england", "eritrea",
        "estonia", "ethiopia", "europe", "africa", "asia", "finland", "france", "georgia", "germany", "ghana",
        "greece", "guatemala", "haiti", "honduras", "hungary", "iceland", "india", "indonesia", "iran", "iraq",
        "ireland", "israel", "italy", "jamaica", "japan", "jordan", "kazakhstan", "kenya", "korea", "kosovo",
        "kuwait", "kyrgyzstan", "laos", "latvia", "lebanon", "liberia", "libya", "lithuania", "luxembourg",
        "malaysia", "mali", "malta", "mexico", "moldova", "mongolia", "morocco", "mozambique", "myanmar",
        "namibia", "nepal", "netherlands", "holland", "nicaragua", "niger", "nigeria", "norway", "oman",
        "pakistan", "palestine", "panama", "paraguay", "peru", "philippines", "poland", "portugal", "qatar",
        "romania", "russia", "rwanda", "scotland", "senegal", "serbia", "singapore", "slovakia", "slovenia",
        "somalia", "spain", "sudan", "sweden", "switzerland", "syria", "taiwan", "tajikistan", "tanzania",
        "thailand", "tunisia", "turkey", "turkiye", "türkiye", "turkmenistan", "uganda", "ukraine", "uruguay",
        "uzbekistan", "venezuela", "vietnam", "wales", "yemen", "yugoslavia", "zaire", "zambia", "zimbabwe",
        "america", "saudi arabia", "sri lanka", "costa rica", "el salvador", "hong kong", "puerto rico",
        "soviet union", "ivory coast", "sierra leone", "burkina faso", "gaza", "west bank", "kurdistan",
        // The states of the United States (not Washington, also a name),
        // and cities news copy names most.
        "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware",
        "florida", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky", "louisiana", "maine",
        "maryland", "massachusetts", "michigan", "minnesota", "mississippi", "missouri", "montana", "nebraska",
        "nevada", "new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota",
        "ohio", "oklahoma", "oregon", "pennsylvania", "rhode island", "south carolina", "south dakota",
        "tennessee", "texas", "utah", "vermont", "virginia", "west virginia", "wisconsin", "wyoming",
        "london", "paris", "berlin", "moscow", "tokyo", "beijing", "peking", "rome", "madrid", "vienna",
        "cairo", "baghdad", "tehran", "damascus", "beirut", "jerusalem", "kabul", "ankara", "istanbul",
        "riyadh", "amman", "geneva", "brussels", "chicago", "los angeles", "san francisco", "boston",
        "philadelphia", "new orleans", "prussia"};
    return s.count(folded) > 0;
}

/// A word that may be a given name before such a surname: not an English
/// word ("Federal Judge", "Field Marshal", "Army Major"), an acronym ("US
/// Marshal"), a demonym, a church ("Catholic Bishop") or a country.
bool given_name_like(std::string_view raw, std::string_view folded) {
    static const std::unordered_set<std::string_view> churches{
        "catholic", "anglican", "orthodox", "episcopal", "methodist", "lutheran", "baptist", "presbyterian", "roman"};
    return !is_common_word(folded) && !acronym(raw) && !is_demonym(folded) && !country_name(folded) &&
           !churches.count(folded);
}

/// Names news copy writes short, with the actor they stand for: "U.S.",
/// "U.N.", "U.K.", "USSR" (folded; see short_name_of).
std::optional<std::pair<const char*, ActorKind>> short_name(std::string_view folded) {
    static const std::unordered_map<std::string_view, std::pair<const char*, ActorKind>> m{
        {"u.s.", {"United States", ActorKind::Place}},    {"u.s", {"United States", ActorKind::Place}},
        {"u.s.a.", {"United States", ActorKind::Place}},  {"u.s.a", {"United States", ActorKind::Place}},
        {"usa", {"United States", ActorKind::Place}},     {"u.n.", {"United Nations", ActorKind::Organisation}},
        {"u.n", {"United Nations", ActorKind::Organisation}}, {"u.k.", {"United Kingdom", ActorKind::Place}},
        {"u.k", {"United Kingdom", ActorKind::Place}},    {"ussr", {"Soviet Union", ActorKind::Place}},
        {"u.s.s.r.", {"Soviet Union", ActorKind::Place}}, {"u.s.s.r", {"Soviet Union", ActorKind::Place}}};
    auto it = m.find(folded);
    if (it == m.end()) return std::nullopt;
    return it->second;
}

/// short_name of a name as written; "US" too, in capitals ("us" is a word).
std::optional<std::pair<const char*, ActorKind>> short_name_of(std::string_view name) {
    if (name == "US") return std::pair<const char*, ActorKind>{"United States", ActorKind::Place};
    return short_name(fold(name));
}

}  // namespace

ActorKind guess_kind(std::string_view name) {
    static const std::vector<std::pair<const char*, ActorKind>> keys{
        {"forces", ActorKind::Group},         {"brigades", ActorKind::Group},
        {"brigade", ActorKind::Group},        {"militia", ActorKind::Group},
        {"army", ActorKind::Group},           {"front", ActorKind::Group},
        {"resistance", ActorKind::Group},     {"movement", ActorKind::Organisation},
        {"party", ActorKind::Organisation},   {"framework", ActorKind::Organisation},
        {"council", ActorKind::Organisation}, {"ministry", ActorKind::Organisation},
        {"department", ActorKind::Organisation}, {"university", ActorKind::Organisation},
        {"institute", ActorKind::Organisation}, {"center", ActorKind::Organisation},
        {"centre", ActorKind::Organisation},  {"agency", ActorKind::Organisation},
        {"committee", ActorKind::Organisation}, {"coalition", ActorKind::Organisation},
        {"alliance", ActorKind::Organisation}, {"union", ActorKind::Organisation},
        {"bank", ActorKind::Organisation},    {"company", ActorKind::Organisation},
        {"corporation", ActorKind::Organisation}, {"group", ActorKind::Organisation},
        {"association", ActorKind::Organisation}, {"commission", ActorKind::Organisation},
        {"court", ActorKind::Organisation},   {"office", ActorKind::Organisation},
        {"service", ActorKind::Organisation}, {"command", ActorKind::Organisation},
        {"news", ActorKind::Organisation},    {"operations", ActorKind::Organisation},    {"times", ActorKind::Organisation},
        {"post", ActorKind::Organisation},    {"press", ActorKind::Organisation},
        {"journal", ActorKind::Organisation}, {"foundation", ActorKind::Organisation},
        {"affairs", ActorKind::Organisation}, {"review", ActorKind::Organisation},  // Foreign Affairs
        {"magazine", ActorKind::Organisation}, {"tribune", ActorKind::Organisation},
        {"herald", ActorKind::Organisation},  {"gazette", ActorKind::Organisation},
        {"monitor", ActorKind::Organisation}, {"telegraph", ActorKind::Organisation},
        {"congress", ActorKind::Organisation}, {"senate", ActorKind::Organisation},
        {"treasury", ActorKind::Organisation}, {"cabinet", ActorKind::Organisation},
        {"administration", ActorKind::Organisation}, {"navy", ActorKind::Group},
        {"corps", ActorKind::Group},
        {"organization", ActorKind::Organisation}, {"organisation", ActorKind::Organisation},
        {"assembly", ActorKind::Organisation}, {"parliament", ActorKind::Organisation},
        {"government", ActorKind::Organisation}, {"authority", ActorKind::Organisation},
        {"province", ActorKind::Place},       {"governorate", ActorKind::Place},
        {"city", ActorKind::Place},           {"region", ActorKind::Place},
        {"river", ActorKind::Place},          {"mountains", ActorKind::Place},
        {"valley", ActorKind::Place},         {"sea", ActorKind::Place},
        {"strait", ActorKind::Place},         {"island", ActorKind::Place},
        {"prison", ActorKind::Place},         {"camp", ActorKind::Place},
        {"airport", ActorKind::Place},        {"district", ActorKind::Place},
        {"county", ActorKind::Place},         {"state", ActorKind::Place},
        {"states", ActorKind::Place},         {"gulf", ActorKind::Place},
        {"bay", ActorKind::Place},            {"ocean", ActorKind::Place},
        {"lake", ActorKind::Place},           {"islands", ActorKind::Place},
        {"isle", ActorKind::Place},           {"peninsula", ActorKind::Place},
        {"coast", ActorKind::Place},          {"canal", ActorKind::Place},
        {"republic", ActorKind::Place},       {"kingdom", ActorKind::Place},
        {"emirates", ActorKind::Place},       {"territory", ActorKind::Place},
        {"nations", ActorKind::Organisation}, {"house", ActorKind::Organisation},
        {"indians", ActorKind::Group},        {"tribe", ActorKind::Group},
        {"tribes", ActorKind::Group},         {"cross", ActorKind::Organisation},
        {"heights", ActorKind::Place}};
    static const std::unordered_map<std::string_view, ActorKind> kind_of = [] {
        std::unordered_map<std::string_view, ActorKind> m;
        for (const auto& [k, kind] : keys) m.emplace(k, kind);
        return m;
    }();
    const auto ws = words(name);
    // Each word folded once (the checks below look at them several times).
    std::vector<std::string> f(ws.size());
    for (std::size_t k = 0; k < ws.size(); ++k) f[k] = fold_word(name.substr(ws[k].start, ws[k].end - ws[k].start));
    if (ws.size() <= 3) {
        std::string whole;
        for (std::size_t k = 0; k < f.size(); ++k) whole += (k ? " " : "") + f[k];
        if (country_name(whole)) return ActorKind::Place;
    }
    // "Procter & Gamble Co", "Exxon Corp": a company.
    if (ws.size() >= 2 && company_suffix(f.back())) return ActorKind::Organisation;
    // "Department of State", "Bank of England": what comes before "of" says
    // what the name is.
    for (std::size_t k = 1; k + 1 < ws.size(); ++k) {
        if (!is_connector(f[k])) continue;
        for (std::size_t m = k; m-- > 0;) {
            auto hit = kind_of.find(f[m]);
            if (hit != kind_of.end()) return hit->second;
        }
        break;
    }
    for (auto it = f.rbegin(); it != f.rend(); ++it) {
        auto hit = kind_of.find(*it);
        if (hit != kind_of.end()) return hit->second;
    }
    if (ws.size() == 1) return acronym(name) ? ActorKind::Organisation : ActorKind::Unknown;
    // "al-Qaida": one name word after a particle says no more than one word
    // does (a person's name is found with a given name: "Abu Bakr
    // al-Baghdadi", and the short form then links to it).
    if (ws.size() == 2 && is_particle(f[0]) && !starts_upper(name)) return ActorKind::Unknown;  // (not "Al Gore")
    // "Voice of America", "Members of Congress": not a person's name.
    for (std::size_t k = 1; k + 1 < ws.size(); ++k)
        if (is_connector(f[k])) return ActorKind::Unknown;
    // "New Mexico", "Latin America", "Great Britain", "North Korea", "Middle
    // East": a place.
    static const std::unordered_set<std::string_view> place_first{
        "new", "latin", "central", "north", "south", "east", "west", "northern", "southern", "eastern",
        "western", "upper", "lower", "great", "greater", "middle", "far", "near", "rio", "san", "santa",
        "porto", "puerto", "buenos", "fort", "port", "mount", "cape", "los", "las", "santo", "sao"};
    if (ws.size() <= 3 && place_first.count(f[0])) return ActorKind::Place;
    // Laws, plans, wars and dates ("Voting Rights Act", "World War II",
    // "Social Security", "Fiscal Year"), and names holding a country's
    // ("Santiago Spain", "America Reads"): not a person's.
    static const std::unordered_set<std::string_view> not_person{
        "act", "acts", "amendment", "treaty", "war", "wars", "doctrine", "constitution", "plan", "program",
        "programme", "law", "accord", "accords", "convention", "declaration", "initiative", "security",
        "message", "year", "day", "week", "century", "revolution", "crisis", "depression"};
    for (const auto& w : f)
        if (not_person.count(w)) return ActorKind::Unknown;
    // A country's name after a given name is a surname ("Michael Jordan",
    // "Jack London"); elsewhere it is no person's ("America Reads", "Siemens
    // America").
    for (std::size_t k = 0; k < f.size(); ++k)
        if (country_name(f[k]) && (k == 0 || !is_proper_noun(f[0]))) return ActorKind::Unknown;
    // A person's first and last names are not ordinary English words (the
    // word list leaves out those that are names too: "Bill", "Baker",
    // "Bush"), nor is the first a demonym: "Military Academy", "Wall
    // Street", "Pension Bureau", "Chinese Empire" name no one.
    const std::string_view last_raw = name.substr(ws.back().start, ws.back().end - ws.back().start);
    if (is_common_word(f.front()) || (is_common_word(f.back()) && !roman_numeral(last_raw)) || is_demonym(f.front()))
        return ActorKind::Unknown;
    if (ws.size() <= 5) return ActorKind::Person;
    return ActorKind::Unknown;
}

std::vector<NamedMention> ActorFinder::find(std::string_view text, const std::vector<TextRegion>& regions) const {
    const std::vector<Span> spans = words(text);
    std::vector<std::string> folded;
    folded.reserve(spans.size());
    for (auto w : spans) folded.push_back(match_form(text.substr(w.start, w.end - w.start)));
    return find(text, regions, spans, folded);
}

WordNumbers number_words(const std::vector<std::string>& folded) {
    WordNumbers n;
    n.of.resize(folded.size());
    SlotIndex index;
    for (std::size_t i = 0; i < folded.size(); ++i) {
        const std::uint64_t h = fnv1a64(folded[i]);
        index.make_room(n.hashes.size(), [&](std::size_t k) { return n.hashes[k]; });
        const std::size_t slot =
            index.find(h, [&](std::size_t k) { return n.hashes[k] == h && folded[n.first[k]] == folded[i]; });
        if (!index.taken(slot)) {
            index.put(slot, n.hashes.size());
            n.hashes.push_back(h);
            n.first.push_back(i);
        }
        n.of[i] = static_cast<std::uint32_t>(index.entry(slot));
    }
    return n;
}

std::vector<NamedMention> ActorFinder::find(std::string_view text, const std::vector<TextRegion>& regions,
                                            const std::vector<Span>& spans,
                                            const std::vector<std::string>& folded) const {
    return find(text, regions, spans, folded, number_words(folded));
}

std::vector<NamedMention> ActorFinder::find(std::string_view text, const std::vector<TextRegion>& regions,
                                            const std::vector<Span>& spans, const std::vector<std::string>& folded,
                                            const WordNumbers& numbers) const {
    std::vector<NamedMention> out;

    // 1. Gazetteer matches everywhere (left to right, no overlaps).
    for (const auto& m : g_.mentions(text, spans, folded)) {
        const Actor& a = g_.actors()[m.actor];
        out.push_back({m.start, m.end, a.name, a.kind, false});
    }
    const std::size_t gazetteer_count = out.size();
    auto covered = [&](std::size_t s, std::size_t e) {
        auto it = std::partition_point(out.begin(), out.begin() + static_cast<long>(gazetteer_count),
                                       [&](const NamedMention& m) { return m.end <= s; });
        return it != out.begin() + static_cast<long>(gazetteer_count) && it->start < e;
    };

    // Each folded word has a number, the same wherever it occurs: the sets
    // of words below are flags by that number.
    const std::vector<std::uint32_t>& word = numbers.of;
    const std::size_t words_met = numbers.size();

    // Tokens of the prose regions, with what the rules need to know.
    std::vector<Token> toks;
    toks.reserve(spans.size());
    std::size_t region = 0, line_start = std::string_view::npos, line_end = 0;
    bool heading = false;
    for (std::size_t i = 0; i < spans.size(); ++i) {
        const Span w = spans[i];
        while (region < regions.size() && regions[region].end <= w.start) ++region;
        if (region >= regions.size()) break;
        const TextRegion& r = regions[region];
        if (!r.prose || w.start < r.start || w.end > r.end) continue;
        if (line_start == std::string_view::npos || w.start >= line_end || w.start < line_start) {
            // The line, within the region (a search over the whole text for
            // each region made a long one-line article quadratic).
            std::size_t ls = w.start;
            while (ls > r.start && text[ls - 1] != '\n') --ls;
            line_start = ls;
            std::size_t le = text.substr(0, r.end).find('\n', w.start);
            line_end = le == std::string_view::npos ? r.end : le;
            heading = heading_line(text, spans, i, line_start, line_end);
        }
        Token t;
        t.start = w.start;
        t.end = w.end;
        std::string_view x = text.substr(t.start, t.end - t.start);
        t.raw = strip_possessive(x);
        t.folded = folded[i];
        t.word = word[i];
        t.upper = starts_upper(x);
        t.initial = t.upper && sentence_initial(text, t.start);
        t.heading = heading;
        t.region = region;
        toks.push_back(t);
    }
    // Capitalised words that the article also writes in lower case, unless
    // it capitalises them inside sentences at least three times as often
    // ("Congress" 31 times and "an international congress" once).
    std::vector<char> lower_words(words_met);
    // Words capitalised inside a sentence somewhere in the article: names
    // there, so at the start of a sentence too ("Japan said ...").
    std::vector<char> named_inside(words_met);
    {
        std::vector<char> capitalised(words_met);
        std::vector<std::uint32_t> inside(words_met), lower(words_met);
        for (const auto& t : toks)
            if (t.upper) {
                capitalised[t.word] = 1;
                if (!t.initial && !t.heading) {
                    named_inside[t.word] = 1;
                    ++inside[t.word];
                }
            }
        for (std::size_t i = 0; i < spans.size(); ++i)
            if (capitalised[word[i]] && !starts_upper(text.substr(spans[i].start, spans[i].end - spans[i].start)))
                ++lower[word[i]];
        for (std::size_t w = 0; w < words_met; ++w) lower_words[w] = lower[w] > 0 && 3 * lower[w] > inside[w];
    }

    // 2. Capitalised sequences the gazetteer does not know.
    struct Candidate {
        std::size_t first, last;  // token indexes, inclusive
    };
    std::vector<Candidate> cands;
    // Where the word at `start` follows a particle and a hyphen ("al-Qaida",
    // "al-Arab" of "Shatt al-Arab"): the particle's start, else npos.
    auto particle_before = [&](std::size_t start) -> std::size_t {
        if (start < 3 || text[start - 1] != '-') return std::string_view::npos;
        std::size_t b = start - 1;
        while (b > 0 && std::isalpha(static_cast<unsigned char>(text[b - 1]))) --b;
        if (b > 0 && !std::isspace(static_cast<unsigned char>(text[b - 1])) && text[b - 1] != '(' && text[b - 1] != '"')
            return std::string_view::npos;
        const std::string p = fold_word(text.substr(b, start - 1 - b));
        return p.size() >= 2 && is_particle(p) && p != "de" && p != "la" && p != "le" ? b : std::string_view::npos;
    };
    auto after_particle = [&](std::size_t start) { return particle_before(start) != std::string_view::npos; };
    for (std::size_t i = 0; i < toks.size();) {
        const Token& t = toks[i];
        // "anti-Americanism", "pro-Tehran": the second half of a compound.
        bool compound = t.start >= 2 && text[t.start - 1] == '-' && !starts_upper(text.substr(t.start - 2)) &&
                        std::isalpha(static_cast<unsigned char>(text[t.start - 2])) && !after_particle(t.start);
        if (!t.upper || t.heading || compound || covered(t.start, t.end)) {
            ++i;
            continue;
        }
        // The last token of the run of capitals from k (names only, no particles).
        auto run_end = [&](std::size_t k) {
            while (k + 1 < toks.size() && toks[k + 1].upper && !toks[k + 1].heading && toks[k + 1].region == toks[k].region &&
                   !covered(toks[k + 1].start, toks[k + 1].end) &&
                   toks[k].raw.size() == toks[k].end - toks[k].start &&
                   name_gap_after(toks[k].raw, text.substr(toks[k].end, toks[k + 1].start - toks[k].end)))
                ++k;
            return k;
        };
        // An organisation's name goes on over "and" or "&" when what follows
        // ends it ("Securities and Exchange Commission", "Procter & Gamble
        // Co"), not when what comes before is whole already ("Texas Air Corp
        // and Continental", "IMF and World Bank").
        auto organisation_goes_on = [&](std::size_t j, std::size_t next) {
            if (next >= toks.size() || !toks[next].upper || toks[next].heading || covered(toks[next].start, toks[next].end))
                return false;
            if (organisation_head(toks[j].folded) || acronym(toks[j].raw)) return false;
            return organisation_head(toks[run_end(next)].folded);
        };
        std::size_t j = i;
        while (j + 1 < toks.size()) {
            const Token& n = toks[j + 1];
            std::string_view gap = text.substr(toks[j].end, n.start - toks[j].end);
            // A possessive ends a name: "Canada's East" is Canada ("Britain's
            // Trade and Industry Department" too, which is why "Moody's
            // Investors Service" is two names).
            if (toks[j].raw.size() < toks[j].end - toks[j].start) break;
            if (n.heading || covered(n.start, n.end)) break;
            // Two passages (a long paragraph cut between "Arran" and "Robert").
            if (n.region != toks[j].region || (j + 2 < toks.size() && toks[j + 2].region != toks[j].region && !n.upper))
                break;
            // A capitalised "And" or "The" in running text does not join two
            // names ("the U.S. And Japan"); "Of" and "For" may ("Bank Of Japan").
            if (n.upper && is_stopword(n.folded) && !is_connector(n.folded)) break;
            if (n.upper && (gap == " & " || gap == "&") && organisation_goes_on(j, j + 1)) {
                ++j;
                continue;
            }
            if (!n.upper && n.folded == "and" && name_gap(gap) && j + 2 < toks.size() &&
                name_gap(text.substr(n.end, toks[j + 2].start - n.end)) && organisation_goes_on(j, j + 2)) {
                j += 2;
                continue;
            }
            if (n.upper && name_gap_after(toks[j].raw, gap)) {
                ++j;
                continue;
            }
            // "Kurdistan Workers' Party", "Veterans’ Affairs Department": a
            // plural possessive inside an organisation's name.
            // The plural is an everyday word ("Workers", not "Buenos Aires'"),
            // and a word that says what the organisation is ends the run
            // ("Party", not "NASA": "the United States' NASA").
            if (n.upper && plural_possessive_gap(toks[j].raw, gap) && !covered(n.start, n.end) &&
                is_common_word(toks[j].folded)) {
                const Token& last = toks[run_end(j + 1)];
                const ActorKind k = acronym(last.raw) ? ActorKind::Unknown : guess_kind(last.raw);
                if (k == ActorKind::Organisation || k == ActorKind::Group) {
                    ++j;
                    continue;
                }
            }
            // al-Sharaa, bin Salman, Department of State
            if (!n.upper && (is_particle(n.folded) || is_connector(n.folded)) && name_gap(gap) && j + 2 < toks.size() &&
                toks[j + 2].upper && !toks[j + 2].heading && !covered(toks[j + 2].start, toks[j + 2].end) &&
                name_gap(text.substr(n.end, toks[j + 2].start - n.end))) {
                j += 2;
                continue;
            }
            break;
        }
        // A role inside a run separates two names: "Bank of Japan Governor
        // Satoshi Sumita" is the Bank of Japan and Satoshi Sumita.
        // A role that is also a surname and ends the run after a name is
        // the surname: "Martin Luther King (Jr.)", "Stephen King".
        auto last_name = [&](std::size_t k) {
            if (k == i || !surname_title(toks[k].folded) || !given_name_like(toks[k - 1].raw, toks[k - 1].folded))
                return false;
            for (std::size_t m = k + 1; m <= j; ++m)
                if (toks[m].folded != "jr" && toks[m].folded != "sr") return false;
            return true;
        };
        std::size_t from = i;
        for (std::size_t k = i; k <= j; ++k) {
            if (!role_word(toks[k].folded) || last_name(k)) continue;
            if (k > from) cands.push_back({from, k - 1});
            from = k + 1;
        }
        if (from <= j) cands.push_back({from, j});
        i = j + 1;
    }

    auto dated = [&](const Token& t) {
        if (!month_abbreviation(t.folded)) return false;
        std::size_t k = t.end;
        while (k < text.size() && (text[k] == '.' || text[k] == ' ')) ++k;
        return k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]));
    };
    auto common = [&](const Token& t) {
        return is_stopword(t.folded) || not_names().count(t.folded) || is_demonym(t.folded) ||
               titles().count(t.folded) || (t.initial && lower_words[t.word]) || dated(t);
    };

    struct Detected {
        std::size_t start, end;
        std::string name;
        std::vector<std::string> folded_words;
        bool link_only = false;  ///< "the Bank": a name only as the short form of a longer one
    };
    std::vector<Detected> detected;
    for (auto c : cands) {
        long a = static_cast<long>(c.first), b = static_cast<long>(c.last);
        // Strip leading words that are common, titles, demonyms or sentence-initial ordinary words,
        // and trailing titles, demonyms and connectors.
        auto edge_junk = [&](const Token& t) {
            return common(t) || is_particle(t.folded) || is_connector(t.folded);
        };
        // A leading demonym goes only before a title or another demonym
        // ("Turkish President ...", "Iranian Kurdish ..."): "European Community"
        // and "Syrian Democratic Forces" are names.
        // "New" goes only before a title or a demonym ("New Iraqi Prime
        // Minister"): "New York" and "New Zealand" are names. A title goes
        // before a name ("General Petraeus") but stays before an ordinary word
        // that is not a title: "General Motors", "Supreme Court", "State
        // Department" are names.
        auto leading_junk = [&](long i) {
            const Token& t = toks[static_cast<std::size_t>(i)];
            const Token* n = i < b ? &toks[static_cast<std::size_t>(i + 1)] : nullptr;
            auto before_title = [&] { return n && (titles().count(n->folded) > 0 || is_demonym(n->folded)); };
            if (t.folded == "new") return !n || before_title() || is_stopword(n->folded);
            // "West German", "Latin American": a compass word before a demonym is part of it.
            if (n && is_demonym(n->folded) && compass_word(t.folded)) return true;
            // "Saudi Arabian": one demonym of two words; "Saudi Arabian
            // Airlines" keeps it, "Saudi Arabian oil minister" names no one.
            if (t.folded == "saudi" && n && n->folded == "arabian") return false;
            // "Abu Bakr al-Baghdadi", "Bin Laden": a particle that begins a name.
            if (t.upper && (t.folded == "abu" || t.folded == "bin" || t.folded == "ibn") && n && n->upper) return false;
            if (is_demonym(t.folded)) return !n || before_title();
            // "Republican Abraham Lincoln", "Democratic Senator Byrd": a
            // party's adjective before a person's name (its word was then
            // taken for the person in every "Republican values").
            // ("Republican Party", "Democratic Republic of the Congo" keep it.)
            if (party_adjective(t.folded) && n && n->upper &&
                (before_title() ||
                 guess_kind(text.substr(n->start, toks[static_cast<std::size_t>(b)].end - n->start)) == ActorKind::Person))
                return true;
            if (t.initial && sentence_opener(t.folded)) return true;
            // "First Lady Laura Bush": a title ("Lady Gaga", "Lady Bird
            // Johnson" keep theirs).
            if (t.folded == "lady" && i > 0 && toks[static_cast<std::size_t>(i - 1)].folded == "first" && n && n->upper)
                return true;
            // "Critics of Hamdi Malik", "Leaders of Iraq", "Associates of
            // Volcker": a plural everyday word before "of" says who, and is
            // no part of the name, at a sentence's start or where the article
            // also writes it in lower case ("the Governments of Great
            // Britain"). ("Knights of Columbus", "Veterans of Foreign Wars"
            // and the like keep it.)
            if (n && n->folded == "of" && (t.initial || lower_words[t.word]) && plural_head(t.folded)) return true;
            if (institution_word(t.folded) && n && !before_title() && is_common_word(n->folded) &&
                !is_proper_noun(n->folded) && !role_word(n->folded) && !dated(*n))
                return false;
            return edge_junk(t);
        };
        while (a <= b && leading_junk(a)) ++a;
        // A title after "of" or "for" ends an institution's name: "Department
        // of State", "Ministry of Defence".
        auto institution_end = [&](long k) {
            const Token& t = toks[static_cast<std::size_t>(k)];
            return k >= a + 2 && t.upper && titles().count(t.folded) > 0 &&
                   is_connector(toks[static_cast<std::size_t>(k - 1)].folded) &&
                   !common(toks[static_cast<std::size_t>(k - 2)]);
        };
        // A title that is also a surname ends a person's name after a name:
        // "Martin Luther King", "Coretta Scott King" (not "Saudi King").
        auto surname_end = [&](long k) {
            const Token& t = toks[static_cast<std::size_t>(k)];
            if (k <= a || !t.upper || !surname_title(t.folded)) return false;
            const Token& p = toks[static_cast<std::size_t>(k - 1)];
            return p.upper && !edge_junk(p) && given_name_like(p.raw, p.folded) && p.end + 1 == t.start;
        };
        while (b >= a && edge_junk(toks[static_cast<std::size_t>(b)]) && !institution_end(b) && !surname_end(b) &&
               !(b == a && !common(toks[static_cast<std::size_t>(b)])) &&
               !(b > a && toks[static_cast<std::size_t>(b)].upper && after_particle(toks[static_cast<std::size_t>(b)].start)))
            --b;
        if (a > b) continue;
        // "VETERANS With the authorization ...", "FOREIGN RELATIONS The
        // Committee ...": a heading run into its paragraph, in capitals, in
        // text that is not: words in capitals, one an everyday word of four
        // letters or more, name no one ("NATO", "OPEC", "U.S." are no
        // everyday words).
        {
            bool capitals = true, everyday = false;
            for (long k = a; k <= b && capitals; ++k) {
                const Token& t = toks[static_cast<std::size_t>(k)];
                if (!t.upper && is_connector(t.folded)) continue;
                capitals = std::none_of(t.raw.begin(), t.raw.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; });
                everyday = everyday || (t.raw.size() >= 4 && is_common_word(t.folded));
            }
            if (capitals && everyday) {
                const std::size_t from = toks[static_cast<std::size_t>(a)].start;
                std::size_t ls = from, le = toks[static_cast<std::size_t>(b)].end;
                while (ls > 0 && text[ls - 1] != '\n') --ls;
                while (le < text.size() && text[le] != '\n') ++le;
                const std::string_view line = text.substr(ls, le - ls);
                if (std::any_of(line.begin(), line.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; })) continue;
            }
        }
        // Words inside a multi-word name may be ordinary words; a single word may not.
        bool short_form = false;
        if (a == b) {
            const Token& t = toks[static_cast<std::size_t>(a)];
            // At the start of a sentence only an acronym or a word the
            // dictionary knows only as a name ("Japan") is taken for a name.
            // So is a possessive there ("Japan's trade surplus"), unless the word is common.
            bool possessive = t.raw.size() < static_cast<std::size_t>(t.end - t.start);
            if (t.initial && !acronym(t.raw) && !is_proper_noun(t.folded) && !(possessive && !is_common_word(t.folded)) &&
                !(named_inside[t.word] && !lower_words[t.word]))
                continue;
            // "the Bank", "the Framework" inside a sentence: the short form of
            // an organisation's name, if the article names one (step 4).
            const ActorKind own = t.initial ? ActorKind::Unknown : guess_kind(t.raw);
            // ("War", "Divine": an English word, not a name.)
            if (common(t) || lower_words[t.word] || company_suffix(t.folded) || is_common_word(t.folded)) {
                short_form = !t.initial && !t.heading && (own == ActorKind::Organisation || own == ActorKind::Group) &&
                             a > 0 && toks[static_cast<std::size_t>(a - 1)].folded == "the" &&
                             toks[static_cast<std::size_t>(a - 1)].end + 1 == t.start;
                if (!short_form) continue;
            }
            if (t.folded.size() > 4 && t.folded.compare(t.folded.size() - 3, 3, "ism") == 0) continue;
            if (roman_numeral(t.raw)) continue;
            if (not_a_name_alone(t.folded)) short_form = true;  // (kept only as a longer name's short form)
            if (t.raw.size() < 3 && !acronym(t.raw)) continue;
        } else {
            bool all_common = true;
            for (long k = a; k <= b; ++k)
                if (!edge_junk(toks[static_cast<std::size_t>(k)]) && !company_suffix(toks[static_cast<std::size_t>(k)].folded))
                    all_common = false;
            if (all_common) continue;
        }
        Detected d;
        d.start = toks[static_cast<std::size_t>(a)].start;
        if (const std::size_t p = particle_before(d.start); p != std::string_view::npos) d.start = p;  // al-Qaida
        d.end = toks[static_cast<std::size_t>(b)].end;
        std::string_view span = text.substr(d.start, d.end - d.start);
        d.name = strip_possessive(span);
        d.end = d.start + d.name.size();
        for (long k = a; k <= b; ++k) d.folded_words.emplace_back(toks[static_cast<std::size_t>(k)].folded);
        d.link_only = short_form;
        detected.push_back(std::move(d));
    }

    // 3. Abbreviations defined in the text: "Full Name (ABBR)".
    std::map<std::string, std::pair<std::string, ActorKind>> abbrev;  // ABBR -> actor
    // The names that end at each place (the first of each list), for "Name (ABBR)".
    std::unordered_map<std::size_t, std::size_t> listed_end, detected_end;
    for (std::size_t k = 0; k < out.size(); ++k)
        if (!out[k].detected) listed_end.emplace(out[k].end, k);
    for (std::size_t k = 0; k < detected.size(); ++k)
        if (detected[k].folded_words.size() >= 2) detected_end.emplace(detected[k].end, k);
    auto defined_before = [&](std::size_t paren) -> std::pair<std::string, ActorKind> {
        std::size_t p = paren;
        while (p > 0 && text[p - 1] == ' ') --p;
        if (auto it = listed_end.find(p); it != listed_end.end()) return {out[it->second].name, out[it->second].kind};
        if (auto it = detected_end.find(p); it != detected_end.end())
            return {detected[it->second].name, guess_kind(detected[it->second].name)};
        return {};
    };
    for (std::size_t p = text.find('('); p != std::string_view::npos; p = text.find('(', p + 1)) {
        std::size_t q = text.find(')', p);
        if (q == std::string_view::npos || q - p - 1 < 2 || q - p - 1 > 8) continue;
        std::string ab(text.substr(p + 1, q - p - 1));
        if (!acronym(ab)) continue;
        auto who = defined_before(p);
        if (!who.first.empty()) abbrev.emplace(ab, who);
    }
    // Detected single words that are a defined abbreviation take its actor.
    std::vector<NamedMention> found;
    std::vector<char> link_only;  // by index into found: dropped unless linked in step 4
    for (const auto& d : detected) {
        // "the Iran-Iraq conflict", "U.S.-Iraq talks": each country is named
        // (found by shape as one name, "Iran-Iraq", it named neither).
        if (d.name.find('-') != std::string::npos && d.name.find(' ') == std::string::npos &&
            d.end - d.start == d.name.size()) {
            std::vector<std::pair<std::size_t, std::size_t>> parts;  // offsets in the name
            for (std::size_t a = 0;;) {
                const std::size_t b = std::min(d.name.find('-', a), d.name.size());
                parts.emplace_back(a, b);
                if (b == d.name.size()) break;
                a = b + 1;
            }
            const bool countries = parts.size() >= 2 && std::all_of(parts.begin(), parts.end(), [&](const auto& pt) {
                const std::string_view w = std::string_view(d.name).substr(pt.first, pt.second - pt.first);
                return !w.empty() && (country_name(fold_word(w)) || short_name_of(w));
            });
            if (countries) {
                for (const auto& [a, b] : parts) {
                    link_only.push_back(d.link_only);
                    found.push_back({d.start + a, d.start + b, d.name.substr(a, b - a), ActorKind::Unknown, true});
                }
                continue;
            }
        }
        link_only.push_back(d.link_only);
        auto it = abbrev.find(d.name);
        if (it != abbrev.end()) {
            found.push_back({d.start, d.end, it->second.first, it->second.second, true});
            continue;
        }
        found.push_back({d.start, d.end, d.name, ActorKind::Unknown, true});
    }

    // 4. Short forms -> the full name they stand for in this article.
    // Full names: gazetteer matches and detected names of two words or more.
    struct Full {
        std::string name;
        ActorKind kind;
        std::vector<std::string> words;
        std::size_t pos;
        bool listed;  ///< from the actor list, not found by shape
    };
    std::vector<Full> fulls;
    for (const auto& m : out) {
        std::vector<std::string> ws;
        for (auto w : words(m.name)) ws.push_back(fold_word(std::string_view(m.name).substr(w.start, w.end - w.start)));
        if (ws.size() >= 2) fulls.push_back({m.name, m.kind, ws, m.start, true});
    }
    for (const auto& m : found) {
        std::vector<std::string> ws;
        for (auto w : words(m.name)) ws.push_back(fold_word(std::string_view(m.name).substr(w.start, w.end - w.start)));
        if (ws.size() >= 2) fulls.push_back({m.name, guess_kind(m.name), ws, m.start, false});
    }
    // "the Bank", "the Framework": the article before a short form.
    auto after_the = [&](std::size_t start) {
        std::size_t p = start;
        while (p > 0 && text[p - 1] == ' ') --p;
        return p >= 3 && (p == 3 || !std::isalpha(static_cast<unsigned char>(text[p - 4]))) &&
               fold_word(text.substr(p - 3, 3)) == "the";
    };
    std::vector<char> dropped(found.size());
    // The full names each word is in, in order: a short form is looked for
    // among those with its last word only (every pair made a 1 MB article
    // take seconds).
    std::unordered_map<std::string_view, std::vector<std::size_t>> fulls_with;
    for (std::size_t k = 0; k < fulls.size(); ++k)
        for (const auto& w : fulls[k].words) {
            auto& v = fulls_with[w];
            if (v.empty() || v.back() != k) v.push_back(k);
        }
    static const std::vector<std::size_t> no_fulls;
    for (std::size_t fi = 0; fi < found.size(); ++fi) {
        NamedMention& m = found[fi];
        if (m.kind != ActorKind::Unknown && abbrev.count(m.name)) continue;
        // "U.S." is the United States, not a word of "U.S. Treasury".
        if (const auto sn = short_name_of(m.name); sn && !link_only[fi] && !g_.find(m.name)) {
            m.name = sn->first;
            m.kind = sn->second;
            continue;
        }
        std::vector<std::string> ws;
        for (auto w : words(m.name)) ws.push_back(fold_word(std::string_view(m.name).substr(w.start, w.end - w.start)));
        // A name whose words end a longer full name ("Walshe", "Robert Walshe").
        const Full* best = nullptr;
        std::size_t best_dist = std::string::npos;
        std::optional<ActorKind> own_kind;  // guess_kind(m.name), once
        std::optional<bool> the_before;     // after_the(m.start), once
        auto with = ws.empty() ? fulls_with.end() : fulls_with.find(ws.back());
        // ("George W" of "George W. Bush": the initial is written "W." in the full name.)
        if (with == fulls_with.end() && ws.size() >= 2 && ws.back().size() == 1) with = fulls_with.find(ws.back() + ".");
        // "Spain" is Spain, not the word of a name found by its shape
        // ("Santiago Spain", a comma missed, took every "Spain" of an address).
        const bool place_word = ws.size() == 1 && country_name(ws[0]);
        for (std::size_t fk : with == fulls_with.end() ? no_fulls : with->second) {
            const Full& f = fulls[fk];
            if (f.words.size() <= ws.size()) continue;
            if (place_word && !f.listed) continue;
            // Several words end a longer name found by shape only when it is a
            // person's ("Jesse Jackson", "Reverend Jesse Jackson"): "United
            // States" is not "Treasury United States".
            if (ws.size() >= 2 && !f.listed && f.kind != ActorKind::Person) continue;
            bool suffix = std::equal(ws.rbegin(), ws.rend(), f.words.rbegin());
            bool single_in = ws.size() == 1 && std::find(f.words.begin(), f.words.end(), ws[0]) != f.words.end();
            bool head_only = false;  // linked as "the Bank" is, not as a company's first word
            // Any word of a person's name is that person ("Sudani", "Hussein");
            // of another name, the word that says what it is ("the Bank", "the
            // Framework") or its last word, but not a name after "of": "Japan"
            // near "Bank of Japan" or "Japan Airlines" is Japan.
            if (f.kind != ActorKind::Person && ws.size() == 1) {
                if (!own_kind) own_kind = guess_kind(m.name);
                const ActorKind own = *own_kind;
                // A company by the first word of its name too ("Intel" for
                // "Intel Corp", "USAir" for "USAir Group Inc"), after initials
                // ("Woolworth" for "F.W. Woolworth Co").
                bool company_first = false;
                if (f.words.size() >= 2 && company_suffix(f.words.back())) {
                    std::size_t k = 0;
                    auto letters = [](const std::string& w) {
                        return std::count_if(w.begin(), w.end(), [](char c) { return c != '.'; });
                    };
                    while (k + 2 < f.words.size() && letters(f.words[k]) <= 2) ++k;
                    company_first = f.words[k] == ws[0];
                }
                // Otherwise only a word that says what an organisation or a
                // group is, after "the": "Mexico" is not "New Mexico", nor
                // "our Union" the "Soviet Union".
                if (!the_before && (own == ActorKind::Organisation || own == ActorKind::Group)) the_before = after_the(m.start);
                const bool head = (own == ActorKind::Organisation || own == ActorKind::Group) && *the_before;
                single_in = single_in && (head || company_first);
                head_only = head && !company_first;
                if (suffix && (is_connector(f.words[f.words.size() - 2]) || !(head || company_first))) suffix = false;
            }
            // "George W." for George W. Bush: a person's given name and
            // initial, the start of the full name.
            auto undotted = [](std::string_view w) { return w.substr(0, w.find('.')); };
            const bool initial_prefix =
                ws.size() >= 2 && f.kind == ActorKind::Person && undotted(ws.back()).size() == 1 &&
                std::equal(ws.begin(), ws.end(), f.words.begin(),
                           [&](const std::string& a, const std::string& b) { return undotted(a) == undotted(b); });
            if (!suffix && !single_in && !initial_prefix) continue;
            std::size_t dist = f.pos > m.start ? f.pos - m.start : m.start - f.pos;
            // "the Union" is the Soviet Union only near a mention of it (not
            // in "the State of the Union" pages away).
            if (head_only && dist > 1500) continue;
            if (dist < best_dist) {
                best_dist = dist;
                best = &f;
            }
        }
        if (best) {
            m.name = best->name;
            m.kind = best->kind;
            continue;
        }
        if (link_only[fi]) {
            dropped[fi] = 1;
            continue;
        }
        // A name the gazetteer knows after all (title stripped: "Marco Rubio").
        if (const Actor* a = g_.find(m.name)) {
            m.name = a->name;
            m.kind = a->kind;
            m.detected = false;
            continue;
        }
        m.kind = guess_kind(m.name);
        // "Dohuk province", "Diyala and Salahuddin provinces": a place.
        if (m.kind == ActorKind::Unknown && place_follows(text, m.end)) m.kind = ActorKind::Place;
    }
    {
        std::size_t kept = 0;
        for (std::size_t fi = 0; fi < found.size(); ++fi)
            if (!dropped[fi]) {
                if (kept != fi) found[kept] = std::move(found[fi]);
                ++kept;
            }
        found.resize(kept);
    }
    // Detected names with the same key as another spelling in the article share it.
    std::map<std::string, std::string> display;
    for (auto& m : found) {
        auto [it, fresh] = display.emplace(actor_key(m.name), m.name);
        if (!fresh) m.name = it->second;
    }
    // Abbreviations used on their own (not caught as words above) link too.
    // (Looked up by binary search: the regions are in order, and the names
    // found are sorted here; a scan of both for each use was quadratic.)
    std::vector<std::pair<std::size_t, std::size_t>> taken_spans;
    for (const auto& f : found) taken_spans.emplace_back(f.start, f.end);
    std::sort(taken_spans.begin(), taken_spans.end());
    std::size_t longest = 0;
    for (const auto& [a, b] : taken_spans) longest = std::max(longest, b - a);
    auto taken = [&](std::size_t p, std::size_t e) {
        // Spans starting before e and ending after p (none is longer than `longest`).
        auto it = std::lower_bound(taken_spans.begin(), taken_spans.end(), std::make_pair(p > longest ? p - longest : 0, std::size_t{0}));
        for (; it != taken_spans.end() && it->first < e; ++it)
            if (it->second > p) return true;
        return false;
    };
    auto in_prose = [&](std::size_t p, std::size_t e) {
        auto it = std::partition_point(regions.begin(), regions.end(), [&](const TextRegion& r) { return r.end < e; });
        for (; it != regions.end() && it->start <= p; ++it)
            if (it->prose && p >= it->start && e <= it->end) return true;
        return false;
    };
    std::vector<NamedMention> uses;
    for (const auto& [ab, who] : abbrev) {
        for (std::size_t p = text.find(ab); p != std::string_view::npos; p = text.find(ab, p + 1)) {
            std::size_t e = p + ab.size();
            bool word_start = p == 0 || !std::isalnum(static_cast<unsigned char>(text[p - 1]));
            bool word_end = e >= text.size() || !std::isalnum(static_cast<unsigned char>(text[e]));
            if (!word_start || !word_end) continue;
            if (!in_prose(p, e) || covered(p, e)) continue;
            if (!taken(p, e)) uses.push_back({p, e, who.first, who.second, true});
        }
        // Uses of this abbreviation count as taken for the next ones.
        for (const auto& u : uses) {
            taken_spans.insert(std::upper_bound(taken_spans.begin(), taken_spans.end(), std::make_pair(u.start, u.end)),
                               std::make_pair(u.start, u.end));
            longest = std::max(longest, u.end - u.start);
        }
        found.insert(found.end(), uses.begin(), uses.end());
        uses.clear();
    }
    out.insert(out.end(), found.begin(), found.end());
    std::sort(out.begin(), out.end(), [](const NamedMention& a, const NamedMention& b) { return a.start < b.start; });
    return out;
}

}  // namespace qanat
