#include "search_command.h"

#include <cmath>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "program_options.h"
#include <nlohmann/json.hpp>

#include "index_writer.h"
#include "printers.h"
#include "search.h"

namespace po = boost::program_options;

namespace qanat::searcher {

namespace {

constexpr int kExitHits = 0;
constexpr int kExitNoHits = 1;
constexpr int kExitError = 2;
constexpr int kExitOk = 0;
constexpr unsigned kMaxLimit = 100000;

struct Options {
    std::vector<std::string> dbs;
    std::string query;
    SearchRequest request;
    Format format = Format::Text;
    PrintOptions print;
    std::string batch;  ///< file, or "-" for standard input
    std::string qid = "1";
    bool limit_given = false;
    SearcherOptions searcher;
};

const char* kUsage =
    "Usage: qanat-search [OPTIONS] [QUERY...]\n"
    "\n"
    "Searches a qanat index and prints the best passages with highlighted\n"
    "snippets, then actor and year facets counted over every match.\n"
    "\n"
    "Query syntax (Xapian's): words must all appear (--any: any of them);\n"
    "\"a phrase\"; AND, OR, NOT, XOR (capitals); +must -mustnot; a NEAR b;\n"
    "wildcards milit*; fields title:WORD, actor:NAME (any alias: actor:PMF;\n"
    "actor:Kurd* for every actor with a name word starting so), year:2003,\n"
    "year:1980..1988, year:1980s, kind:group (an actor of that kind),\n"
    "article:ID, published:2025;\n"
    "one field twice is either (actor:(Sadr PMF) = actor:Sadr actor:PMF).\n"
    "With filters and no words, every matching passage is listed in order.\n"
    "\n"
    "Examples:\n"
    "  qanat-search PMF disarm\n"
    "  qanat-search --actor 'Muqtada al-Sadr' --year 2021\n"
    "  qanat-search '\"Popular Mobilization\" NOT Sadr' --format json\n"
    "  qanat-search -- '-Iran -Iraq'       (a query that starts with '-': after '--')\n"
    "  printf 'Sadr\\n{\"id\":\"q2\",\"query\":\"Kurdistan\",\"year\":\"2003\"}\\n' | qanat-search --batch - --format jsonl\n"
    "\n"
    "Batch: one query a line, either text or a JSON object {\"id\", \"query\", and\n"
    "optionally \"actor\", \"year\", \"article\" (string or list), \"limit\", \"offset\",\n"
    "\"per_article\", \"facet_limit\", \"plain\", \"any\", \"explain\"}; a text line's id\n"
    "is its line number. Blank lines and comments ('# ...') are skipped. One output\n"
    "line (JSON Lines, the default in batch) or TREC lines per query; a bad line\n"
    "gives an \"error\" line and the batch goes on. Warnings: on standard error for\n"
    "a single query, in the query's block or JSON in a batch (TREC: on standard\n"
    "error, by line).\n"
    "\n"
    "Several indexes (shards) are searched as one: repeat --db, with tcp://HOST:PORT\n"
    "for shards served by xapian-tcpsrv, or give a folder or file holding a Xapian\n"
    "stub (qanat-index --shards writes one). Scores, order and facet counts are the\n"
    "same as over one index (but for wide wildcards' scores). A part that does not answer is an error naming it;\n"
    "with --allow-partial the others are searched and the output says PARTIAL\n"
    "(JSON: \"partial\": true, \"unavailable\": [...]).\n"
    "\n"
    "Exit status: 0 passages found; 1 none found; 2 error (bad query or option,\n"
    "no index; in a batch: any line in error; else a batch is 0 if any query\n"
    "found passages).\n"
    "\n"
    "Options:\n";

bool parse_format(const std::string& s, Format* f) {
    if (s == "text") *f = Format::Text;
    else if (s == "json") *f = Format::Json;
    else if (s == "jsonl") *f = Format::Jsonl;
    else if (s == "trec") *f = Format::Trec;
    else return false;
    return true;
}

/// What the command line says otherwise than meant, before Boost reads it
/// (empty: nothing), from one pass over the arguments up to "--", each
/// option found in `desc` (the value of one that takes it is skipped):
/// - "-army" is read as "-a rmy" (--actor rmy), "-dollar" as "--db ollar":
///   a word to exclude, most likely, taken silently as an option's value.
///   Short options with values take them apart ("-a Sadr") or as digits
///   ("-n5", "-y2003");
/// - an option of one value given twice ("--format json --format text" was
///   an error, "-n 1 -n 2" took the last): an error, whichever it is.
std::string misread_argument(int argc, char** argv, const po::options_description& desc) {
    std::map<std::string, int> seen;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--") break;
        const po::option_description* o = nullptr;
        bool joined = false;  // the value in the same argument ("--limit=2", "-n2")
        if (a.rfind("--", 0) == 0) {
            const std::size_t eq = a.find('=');
            o = desc.find_nothrow(a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2), false);
            joined = eq != std::string::npos;
        } else if (a.size() >= 2 && a[0] == '-') {
            for (const auto& opt : desc.options())
                if (opt->canonical_display_name(po::command_line_style::allow_dash_for_short) == a.substr(0, 2))
                    o = opt.get();
            joined = a.size() > 2;
        }
        if (!o) continue;
        const bool takes_value = o->semantic()->max_tokens() == 1;
        if (takes_value && a[1] != '-' && a.size() >= 4 && std::isalpha(static_cast<unsigned char>(a[2])) &&
            std::isalpha(static_cast<unsigned char>(a[3])))
            return "'" + a + "' would be read as -" + a[1] + " " + a.substr(2) +
                   ": to exclude a word, put the whole query after '--': qanat-search [OPTIONS] -- 'WORDS " + a +
                   "'; for the option, write -" + a[1] + " " + a.substr(2);
        const std::string& name = o->long_name();
        const bool many = name == "db" || name == "actor" || name == "year" || name == "article" || name == "facet-kind";
        if (takes_value && !many && ++seen[name] == 2) return "--" + name + " is given more than once: give it once";
        if (takes_value && !joined) ++i;  // (its value is not an option)
    }
    return {};
}

