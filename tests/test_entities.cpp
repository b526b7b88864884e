#include <doctest/doctest.h>

#include <algorithm>
#include <functional>

#include "common_words.h"
#include "entities.h"
#include "hash.h"
#include "names.h"
#include "support.h"

using namespace qanat;

namespace {

std::vector<std::string> names(const Gazetteer& g, const std::string& text) {
    std::vector<std::string> out;
    for (const auto& m : g.mentions(text)) out.push_back(g.actors()[m.actor].name);
    return out;
}

std::string years(const std::string& text) {
    std::string s = "|";
    for (const auto& y : find_years(text)) {
        s += std::to_string(y.from);
        if (y.to != y.from) s += (y.decade ? "s" : "-" + std::to_string(y.to));
        s += "|";
    }
    return s;
}

/// Names detected by shape alone (no actor list), joined with "|".
std::string detected(const std::string& text) {
    Gazetteer none;
    std::string out = "|";
    for (const auto& m : ActorFinder(none).find(text, {TextRegion{0, text.size(), true}})) out += m.name + "|";
    return out;
}

}  // namespace

TEST_CASE("names by shape in news copy: New York, company names, dates and measures") {
    // "New" begins a place name; it is dropped only before a title or a demonym.
    CHECK(detected("Shares fell in New York and New Zealand on Monday.") == "|New York|New Zealand|");
    CHECK(detected("The shares rose. New York traders were calm.") == "|New York|");
    // A title word that begins an institution's name stays; before a name it goes.
    CHECK(detected("Output at General Motors Corp rose, said General Petraeus.") == "|General Motors Corp|Petraeus|");
    CHECK(detected("He spoke at the State Department on Tuesday.") == "|State Department|");
    // A month's abbreviation before a number is a date; measures are not actors.
    CHECK(detected("Trade fell in the week to Jan 15 and Sept. 3, Brazil said.") == "|Brazil|");
    CHECK(detected("GNP rose 2.1 pct by 1500 GMT, Reuters said.") == "|Reuters|");
    // Demonyms are adjectives, not actors, with a compass word before them too.
    CHECK(detected("West German and Canadian officials met Swiss Bank Corp.") == "|Swiss Bank Corp|");
    // An organisation's name goes on over "and" and "&" when what follows ends it.
    CHECK(detected("He told the Securities and Exchange Commission that Procter & Gamble Co agreed.") ==
          "|Securities and Exchange Commission|Procter & Gamble Co|");
    CHECK(detected("Britain's Trade and Industry Department said so.") == "|Britain|Trade and Industry Department|");
    CHECK(detected("Talks of the IMF and World Bank ended.") == "|IMF|World Bank|");
    CHECK(detected("Talks between Texas Air Corp and Continental Airlines Inc ended.") ==
          "|Texas Air Corp|Continental Airlines Inc|");
    CHECK(detected("Trade between Japan and Britain grew, and Canada's Trade Minister was calm.") == "|Japan|Britain|Canada|");
    // Roles inside a run of capitals separate the office from the person.
    CHECK(detected("He met U.S. Trade Representative Clayton Yeutter and House Speaker Jim Wright.") ==
          "|U.S. Trade|Clayton Yeutter|House|Jim Wright|");
    CHECK(detected("He met Chancellor of the Exchequer Nigel Lawson.") == "|Nigel Lawson|");
    // A word capitalised inside a sentence is a name at the start of one too.
    CHECK(detected("Japan said exports rose. Talks with Japan go on.") == "|Japan|Japan|");
    CHECK(detected("Japan said exports rose. Lacquer and japan shine.") == "|");
    // A capitalised "And" in running text joins nothing.
    CHECK(detected("Relations between the U.S. And Japan will suffer, the Bank Of Japan said.") ==
          "|United States|Japan|Bank Of Japan|");
    // The legal form of a company alone is not a name.
    CHECK(detected("The Corp said it would sell the unit to Texaco Inc.") == "|Texaco Inc|");
}

/// Names and kinds detected by shape, "name/kind" joined with "|".
std::string detected_kinds(const std::string& text) {
    Gazetteer none;
    std::string out = "|";
    for (const auto& m : ActorFinder(none).find(text, {TextRegion{0, text.size(), true}}))
        out += m.name + "/" + std::string(actor_kind_name(m.kind)) + "|";
    return out;
}

