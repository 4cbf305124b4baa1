/*
 * path.c: checked formatting of file names, private directories.
 */
#include "compat.h"
#include "util/path.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

int crm_path_format(char *dst, size_t cap, struct crm_error *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap)
		return crm_error_set(err, CRM_EINPUT, "file name too long: '%.64s...'", dst);
	return 0;
}

const char *crm_path_relative(const char *dir, const char *path)
{
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (strncmp(path, dir, len) == 0 && path[len] == '/')
		path += len + 1;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	return path;
}

int crm_mkdir_private(const char *path, struct crm_error *err)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return crm_error_set(err, CRM_EIO, "cannot create '%s': %s", path, strerror(errno));
	return 0;
}

int crm_dir_each_file(const char *dir, const char *sub, crm_dir_file_fn fn, void *ctx, struct crm_error *err)
{
	char folder[PATH_MAX], rel[PATH_MAX], path[PATH_MAX];
	struct dirent **names;
	struct stat st;
	int n, i;

	if (crm_path_format(folder, sizeof(folder), err, "%s/%s", dir, sub))
		return err->code;
	n = scandir(folder, &names, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : crm_error_set(err, CRM_EIO, "'%s': %s", folder, strerror(errno));
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		size_t len = strlen(name);

		if (!err->code && name[0] != '.' && !(len > 4 && strcmp(name + len - 4, ".tmp") == 0) &&
		    !crm_path_format(rel, sizeof(rel), err, "%s/%s", sub, name) &&
		    !crm_path_format(path, sizeof(path), err, "%s/%s", dir, rel) && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode))
			fn(ctx, rel, path, err);
		free(names[i]);
	}
	free(names);
	return err->code;
}

int crm_file_create_private(const char *path, struct crm_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return crm_error_set(err, CRM_EIO, "cannot create '%s': %s", path, strerror(errno));
	close(fd);
	return 0;
}

int crm_file_write(const char *path, const char *text, size_t len, int replace, struct crm_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (replace ? O_TRUNC : O_EXCL), 0644);

	if (fd < 0)
		return crm_error_set(err, errno == EEXIST ? CRM_EINPUT : CRM_EIO, "cannot create '%s': %s", path,
				     strerror(errno));
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", path, strerror(errno));
	}
	if (close(fd) != 0)
		return crm_error_set(err, CRM_EIO, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

int crm_atomic_open(struct crm_atomic_file *af, const char *path, struct crm_error *err)
{
	int fd;

	af->f = NULL;
	if (crm_path_format(af->path, sizeof(af->path), err, "%s", path) ||
	    crm_path_format(af->tmp, sizeof(af->tmp), err, "%s.tmp", path))
		return err->code;
	fd = open(af->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	af->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!af->f && fd >= 0)
		close(fd);
	if (!af->f)
		return crm_error_set(err, CRM_EIO, "cannot create '%s': %s", af->tmp, strerror(errno));
	return 0;
}

int crm_atomic_commit(struct crm_atomic_file *af, struct crm_error *err)
{
	if (!af->f)
		return err->code;
	if (!err->code && (ferror(af->f) || fflush(af->f) || fsync(fileno(af->f))))
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", af->tmp, strerror(errno));
	if (fclose(af->f) && !err->code)
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", af->tmp, strerror(errno));
	af->f = NULL;
	if (!err->code && rename(af->tmp, af->path))
		crm_error_set(err, CRM_EIO, "cannot write '%s': %s", af->path, strerror(errno));
	if (err->code)
		remove(af->tmp);
	return err->code;
}

int crm_path_check_input(const char *path, struct crm_error *err)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return crm_error_set(err, CRM_EINPUT, "cannot open '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return crm_error_set(err, CRM_EINPUT, "'%s' is a folder, not a file", path);
	if (!S_ISREG(st.st_mode))
		return crm_error_set(err, CRM_EINPUT,
				     "'%s' is not a regular file (a FIFO, socket or device would block the read or "
				     "never end): export to a file",
				     path);
	return 0;
}

int crm_path_escapes(const char *rel)
{
	long depth = 0;
	const char *p = rel;

	if (rel[0] == '/')
		return 0;
	while (*p) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return 1;
		} else if (len && !(len == 1 && p[0] == '.')) {
			depth++;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	return 0;
}

int crm_remove_tree(const char *path)
{
	struct stat st;
	struct dirent *e;
	char child[PATH_MAX];
	DIR *d;

	if (lstat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if (!(d = opendir(path)))
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(child, sizeof(child), "%s/%s", path, e->d_name) < (int)sizeof(child))
			crm_remove_tree(child);
	}
	closedir(d);
	return rmdir(path);
}

int crm_file_copy(const char *from, const char *to, struct crm_error *err)
{
	char block[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
	ssize_t n = 0;

	if (in < 0)
		return crm_error_set(err, CRM_EIO, "%s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		crm_error_set(err, CRM_EIO, "%s: %s", to, strerror(errno));
		close(in);
		return err->code;
	}
	while ((n = read(in, block, sizeof(block))) > 0) {
		ssize_t done = 0;
		while (done < n) {
			ssize_t w = write(out, block + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				n = -1;
				break;
			}
			done += w;
		}
		if (n < 0)
			break;
	}
	if (n < 0 && !err->code)
		crm_error_set(err, CRM_EIO, "copying %s to %s: %s", from, to, strerror(errno));
	if (fsync(out) != 0 && !err->code)
		crm_error_set(err, CRM_EIO, "%s: %s", to, strerror(errno));
	if (close(out) != 0 && !err->code)
		crm_error_set(err, CRM_EIO, "%s: %s", to, strerror(errno));
	close(in);
	return err->code;
}