int parse_options(int argc, char** argv, Options& opt) {
    po::options_description desc;
    std::vector<std::string> words;
    std::string format = "text", color = "auto", facet_sort = "count", year_bucket = "year", expand = "auto",
                weighting = "bm25", facet_table = "auto";
    bool any = false, all = false, no_facets = false;
    double timeout = 10;
    unsigned threads = 2;
    SearchRequest& r = opt.request;
    desc.add_options()
        ("help,h", "show this help and exit")
        ("db,d", po::value<std::vector<std::string>>(&opt.dbs)->composing(),
         "index to search (default: $QANAT_DB, else .qanat/index); repeat to search several as one; "
         "tcp://HOST:PORT for a xapian-tcpsrv shard, or a Xapian stub database file")
        ("format,f", po::value<std::string>(&format)->default_value("text"), "text, json, jsonl or trec (with --batch: jsonl; json there too is one object a line)")
        ("plain", po::bool_switch(&r.plain), "natural language: no operators, any word may match, best first")
        ("any", po::bool_switch(&any), "passages with any of the words (default: all of them)")
        ("all", po::bool_switch(&all), "passages with all of the words (the default, except with --plain)")
        ("actor,a", po::value<std::vector<std::string>>(&r.actors)->composing(), "only passages that mention this actor (any alias; =NAME: that facet value alone); repeated: all of them")
        ("year,y", po::value<std::vector<std::string>>(&r.years)->composing(), "only passages that speak of this year, range (1980..1988) or decade (1980s; =1980s: that facet value alone); repeated: all of them")
        ("article", po::value<std::vector<std::string>>(&r.articles)->composing(), "only passages of this article id; repeat for any of several")
        ("limit,n", po::value<unsigned>(&r.limit)->default_value(10), "passages to show (at most 100000; trec: 1000)")
        ("offset", po::value<unsigned>(&r.offset)->default_value(0), "skip this many passages first")
        ("per-article", po::value<unsigned>(&r.per_article)->default_value(0), "at most N passages per article (0: no limit; trec: 1)")
        ("facet-limit", po::value<unsigned>(&r.facet_limit)->default_value(10), "facet values to show (0: all)")
        ("facet-sort", po::value<std::string>(&facet_sort)->default_value("count"), "count or name")
        ("facet-kind", po::value<std::vector<std::string>>(&r.facet_kinds)->composing(), "only actors of this kind in the actor facet (person, organisation, place, group, or unknown for names whose kind was not guessed); repeatable")
        ("year-bucket", po::value<std::string>(&year_bucket)->default_value("year"), "year and published facets by year or decade")
        ("no-facets", po::bool_switch(&no_facets), "do not count facets")
        ("facet-table", po::value<std::string>(&facet_table)->default_value("auto"),
         "count facets from an in-memory table of every passage's facets (30-60 bytes a passage): "
         "auto (the table qanat-index wrote, mapped at a batch's first query, or for a single query "
         "expected to match a sixteenth of the passages or more; without one, built once a batch has "
         "counted matches for a quarter of the passages), always or never")
        ("threads", po::value<unsigned>(&threads)->default_value(2),
         "2: a batch runs two queries at a time (answers still in line order), and a query is "
         "ranked on a second thread while its matches are counted (one local index; more handles "
         "on it); 1: one thing at a time")
        ("explain", po::bool_switch(&r.explain), "show what each query term adds to each hit's score, and why it matched")
        ("auto-correct", po::bool_switch(&r.auto_correct), "if nothing matches, search the \"did you mean\" suggestion instead")
        ("all-blocks", po::bool_switch(&r.include_nonprose), "include non-prose blocks (entity lists, author boxes, price lines, references)")
        ("snippet-bytes", po::value<std::size_t>(&r.snippet_bytes)->default_value(300), "longest snippet, in bytes (at least 20); matches far apart are shown in two or three parts joined by ' … '")
        ("weighting", po::value<std::string>(&weighting)->default_value("bm25"),
         "ranking model: bm25, bm25+, or a divergence-from-randomness model: ineb2, ifb2, bb2, inl2, pl2, dph, dlh")
        ("k1", po::value<double>(&r.k1)->default_value(1.2, "1.2"), "BM25 k1: how fast repeated words stop adding weight")
        ("b", po::value<double>(&r.b)->default_value(0.5, "0.5"), "BM25 b: how much long passages are penalised (0..1)")
        ("expand", po::value<std::string>(&expand)->default_value("auto"),
         "pseudo-relevance feedback: auto (on with --plain over 5,000 passages or more), on or off")
        ("expand-terms", po::value<unsigned>(&r.expand_terms)->default_value(30), "terms added by feedback (Bo1)")
        ("expand-docs", po::value<unsigned>(&r.expand_docs)->default_value(30), "top passages the terms come from (a term must be in two of them)")
        ("expand-weight", po::value<double>(&r.expand_weight)->default_value(0.5, "0.5"), "weight of the best added term, relative to a query word")
        ("title-weight", po::value<double>(&r.title_weight)->default_value(0.3, "0.3"), "--plain: a query word also in the article's title adds its title score times this (0: off)")

        ("color", po::value<std::string>(&color)->default_value("auto"), "auto, always or never")
        ("batch", po::value<std::string>(&opt.batch), "read queries from FILE, one a line ('-': standard input)")
        ("qid", po::value<std::string>(&opt.qid)->default_value("1"), "query id in TREC output (single query)")
        ("run-tag", po::value<std::string>(&opt.print.run_tag)->default_value("qanat"), "run name in TREC output")
        ("allow-partial", po::bool_switch(&opt.searcher.allow_partial),
         "with several --db: go on without remote parts that do not answer (output marked partial)")
        ("timeout", po::value<double>(&timeout)->default_value(10, "10"), "seconds to wait for each answer of a remote part (a query waits for a few; at most 3600)");
    po::options_description hidden;
    hidden.add_options()("words", po::value<std::vector<std::string>>(&words)->composing(), "");
    po::options_description all_opts;
    all_opts.add(desc).add(hidden);
    po::positional_options_description pos;
    pos.add("words", -1);
    if (const std::string bad = misread_argument(argc, argv, desc); !bad.empty()) {
        std::cerr << "qanat-search: " << bad << "\n";
        return kExitError;
    }
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all_opts).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::unknown_option& e) {
        // "-Iran": a word to exclude, read as an option.
        const std::string name = e.get_option_name();
        std::cerr << "qanat-search: " << e.what();
        if (name.size() > 1 && name[0] == '-' && name[1] != '-')
            std::cerr << "; to exclude a word, put the whole query after '--': qanat-search [OPTIONS] -- 'WORDS "
                      << name << "'";
        std::cerr << "\nTry 'qanat-search --help'.\n";
        return kExitError;
    } catch (const po::error& e) {
        std::cerr << "qanat-search: " << e.what() << "\nTry 'qanat-search --help'.\n";
        return kExitError;
    }
    if (vm.count("help")) {
        std::cout << kUsage << desc << "\n";
        return -1;
    }
    auto fail = [](const std::string& m) {
        std::cerr << "qanat-search: " << m << "\n";
        return kExitError;
    };
    // "--qid --no-facets": the option taken as the value.
    for (const char* name : {"qid", "run-tag", "batch", "db", "actor", "year", "article"}) {
        if (!vm.count(name)) continue;
        std::vector<std::string> values;
        if (vm[name].value().type() == typeid(std::string)) values.push_back(vm[name].as<std::string>());
        else values = vm[name].as<std::vector<std::string>>();
        for (const auto& v : values)
            if (v.size() > 2 && v.compare(0, 2, "--") == 0)
                return fail(std::string("--") + name + " needs a value, not the option '" + v + "'");
    }
    if (!parse_format(format, &opt.format)) return fail("--format must be text, json, jsonl or trec, not '" + format + "'");
    // A batch speaks JSON Lines unless told otherwise.
    if (vm.count("batch") && vm["format"].defaulted()) opt.format = Format::Jsonl;
    if (any && all) return fail("--any and --all contradict each other");
    r.op = any ? DefaultOp::Any : all ? DefaultOp::All : DefaultOp::Auto;
    if (facet_sort == "count") r.facet_sort = FacetSort::Count;
    else if (facet_sort == "name") r.facet_sort = FacetSort::Name;
    else return fail("--facet-sort must be count or name");
    if (year_bucket == "decade") r.year_decades = true;
    else if (year_bucket != "year") return fail("--year-bucket must be year or decade");
    for (const auto& k : r.facet_kinds) {
        ActorKind ak;
        if (!parse_actor_kind(k, &ak)) return fail("--facet-kind must be person, organisation, place, group or unknown, not '" + k + "'");
    }
    for (auto& k : r.facet_kinds) {
        ActorKind ak;
        parse_actor_kind(k, &ak);
        k = std::string(actor_kind_name(ak));
    }
    // A bad --year is an error of the run for a batch (every line has it);
    // a single query's JSON answers with its error object, as it does for a
    // bad --actor or year: value (the search says it).
    const bool json_answer = !vm.count("batch") && (opt.format == Format::Json || opt.format == Format::Jsonl);
    for (const auto& y : r.years) {
        try {
            parse_year_range(y);
        } catch (const SearchError& e) {
            if (!json_answer) return fail(std::string("--year: ") + e.what());
        }
    }
    if (!parse_weighting(weighting, &r.weighting))
        return fail("--weighting must be bm25, bm25+, ineb2, ifb2, bb2, inl2, pl2, dph or dlh, not '" + weighting + "'");
    if (expand == "auto") r.expand = Expansion::Auto;
    else if (expand == "on") r.expand = Expansion::On;
    else if (expand == "off") r.expand = Expansion::Off;
    else return fail("--expand must be auto, on or off");
    // (Written so that NaN fails too: every comparison with it is false.)
    if (!(r.k1 >= 0 && std::isfinite(r.k1)) || !(r.b >= 0 && r.b <= 1))
        return fail("--k1 must be a number >= 0 and --b a number between 0 and 1");
    if (!(r.expand_weight >= 0 && std::isfinite(r.expand_weight))) return fail("--expand-weight must be a number >= 0");
    if (!(r.title_weight >= 0 && std::isfinite(r.title_weight))) return fail("--title-weight must be a number >= 0");
    if (facet_table == "auto") opt.searcher.facet_table = SearcherOptions::FacetTable::Auto;
    else if (facet_table == "always") opt.searcher.facet_table = SearcherOptions::FacetTable::Always;
    else if (facet_table == "never") opt.searcher.facet_table = SearcherOptions::FacetTable::Never;
    else return fail("--facet-table must be auto, always or never");
    if (threads < 1 || threads > 2) return fail("--threads must be 1 or 2");
    opt.searcher.threads = threads;
    opt.searcher.many_queries = vm.count("batch") > 0;
    if (!(timeout >= 0.001 && timeout <= 3600)) return fail("--timeout must be more than 0 and at most 3600 seconds");
    opt.searcher.timeout_ms = static_cast<unsigned>(timeout * 1000);
    if (color == "always") opt.print.color = true;
    else if (color == "never") opt.print.color = false;
    else if (color == "auto") {
        // NO_COLOR set and not empty (no-color.org), or a terminal that
        // cannot show colours, turns them off.
        const char* no_color = std::getenv("NO_COLOR");
        const char* term = std::getenv("TERM");
        opt.print.color = ::isatty(STDOUT_FILENO) && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
    }
    else return fail("--color must be auto, always or never");
    if (r.limit > kMaxLimit) return fail("--limit is at most " + std::to_string(kMaxLimit));
    if (r.snippet_bytes < 20) return fail("--snippet-bytes is at least 20 (a word or two around a match)");
    opt.limit_given = !vm["limit"].defaulted();
    if (opt.format == Format::Trec) {
        if (!opt.limit_given) r.limit = 1000;
        r.per_article = 1;  // one line per article: a run names each document once
        r.facets = false;
    }
    if (no_facets) r.facets = false;
    opt.print.show_facets = r.facets;
    // Options that do nothing in this output: said, not refused.
    auto unused = [&](const std::string& option, const char* why) {
        std::cerr << "qanat-search: warning: " << option << " does nothing " << why << "\n";
    };
    if (r.explain && opt.format == Format::Trec) unused("--explain", "in TREC output (no reasons in a run file)");
    if (opt.format == Format::Trec) {
        if (!vm["per-article"].defaulted()) unused("--per-article", "in TREC output (a run names each article once)");
        for (const char* o : {"facet-limit", "snippet-bytes"})
            if (vm.count(o) && !vm[o].defaulted())
                unused(o[0] == 'f' ? "--facet-limit" : "--snippet-bytes", "in TREC output (no facets or snippets in a run file)");
    }
    if (opt.format == Format::Trec && opt.print.run_tag.empty())
        return fail("--run-tag is empty: a run file's last column needs a name");
    if (opt.format == Format::Trec && opt.batch.empty() && opt.qid.empty())
        return fail("--qid is empty: a run file's first column needs an id");
    const bool bm25 = r.weighting == Weighting::BM25 || r.weighting == Weighting::BM25Plus;
    for (const char* o : {"k1", "b"})
        if (!vm[o].defaulted() && !bm25)
            unused(o[0] == 'k' ? "--k1" : "--b", "but with --weighting bm25 or bm25+ (a divergence-from-randomness model has no such parameter)");
    if (!vm["title-weight"].defaulted() && !r.plain && opt.batch.empty())
        unused("--title-weight", "without --plain (a batch line may ask for it with \"plain\": true)");
    if (!r.facets && opt.format != Format::Trec)
        for (const char* o : {"facet-limit", "facet-sort", "facet-kind", "year-bucket"})
            if (vm.count(o) && !vm[o].defaulted()) unused(std::string("--") + o, "with --no-facets (nothing is counted)");
    if (opt.format == Format::Trec)
        for (const char* o : {"facet-sort", "facet-kind", "year-bucket"})
            if (vm.count(o) && !vm[o].defaulted()) unused(std::string("--") + o, "in TREC output (no facets in a run file)");
    if (color == "always" && opt.format != Format::Text) unused("--color", "but in text output");
    for (const char* o : {"expand-terms", "expand-docs", "expand-weight"})
        if (!vm[o].defaulted() && r.expand == Expansion::Off)
            unused(std::string("--") + o, "with --expand off");
    {
        // One index in a folder (not a stub, which may name remote parts).
        std::error_code ec;
        const bool one_local = opt.dbs.size() == 1 && std::filesystem::exists(std::filesystem::path(opt.dbs[0]) / "iamglass", ec);
        if (opt.searcher.allow_partial && one_local)
            unused("--allow-partial", "over one local index (it leaves out remote parts that do not answer)");
        if (!vm["timeout"].defaulted() && one_local) unused("--timeout", "over one local index (it bounds remote parts' answers)");
    }
    if (!vm["run-tag"].defaulted() && opt.format != Format::Trec) unused("--run-tag", "but in TREC output");
    if (!vm["qid"].defaulted() && (opt.format != Format::Trec || vm.count("batch")))
        unused("--qid", "but for a single query in TREC output (a batch names its queries by their lines)");
    for (const auto& w : words) opt.query += (opt.query.empty() ? "" : " ") + w;
    r.query = opt.query;
    if (opt.dbs.empty()) {
        const char* e = std::getenv("QANAT_DB");
        opt.dbs.push_back(e && *e ? e : ".qanat/index");
    }
    if (!opt.batch.empty() && !opt.query.empty()) return fail("give either a query or --batch, not both");
    if (opt.batch.empty() && opt.query.empty() && r.actors.empty() && r.years.empty() && r.articles.empty())
        return fail("no query: give words to search for, a filter (--actor, --year, --article) or --batch FILE\n"
                    "Try 'qanat-search --help'.");
    return kExitOk;
}