TEST_CASE("initials written together or apart are one actor") {
    CHECK(actor_key("George H.W. Bush") == actor_key("George H. W. Bush"));
    CHECK(actor_key("J.R.R. Tolkien") == "j r r tolkien");
    CHECK(actor_key("U.S.") == actor_key("U. S."));
    // Not initials: a number.
    CHECK(actor_key("No. 1.5") == "no 1.5");
    // One spelling for both in an article: the first met.
    CHECK(detected("President George H. W. Bush met the envoy.\n\nLater George H.W. Bush spoke again.") ==
          "|George H. W. Bush|George H. W. Bush|");
}

TEST_CASE("a name found by shape never spans two passages") {
    // A long paragraph cut into windows between "Arran" and "Robert" (found by
    // the fuzzer): each half is looked at in its own passage.
    const std::string text = "He met Arran Robert Walshe today.";
    Gazetteer none;
    for (const auto& m : ActorFinder(none).find(text, {TextRegion{0, 12, true}, TextRegion{13, text.size(), true}}))
        CHECK((m.end <= 12 || m.start >= 13));
}

TEST_CASE("names by shape: institutions, plural possessives, short forms, companies") {
    // A title after "of" ends an institution's name.
    CHECK(detected_kinds("Officials at the Department of State and the Ministry of Defence refused.") ==
          "|Department of State/organisation|Ministry of Defence/organisation|");
    // A plural possessive inside an organisation's name, either apostrophe; its
    // abbreviation links to it.
    for (const char* apostrophe : {"\xE2\x80\x99", "'"}) {
        const std::string full = std::string("Kurdistan Workers") + apostrophe + " Party";
        CHECK(detected_kinds("Fighters of the " + full + " (PKK) attacked. Later the PKK withdrew.") ==
              "|" + full + "/organisation|" + full + "/organisation|" + full + "/organisation|");  // and (PKK)
    }
    CHECK(detected("The Americans' Iraq policy failed.") == "|Iraq|");
    // "the Bank", "the Framework": the organisation named in full in the article.
    CHECK(detected_kinds("Officials at the Bank of England met. Analysts say the Bank was right.") ==
          "|Bank of England/organisation|Bank of England/organisation|");
    CHECK(detected("The Coordination Framework met. Critics say the Framework was slow.") ==
          "|Coordination Framework|Coordination Framework|");
    CHECK(detected("Analysts say the Bank was right.") == "|");  // no full name to stand for
    // "MP" is an office; a lower-case "province" after a name makes it a place.
    CHECK(detected_kinds("Ali Nima, an MP with the Coordination Framework, spoke.") ==
          "|Ali Nima/person|Coordination Framework/organisation|");
    CHECK(detected_kinds("Attacks hit Dohuk province, then Diyala and Salahuddin provinces.") ==
          "|Dohuk/place|Diyala/place|Salahuddin/place|");
    // A company's legal form says it is an organisation.
    CHECK(detected_kinds("Procter & Gamble Co and Exxon Corp agreed.") ==
          "|Procter & Gamble Co/organisation|Exxon Corp/organisation|");
}

TEST_CASE("a heading line is told by its own words, also where the article splits them otherwise") {
    // A line of capitalised words is a heading, and names are not looked for
    // on it. "U.S.A" ends the line: split alone it is one word, in the
    // article's words it is "U.S." and "A" (15 words or 16).
    CHECK(detected("Border Talks\n\nTalks Between Zorblat Vexmor Quintal Brasko Feldom Garvin Holtz Ivano Jarret "
                   "Kolby Lutz Mervin U.S.A\n\nThe delegates met on Monday.") == "|");
    CHECK(detected("Border Talks\n\nZorblat Vexmor meets with \xD0\x94.\xD0\x90\n\nThe delegates met on Monday.") ==
          "|");
    // A passage cut inside a word: the line begins with the rest of it.
    const std::string text = "The delegates read see" + std::string(40, 'x') +
                             " Zorblat Vexmor Quintal drove north\nZorblat said so.";
    const std::size_t cut = text.find("xxx") + 20;
    Gazetteer none;
    std::string names = "|";
    for (const auto& m : ActorFinder(none).find(text, {TextRegion{0, cut, true}, TextRegion{cut, text.size(), true}}))
        names += m.name + "|";
    CHECK(names == "|Zorblat Vexmor Quintal|Zorblat Vexmor Quintal|");
}

