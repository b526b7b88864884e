// qanat-search: options, single queries and batches, exit status.
#pragma once

namespace qanat::searcher {

/// The whole program; returns the exit status (0 hits, 1 no hits, 2 error).
int search_main(int argc, char** argv);

}  // namespace qanat::searcher