/// One batch line -> request; throws std::runtime_error naming the problem.
/// `*query` is the line's query as soon as it is read (an error line shows
/// it, as an answer does), else the line as it is.
SearchRequest batch_request(const std::string& line, const SearchRequest& base, std::string* id, std::string* query,
                            bool trec) {
    *query = line;
    SearchRequest r = base;
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] != '{') {
        r.query = line;
        return r;
    }
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw std::runtime_error("not a valid JSON object");
    if (j.contains("id")) {
        const auto& v = j["id"];
        if (v.is_string() && v.get<std::string>().empty())
            throw std::runtime_error("\"id\" is empty: give an id, or leave it out for the line number");
        if (v.is_string()) *id = v.get<std::string>();
        else if (v.is_number_unsigned()) *id = std::to_string(v.get<unsigned long long>());
        else if (v.is_number_integer()) *id = std::to_string(v.get<long long>());
        else if (v.is_number_float())
            throw std::runtime_error("\"id\" is a number with a fraction, or too large to keep every digit; give it as a string");
        else throw std::runtime_error("\"id\" must be a string or an integer");
    }
    if (!j.contains("query") && !j.contains("actor") && !j.contains("year") && !j.contains("article"))
        throw std::runtime_error("no \"query\"");
    if (j.contains("query")) {
        if (!j["query"].is_string()) throw std::runtime_error("\"query\" must be a string");
        r.query = j["query"].get<std::string>();
        *query = r.query;
    } else {
        r.query.clear();
    }
    // A misspelt key ("years", "Actor", "yaer") would drop a filter without a
    // word: an error. Keys unlike any of qanat's ("topic", "narrative") are
    // the file's own and are left alone.
    static const std::set<std::string> keys{"id",     "query",       "actor",       "year",  "article", "limit",
                                            "offset", "per_article", "facet_limit", "plain", "any",     "explain"};
    for (const auto& [key, value] : j.items()) {
        if (keys.count(key)) continue;
        std::string lower = key;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (const auto& k : keys)
            if (lower == k || (k.size() >= 4 && edit_distance(lower, k, 2) <= 2))
                throw std::runtime_error("unknown key \"" + key + "\" (did you mean \"" + k + "\"?)");
    }
    // Years may be written as numbers too ("year": 2003, "year": [2003, "1980s"]).
    auto list = [&](const char* key, std::vector<std::string>& out, bool numbers) {
        if (!j.contains(key)) return;
        auto one = [&](const nlohmann::json& e) {
            if (e.is_string()) out.push_back(e.get<std::string>());
            else if (numbers && e.is_number_unsigned()) out.push_back(std::to_string(e.get<unsigned long long>()));
            else return false;
            return true;
        };
        const auto& v = j[key];
        if (v.is_array()) {
            for (const auto& e : v)
                if (!one(e))
                    throw std::runtime_error(std::string("\"") + key + "\" must hold strings" + (numbers ? " or years" : ""));
        } else if (!one(v)) {
            throw std::runtime_error(std::string("\"") + key + "\" must be a string or a list of strings" +
                                     (numbers ? " (or years)" : ""));
        }
    };
    list("actor", r.actors, false);
    list("year", r.years, true);
    list("article", r.articles, false);
    auto num = [&](const char* key, unsigned& out, unsigned long long max) {
        if (!j.contains(key)) return;
        if (!j[key].is_number_unsigned()) throw std::runtime_error(std::string("\"") + key + "\" must be a whole number");
        unsigned long long v = j[key].get<unsigned long long>();
        if (v > max)
            throw std::runtime_error(std::string("\"") + key + "\" is at most " + std::to_string(max));
        out = static_cast<unsigned>(v);
    };
    num("limit", r.limit, kMaxLimit);
    num("offset", r.offset, 4000000000ULL);
    num("per_article", r.per_article, 4000000000ULL);
    num("facet_limit", r.facet_limit, 4000000000ULL);
    auto flag = [&](const char* key) {
        if (!j[key].is_boolean()) throw std::runtime_error(std::string("\"") + key + "\" must be true or false");
        return j[key].get<bool>();
    };
    if (j.contains("plain")) r.plain = flag("plain");
    if (j.contains("any")) r.op = flag("any") ? DefaultOp::Any : DefaultOp::All;
    if (j.contains("explain")) r.explain = flag("explain");
    if (trec) r.per_article = 1;
    return r;
}