TEST_CASE("gazetteer: aliases, spelling variants, possessives") {
    Gazetteer g = test::corpus_gazetteer();
    CHECK(names(g, "the Popular Mobilisation Forces (PMF) and the PMF's leaders") ==
          std::vector<std::string>{"Popular Mobilization Forces", "Popular Mobilization Forces", "Popular Mobilization Forces"});
    CHECK(names(g, "President Erdogan met Erdoğan") ==
          std::vector<std::string>{"Recep Tayyip Erdoğan", "Recep Tayyip Erdoğan"});
    CHECK(names(g, "Iran’s influence") == std::vector<std::string>{"Iran"});
    CHECK(g.find("pmf") != nullptr);
    CHECK(g.find("POPULAR MOBILISATION FORCES")->name == "Popular Mobilization Forces");
    CHECK(g.find("nobody at all") == nullptr);
}

TEST_CASE("a listed word inside a name the list does not have is not the listed actor") {
    // With the corpus list, "George Washington" was George (unknown) and the
    // place Washington, "Gulf of Mexico" the Persian Gulf, "Laura Bush"
    // George W. Bush, "Barbara Jordan" the country.
    Gazetteer g = test::corpus_gazetteer();
    auto found = [&](const std::string& text) {
        std::string out = "|";
        for (const auto& m : ActorFinder(g).find(text, {TextRegion{0, text.size(), true}})) out += m.name + "|";
        return out;
    };
    CHECK(found("President George Washington spoke of the Gulf of Mexico.") == "|George Washington|Gulf of Mexico|");
    CHECK(found("First Lady Laura Bush and Congresswoman Barbara Jordan spoke.") == "|Laura Bush|Barbara Jordan|");
    // The actor's own given name, a listed name before, and a title keep it.
    CHECK(found("Then George Bush went to Washington.") == "|George W. Bush|George W. Bush|Washington|");
    CHECK(found("He flew from Baghdad to Jordan, and President Bush spoke of the Gulf.") ==
          "|Baghdad|Jordan|George W. Bush|Persian Gulf|");
    // An adjective or another name before a listed place keeps the place.
    CHECK(found("Analysts say Kurdish Iraq and Baathist Iraq were different.") == "|Iraq|Iraq|");
    CHECK(found("The Kremlin Iran ties grew, and the Obama Iran policy too.") == "|Kremlin|Iran|Obama|Iran|");
    // Initials not the person's own: another person.
    CHECK(found("President George H.W. Bush met advisers.") == "|George H.W. Bush|");
    CHECK(found("President George W. Bush met advisers.") == "|George W. Bush|");
}

TEST_CASE("names by shape: a plural that says who, before 'of', is no part of the name") {
    CHECK(detected("Critics of Hamdi Malik fled.") == "|Hamdi Malik|");
    // Adjectives of peoples and movements alone name no one; their names in full stay.
    CHECK(detected("He saw Nicaraguan territory, Texan troops and Stalinist purges.") == "|");
    CHECK(detected("He met the Communist Party and the Dominican Republic.") == "|Communist Party|Dominican Republic|");
    // "First Lady" is a title; "Lady" alone begins names.
    CHECK(detected("Then First Lady Laura Bush spoke, and Lady Gaga and Lady Bird Johnson sang.") ==
          "|Laura Bush|Lady Gaga|Lady Bird Johnson|");
    CHECK(detected("Leaders of Iraq met. Supporters of Muqtada al-Sadr marched.") == "|Iraq|Muqtada al-Sadr|");
    // Where the article writes the word in lower case too, also inside a sentence.
    CHECK(detected("The governments agreed. He wrote to the Governments of Peru and Chile.") == "|Peru|Chile|");
    // Names that begin so stay.
    CHECK(detected("Then the Bank of England and the Knights of Columbus met.") == "|Bank of England|Knights of Columbus|");
}

TEST_CASE("names by shape: a heading in capitals run into its paragraph names no one") {
    CHECK(detected("VETERANS With the authorization of NATO the Congress acted.") == "|NATO|Congress|");
    CHECK(detected("FOREIGN RELATIONS The Committee on Foreign Relations reported.") == "|Foreign Relations|");
    // Capitals everywhere: the words are all the text has.
    CHECK(detected("THE GENERAL MOTORS CORP SAID SO.") != "|");
}

