/*
 * cmd_modems.c - sawt modems [--device PATH [--connection C] [--model M]] [--timeout S]
 *
 * List the serial devices a modem could be on (/dev/ttyUSB*, /dev/ttyACM*,
 * the udev names /dev/sawt-modem-* and the links in /dev/serial/by-id, each device
 * once with its other names), ask each at the same time what it is
 * (src/transport/modem_probe.c: model, IMEI, SIM, network, signal), and
 * print a [modem] section ready to paste for each one that answers, named
 * by its most stable name.  A device that does not answer is listed with
 * the reason.  Devices already in the configuration's [modem] sections
 * are listed but not probed, so a running sawtd is not disturbed; --device
 * probes one device (or the dummy phone's folder) whatever the
 * configuration says.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "modem_probe.h"

/* Where modems show up, most stable name first. */
static const char *const patterns[] = {
	"/dev/sawt-modem-*",
	"/dev/serial/by-id/*",
	"/dev/ttyUSB*",
	"/dev/ttyACM*",
};
#define N_PATTERNS (sizeof(patterns) / sizeof(patterns[0]))

#define MAX_DEVICES 64

struct dev {
	char real[PATH_MAX]; /* the device itself */
	char name[PATH_MAX]; /* the name to configure: the most stable one */
	char others[1024];   /* its other names, ", "-separated */
	const char *modem;   /* the [modem NAME] that already uses it, or NULL */
};

static int usage(void)
{
	fprintf(stderr,
		"usage: sawt modems [--timeout SECONDS] [--device PATH [--connection C] [--model M]]\n"
		"  list the serial devices, ask each what it is (model, IMEI, SIM, network,\n"
		"  signal) and print a [modem] section for each one that answers;\n"
		"  devices of the configuration's [modem] sections are not probed.\n"
		"  --device probes one device (the dummy phone: --device DIR --connection none\n"
		"  --model dummy); --timeout: seconds for each device (default 10)\n");
	return 2;
}

static void add_other(struct dev *d, const char *name)
{
	size_t len = strlen(d->others);

	snprintf(d->others + len, sizeof(d->others) - len, "%s%s", len ? ", " : "", name);
}

/* The configured modem on real path real, or NULL. */
static const char *configured(const struct config *cfg, const char *real)
{
	char r[PATH_MAX];

	for (size_t i = 0; i < cfg->n_modems; i++) {
		const char *d = cfg->modems[i].device;

		if (d != NULL &&
		    (strcmp(d, real) == 0 || (realpath(d, r) != NULL && strcmp(r, real) == 0)))
			return cfg->modems[i].name;
	}
	return NULL;
}

