/* The tests' world check of the sandbox harness (sandbox/harness.py), in C.
 *
 * A Python test runs in a child forked from the harness, after the program. Before and after
 * the test the harness must know whether the program changed any module, class or builtins
 * dict of the pristine world. Comparing every entry from Python takes a reference to every
 * value, which writes its reference count, which copies its page into the child: about a
 * millisecond of page faults per test. CPython bumps a dict's version tag (PEP 509,
 * `ma_version_tag`) on every change, so reading one word per dict tells the same without
 * writing anything.
 *
 * rk_snapshot(addresses, n, offset) remembers the version tag of n dicts (`addresses`: n
 * native pointers, packed in a bytes object: Python ints pass as C ints) read at `offset`
 * into each dict object; children inherit it by fork. rk_changed() answers the index of the
 * first dict whose tag moved since, or -1. rk_word(address, offset) reads one word of an
 * object (`address`: one packed pointer; the harness checks the layout with it before
 * trusting any of this). No allocation after rk_snapshot, no writes to Python objects.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char **dicts;
static uint64_t *tags;
static int count = -1;
static int tag_offset;

int rk_snapshot(const char *addresses, int n, int offset) {
    const char **d = malloc(sizeof(char *) * (size_t)(n > 0 ? n : 1));
    uint64_t *t = malloc(sizeof(uint64_t) * (size_t)(n > 0 ? n : 1));
    if (d == NULL || t == NULL) {
        free(d);
        free(t);
        return -1;
    }
    memcpy(d, addresses, sizeof(char *) * (size_t)n);
    for (int i = 0; i < n; i++) t[i] = *(const uint64_t *)(d[i] + offset);
    free(dicts);
    free(tags);
    dicts = d;
    tags = t;
    count = n;
    tag_offset = offset;
    return 0;
}

int rk_changed(void) {
    if (count < 0) return -2;
    for (int i = 0; i < count; i++)
        if (*(const uint64_t *)(dicts[i] + tag_offset) != tags[i]) return i;
    return -1;
}

int rk_word(const char *address, int offset) {
    const char *object;
    memcpy(&object, address, sizeof object);
    return (int)*(const long *)(object + offset);
}