TEST_CASE("names by shape: Arabic particles begin and join names") {
    // "al-Qaida" was taken for a compound ("anti-American") and left out,
    // "Shatt al-Arab" lost "al-Arab" (a demonym at its end), and "Abu Bakr
    // al-Baghdadi" lost "Abu".
    CHECK(detected("Attacks by al-Qaida grew.") == "|al-Qaida|");
    CHECK(detected("The war over the Shatt al-Arab waterway.") == "|Shatt al-Arab|");
    CHECK(detected("Abu Bakr al-Baghdadi led them. Later al-Baghdadi died.") ==
          "|Abu Bakr al-Baghdadi|Abu Bakr al-Baghdadi|");
    CHECK(detected("The anti-American mood and the pro-Tehran camp.") == "|");
    // A fiscal year written as one word is no organisation.
    CHECK(detected("The FY2024 budget and the FY88 plan.") == "|");
}

TEST_CASE("names by shape: a pair of countries joined by a hyphen names both") {
    // "the Iran-Iraq conflict" was one actor "Iran-Iraq", and named neither.
    CHECK(detected("The danger posed by the Iran-Iraq conflict grew.") == "|Iran|Iraq|");
    CHECK(detected("The U.S.-Iraq talks and US-Iran ties.") == "|United States|Iraq|United States|Iran|");
    // Not a pair of countries: one name, as before.
    CHECK(detected("The Iran-Contra affair.") == "|Iran-Contra|");
    // A party's adjective is no part of a person's name, nor a name alone; a
    // title that is also a surname ends a name after a name.
    CHECK(detected("Democratic values or Republican values, said my Republican predecessor. Republican Abraham "
                   "Lincoln freed the slaves.") == "|Abraham Lincoln|");
    CHECK(detected("Martin Luther King Jr. spoke, as Coretta Scott King did later. The Saudi King met Democratic "
                   "Senator Robert Byrd.") == "|Martin Luther King|Coretta Scott King|Robert Byrd|");
    CHECK(detected("The Republican Party met.") == "|Republican Party|");
    // After a word that is no given name, such a title is a title.
    CHECK(detected("The Federal Judge dismissed the suit. The Air Marshal inspected the base. The District Judge "
                   "ruled. The Army Major met the Field Marshal. A US Marshal arrested him.") == "|United States|");
    // A given name and an initial are the person whose full name starts so.
    CHECK(detected("Taxes were higher when George W. Bush was President. That is where they were when George W. was "
                   "President.") == "|George W. Bush|George W. Bush|");
    // "US" in capitals is the United States; "Us" is a word.
    CHECK(detected("Trade with the US grew.") == "|United States|");
}

TEST_CASE("gazetteer: a name or alias listed twice is said, with both lines") {
    Gazetteer g;
    std::vector<std::string> warnings;
    g.load_tsv("Popular Mobilization Forces\tgroup\tPMF\n"
               "People Mobile Force\torganisation\tPMF\n"
               "Popular Mobilization Forces\torganisation\tHashd\n"
               "Hashd\tgroup\t\n"
               "Popular Mobilization Forces\tgroup\tPMU\n",
               "a.tsv", &warnings);
    REQUIRE(warnings.size() == 3);
    CHECK(warnings[0] == "a.tsv:2: alias 'PMF' is already 'Popular Mobilization Forces' (a.tsv:1); it stays that actor's");
    CHECK(warnings[1] == "a.tsv:3: 'Popular Mobilization Forces' is listed again, as organisation (a.tsv:1: group); "
                         "the first kind stays");
    CHECK(warnings[2] == "a.tsv:4: 'Hashd' is already an alias of 'Popular Mobilization Forces' (a.tsv:3): this line "
                         "adds to that actor");
    // The first line wins, as before.
    CHECK(g.find("PMF")->name == "Popular Mobilization Forces");
    CHECK(g.find("PMU")->name == "Popular Mobilization Forces");
    // The same list read twice (found in a folder and given with --actors) says nothing.
    std::vector<std::string> again;
    Gazetteer twice;
    const std::string list = "Popular Mobilization Forces\tgroup\tPMF|Hashd\n";
    twice.load_tsv(list, "b.tsv", &again);
    twice.load_tsv(list, "b.tsv", &again);
    CHECK(again.empty());
}