/* Every candidate device, each once; returns how many. */
static size_t discover(const struct config *cfg, struct dev *devs, size_t cap)
{
	size_t n = 0;

	for (size_t p = 0; p < N_PATTERNS; p++) {
		glob_t g;

		if (glob(patterns[p], 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char real[PATH_MAX];
			size_t j;

			if (realpath(g.gl_pathv[i], real) == NULL)
				continue;
			for (j = 0; j < n; j++)
				if (strcmp(devs[j].real, real) == 0)
					break;
			if (j < n) {
				add_other(&devs[j], g.gl_pathv[i]);
				continue;
			}
			if (n == cap)
				break;
			memset(&devs[n], 0, sizeof(devs[n]));
			snprintf(devs[n].real, sizeof(devs[n].real), "%s", real);
			snprintf(devs[n].name, sizeof(devs[n].name), "%s", g.gl_pathv[i]);
			if (strcmp(real, g.gl_pathv[i]) != 0)
				add_other(&devs[n], real);
			devs[n].modem = configured(cfg, real);
			n++;
		}
		globfree(&g);
	}
	return n;
}

/* A [modem NAME] name not in the configuration and not given yet. */
static void next_name(const struct config *cfg, unsigned *k, char *out, size_t cap)
{
	for (;;) {
		bool used = false;

		snprintf(out, cap, "m%u", ++*k);
		for (size_t i = 0; i < cfg->n_modems; i++)
			if (strcmp(cfg->modems[i].name, out) == 0)
				used = true;
		if (!used)
			return;
	}
}

static void print_answer(const struct modem_probe_result *r)
{
	printf("  answers: %s%s%s", r->manufacturer, r->manufacturer[0] ? " " : "",
	       r->model[0] ? r->model : "(model unknown)");
	if (r->imei[0])
		printf(", IMEI %s", r->imei);
	printf("\n  SIM %s, network %s", modem_probe_sim_name(r->sim), r->network);
	if (r->operator_code[0] || r->operator_name[0])
		printf(" (%s%s%s)", r->operator_code,
		       r->operator_code[0] && r->operator_name[0] ? " " : "", r->operator_name);
	if (r->signal_percent >= 0)
		printf(", signal %d %%", r->signal_percent);
	else
		printf(", signal unknown");
	if (r->signal_dbm != 0)
		printf(" (%d dBm)", r->signal_dbm);
	printf("\n");
	if (r->sim == MODEM_PROBE_SIM_PIN)
		printf("  the SIM wants its PIN: sawt does not enter PINs; turn the PIN request off "
		       "in a phone\n");
	else if (r->sim == MODEM_PROBE_SIM_MISSING)
		printf("  no SIM: put one in\n");
	if (r->signal_percent >= 0 && r->signal_percent < 20)
		printf("  weak signal: move the modem or use an antenna\n");
}

int cmd_modems(int argc, char **argv, const struct config *cfg)
{
	struct dev *devs = calloc(MAX_DEVICES, sizeof(*devs));
	struct modem_probe_target targets[MAX_DEVICES];
	struct modem_probe_result *res = calloc(MAX_DEVICES, sizeof(*res));
	size_t idx[MAX_DEVICES];
	const char *device = NULL, *connection = NULL, *model = NULL, *v;
	unsigned timeout = 10, k = 0;
	size_t n = 0, nt = 0, answered = 0;
	char err[256], name[32];
	int rc = 1;

	if (devs == NULL || res == NULL) {
		fprintf(stderr, "sawt: out of memory\n");
		goto out;
	}
	for (int i = 1; i < argc; i++) {
		if ((v = cli_opt_value(argc, argv, &i, "--device")) != NULL) {
			device = v;
		} else if ((v = cli_opt_value(argc, argv, &i, "--connection")) != NULL) {
			connection = v;
		} else if ((v = cli_opt_value(argc, argv, &i, "--model")) != NULL) {
			model = v;
		} else if ((v = cli_opt_value(argc, argv, &i, "--timeout")) != NULL) {
			if (!cli_wait_seconds(v, &timeout) || timeout == 0) {
				fprintf(stderr, "sawt: --timeout must be 1 to 3600 seconds\n");
				rc = 2;
				goto out;
			}
		} else {
			rc = usage();
			goto out;
		}
	}
	if (device == NULL && (connection != NULL || model != NULL)) {
		rc = usage();
		goto out;
	}
	if (device != NULL) {
		snprintf(devs[0].real, sizeof(devs[0].real), "%s", device);
		snprintf(devs[0].name, sizeof(devs[0].name), "%s", device);
		n = 1;
	} else {
		n = discover(cfg, devs, MAX_DEVICES);
	}
	if (n == 0) {
		fprintf(stderr,
			"sawt: no serial devices found (/dev/ttyUSB*, /dev/ttyACM*, "
			"/dev/serial/by-id/*): is the modem plugged in? \"lsusb\" and \"dmesg\" "
			"show what the machine sees\n");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (devs[i].modem != NULL)
			continue;
		targets[nt] = (struct modem_probe_target){ devs[i].real, connection, model };
		idx[nt++] = i;
	}
	if (nt > 0) {
		printf("probing %zu device(s), up to %u s each...\n", nt, timeout);
		fflush(stdout);
		if (!modem_probe_run(targets, nt, timeout, res, err, sizeof(err))) {
			fprintf(stderr, "sawt: %s\n", err);
			goto out;
		}
	}
	for (size_t i = 0, t = 0; i < n; i++) {
		printf("\n%s", devs[i].real);
		if (devs[i].others[0])
			printf("  (also %s)", devs[i].others);
		printf("\n");
		if (devs[i].modem != NULL) {
			printf("  configured as [modem %s]: not probed (sawtd may be using it; see "
			       "\"sawt status\")\n",
			       devs[i].modem);
			continue;
		}
		if (res[t].answered) {
			print_answer(&res[t]);
			answered++;
		} else {
			printf("  no answer: %s\n", res[t].reason);
		}
		t++;
	}
	if (answered > 0) {
		printf("\n# [modem] sections for the devices that answered, to paste into the "
		       "configuration:\n");
		for (size_t t = 0; t < nt; t++) {
			const struct dev *d = &devs[idx[t]];

			if (!res[t].answered)
				continue;
			next_name(cfg, &k, name, sizeof(name));
			printf("\n# %s%s%s%s%s\n[modem %s]\ndevice = %s\nconnection = %s\n",
			       res[t].manufacturer, res[t].manufacturer[0] ? " " : "", res[t].model,
			       res[t].imei[0] ? ", IMEI " : "", res[t].imei, name, d->name,
			       connection ? connection : "at");
			if (model != NULL)
				printf("model = %s\n", model);
			printf("# number = the SIM's own number, e.g. +96171123456\n"
			       "# balance_ussd = the operator's balance code, e.g. *100#\n");
		}
		rc = 0;
	} else if (nt > 0) {
		fprintf(stderr, "sawt: no device answered\n");
	} else {
		rc = 0;
	}
out:
	free(devs);
	free(res);
	return rc;
}
