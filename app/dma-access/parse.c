/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_common.h>

#include "dma_access_app.h"
#include "dma_access_proto.h"

/*
 * Plain decimal digits only: strtoull() alone would also take a sign,
 * leading blanks and "0x", and turn "-1" into a huge number.
 */
static int
parse_digits(const char *s, const char **end, uint64_t *out)
{
	unsigned long long v;
	char *e;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*end = e;
	*out = v;
	return 0;
}

int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	const char *end;
	uint64_t v;
	int ret;

	ret = parse_digits(s, &end, &v);
	if (ret != 0)
		return ret;
	if (*end != '\0')
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int
parse_duration(const char *s, uint64_t *seconds)
{
	/* A century: far enough for any token, near enough to catch typos. */
	const uint64_t limit = 36500ull * 86400;
	const char *end;
	uint64_t v, unit;
	int ret;

	ret = parse_digits(s, &end, &v);
	if (ret != 0)
		return ret;
	switch (*end) {
	case '\0':
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -EINVAL;
	}
	if (*end != '\0' && end[1] != '\0')
		return -EINVAL;
	if (v == 0 || v > limit / unit)
		return -ERANGE;
	*seconds = v * unit;
	return 0;
}

int
parse_mode(const char *s, mode_t *mode)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '7')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	if (v > 0777)
		return -ERANGE;
	*mode = (mode_t)v;
	return 0;
}

/* (uid_t)-1 and (gid_t)-1 mean "no change" to the kernel: never an id. */
#define ID_MAX (UINT32_MAX - 1)

int
parse_uid(const char *s, uint32_t *uid)
{
	struct passwd *pw;

	if (isdigit((unsigned char)s[0]))
		return parse_u32(s, 0, ID_MAX, uid);
	pw = getpwnam(s);
	if (pw == NULL)
		return -ENOENT;
	*uid = (uint32_t)pw->pw_uid;
	return 0;
}

int
parse_gid(const char *s, uint32_t *gid)
{
	struct group *gr;

	if (isdigit((unsigned char)s[0]))
		return parse_u32(s, 0, ID_MAX, gid);
	gr = getgrnam(s);
	if (gr == NULL)
		return -ENOENT;
	*gid = (uint32_t)gr->gr_gid;
	return 0;
}

static const char *const class_names[] = {
	[DXA_CLASS_ANY] = "any",
	[DXA_CLASS_A] = "A",
	[DXA_CLASS_B] = "B",
};

int
parse_class(const char *s, uint8_t *dev_class)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(class_names); i++) {
		if (strcasecmp(s, class_names[i]) == 0) {
			*dev_class = (uint8_t)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
class_name(uint8_t dev_class)
{
	if (dev_class >= RTE_DIM(class_names))
		return "?";
	return class_names[dev_class];
}

/* A member's device: class 0 is a software device, not "any class". */
const char *
member_class_name(uint8_t dev_class)
{
	return dev_class == DXA_CLASS_ANY ? "software" : class_name(dev_class);
}
