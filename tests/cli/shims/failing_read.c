/* Loaded with LD_PRELOAD by tests/cli/test_robustness.py: read() on the file
 * named by QANAT_FAIL_READ_PATH fails with EIO once the file's offset reaches
 * QANAT_FAIL_READ_AFTER bytes, as a failing disk would. Other files read as
 * usual. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t read(int fd, void* buf, size_t n) {
    static ssize_t (*real_read)(int, void*, size_t);
    if (!real_read) real_read = (ssize_t(*)(int, void*, size_t))dlsym(RTLD_NEXT, "read");
    const char* want = getenv("QANAT_FAIL_READ_PATH");
    const char* after = getenv("QANAT_FAIL_READ_AFTER");
    if (want && after) {
        char link[64], target[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t k = readlink(link, target, sizeof target - 1);
        if (k > 0) {
            target[k] = '\0';
            if (strcmp(target, want) == 0 && lseek(fd, 0, SEEK_CUR) >= atol(after)) {
                errno = EIO;
                return -1;
            }
        }
    }
    return real_read(fd, buf, n);
}
