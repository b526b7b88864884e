#include "index_command.h"

/// jemalloc's settings, where qanat-index is linked with it (read at its
/// start; MALLOC_CONF in the environment still overrides them). Pages freed
/// are given back to the system after one second rather than ten: a long
/// build's Xapian buffers are freed and allocated again at every flush, and
/// the pages kept meanwhile raised a 10x build's peak by about 6 MiB
/// (bench/RESULTS.md, "The list of files, again").
extern "C" const char* malloc_conf;
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";

int main(int argc, char** argv) { return qanat::indexer::index_main(argc, argv); }