TEST_CASE("gazetteer: short capital aliases need capitals; the longest name wins") {
    Gazetteer g = test::corpus_gazetteer();
    CHECK(names(g, "let us go") == std::vector<std::string>{});
    CHECK(names(g, "along an axis of growth") == std::vector<std::string>{});
    CHECK(names(g, "Iran's Axis") == std::vector<std::string>{"Iran", "Axis of Resistance"});
    CHECK(names(g, "the popular mobilization forces") == std::vector<std::string>{"Popular Mobilization Forces"});
    // In lower case after an indefinite article, a listed name of several
    // words is any such thing; capitalised, or after "the", the actor.
    CHECK(names(g, "a strategic framework agreement with Turkey; any revolutionary guard") ==
          std::vector<std::string>{"Turkey"});
    CHECK(names(g, "he met a popular mobilization forces commander") ==
          std::vector<std::string>{"Popular Mobilization Forces"});
    CHECK(names(g, "a Strategic Framework Agreement; the strategic framework agreement; an Islamic Revolutionary "
                   "Guard Corps unit") ==
          std::vector<std::string>{"Strategic Framework Agreement", "Strategic Framework Agreement",
                                   "Islamic Revolutionary Guard Corps"});
    CHECK(names(g, "the US and the U.S.") == std::vector<std::string>{"United States", "United States"});
    CHECK(names(g, "Kurdistan Workers’ Party") == std::vector<std::string>{"Kurdistan Workers' Party"});
    CHECK(names(g, "Saddam Hussein and Fuad Hussein") == std::vector<std::string>{"Saddam Hussein", "Fuad Hussein"});
    // Words of one name are not joined across punctuation.
    CHECK(names(g, "Islamic. State") == std::vector<std::string>{});
    // "America" is the United States, not in another place's name.
    CHECK(names(g, "Latin America, South America, and America") == std::vector<std::string>{"United States"});
    // An actor's own name stays itself after a compass word ("West Beirut" is in Beirut).
    CHECK(names(g, "Central Baghdad and South Lebanon") == std::vector<std::string>{"Baghdad", "Lebanon"});
}

TEST_CASE("gazetteer: in a query, names are found in lower case unless they are everyday words") {
    Gazetteer g = test::corpus_gazetteer();
    auto in_query = [&](std::string_view text) {
        std::vector<std::string> out;
        for (const auto& m : g.mentions(text, true)) out.push_back(g.actors()[m.actor].name);
        return out;
    };
    CHECK(in_query("sadr and turkiye") == std::vector<std::string>{"Muqtada al-Sadr", "Turkey"});
    CHECK(in_query("pmf daesh") == std::vector<std::string>{"Popular Mobilization Forces", "Islamic State"});
    CHECK(in_query("let us go, it is the gulf") == std::vector<std::string>{});
    CHECK(in_query("US and IS") == std::vector<std::string>{"United States", "Islamic State"});
    // In text, the capitals are still needed.
    CHECK(names(g, "sadr and turkiye") == std::vector<std::string>{});
}

TEST_CASE("gazetteer TSV errors name the file and line") {
    Gazetteer g;
    CHECK_THROWS_WITH_AS(g.load_tsv("# comment\nIraq\tplace\nBad line without tab\n", "a.tsv"),
                         doctest::Contains("a.tsv:3"), GazetteerError);
    CHECK_THROWS_WITH_AS(g.load_tsv("Iraq\tcountryish\n", "b.tsv"), doctest::Contains("b.tsv:1: unknown kind"),
                         GazetteerError);
    Gazetteer ok;
    ok.load_tsv("Iraq\tplace\tRepublic of Iraq\n\nIran\tplace\n", "c.tsv");
    CHECK(ok.actors().size() == 2);
    auto round = Gazetteer::deserialise(ok.serialise());
    CHECK(round.find("Republic of Iraq")->name == "Iraq");
    // A byte-order mark hid the '#' of a header line, or joined the first name.
    Gazetteer bom;
    bom.load_tsv("\xEF\xBB\xBF# canonical\tkind\taliases\nPopular Mobilization Forces\tgroup\tPMF\n", "d.tsv");
    REQUIRE(bom.actors().size() == 1);
    CHECK(bom.actors()[0].name == "Popular Mobilization Forces");
    Gazetteer bom2;
    bom2.load_tsv("\xEF\xBB\xBFIraq\tplace\n", "e.tsv");
    CHECK(bom2.actors()[0].name == "Iraq");
}

