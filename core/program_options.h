// Boost.ProgramOptions for qanat's programs, with whole numbers read strictly.
//
// Boost reads an unsigned option with lexical_cast, which takes "-1" as the
// largest value (4294967295): "--limit -1" or "-j -1" went through as huge
// numbers. These overloads, seen before Boost's templates, accept digits
// only and a value that fits, and otherwise fail as Boost does for a bad
// value: "the argument ('-1') for option '--limit' is invalid".
// Include this header instead of <boost/program_options.hpp>, before it.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include <boost/any.hpp>
#include <boost/program_options/errors.hpp>

namespace boost::program_options {

namespace qanat_detail {
template <class T>
void validate_whole(boost::any& v, const std::vector<std::string>& xs) {
    if (xs.size() != 1) throw validation_error(validation_error::multiple_values_not_allowed);
    const std::string& s = xs.front();
    unsigned long long n = 0;
    bool ok = !s.empty() && s.size() <= 20;
    for (char c : s) {
        if (c < '0' || c > '9') {
            ok = false;
            break;
        }
        const unsigned d = static_cast<unsigned>(c - '0');
        if (n > (std::numeric_limits<unsigned long long>::max() - d) / 10) {
            ok = false;
            break;
        }
        n = n * 10 + d;
    }
    if (!ok || n > std::numeric_limits<T>::max()) throw invalid_option_value(s);
    v = boost::any(static_cast<T>(n));
}
}  // namespace qanat_detail

inline void validate(boost::any& v, const std::vector<std::string>& xs, unsigned*, int) {
    qanat_detail::validate_whole<unsigned>(v, xs);
}
inline void validate(boost::any& v, const std::vector<std::string>& xs, unsigned long*, int) {
    qanat_detail::validate_whole<unsigned long>(v, xs);
}

}  // namespace boost::program_options

#include <boost/program_options.hpp>
