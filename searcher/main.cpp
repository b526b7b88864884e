#include "search_command.h"

int main(int argc, char** argv) { return qanat::searcher::search_main(argc, argv); }
