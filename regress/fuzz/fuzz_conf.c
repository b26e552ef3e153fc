/*
 * Copyright (c) 2026 The timed developers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * libFuzzer target: the configuration reader and parser (lib/conf.c,
 * lib/conf_file.c) on arbitrary text, include, confdir and sourcedir
 * included, without touching a file.  As chrony's unit tests do, this
 * file #includes conf_file.c with fopen, opendir/readdir/closedir and
 * glob replaced by fakes that serve an in-memory tree cut from the
 * input:
 *
 *	main.conf text
 *	\n%%%d/a.conf\n	a file /f/d/a.conf follows, up to the
 *	server x		next marker (at most MAX_FILES files)
 *
 * The main file is /f/main.conf.  Checks: conf_load gives 0 or -1, -1
 * with a diagnostic; every diagnostic is printable ASCII lines; a
 * configuration that loads prints (timed -p, and what the monitor hands
 * the engine) to text that loads again and prints the same; its
 * sourcedirs read again as reload sources does.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -iquote lib \
 *	    regress/fuzz/fuzz_conf.c lib/conf.c -lm -o fuzz_conf
 *	./fuzz_conf /tmp/scratch_corpus regress/fuzz/corpus/conf
 */

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES	16
#define ROOT		"/f/"
#define MARKER		"\n%%%"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct vfile {
	char		 path[256];
	const uint8_t	*data;
	size_t		 len;
};

static struct vfile	vfs[MAX_FILES + 1];	/* + the printed config */
static int		nvfs;

static struct vfile *
vfs_find(const char *path)
{
	int	 i;

	for (i = 0; i < nvfs; i++)
		if (strcmp(vfs[i].path, path) == 0)
			return &vfs[i];
	return NULL;
}

/* fopen: a memory stream over the file's bytes; nothing else exists. */
static FILE *
fake_fopen(const char *path, const char *mode)
{
	static const char	 empty[1];
	struct vfile		*v;

	if (strcmp(mode, "r") != 0)
		abort();
	if ((v = vfs_find(path)) == NULL) {
		errno = ENOENT;
		return NULL;
	}
	/* glibc 2.22 and later take a size of 0 */
	return fmemopen(v->len > 0 ? (void *)v->data : (void *)empty, v->len,
	    "r");
}

/* A directory lists the files right under it. */
struct fake_dir {
	char		 dir[256];
	int		 next;
	struct dirent	 de;
};

static struct fake_dir *
fake_opendir(const char *dir)
{
	static struct fake_dir	 d;
	size_t			 n = strlen(dir);
	int			 i;

	for (i = 0; i < nvfs; i++)
		if (strncmp(vfs[i].path, dir, n) == 0 &&
		    vfs[i].path[n] == '/' && n + 1 < sizeof(d.dir))
			break;
	if (i == nvfs) {
		errno = ENOENT;
		return NULL;
	}
	memset(&d, 0, sizeof(d));
	memcpy(d.dir, dir, n + 1);
	return &d;
}

static struct dirent *
fake_readdir(struct fake_dir *d)
{
	size_t		 n = strlen(d->dir);
	const char	*name;

	for (; d->next < nvfs; d->next++) {
		name = vfs[d->next].path + n + 1;
		if (strncmp(vfs[d->next].path, d->dir, n) != 0 ||
		    vfs[d->next].path[n] != '/' || strchr(name, '/') != NULL ||
		    strlen(name) >= sizeof(d->de.d_name))
			continue;
		strcpy(d->de.d_name, name);
		d->next++;
		return &d->de;
	}
	return NULL;
}

static int
fake_closedir(struct fake_dir *d)
{
	(void)d;
	return 0;
}

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * glob(3) over the tree: sorted matches; GLOB_NOMAGIC as glibc's, and
 * every directory exists for GLOB_ERR.
 */
static int
fake_glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
    glob_t *g)
{
	int	 i;

	(void)errfunc;
	if (flags != (GLOB_ERR | GLOB_NOMAGIC))
		abort();
	memset(g, 0, sizeof(*g));
	if ((g->gl_pathv = calloc(nvfs + 2, sizeof(char *))) == NULL)
		return GLOB_NOSPACE;
	for (i = 0; i < nvfs; i++)
		if (fnmatch(pattern, vfs[i].path, FNM_PATHNAME | FNM_PERIOD) ==
		    0 && (g->gl_pathv[g->gl_pathc] =
		    strdup(vfs[i].path)) != NULL)
			g->gl_pathc++;
	if (g->gl_pathc == 0 && strpbrk(pattern, "*?[") == NULL)
		g->gl_pathv[g->gl_pathc++] = strdup(pattern);
	if (g->gl_pathc == 0) {
		free(g->gl_pathv);
		g->gl_pathv = NULL;
		return GLOB_NOMATCH;
	}
	qsort(g->gl_pathv, g->gl_pathc, sizeof(char *), path_cmp);
	return 0;
}

