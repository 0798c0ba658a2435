/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running reset hooks with a time limit and collecting what they print. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "util-mem.h"
#include "util-time.h"
#include "writers.h"

static int hook_filter(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

/* Run one hook; *ret_status is its exit status or -1 when killed at the deadline. */
static int run_one(const char *path, const char *phase, char *const envp[], uint64_t timeout_ms, int *ret_status,
		   char **ret_output)
{
	int pipefd[2], status = 0;
	char *out = NULL;
	size_t len = 0;
	FILE *mem;
	pid_t pid;
	uint64_t deadline = mono_ms() + timeout_ms;
	bool killed = false;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return r;
	}
	if (pid == 0) {
		char *argv[] = { (char *)path, (char *)phase, NULL };
		sigset_t all;

		setpgid(0, 0);	/* so a timeout kills whatever the hook started, too */
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		execve(path, argv, envp);
		_exit(127);
	}
	close(pipefd[1]);
	mem = open_memstream(&out, &len);
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		uint64_t now = mono_ms();
		char buf[4096];
		ssize_t n;
		int r;

		if (now >= deadline) {
			kill(-pid, SIGKILL);
			killed = true;
			break;
		}
		r = poll(&p, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		n = read(pipefd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		if (mem && len < 65536)
			fwrite(buf, 1, n, mem);
	}
	close(pipefd[0]);
	if (mem)
		fclose(mem);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*ret_status = killed ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	*ret_output = out;
	return 0;
}

static const char *last_line(char *text)
{
	size_t n = text ? strlen(text) : 0;
	char *nl;

	while (n > 0 && text[n - 1] == '\n')
		text[--n] = '\0';
	if (n == 0)
		return "(no output)";
	nl = strrchr(text, '\n');
	return nl ? nl + 1 : text;
}

int memctl_hooks_run(const char *dir, const char *phase, const struct memctl_hook_env *env, uint64_t timeout_ms,
		     bool stop_on_failure, memctl_hook_log_fn log, void *userdata, char **ret_failure)
{
	struct dirent **ents = NULL;
	struct stat st;
	char size[32], why[64], *envp[8];
	int n, result = 0;

	if (lstat(dir, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode)) {
		if (ret_failure)
			asprintf(ret_failure, "%s is a symbolic link: not followed, refusing to run hooks from it "
				 "(make it a directory owned by root)", dir);
		return -EPERM;
	}
	if (memctl_writable_by_others(&st, why, sizeof(why)) < 0) {
		if (ret_failure)
			(void)asprintf_ret(ret_failure, "%s is %s, so others could add hooks: refusing to run its hooks", dir,
					   why);
		return -EPERM;
	}
	snprintf(size, sizeof(size), "%" PRIu64, env->size);
	memset(envp, 0, sizeof(envp));
	if (asprintf_ret(&envp[0], "MEMCTL_PHASE=%s", phase) < 0 ||
	    asprintf_ret(&envp[1], "MEMCTL_TARGET=%s", env->target ? env->target : "") < 0 ||
	    asprintf_ret(&envp[2], "MEMCTL_DEVICES=%s", env->devices ? env->devices : "") < 0 ||
	    asprintf_ret(&envp[3], "MEMCTL_MEMDEVS=%s", env->memdevs ? env->memdevs : "") < 0 ||
	    asprintf_ret(&envp[4], "MEMCTL_SIZE=%s", size) < 0 ||
	    !(envp[5] = strdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"))) {
		for (size_t i = 0; i < ELEMENTSOF(envp); i++)
			free(envp[i]);
		return -ENOMEM;
	}

	n = scandir(dir, &ents, hook_filter, alphasort);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		_autofree_ char *output = NULL;
		int status = 0, r;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (result < 0 || lstat(path, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			/* whoever can change where it points chooses what runs as root */
			if (ret_failure && !*ret_failure)
				asprintf(ret_failure, "hook %s is a symbolic link: not followed, not run (put the "
					 "executable itself there)", path);
			result = -EPERM;
			continue;
		}
		if (!S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR))
			continue;
		if (memctl_writable_by_others(&st, why, sizeof(why)) < 0) {
			if (ret_failure && !*ret_failure)
				(void)asprintf_ret(ret_failure, "hook %s is %s, so others could change it: not run", path, why);
			result = -EPERM;
			continue;
		}
		r = run_one(path, phase, envp, timeout_ms, &status, &output);
		if (r < 0)
			status = 127;
		if (log)
			log(phase, ents[i]->d_name, status, output ? output : "", userdata);
		if (status != 0 && stop_on_failure) {
			if (ret_failure && !*ret_failure) {
				if (status < 0)
					(void)asprintf_ret(ret_failure, "hook %s timed out after %.1f s", ents[i]->d_name,
							   timeout_ms / 1000.0);
				else
					(void)asprintf_ret(ret_failure, "hook %s: exit %d: %s", ents[i]->d_name, status,
							   last_line(output));
			}
			result = -ECANCELED;
		}
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	for (int i = 0; envp[i]; i++)
		free(envp[i]);
	return result;
}
