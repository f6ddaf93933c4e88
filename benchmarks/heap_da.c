/* A compiled, single-thread, heap-based deferred acceptance: the yardstick of
 * benchmarks/bench_engine.py (issue 13: the engine within 3x of it, checks on).
 *
 * Same inputs as simulator.engine.deferred_acceptance (CSR rank-order lists,
 * each entry's rank by its program, n_applicants = not ranked, capacities),
 * applicants proposing.  Each program keeps its held applicants in a max-heap
 * keyed by its rank of them, so a proposal costs O(log capacity).  With
 * `check` set it first validates the inputs as the engine does by default
 * (pointers, ranges, no program ranked twice by an applicant, no rank given
 * twice by a program) in linear time.  Returns 0, or the number of the first
 * failed check.  Built by the benchmark with the system's C compiler.
 */
#include <stdint.h>
#include <stdlib.h>

static void sift_down(int64_t *heap, int64_t size, int64_t i) {
    for (;;) {
        int64_t largest = i, left = 2 * i + 1, right = left + 1;
        if (left < size && heap[left] > heap[largest]) largest = left;
        if (right < size && heap[right] > heap[largest]) largest = right;
        if (largest == i) return;
        int64_t t = heap[i]; heap[i] = heap[largest]; heap[largest] = t;
        i = largest;
    }
}

static void sift_up(int64_t *heap, int64_t i) {
    while (i > 0) {
        int64_t parent = (i - 1) / 2;
        if (heap[parent] >= heap[i]) return;
        int64_t t = heap[i]; heap[i] = heap[parent]; heap[parent] = t;
        i = parent;
    }
}

static int check_inputs(int64_t n_app, const int64_t *indptr, const int64_t *programs,
                        const int64_t *ranks, int64_t n_prog, const int64_t *caps) {
    if (indptr[0] != 0) return 1;
    for (int64_t a = 0; a < n_app; a++)
        if (indptr[a + 1] < indptr[a]) return 1;
    int64_t n_entries = indptr[n_app];
    for (int64_t p = 0; p < n_prog; p++)
        if (caps[p] < 0) return 2;
    for (int64_t e = 0; e < n_entries; e++) {
        if (programs[e] < 0 || programs[e] >= n_prog) return 3;
        if (ranks[e] < 0 || ranks[e] > n_app) return 4;
    }
    int status = 0;
    int64_t *stamp = malloc(sizeof(int64_t) * (size_t)(n_prog > n_app + 1 ? n_prog : n_app + 1));
    for (int64_t p = 0; p < n_prog; p++) stamp[p] = -1;
    for (int64_t a = 0; a < n_app && !status; a++)  /* a program twice on one list */
        for (int64_t e = indptr[a]; e < indptr[a + 1]; e++) {
            if (stamp[programs[e]] == a) { status = 5; break; }
            stamp[programs[e]] = a;
        }
    /* a rank given twice by one program: entries bucketed by program, ranks stamped */
    int64_t *start = calloc((size_t)n_prog + 1, sizeof(int64_t));
    int64_t *by_program = malloc(sizeof(int64_t) * (size_t)(n_entries ? n_entries : 1));
    for (int64_t e = 0; e < n_entries; e++) start[programs[e] + 1]++;
    for (int64_t p = 0; p < n_prog; p++) start[p + 1] += start[p];
    for (int64_t e = 0; e < n_entries; e++) by_program[start[programs[e]]++] = ranks[e];
    for (int64_t r = 0; r <= n_app; r++) stamp[r] = -1;
    for (int64_t p = 0, e = 0; p < n_prog && !status; p++)
        for (; e < start[p]; e++) {
            int64_t r = by_program[e];
            if (r == n_app) continue;
            if (stamp[r] == p) { status = 6; break; }
            stamp[r] = p;
        }
    free(stamp); free(start); free(by_program);
    return status;
}

int heap_da(int64_t n_app, const int64_t *indptr, const int64_t *programs, const int64_t *ranks,
            int64_t n_prog, const int64_t *caps, int check, int64_t *match) {
    if (check) {
        int status = check_inputs(n_app, indptr, programs, ranks, n_prog, caps);
        if (status) return status;
    }
    int64_t n_entries = indptr[n_app];
    /* Heap space: a program never holds more than min(capacity, proposals it can receive). */
    int64_t *room = calloc((size_t)n_prog + 1, sizeof(int64_t));
    for (int64_t e = 0; e < n_entries; e++) room[programs[e] + 1]++;
    for (int64_t p = 0; p < n_prog; p++) {
        int64_t cap = caps[p] < room[p + 1] ? caps[p] : room[p + 1];
        room[p + 1] = room[p] + cap;
    }
    int64_t *heap = malloc(sizeof(int64_t) * (size_t)(room[n_prog] ? room[n_prog] : 1));
    int64_t *size = calloc((size_t)n_prog, sizeof(int64_t));
    int64_t *next = malloc(sizeof(int64_t) * (size_t)(n_app ? n_app : 1));
    int64_t *free_stack = malloc(sizeof(int64_t) * (size_t)(n_app ? n_app : 1));
    int64_t top = 0, base = n_app + 1;
    for (int64_t a = n_app - 1; a >= 0; a--) {
        next[a] = indptr[a];
        match[a] = n_prog;
        free_stack[top++] = a;
    }
    while (top > 0) {
        int64_t a = free_stack[--top];
        while (next[a] < indptr[a + 1]) {
            int64_t e = next[a]++, p = programs[e], r = ranks[e];
            if (r >= n_app) continue;
            int64_t cap = room[p + 1] - room[p], *h = heap + room[p], key = r * base + a;
            if (size[p] < cap) {
                h[size[p]] = key;
                sift_up(h, size[p]++);
                match[a] = p;
                break;
            }
            if (cap > 0 && h[0] > key) {
                int64_t evicted = h[0] % base;
                h[0] = key;
                sift_down(h, size[p], 0);
                match[a] = p;
                match[evicted] = n_prog;
                free_stack[top++] = evicted;
                break;
            }
        }
    }
    free(room); free(heap); free(size); free(next); free(free_stack);
    return 0;
}
