/* Loaded with LD_PRELOAD by tests/cli/test_robustness.py: reading the folder
 * named by QANAT_FAIL_DIR fails with EIO after QANAT_FAIL_DIR_AFTER entries,
 * as a failing disk would. Other folders read as usual. The folder is known
 * by the DIR stream opened on it (opendir, or fdopendir on a descriptor of
 * it, as the C++ library does). */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static DIR* target;
static long served;

static void watch(DIR* d, const char* path) {
    const char* want = getenv("QANAT_FAIL_DIR");
    if (d && want && strcmp(path, want) == 0) {
        target = d;
        served = 0;
    }
}

static int fails(DIR* d) {
    if (d != target) return 0;
    const char* after = getenv("QANAT_FAIL_DIR_AFTER");
    if (served++ < atol(after ? after : "0")) return 0;
    errno = EIO;
    return 1;
}

DIR* opendir(const char* path) {
    static DIR* (*real)(const char*);
    if (!real) real = (DIR * (*)(const char*)) dlsym(RTLD_NEXT, "opendir");
    DIR* d = real(path);
    watch(d, path);
    return d;
}

DIR* fdopendir(int fd) {
    static DIR* (*real)(int);
    if (!real) real = (DIR * (*)(int)) dlsym(RTLD_NEXT, "fdopendir");
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t k = readlink(link, path, sizeof path - 1);
    DIR* d = real(fd);
    if (k > 0) {
        path[k] = '\0';
        watch(d, path);
    }
    return d;
}

struct dirent* readdir(DIR* d) {
    static struct dirent* (*real)(DIR*);
    if (!real) real = (struct dirent * (*)(DIR*)) dlsym(RTLD_NEXT, "readdir");
    return fails(d) ? NULL : real(d);
}

struct dirent64* readdir64(DIR* d) {
    static struct dirent64* (*real)(DIR*);
    if (!real) real = (struct dirent64 * (*)(DIR*)) dlsym(RTLD_NEXT, "readdir64");
    return fails(d) ? NULL : real(d);
}