static void
fake_globfree(glob_t *g)
{
	size_t	 i;

	for (i = 0; i < g->gl_pathc; i++)
		free(g->gl_pathv[i]);
	free(g->gl_pathv);
}

#define fopen		fake_fopen
#define DIR		struct fake_dir
#define opendir		fake_opendir
#define readdir		fake_readdir
#define closedir	fake_closedir
#define glob		fake_glob
#define globfree	fake_globfree
#include "conf_file.c"
#undef fopen

/* Cut the input into files at each MARKER line. */
static void
split(const uint8_t *data, size_t size)
{
	const uint8_t	*p = data, *end = data + size, *m, *nl;
	size_t		 n;

	nvfs = 0;
	snprintf(vfs[0].path, sizeof(vfs[0].path), ROOT "main.conf");
	vfs[0].data = p;
	for (;;) {
		m = memmem(p, end - p, MARKER, sizeof(MARKER) - 1);
		vfs[nvfs].len = (m != NULL ? m + 1 : end) - vfs[nvfs].data;
		nvfs++;
		if (m == NULL || nvfs == MAX_FILES)
			return;
		m += sizeof(MARKER) - 1;
		if ((nl = memchr(m, '\n', end - m)) == NULL)
			nl = end;
		n = nl - m;
		if (n > sizeof(vfs[nvfs].path) - sizeof(ROOT))
			n = sizeof(vfs[nvfs].path) - sizeof(ROOT);
		memcpy(vfs[nvfs].path, ROOT, sizeof(ROOT) - 1);
		memcpy(vfs[nvfs].path + sizeof(ROOT) - 1, m, n);
		vfs[nvfs].path[sizeof(ROOT) - 1 + n] = '\0';
		vfs[nvfs].data = p = nl < end ? nl + 1 : end;
	}
}

/* Every diagnostic: printable ASCII lines, and one at least on error. */
static void
check_diags(const char *text, size_t len, int rc)
{
	size_t	 i;

	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && (len == 0 || text[len - 1] != '\n'))
		abort();
	for (i = 0; i < len; i++)
		if ((text[i] < 0x20 || text[i] > 0x7e) && text[i] != '\n')
			abort();
}

/* Load path into a new configuration; *out: its diagnostics. */
static struct conf *
load(const char *path, int *rc)
{
	struct conf	*c;
	FILE		*errf;
	char		*text = NULL;
	size_t		 len = 0;

	if ((c = conf_new()) == NULL ||
	    (errf = open_memstream(&text, &len)) == NULL)
		abort();
	*rc = conf_load(c, path, errf);
	fclose(errf);
	check_diags(text, len, *rc);
	free(text);
	return c;
}

static char *
print(const struct conf *c, size_t *len)
{
	FILE	*f;
	char	*text = NULL;

	if ((f = open_memstream(&text, len)) == NULL)
		abort();
	conf_print(c, f);
	fclose(f);
	return text;
}

/* What the engine reads: the printed configuration loads and prints back. */
static void
roundtrip(const struct conf *c)
{
	struct conf	*c2;
	char		*t1, *t2;
	size_t		 l1, l2;
	int		 rc;

	t1 = print(c, &l1);
	snprintf(vfs[nvfs].path, sizeof(vfs[nvfs].path), "/printed.conf");
	vfs[nvfs].data = (const uint8_t *)t1;
	vfs[nvfs].len = l1;
	nvfs++;
	c2 = load("/printed.conf", &rc);
	if (rc != 0)
		abort();
	t2 = print(c2, &l2);
	if (l1 != l2 || memcmp(t1, t2, l1) != 0)
		abort();
	free(t2);
	conf_free(c2);
	nvfs--;
	free(t1);
}

/* reload sources: the sourcedirs read again into a new configuration. */
static void
reload(const struct conf *c)
{
	struct conf	*c2;
	FILE		*errf;
	char		*text = NULL;
	size_t		 len = 0;
	int		 rc;

	if ((c2 = conf_new()) == NULL ||
	    (errf = open_memstream(&text, &len)) == NULL)
		abort();
	rc = conf_load_sourcedirs(c2, c->sourcedirs, errf);
	fclose(errf);
	check_diags(text, len, rc);
	free(text);
	conf_free(c2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	*c;
	int		 rc;

	split(data, size);
	c = load(ROOT "main.conf", &rc);
	if (rc == 0) {
		roundtrip(c);
		if (c->sourcedirs != NULL)
			reload(c);
	}
	conf_free(c);
	return 0;
}
