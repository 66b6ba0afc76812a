/*
 * modem_probe.c - ask serial devices what answers there; see modem_probe.h.
 */
#include "modem_probe.h"

#include <errno.h>
#include <gammu.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gammu_conf.h"
#include "utf8.h"
#include "util.h"

static const char *const sim_names[] = {
	[MODEM_PROBE_SIM_UNKNOWN] = "unknown",
	[MODEM_PROBE_SIM_READY] = "ready",
	[MODEM_PROBE_SIM_PIN] = "PIN wanted",
	[MODEM_PROBE_SIM_MISSING] = "missing",
};

const char *modem_probe_sim_name(enum modem_probe_sim sim)
{
	return (unsigned)sim < sizeof(sim_names) / sizeof(sim_names[0]) ? sim_names[sim]
									: "unknown";
}

/* libgammu's NUL-terminated UCS-2 (big endian, at most maxbytes) as UTF-8. */
static void ucs2_str(const unsigned char *s, size_t maxbytes, char *out, size_t cap)
{
	size_t n = 0, len = 0;

	while (n + 1 < maxbytes && (s[n] || s[n + 1]))
		n += 2;
	if (utf8_from_ucs2(s, n, out, cap, &len) != UTF8_CONV_OK)
		out[0] = '\0';
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

static const char *net_name(GSM_NetworkInfo_State st)
{
	switch (st) {
	case GSM_HomeNetwork: return "home";
	case GSM_RoamingNetwork: return "roaming";
	case GSM_RequestingNetwork: return "searching";
	case GSM_NoNetwork: return "none";
	case GSM_RegistrationDenied: return "denied";
	default: return "unknown";
	}
}

/* Hand the target to libgammu as its configuration. */
static GSM_Error load_config(GSM_StateMachine *s, const struct modem_probe_target *t)
{
	struct config_kv kv[3] = {
		{ "device", (char *)t->device },
		{ "connection", (char *)(t->connection ? t->connection : "at") },
		{ "model", (char *)t->model },
	};

	return gammu_conf_load(s, kv, t->model != NULL ? 3 : 2);
}

/* The child's work: open, ask, close; everything into *r. */
static void probe_one(const struct modem_probe_target *t, struct modem_probe_result *r)
{
	GSM_StateMachine *s = GSM_AllocStateMachine();
	char buf[GSM_MAX_INFO_LENGTH + 1];
	GSM_SecurityCodeType sec;
	GSM_NetworkInfo ni;
	GSM_SignalQuality sq;
	GSM_Error e;

	if (s == NULL) {
		copy(r->reason, sizeof(r->reason), "out of memory");
		return;
	}
	e = load_config(s, t);
	if (e != ERR_NONE) {
		snprintf(r->reason, sizeof(r->reason), "invalid gammu settings: %s",
			 GSM_ErrorString(e));
		goto out;
	}
	e = GSM_InitConnection(s, 1);
	if (e != ERR_NONE) {
		snprintf(r->reason, sizeof(r->reason), "could not open the device: %s",
			 GSM_ErrorString(e));
		goto out;
	}
	r->answered = true;
	buf[0] = '\0';
	if (GSM_GetManufacturer(s, buf) == ERR_NONE)
		copy(r->manufacturer, sizeof(r->manufacturer), buf);
	buf[0] = '\0';
	if (GSM_GetModel(s, buf) == ERR_NONE)
		copy(r->model, sizeof(r->model), buf);
	buf[0] = '\0';
	if (GSM_GetIMEI(s, buf) == ERR_NONE)
		copy(r->imei, sizeof(r->imei), buf);
	e = GSM_GetSecurityStatus(s, &sec);
	if (e == ERR_NONE)
		r->sim = sec == SEC_None ? MODEM_PROBE_SIM_READY : MODEM_PROBE_SIM_PIN;
	else if (e == ERR_NOSIM)
		r->sim = MODEM_PROBE_SIM_MISSING;
	else if (GSM_GetSIMIMSI(s, buf) == ERR_NONE)
		r->sim = MODEM_PROBE_SIM_READY;
	memset(&ni, 0, sizeof(ni));
	copy(r->network, sizeof(r->network), "unknown");
	if (GSM_GetNetworkInfo(s, &ni) == ERR_NONE) {
		copy(r->network, sizeof(r->network), net_name(ni.State));
		copy(r->operator_code, sizeof(r->operator_code), ni.NetworkCode);
		ucs2_str(ni.NetworkName, sizeof(ni.NetworkName), r->operator_name,
			 sizeof(r->operator_name));
		if (r->operator_name[0] == '\0' && ni.NetworkCode[0] != '\0')
			ucs2_str(GSM_GetNetworkName(ni.NetworkCode), 200, r->operator_name,
				 sizeof(r->operator_name));
	}
	memset(&sq, 0, sizeof(sq));
	if (GSM_GetSignalQuality(s, &sq) == ERR_NONE) {
		if (sq.SignalPercent >= 0 && sq.SignalPercent <= 100)
			r->signal_percent = sq.SignalPercent;
		if (sq.SignalStrength < 0 && sq.SignalStrength >= -200)
			r->signal_dbm = sq.SignalStrength;
	}
	GSM_TerminateConnection(s);
out:
	GSM_FreeStateMachine(s);
}

/* Write all len bytes of p to fd. */
static bool write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len > 0) {
		ssize_t w = write(fd, c, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		c += w;
		len -= (size_t)w;
	}
	return true;
}

