/*
 * node.c - this sawtd's name among the nodes sharing one database; see
 * node.h.
 */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "file.h"
#include "store_node.h"
#include "util.h"

#define NODE_ID_BYTES 16
#define NODE_ID_HEX (2 * NODE_ID_BYTES)
#define NODE_LIVE_SEC 30         /* sawt.node_live_seconds() */
#define NODE_CLAIM_TIMEOUT_SEC 5 /* to connect at start-up */

struct node {
	struct db *db;
	char name[NODE_NAME_MAX];
	char instance[NODE_ID_HEX + 1];
	bool claimed;
	bool released; /* stopping: never claimed again (a claim queued after
			* the release would undo it) */
	node_refused_cb refused;
	void *arg;
};

static bool is_instance(const char *s, size_t len)
{
	if (len != NODE_ID_HEX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (util_hex_digit(s[i]) < 0)
			return false;
	return true;
}

/* Write a new identifier to path: a temporary file, fsync, rename. */
static bool instance_make(const char *path, char *out, char *err, size_t errlen)
{
	unsigned char raw[NODE_ID_BYTES];
	char tmp[4096];
	int fd = -1;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		util_seterr(err, errlen, "could not read random bytes: %s", strerror(errno));
		return false;
	}
	util_hex(out, raw, sizeof(raw));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, out, NODE_ID_HEX) != NODE_ID_HEX || write(fd, "\n", 1) != 1 ||
	    fsync(fd) != 0) {
		util_seterr(err, errlen, "could not write file \"%s\": %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		fd = -1;
		util_seterr(err, errlen, "could not write file \"%s\": %s", path, strerror(errno));
		goto fail;
	}
	return true;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return false;
}

/* STATE_DIR/node_id: read it, or make it on first start. */
static bool instance_load(const char *state_dir, char *out, char *err, size_t errlen)
{
	char path[4096], ferr[512];
	size_t len = 0;
	char *text;

	snprintf(path, sizeof(path), "%s/node_id", state_dir);
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return instance_make(path, out, err, errlen);
	text = file_read_all(path, 256, &len, ferr, sizeof(ferr));
	if (text == NULL) {
		util_seterr(err, errlen, "%s", ferr);
		return false;
	}
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (!is_instance(text, len)) {
		util_seterr(err, errlen,
			    "file \"%s\" does not hold a node identifier (%d hexadecimal digits); "
			    "remove it to make a new one",
			    path, NODE_ID_HEX);
		free(text);
		return false;
	}
	memcpy(out, text, NODE_ID_HEX);
	out[NODE_ID_HEX] = '\0';
	free(text);
	return true;
}

struct node *node_new(struct db *db, const struct config *cfg, node_refused_cb refused, void *arg,
		      char *err, size_t errlen)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n == NULL) {
		util_seterr(err, errlen, "out of memory");
		return NULL;
	}
	n->db = db;
	n->refused = refused;
	n->arg = arg;
	if (cfg->node_name != NULL)
		snprintf(n->name, sizeof(n->name), "%s", cfg->node_name);
	else if (gethostname(n->name, sizeof(n->name) - 1) != 0)
		snprintf(n->name, sizeof(n->name), "sawtd");
	if (!instance_load(cfg->state_dir, n->instance, err, errlen))
		goto fail;
	return n;
fail:
	node_free(n);
	return NULL;
}

void node_free(struct node *n)
{
	free(n);
}

const char *node_name(const struct node *n)
{
	return n->name;
}

/* The refusal, naming the holder and how to fix it. */
static void log_taken(const struct node *n, const char *instance, const char *started,
		      const char *seen_ago)
{
	log_error(
		"another sawtd is running as node \"%s\" on this database (instance %.8s, "
		"started %s, last seen %s s ago): give this one its own name with [sawt] "
		"node_name, or stop the other one (a node that stops or is silent for %d s "
		"frees its name)",
		n->name, instance, started, seen_ago, NODE_LIVE_SEC);
}

static void claimed(struct node *n)
{
	if (!n->claimed)
		log_info("node \"%s\" (instance %.8s)", n->name, n->instance);
	n->claimed = true;
}

static void claim_cb(const struct db_result *res, void *arg)
{
	struct node *n = arg;

	if (!db_result_ok(res)) {
		/* the connection went: claimed again on the next one */
		if (strcmp(db_result_sqlstate(res), "08006") != 0)
			log_error("could not claim the node name \"%s\": %s", n->name,
				  db_result_error(res));
		return;
	}
	if (strcmp(db_result_value(res, 0, 0), "t") == 0) {
		claimed(n);
		if (n->released) { /* stopping meanwhile: free it again */
			n->released = false;
			node_release(n);
		}
		return;
	}
	n->claimed = false;
	log_taken(n, db_result_value(res, 0, 1), db_result_value(res, 0, 3),
		  db_result_value(res, 0, 2));
	n->refused(n->arg);
}

void node_claim(struct node *n)
{
	const char *p[2] = { n->name, n->instance };

	if (n->released)
		return;
	if (!db_query(n->db, store_node_claim_sql, 2, p, claim_cb, n))
		log_error("could not queue the claim of the node name: out of memory");
}

bool node_claim_now(struct node *n, const char *conninfo)
{
	struct store_node_holder h;
	char err[1024];

	switch (store_node_claim(conninfo, n->name, n->instance, NODE_CLAIM_TIMEOUT_SEC, &h, err,
				 sizeof(err))) {
	case STORE_NODE_CLAIMED: claimed(n); return true;
	case STORE_NODE_TAKEN: log_taken(n, h.instance, h.started, h.seen_ago); return false;
	case STORE_NODE_UNKNOWN: break;
	}
	log_warn("%s; the node name is claimed once the database answers", err);
	return true;
}

static void release_cb(const struct db_result *res, void *arg)
{
	struct node *n = arg;

	if (!db_result_ok(res) && strcmp(db_result_sqlstate(res), "08006") != 0)
		log_warn("could not release the node name \"%s\": %s", n->name,
			 db_result_error(res));
}

void node_release(struct node *n)
{
	const char *p[2];

	if (n == NULL)
		return;
	p[0] = n->name;
	p[1] = n->instance;
	n->released = true;
	if (!n->claimed)
		return;
	if (!db_query(n->db, "SELECT sawt.node_release($1, $2)", 2, p, release_cb, n))
		log_warn("could not queue the release of the node name: out of memory");
	n->claimed = false;
}