TEST_CASE("years: what a passage speaks of") {
    struct Row {
        const char* text;
        const char* want;
    };
    for (auto r : std::initializer_list<Row>{
             {"in 2003 the US invaded", "|2003|"},
             {"on October 7 2023 and June 24, 2025", "|2023|2025|"},
             {"since September 2018", "|2018|"},
             {"the 1980-88 war", "|1980-1988|"},
             {"the 1980–1988 war", "|1980-1988|"},
             {"from 2003 to 2011", "|2003-2011|"},
             {"between 2014 and 2017", "|2014-2017|"},
             {"from the year 1869 to 1892", "|1869-1892|"},  // (two single years)
             {"railways of the 1800s and the 1900s", "|1800-1899|1900s|"},  // a century, a decade
             {"the 1980s", "|1980s|"},
             {"in the 1980’s", "|1980s|"},
             {"200,000 fighters and $3 billion", "|"},
             {"2,500 personnel", "|"},
             {"£5.00 and $2003", "|"},
             {"call +1.228.637.0488", "|"},
             {"https://www.reuters.com/world/2024/05/13/", "|"},
             {"about 2000 troops", "|"},
             {"1.2003 and 2003.5", "|"},
             {"Birthdate : 1970-02-23", "|1970|"},
             {"12-day war", "|"},
             {"in 1999-2000", "|1999-2000|"},
             {"call (202) 555-1999 or 202.555.2003; Call 555-2010", "|"},
             {"Between 476-1453 the empire lasted; scores were 120-1995", "|1453|1995|"},
             {"+1 202 555 2003 and (202) 555 2010", "|"},
             {"Route 66 2005 models, 150 2003 cars", "|2005|2003|"},
             {"Call +44 20 7946 2018 today", "|"},
             {"weighed 1990 kg, 1350 lbs, hit 2003 degrees", "|"},
             {"the 2003 elections; said 1986 profits rose; had 1986 sales", "|2003|1986|1986|"},
             // Counts past an adjective, and resolutions, are not years; after "in" a number is one.
             {"some 1500 Iraqi soldiers, 1140 smaller towns and 1600 public works projects", "|"},
             {"Resolution 1441 and resolutions 1483", "|"},
             // After an estimate, a count of what follows; a comma or a capital ends it.
             {"about 1700 new fighter jets, some 1200 tanks and nearly 1100 Iraqi soldiers", "|"},
             {"by 1850 prices rose; about 1850, new laws; around 1850 Iraq; some 1850 the", "|1850|1850|1850|1850|"},
             // "About" and "around" say "circa" too: a plural after them is no count.
             {"Around 1850 settlers moved west. About 1870 railways came. By about 1880 farmers left.",
              "|1850|1870|1880|"},
             // From 1900 on, a year all the same.
             {"about 1987 prospects, the estimated 1986 results, than 1986 levels", "|1987|1986|1986|"},
             {"the 1991 Iraqi uprising; 1990 new car sales", "|1991|1990|"},
             {"in 2003 American troops; In 1990 more people came; since 1988 Iranian soldiers", "|2003|1990|1988|"},
             // ... but a count or a time after "in" or "after" stays one; "the" makes it a year.
             {"resulted in 1500 deaths, after 1800 hours, from 1500 barrels", "|"},
             {"the 2003 local elections, Iraq's 2005 armed forces reform, the 1991 new laws", "|2003|2005|1991|"},
             {"fiscal 1999-00 and 1998-02", "|1999-2000|1998|"},
             // References and times of day, not years.
             {"a foreign power (section 1992); Section 1753 of the Revised Statutes; page 1955", "|"},
             {"42 U.S.C. 1983, H.R. 1984, \xC2\xA7 1983, No. 1990, Room 1812", "|"},
             {"at 1800 hours, 3 p.m. local (1900 GMT); c. 1850; by 2003; the 1986 bill", "|1850|2003|1986|"},
             // The numbers after a reference's are references too.
             {"See pages 1984-1990; pages 1955 and 1960; sections 1992-1995, 1997 or 1999. In 2003 it ended.", "|2003|"},
             // "through" and "until" end ranges as "to" does; an end written short takes the start's century.
             {"from 1980 through 1988, from 2014 until 2021, from 1960 to '70, between 1980 and \xE2\x80\x99" "88",
              "|1980-1988|2014-2021|1960-1970|1980-1988|"},
             // Years written short, from '30 on: "'20s" and "'05" may be either century.
             {"in '88, the '90s, since the \xE2\x80\x99" "30s, the 1980's and '90's, the '20s, in '05", "|1988|1990s|1930s|1980s|1990s|"},
             {"rock 'n' roll, it's 90's... 5'11 tall, the '747' jet, '45 rpm, the '68 riots", "|1968|"},
             {"the code '42' was used in Area \xE2\x80\x98" "51\xE2\x80\x99; the 1980-'88 war", "|1980-1988|"},
         }) {
        CAPTURE(r.text);
        CHECK(years(r.text) == r.want);
    }
}

