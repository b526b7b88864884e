// qanat-index: options, walking the corpus, the analysis pipeline, the summary.
#pragma once

namespace qanat::indexer {

/// The whole program; returns the exit status (0 done, 1 warnings, 2 error).
int index_main(int argc, char** argv);

}  // namespace qanat::indexer
