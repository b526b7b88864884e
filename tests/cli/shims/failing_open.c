/* Loaded with LD_PRELOAD by tests/cli/test_robustness.py: open() of the file
 * named by QANAT_FAIL_OPEN_PATH fails with EACCES, as for a file its reader
 * may not read (stat still works). Other files open as usual. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int refused(const char* path) {
    const char* want = getenv("QANAT_FAIL_OPEN_PATH");
    return want && path && strcmp(path, want) == 0;
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
