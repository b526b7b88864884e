#include "index_command.h"

int main(int argc, char** argv) { return qanat::indexer::index_main(argc, argv); }