TEST_CASE("the common-word and proper-noun lists are looked up by hash") {
    for (auto list : {common_words_blob(), proper_nouns_blob()}) {
        REQUIRE(list.count > 1000);
        CHECK(list.starts[list.count] == list.blob.size());
        std::vector<std::string_view> all;
        for (std::size_t i = 0; i < list.count; ++i)
            all.push_back(list.word(i));
        CHECK(std::adjacent_find(all.begin(), all.end(), std::greater_equal<>()) == all.end());  // sorted, no repeats
        const HashedWords hashed(list);
        for (std::string_view w : all) {
            CAPTURE(w);
            CHECK(hashed.contains(w));
            CHECK_FALSE(hashed.contains(std::string(w) + "\x7f"));
            const std::string_view shorter = w.substr(0, w.size() - 1);  // in the list or not, as the list says
            CHECK(hashed.contains(shorter) == std::binary_search(all.begin(), all.end(), shorter));
        }
        CHECK_FALSE(hashed.contains(""));
        CHECK_FALSE(hashed.contains("\xff"));
    }
    CHECK(is_common_word("moreover"));
    CHECK(is_common_word("war"));
    CHECK_FALSE(is_common_word("canada"));
    CHECK(is_proper_noun("canada"));
    CHECK(is_proper_noun("reagan"));
    CHECK_FALSE(is_common_word("turkey"));  // listed both ways: in neither list
    CHECK_FALSE(is_proper_noun("turkey"));
}

TEST_CASE("an article's words are numbered once: the same word, the same number, by first appearance") {
    const std::vector<std::string> folded{"iran", "and", "iraq", "and", "iran", "", "turkey", "iraq"};
    const qanat::WordNumbers n = qanat::number_words(folded);
    CHECK(n.of == std::vector<std::uint32_t>{0, 1, 2, 1, 0, 3, 4, 2});
    REQUIRE(n.size() == 5);
    CHECK(n.first == std::vector<std::size_t>{0, 1, 2, 5, 6});
    CHECK(n.hashes[2] == qanat::fnv1a64("iraq"));
    // Enough distinct words to make the index grow, and a word met again after it grew.
    std::vector<std::string> many;
    for (int i = 0; i < 3000; ++i) many.push_back("w" + std::to_string(i));
    many.push_back("w7");
    const qanat::WordNumbers m = qanat::number_words(many);
    CHECK(m.size() == 3000);
    CHECK(m.of.back() == 7);
    CHECK(m.of[2999] == 2999);
}

TEST_CASE("a country's name is itself, not a word of a name found by its shape") {
    // A comma missed ("the catastrophe of Santiago Spain's effort") made
    // "Santiago Spain" a person, and every bare "Spain" of the address that
    // person; "God Bless America" took every "America".
    std::string d = detected("After the fall of Santiago Spain's effort failed. Spain asked for peace. "
                             "We sang God Bless America. America is strong.");
    CHECK(d.find("|Spain|") != std::string::npos);
    CHECK(d.find("|America|") != std::string::npos);
    // Names news copy writes short are the actor they stand for.
    CHECK(detected("The U.N. met. The U.S. Treasury and the U.K. agreed.").find("|United Nations|") != std::string::npos);
    // Words that name no one alone: "the Nation", "Christmas", "FY", "IV";
    // but the short form of a longer name all the same ("White" for "Jack
    // White"), and "U.S." is not a word of "U.S. Treasury".
    CHECK(detected("The Nation gave thanks at Christmas. In FY 1981 the funds grew, and IV was kept.") == "|");
    CHECK(detected("Jack White testified. Later White said no.") == "|Jack White|Jack White|");
    CHECK(detected("The U.S. Treasury said the U.S. would act.") == "|U.S. Treasury|United States|");
}

