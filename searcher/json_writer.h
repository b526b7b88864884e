// A streaming JSON writer for search results: the output side only (input is
// parsed with nlohmann::json). Pretty (indent 2) or compact, formatted like
// nlohmann::json::dump; strings are valid UTF-8 with control characters escaped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qanat::searcher {

class JsonWriter {
  public:
    /// indent < 0: compact, one line.
    explicit JsonWriter(std::string& out, int indent = -1) : out_(out), indent_(indent) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(double d);
    JsonWriter& value(unsigned long long n);
    JsonWriter& value(long long n);
    JsonWriter& value(unsigned n) { return value(static_cast<unsigned long long>(n)); }
    JsonWriter& value(unsigned long n) { return value(static_cast<unsigned long long>(n)); }
    JsonWriter& value(int n) { return value(static_cast<long long>(n)); }
    JsonWriter& value(bool b);
    JsonWriter& null();

    /// Appends s as a JSON string literal (quoted, escaped).
    static void quote(std::string& out, std::string_view s);

  private:
    void before_value();
    void newline(std::size_t depth);

    std::string& out_;
    int indent_;
    struct Level {
        bool array;
        bool empty;
    };
    std::vector<Level> stack_;
    bool after_key_ = false;
};

}  // namespace qanat::searcher
