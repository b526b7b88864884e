#include <zlib.h>

#include "index_command.h"

/// jemalloc's settings, where qanat-index is linked with it (read at its
/// start; MALLOC_CONF in the environment still overrides them). Pages freed
/// are given back to the system after one second rather than ten: a long
/// build's Xapian buffers are freed and allocated again at every flush, and
/// the pages kept meanwhile raised a 10x build's peak by about 6 MiB
/// (bench/RESULTS.md, "The list of files, again").
extern "C" const char* malloc_conf;
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";

/// Xapian (glass) compresses every document's term list with zlib, one
/// document at a time (and its spelling data and document data); for
/// passages that cost about a tenth of a build, most of it zlib's work per
/// call (deflateReset clears 128 KiB of tables each time). qanat-index
/// declines instead: Xapian stores an item as it is when deflate() does not
/// finish (glass_table.cc), as it does for incompressible data, and every
/// Xapian reader reads both forms (inflate() is zlib's own). These
/// definitions take the place of zlib's in this program only (Xapian is its
/// one zlib user; zlib's own call from deflateInit2_ lands here too, which
/// leaves a stream that is never used and is freed by deflateEnd as usual).
/// The term lists take about a fifth more room, the index about 5 % more
/// (bench/RESULTS.md, "Term lists stored as they are").
extern "C" int deflate(z_streamp, int) { return Z_BUF_ERROR; }
extern "C" int deflateReset(z_streamp) { return Z_OK; }

int main(int argc, char** argv) { return qanat::indexer::index_main(argc, argv); }