int run(Options& opt) {
    auto searcher = std::make_unique<Searcher>(opt.dbs, opt.searcher);
    auto printer = make_printer(opt.format, std::cout, opt.print);
    if (opt.batch.empty()) {
        QueryInfo qi{opt.qid, false};
        SearchResult res;
        try {
            res = searcher->search(opt.request);
        } catch (const SearchError& e) {
            std::cerr << "qanat-search: " << e.what() << "\n";
            // JSON output says it too, as a batch's error line does, for a
            // script that reads only standard output.
            if (opt.format == Format::Json || opt.format == Format::Jsonl) {
                printer->error(qi, opt.request.query, e.what());
                std::cout.flush();
            }
            return kExitError;
        }
        // Warnings on standard error, whatever the format (text leaves them
        // out of standard output: "2>log" keeps them, grep does not see them).
        for (const auto& w : res.warnings) std::cerr << "qanat-search: warning: " << w << "\n";
        printer->result(qi, res);
        std::cout.flush();
        return res.total_passages > 0 ? kExitHits : kExitNoHits;
    }

    // Batch: one index, many queries; a newer commit is picked up between queries.
    if (opt.format == Format::Json) opt.format = Format::Jsonl;
    printer = make_printer(opt.format, std::cout, opt.print);
    std::ifstream file;
    std::istream* in = &std::cin;
    if (opt.batch != "-") {
        // (A folder opens, and reads as no lines: a run of no queries, status 1.)
        std::error_code ec;
        if (std::filesystem::is_directory(opt.batch, ec)) {
            std::cerr << "qanat-search: " << opt.batch << ": is a folder; --batch takes a file of queries, or - for "
                                                          "standard input\n";
            return kExitError;
        }
        file.open(opt.batch);
        if (!file) {
            std::cerr << "qanat-search: " << opt.batch << ": cannot read (" << std::strerror(errno) << ")\n";
            return kExitError;
        }
        in = &file;
    }
    // Queries run on `workers` threads at once, each with its own searcher
    // (its own handles on the index), and their answers are written in the
    // order of the lines: whichever thread completes the next answer due
    // writes it, and any after it already done. Lines are read on a thread
    // of their own, at most kWindow ahead of the last answer written; from
    // standard input each answer is flushed as soon as it is written (a
    // query at a time through a pipe gets its answer before it sends the
    // next). This thread waits for the last answer, or for an error that
    // ends the batch, which it reports at once: a reader blocked on standard
    // input is then left to end with the process.
    std::vector<std::unique_ptr<Searcher>> searchers;
    searchers.push_back(std::move(searcher));
    while (searchers.size() < opt.searcher.threads) searchers.push_back(std::make_unique<Searcher>(opt.dbs, opt.searcher));
    const bool interactive = in == &std::cin;
    std::cin.tie(nullptr);  // flushed here instead, by the thread that writes

    struct Job {
        std::size_t seq = 0, lineno = 0;
        std::string line;
    };
    struct Answer {
        QueryInfo qi;
        std::size_t lineno = 0;
        std::string line;
        std::optional<SearchResult> res;
        std::string error;         ///< the line failed: the batch goes on
        std::exception_ptr fatal;  ///< the index failed: the batch stops here
    };
    // Shared with the reader, which may outlive this function (see above).
    // Everything in it is used with m held.
    struct State {
        std::mutex m;
        std::condition_variable job_ready, room, finished;
        std::deque<Job> jobs;
        std::size_t queued = 0;    // lines handed over so far
        std::size_t next_out = 0;  // the next answer to write
        bool no_more = false, stop = false;
        std::exception_ptr fatal;

        bool all_written() const { return no_more && next_out == queued; }
        /// Ends the batch (with e, unless an error came first): every
        /// thread stops waiting.
        void end(std::exception_ptr e) {
            if (e && !fatal) fatal = e;
            stop = true;
            room.notify_all();
            job_ready.notify_all();
            finished.notify_all();
        }
    };
    constexpr std::size_t kWindow = 16;
    auto st = std::make_shared<State>();
    std::map<std::size_t, Answer> done;  // under st->m
    bool any_hits = false, any_error = false;

    auto write_ready = [&] {  // with st->m held
        for (auto it = done.find(st->next_out); it != done.end() && !st->stop; it = done.find(st->next_out)) {
            Answer& a = it->second;
            try {
                if (a.fatal) {
                    st->end(a.fatal);
                } else if (a.res) {
                    any_hits = any_hits || a.res->total_passages > 0;
                    // A run file has no place for them: on standard error,
                    // by line (JSON lines and the text carry their own).
                    if (opt.format == Format::Trec)
                        for (const auto& w : a.res->warnings)
                            std::cerr << "qanat-search: warning: " << opt.batch << ":" << a.lineno << ": " << w << "\n";
                    printer->result(a.qi, *a.res);
                } else {
                    any_error = true;
                    std::cerr << "qanat-search: " << opt.batch << ":" << a.lineno << ": " << a.error << "\n";
                    printer->error(a.qi, a.line, a.error);
                }
            } catch (...) {
                st->end(std::current_exception());
            }
            done.erase(it);
            ++st->next_out;
            if (interactive) std::cout.flush();
            if (!std::cout) st->end(nullptr);  // closed pipe
        }
        st->room.notify_all();
        if (st->all_written()) st->finished.notify_all();
    };
    auto work = [&](Searcher& s) {
        auto last_reopen = std::chrono::steady_clock::now();
        for (;;) {
            Job job;
            {
                std::unique_lock<std::mutex> lock(st->m);
                st->job_ready.wait(lock, [&] { return st->stop || st->no_more || !st->jobs.empty(); });
                if (st->stop || st->jobs.empty()) return;
                job = std::move(st->jobs.front());
                st->jobs.pop_front();
            }
            Answer a;
            try {
                a.qi = QueryInfo{std::to_string(job.lineno), true};
                a.lineno = job.lineno;
                try {
                    auto now = std::chrono::steady_clock::now();
                    if (now - last_reopen > std::chrono::milliseconds(500)) {
                        s.reopen();
                        last_reopen = now;
                    }
                    SearchRequest req =
                        batch_request(job.line, opt.request, &a.qi.id, &a.line, opt.format == Format::Trec);
                    a.res = s.search(req);
                } catch (const std::runtime_error& e) {  // a bad line or query (SearchError among them)
                    a.error = e.what();
                }
            } catch (...) {
                a.fatal = std::current_exception();
            }
            std::lock_guard<std::mutex> lock(st->m);
            try {
                done.emplace(job.seq, std::move(a));
                write_ready();
            } catch (...) {
                st->end(std::current_exception());
            }
        }
    };
    auto read = [st, in] {
        try {
            std::string line;
            std::size_t lineno = 0;
            while (std::getline(*in, line)) {
                ++lineno;
                if (!line.empty() && line.back() == '\r') line.pop_back();
                // A byte-order mark (Windows editors write one) is no part of the query.
                if (lineno == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
                // Blank lines, and comments: '#' then a blank or the line's end.
                const std::size_t first = line.find_first_not_of(" \t");
                if (first == std::string::npos) continue;
                if (line[first] == '#' && (first + 1 == line.size() || line[first + 1] == ' ' || line[first + 1] == '\t'))
                    continue;
                std::unique_lock<std::mutex> lock(st->m);
                st->room.wait(lock, [&] { return st->stop || st->queued < st->next_out + kWindow; });
                if (st->stop) return;
                st->jobs.push_back({st->queued++, lineno, std::move(line)});
                st->job_ready.notify_one();
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(st->m);
            st->end(std::current_exception());
            return;
        }
        std::lock_guard<std::mutex> lock(st->m);
        st->no_more = true;
        st->job_ready.notify_all();
        if (st->all_written()) st->finished.notify_all();
    };

    std::vector<std::thread> threads;
    std::thread reader;
    {
        std::unique_lock<std::mutex> lock(st->m);
        try {
            for (auto& sp : searchers) threads.emplace_back(work, std::ref(*sp));
            reader = std::thread(read);
        } catch (...) {
            st->end(std::current_exception());
        }
        st->finished.wait(lock, [&] { return st->stop || st->all_written(); });
        st->end(nullptr);  // workers and reader: nothing more to do
    }
    for (auto& t : threads) t.join();
    // A reader from a file ends at its next line; one blocked on standard
    // input ends with the process.
    if (reader.joinable()) {
        if (interactive)
            reader.detach();
        else
            reader.join();
    }
    std::cout.flush();
    if (st->fatal) std::rethrow_exception(st->fatal);
    if (any_error) return kExitError;
    return any_hits ? kExitHits : kExitNoHits;
}

}  // namespace

int search_main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    std::ios::sync_with_stdio(false);
    Options opt;
    int rc = parse_options(argc, argv, opt);
    if (rc == -1) return kExitHits;
    if (rc != kExitOk) return rc;
    try {
        rc = run(opt);
    } catch (const IndexError& e) {
        std::cerr << "qanat-search: " << e.what() << "\n";
        return kExitError;
    } catch (const Xapian::QueryParserError& e) {
        std::cerr << "qanat-search: bad query: " << e.get_msg() << "\n";
        return kExitError;
    } catch (const Xapian::Error& e) {
        std::cerr << "qanat-search: index error: " << e.get_description() << "\n";
        return kExitError;
    } catch (const std::exception& e) {
        std::cerr << "qanat-search: " << e.what() << "\n";
        return kExitError;
    }
    // A closed pipe (| head) ends quietly with the status the search earned;
    // output that could not be written elsewhere (a full disk, /dev/full, a
    // closed standard output) is an error.
    std::cout.flush();
    if (!std::cout) {
        const int err = errno;
        std::cout.clear();
        struct stat st {};
        const bool pipe = ::fstat(STDOUT_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
        if (!pipe) {
            std::cerr << "qanat-search: cannot write the results to standard output"
                      << (err == ENOSPC || err == EBADF || err == EIO || err == EDQUOT || err == EFBIG
                              ? std::string(" (") + std::strerror(err) + ")"
                              : std::string())
                      << "\n";
            return kExitError;
        }
    }
    return rc;
}

}  // namespace qanat::searcher
