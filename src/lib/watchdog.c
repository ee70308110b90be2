/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watchdog.c: the claim runs in a child; the parent waits a bounded time, so boot goes on. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "util.h"
#include "watchdog.h"

enum { MSG_STEP = 1, MSG_ENTRY = 2 };

/* One record per write(): under PIPE_BUF, so it arrives whole. */
struct msg {
	uint32_t kind;
	uint64_t idx;
	int32_t state;
	char text[CLAIM_STEP_LEN];
	char driver[64];
	char reason[512];
};

_Static_assert(sizeof(struct msg) <= 4096, "a record must fit in PIPE_BUF");

int watchdog_fork(struct watchdog *w)
{
	int fds[2];
	pid_t pid;

	memset(w, 0, sizeof(*w));
	w->step_idx = CLAIM_NO_ENTRY;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		/* a parent that stopped waiting is EPIPE, not a signal that kills the claim */
		signal(SIGPIPE, SIG_IGN);
		close(fds[0]);
		w->fd = fds[1];
		return 0;
	}
	close(fds[1]);
	w->fd = fds[0];
	w->child = pid;
	return 1;
}

static void send_msg(struct watchdog *w, const struct msg *m)
{
	ssize_t n;

	if (w->parent_gone)
		return;
	do
		n = write(w->fd, m, sizeof(*m));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		w->parent_gone = true;
}

void watchdog_step(struct watchdog *w, size_t idx, const char *what)
{
	struct msg m = { .kind = MSG_STEP, .idx = idx };

	strscpy(m.text, what, sizeof(m.text));
	send_msg(w, &m);
}

bool watchdog_unit_done(struct watchdog *w, const struct plan *p, const size_t *mem,
			size_t nmem)
{
	size_t i;

	for (i = 0; i < nmem; i++) {
		const struct plan_entry *e = &p->e[mem[i]];
		struct msg m = { .kind = MSG_ENTRY, .idx = mem[i], .state = (int32_t)e->state };

		memcpy(m.driver, e->driver, sizeof(m.driver));
		memcpy(m.reason, e->reason, sizeof(m.reason));
		send_msg(w, &m);
	}
	return !w->parent_gone;
}

static void take(struct watchdog *w, struct plan *p, const struct msg *m)
{
	if (m->kind == MSG_STEP) {
		w->step_idx = m->idx < p->n ? (size_t)m->idx : CLAIM_NO_ENTRY;
		memcpy(w->step, m->text, sizeof(w->step));
		w->step[sizeof(w->step) - 1] = '\0';
	} else if (m->kind == MSG_ENTRY && m->idx < p->n) {
		struct plan_entry *e = &p->e[m->idx];

		e->state = (enum state)m->state;
		memcpy(e->driver, m->driver, sizeof(e->driver));
		memcpy(e->reason, m->reason, sizeof(e->reason));
		e->driver[sizeof(e->driver) - 1] = '\0';
		e->reason[sizeof(e->reason) - 1] = '\0';
		e->bind = false;	/* settled */
	}
}

int watchdog_wait(struct watchdog *w, struct plan *p, int timeout_s)
{
	struct timespec ts;
	int64_t deadline;
	struct msg m;
	size_t have = 0;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + (int64_t)timeout_s * 1000;
	for (;;) {
		struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
		int64_t left;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		left = deadline - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
		if (left <= 0)
			break;
		n = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		n = read(w->fd, (char *)&m + have, sizeof(m) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* the child is done with the pipe: it exits now */
			close(w->fd);
			while (waitpid(w->child, &status, 0) < 0)
				if (errno != EINTR)
					return -ECHILD;
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			w->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
			return -ECHILD;	/* it died before writing its report */
		}
		have += (size_t)n;
		if (have == sizeof(m)) {
			take(w, p, &m);
			have = 0;
		}
	}
	/* gave up: closing the pipe tells the child, at its next step */
	close(w->fd);
	return -ETIMEDOUT;
}
