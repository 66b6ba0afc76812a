/*
 * pin.c - salted PBKDF2 hashes of observers' PINs; see pin.h.
 */
#include "pin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util.h"

#define PIN_SALT_LEN 16
#define PIN_HASH_LEN 32
#define PIN_PREFIX "pbkdf2-sha256$"

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Decode exactly n bytes of lowercase hex from s; false if malformed. */
static bool hex_decode(const char *s, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_value(s[2 * i]), lo;

		if (hi < 0)
			return false;
		lo = hex_value(s[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

static bool pbkdf2(const char *pin, const unsigned char *salt, int iterations, unsigned char *out)
{
	return PKCS5_PBKDF2_HMAC(pin, (int)strlen(pin), salt, PIN_SALT_LEN, iterations,
				 EVP_sha256(), PIN_HASH_LEN, out) == 1;
}

bool pin_hash(const char *pin, int iterations, char *out, size_t outlen)
{
	unsigned char salt[PIN_SALT_LEN], dk[PIN_HASH_LEN];
	char salt_hex[2 * PIN_SALT_LEN + 1], dk_hex[2 * PIN_HASH_LEN + 1];
	bool ok = false;

	if (iterations <= 0)
		iterations = PIN_ITERATIONS;
	if (outlen < PIN_HASH_BUF || RAND_bytes(salt, sizeof(salt)) != 1 ||
	    !pbkdf2(pin, salt, iterations, dk))
		goto done;
	util_hex(salt_hex, salt, sizeof(salt));
	util_hex(dk_hex, dk, sizeof(dk));
	snprintf(out, outlen, PIN_PREFIX "%d$%s$%s", iterations, salt_hex, dk_hex);
	ok = true;
done:
	OPENSSL_cleanse(dk, sizeof(dk));
	return ok;
}

bool pin_verify(const char *pin, const char *hash)
{
	unsigned char salt[PIN_SALT_LEN], want[PIN_HASH_LEN], got[PIN_HASH_LEN];
	const char *p;
	char *end;
	long iterations;
	bool ok = false;

	if (pin == NULL || hash == NULL || strncmp(hash, PIN_PREFIX, strlen(PIN_PREFIX)) != 0)
		return false;
	p = hash + strlen(PIN_PREFIX);
	if (*p < '1' || *p > '9')
		return false;
	iterations = strtol(p, &end, 10);
	if (iterations < 1 || iterations > 10000000 || *end != '$')
		return false;
	p = end + 1;
	if (strlen(p) != 2 * PIN_SALT_LEN + 1 + 2 * PIN_HASH_LEN || p[2 * PIN_SALT_LEN] != '$' ||
	    !hex_decode(p, salt, PIN_SALT_LEN) ||
	    !hex_decode(p + 2 * PIN_SALT_LEN + 1, want, PIN_HASH_LEN))
		return false;
	if (pbkdf2(pin, salt, (int)iterations, got))
		ok = CRYPTO_memcmp(got, want, PIN_HASH_LEN) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return ok;
}
