/* What touching fresh memory costs on this machine, against reading a file
 * the operating system has cached through a mapping (why the facet table is
 * a mapped file: bench/RESULTS.md).
 *
 *   cc -O2 -o /tmp/page_cost bench/page_cost.c
 *   head -c 64M /dev/urandom > /tmp/blob && cat /tmp/blob > /dev/null
 *   /tmp/page_cost /tmp/blob
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void fresh(const char* how, size_t n, int flags, int huge) {
    char* p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
    if (p == MAP_FAILED) return;
    if (huge) madvise(p, n, MADV_HUGEPAGE);
    double t = now();
    for (size_t i = 0; i < n; i += 4096) p[i] = 1;
    double e = now() - t;
    printf("fresh memory, %-14s %7.1f ms for %zu MiB (%.2f us a 4 KiB page)\n", how, e * 1e3, n >> 20, e * 1e6 / (n / 4096));
    munmap(p, n);
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: page_cost FILE (a file the page cache holds)\n");
        return 2;
    }
    size_t n = 64u << 20;
    fresh("4 KiB pages:", n, 0, 0);
    fresh("huge pages:", n, 0, 1);
    fresh("MAP_POPULATE:", n, MAP_POPULATE, 0);
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) return 1;
    size_t size = (size_t)lseek(fd, 0, SEEK_END);
    double t = now();
    char* m = mmap(0, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    volatile long sum = 0;
    for (size_t i = 0; i < size; i += 4096) sum += m[i];
    printf("cached file, mapped:        %7.1f ms for %zu MiB\n", (now() - t) * 1e3, size >> 20);
    t = now();
    char* b = malloc(size);
    for (size_t off = 0; off < size;) {
        ssize_t r = pread(fd, b + off, size - off > (1u << 20) ? (1u << 20) : size - off, (off_t)off);
        if (r <= 0) return 1;
        off += (size_t)r;
    }
    printf("cached file, read into fresh memory: %7.1f ms for %zu MiB\n", (now() - t) * 1e3, size >> 20);
    return 0;
}