TEST_CASE("names by shape in long speeches: places, openers, titles, forms of address") {
    // A bare name is not a longer name that holds it: "Mexico" is not the
    // "Gulf of Mexico" or "New Mexico" (both were taken for persons, any
    // word of whose name links), nor "our Union" the "Soviet Union".
    std::string d = detected("Relations between Mexico and the United States are good. Ships in the Gulf of "
                             "Mexico were seen. The war with Mexico was long. New Mexico was taken. We must make "
                             "the state of our Union strong. The Soviet Union is a rival.");
    CHECK(d == "|Mexico|United States|Gulf of Mexico|Mexico|New Mexico|Union|Soviet Union|");
    // A word that opens a sentence is no part of the name after it, and one
    // lower-case "congress" does not unmake thirty capitalised ones.
    d = detected("Unless Congress acts, nothing happens. We ask Congress to act. Then Congress met. Possibly "
                 "Congress will act. An international congress met in Paris. Tell America the truth.");
    CHECK(d == "|Congress|Congress|Congress|Congress|Paris|America|");
    // Titles and forms of address are not names.
    d = detected("Marshal Stalin met Admiral Dewey and Reverend Jesse Jackson. Later Congressman Joe Moakley "
                 "spoke. Fellow-Citizens of the Senate: the Almighty and Divine Providence guide us.");
    CHECK(d == "|Stalin|Dewey|Jesse Jackson|Joe Moakley|Senate|");
    CHECK(detected("Then Secretaries of State Dulles and Acheson met.") == "|Dulles|Acheson|");
    // A run of two names is not the name of either: "United States" stays
    // itself after "in the Treasury United States notes".
    d = detected("Gold in the Treasury United States notes were paid. The United States agreed.");
    CHECK(d.find("|United States|") != std::string::npos);
    CHECK(d.find("Treasury United States|United States|") != std::string::npos);
    // A demonym of two words names no one ("Saudi Arabian" was a person).
    d = detected("The Saudi Arabian oil minister met Saudi Arabian Airlines in Saudi Arabia.");
    CHECK(d == "|Saudi Arabian Airlines|Saudi Arabia|");
    CHECK(guess_kind("Voice of America") != ActorKind::Person);
    CHECK(guess_kind("Latin America") == ActorKind::Place);
    CHECK(guess_kind("Santo Domingo") == ActorKind::Place);  // (was a person)
    CHECK(guess_kind("Golan Heights") == ActorKind::Place);
    CHECK(guess_kind("Gulf of Mexico") == ActorKind::Place);
    // Publications are organisations ("Writing in Foreign Affairs" made a person).
    for (const char* c : {"Foreign Affairs", "Middle East Review", "Al-Monitor", "Chicago Tribune", "Newsweek Magazine"}) {
        CAPTURE(c);
        CHECK(guess_kind(c) == ActorKind::Organisation);
    }
    // So are the bodies of a state ("Congress", "Senate", "Treasury" were
    // unknown in the State of the Union addresses); navies are armed groups.
    for (const char* c : {"Congress", "Senate", "Treasury", "Cabinet", "Trump Administration"}) {
        CAPTURE(c);
        CHECK(guess_kind(c) == ActorKind::Organisation);
    }
    CHECK(guess_kind("Royal Navy") == ActorKind::Group);
    // A person's name holds no ordinary English word first or last, nor a
    // country, nor a law or a war; places and peoples have their words.
    for (const std::string c : {"Military Academy", "Wall Street", "Pension Bureau", "Chinese Empire",
                                "America Reads", "Voting Rights Act", "World War II", "Social Security", "Fiscal Year"}) {
        CAPTURE(c);
        CHECK(guess_kind(c) != ActorKind::Person);
    }
    for (const std::string c : {"Graham Allison", "Salim Souza", "James Baker", "Bill Clinton", "George Washington",
                                "Michael Jordan", "Elizabeth II"}) {
        CAPTURE(c);
        CHECK(guess_kind(c) == ActorKind::Person);
    }
    for (const char* c : {"Middle East", "Rio Grande", "San Juan", "Texas", "California", "Paris"}) {
        CAPTURE(c);
        CHECK(guess_kind(c) == ActorKind::Place);
    }
    CHECK(guess_kind("Sioux Indians") == ActorKind::Group);
    CHECK(guess_kind("United Nations") == ActorKind::Organisation);
    CHECK(guess_kind("Marine Corps") == ActorKind::Group);
    // Countries are places ("China", "France", "Russia" were unknown,
    // "Saudi Arabia" a person).
    for (const char* c : {"China", "France", "Russia", "Saudi Arabia", "Soviet Union", "Türkiye"}) {
        CAPTURE(c);
        CHECK(guess_kind(c) == ActorKind::Place);
    }
}
