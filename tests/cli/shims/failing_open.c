/* Loaded with LD_PRELOAD by tests/cli/test_robustness.py: open() of the file
 * named by QANAT_FAIL_OPEN_PATH fails with EACCES, as for a file its reader
 * may not read (stat still works); so does access() of the folder named by
 * QANAT_FAIL_ACCESS_PATH, as for a folder its reader may not read ("*SUFFIX"
 * in QANAT_FAIL_OPEN_PATH: every path that ends with SUFFIX). Other
 * files and folders are as they are. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int refused(const char* path) {
    const char* want = getenv("QANAT_FAIL_OPEN_PATH");
    if (!want || !path) return 0;
    if (want[0] == '*') { /* "*SUFFIX": any path that ends so */
        size_t n = strlen(path), k = strlen(want + 1);
        return n >= k && strcmp(path + n - k, want + 1) == 0;
    }
    return strcmp(path, want) == 0;
}

#define SHIM(name)                                                                 \
    int name(const char* path, int flags, ...) {                                   \
        static int (*real)(const char*, int, ...);                                 \
        if (!real) real = (int (*)(const char*, int, ...))dlsym(RTLD_NEXT, #name); \
        mode_t mode = 0;                                                           \
        if (flags & (O_CREAT | O_TMPFILE)) {                                       \
            va_list ap;                                                            \
            va_start(ap, flags);                                                   \
            mode = va_arg(ap, mode_t);                                             \
            va_end(ap);                                                            \
        }                                                                          \
        if (refused(path)) {                                                       \
            errno = EACCES;                                                        \
            return -1;                                                             \
        }                                                                          \
        return real(path, flags, mode);                                            \
    }

SHIM(open)
SHIM(open64)

int access(const char* path, int how) {
    static int (*real)(const char*, int);
    if (!real) real = (int (*)(const char*, int))dlsym(RTLD_NEXT, "access");
    const char* want = getenv("QANAT_FAIL_ACCESS_PATH");
    if (want && path && strcmp(path, want) == 0) {
        errno = EACCES;
        return -1;
    }
    return real(path, how);
}