struct child {
	pid_t pid;
	int fd;     /* read end; -1 once done */
	size_t got; /* bytes of the result read */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child is done (or given up): reap it and say why when it gave no
 * full result. */
static void finish(struct child *c, struct modem_probe_result *r, bool timed_out,
		   unsigned timeout_s)
{
	int status = 0;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (timed_out)
		kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (c->got == sizeof(*r))
		return;
	memset(r, 0, sizeof(*r));
	r->signal_percent = -1;
	if (timed_out)
		snprintf(r->reason, sizeof(r->reason), "no answer within %u s", timeout_s);
	else if (WIFSIGNALED(status))
		snprintf(r->reason, sizeof(r->reason), "the probe died of signal %d",
			 WTERMSIG(status));
	else
		snprintf(r->reason, sizeof(r->reason), "the probe ended without an answer");
}

bool modem_probe_run(const struct modem_probe_target *targets, size_t n, unsigned timeout_s,
		     struct modem_probe_result *results, char *err, size_t errlen)
{
	struct child *kids = calloc(n ? n : 1, sizeof(*kids));
	struct pollfd *pfd = calloc(n ? n : 1, sizeof(*pfd));
	size_t *idx = calloc(n ? n : 1, sizeof(*idx));
	int64_t deadline;
	size_t started = 0, left = 0;
	bool ok = false;

	if (kids == NULL || pfd == NULL || idx == NULL) {
		util_seterr(err, errlen, "out of memory");
		goto fail;
	}
	if (timeout_s == 0)
		timeout_s = 1;
	fflush(NULL);
	for (size_t i = 0; i < n; i++) {
		int p[2];

		memset(&results[i], 0, sizeof(results[i]));
		results[i].signal_percent = -1;
		kids[i].fd = -1;
		if (pipe(p) != 0) {
			snprintf(results[i].reason, sizeof(results[i].reason),
				 "could not start the probe: %s", strerror(errno));
			continue;
		}
		kids[i].pid = fork();
		if (kids[i].pid < 0) {
			snprintf(results[i].reason, sizeof(results[i].reason),
				 "could not start the probe: %s", strerror(errno));
			close(p[0]);
			close(p[1]);
			continue;
		}
		if (kids[i].pid == 0) {
			struct modem_probe_result r;

			close(p[0]);
			memset(&r, 0, sizeof(r));
			r.signal_percent = -1;
			probe_one(&targets[i], &r);
			_exit(write_all(p[1], &r, sizeof(r)) ? 0 : 1);
		}
		close(p[1]);
		kids[i].fd = p[0];
		started++;
		left++;
	}
	if (started == 0 && n > 0) {
		util_seterr(err, errlen, "%s", results[0].reason);
		goto fail;
	}
	deadline = now_ms() + (int64_t)timeout_s * 1000;
	while (left > 0) {
		int64_t wait = deadline - now_ms();
		size_t np = 0;
		int rc;

		if (wait <= 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (kids[i].fd >= 0) {
				idx[np] = i;
				pfd[np++] = (struct pollfd){ .fd = kids[i].fd, .events = POLLIN };
			}
		rc = poll(pfd, np, (int)wait);
		if (rc < 0 && errno != EINTR) {
			util_seterr(err, errlen, "could not wait for the probes: %s",
				    strerror(errno));
			break;
		}
		for (size_t k = 0; rc > 0 && k < np; k++) {
			size_t i = idx[k];
			ssize_t got;

			if (pfd[k].revents == 0)
				continue;
			got = read(kids[i].fd, (char *)&results[i] + kids[i].got,
				   sizeof(results[i]) - kids[i].got);
			if (got < 0 && errno == EINTR)
				continue;
			if (got > 0) {
				kids[i].got += (size_t)got;
				if (kids[i].got < sizeof(results[i]))
					continue;
			}
			finish(&kids[i], &results[i], false, timeout_s);
			left--;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (kids[i].fd >= 0)
			finish(&kids[i], &results[i], true, timeout_s);
	ok = true;
fail:
	free(kids);
	free(pfd);
	free(idx);
	return ok;
}
