/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef RTE_DMADEV_DOMAIN_H
#define RTE_DMADEV_DOMAIN_H

/**
 * @file
 * Inter-domain DMA for dmadev: copies between memory that belongs to
 * different processes ("process domains") or OS instances ("OS domains").
 *
 * Audience: applications. Drivers also include rte_dmadev_domain_pmd.h.
 *
 * @b The @b model
 *
 * A *domain* is an address space with an identity: each process has one
 * domain id, a UUID (rte_dma_domain_id_get()). A dmadev that advertises
 * RTE_DMA_CAPA_INTER_PROCESS_DOMAIN or RTE_DMA_CAPA_INTER_OS_DOMAIN can have
 * virtual channels whose source and destination addresses are interpreted
 * in another domain's address space. Such a vchan names the two domains by
 * *handlers*: small non-zero integers handed out by the access pair group
 * control plane (rte_dma_access_pair_group_create() and the calls after
 * it). A peer's addresses reach only the memory it shared
 * (rte_dma_domain_mem_alloc() and the calls after it). With type
 * RTE_DMA_INTER_DOMAIN_NONE the vchan is an ordinary local one.
 *
 * @code{.unparsed}
 *   process A (domain a)                      process B (domain b)
 *   +-------------------+                     +-------------------+
 *   | rte_dma_copy(src, |   vchan: src=h(a)   |                   |
 *   |   dst, len)  -----+---- dst=h(b) ------>| dst is B's IOVA   |
 *   +-------------------+                     +-------------------+
 * @endcode
 *
 * @b Two @b DPDK @b targets. On DPDK >= 25.11 the upstream part of this API
 * (capability bits, struct rte_dma_inter_domain_param, the five
 * rte_dma_access_pair_group_*() calls and their event type) is DPDK's own,
 * in rte_dmadev.h, and this header adds only what upstream lacks. On DPDK
 * 22.11 this header defines the upstream part too, with upstream's names,
 * values and checks.
 *
 * @b Call @b order (same as plain dmadev):
 *
 *  1. rte_dma_configure()
 *  2. rte_dma_vchan_setup() with conf.domain on DPDK >= 25.11;
 *     rte_dma_domain_vchan_setup() on DPDK 22.11, whose struct
 *     rte_dma_vchan_conf has no room for the domain (the call exists on
 *     both targets).
 *  3. rte_dma_start(), then the ordinary fast-path calls.
 *
 * @b Thread @b safety: like the rest of the dmadev control path, the calls
 * here are not safe against concurrent calls on the same device.
 * rte_dma_domain_id_get() and rte_dma_domain_id_set() are safe from any
 * thread.
 *
 * @b Errors are negative errno values; each call lists its own.
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice, as upstream's.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_bitops.h>
#include <rte_compat.h>
#include <rte_dmadev.h>
#include <rte_uuid.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * DPDK releases from 25.11 define the upstream part of this API in
 * rte_dmadev.h itself; there, this library must not define it again.
 */
#ifndef RTE_DMA_CAPA_INTER_PROCESS_DOMAIN

/**
 * The device can copy between memory of different processes
 * (upstream value, DPDK 25.11).
 */
#define RTE_DMA_CAPA_INTER_PROCESS_DOMAIN RTE_BIT64(9)

/**
 * The device can copy between memory of different OS domains
 * (upstream value, DPDK 25.11).
 */
#define RTE_DMA_CAPA_INTER_OS_DOMAIN RTE_BIT64(10)

/**
 * What kind of domain boundary a vchan's transfers cross.
 *
 * @see struct rte_dma_inter_domain_param
 */
enum rte_dma_inter_domain_type {
	/** Local transfers only: an ordinary vchan. Handlers must be 0. */
	RTE_DMA_INTER_DOMAIN_NONE,
	/** Transfers between processes on one OS. */
	RTE_DMA_INTER_PROCESS_DOMAIN,
	/** Transfers between OS domains (containers, VMs, host and DPU). */
	RTE_DMA_INTER_OS_DOMAIN,
};

/**
 * Inter-domain parameters of a vchan (struct rte_dma_vchan_conf::domain
 * upstream).
 */
struct rte_dma_inter_domain_param {
	/** Kind of boundary; NONE for a local vchan. */
	enum rte_dma_inter_domain_type type;
	/** Handler of the domain whose address space holds source addresses. */
	uint16_t src_handler;
	/** Handler of the domain whose address space holds destinations. */
	uint16_t dst_handler;
	/** Reserved, must be zero. */
	uint64_t reserved[2];
};

/**
 * Events of an access pair group, delivered to the callback given at
 * create or join (upstream values).
 */
enum rte_dma_access_pair_group_event_type {
	/**
	 * A member left the group (leave, exit, crash): its handler is dead
	 * for this device. Creator and joiners get it.
	 */
	RTE_DMA_GROUP_EVENT_MEMBER_LEFT,
	/**
	 * The group is gone (its creator went away, or the broker did): all
	 * its handlers are dead and this device is no longer a member.
	 */
	RTE_DMA_GROUP_EVENT_GROUP_DESTROYED,
};

/**
 * Group event callback.
 *
 * Called on the library's event thread ("dma-xd-event"), never while the
 * library holds a lock: it may call any function of this API, including
 * leaving or destroying the group. Events of one process are delivered one
 * at a time, in the order the broker sent them.
 *
 * @param dev_id The device that is the member.
 * @param group_id The group.
 * @param domain_id MEMBER_LEFT: the domain that left. GROUP_DESTROYED: the
 *   creator's domain (nil if the broker itself went away).
 * @param event What happened.
 */
typedef void (*rte_dma_access_pair_group_event_cb_t)(int16_t dev_id,
		int16_t group_id, rte_uuid_t domain_id,
		enum rte_dma_access_pair_group_event_type event);

/**
 * Create an access pair group, with this device as its first member.
 *
 * The access broker checks @p token and the caller's credentials (uid,
 * gids from the kernel) against the token's policy. Without a running
 * broker daemon, the library may start one inside this process (see
 * "Broker" in the programmer's guide: RTE_DMA_ACCESS_BROKER,
 * RTE_DMA_ACCESS_SOCKET); that embedded broker admits the token of the
 * create that started it, for this uid and root, and no other: later
 * creates on it, from this process or another, use that same token.
 *
 * @param dev_id Device joining as creator; it must support inter-domain
 *   transfers (rte_dma_domain_is_supported()).
 * After a successful create or join, DPDK's own file-backed memory is
 * shared with this process's groups, unless RTE_DMA_DOMAIN_SHARE_DPDK=0
 * (see rte_dma_domain_mem_share_dpdk()).
 *
 * @param dev_id Device joining as creator; it must support inter-domain
 *   transfers (rte_dma_domain_is_supported()).
 * @param domain_id This process's domain id: rte_dma_domain_id_get()'s, or
 *   one the application generated, which becomes this process's if none
 *   is fixed yet.
 * @param token Access token (an admin-issued secret; with the embedded
 *   broker, any non-nil UUID the creator shares with its joiners).
 * @param[out] group_id The new group, >= 0.
 * @param cb Event callback, or NULL.
 * @return 0 on success;
 *   -EINVAL, in this order: invalid device, NULL @p group_id, no
 *   inter-domain capability (DPDK's own checks), then NULL @p domain_id or
 *   @p token, @p domain_id not this process's domain id, nil token;
 *   -ENOTSUP: the driver has no inter-domain support (checked before
 *   @p domain_id and @p token);
 *   -EACCES: token unknown, revoked, expired, or not for this uid/gid/class
 *   (a token limited to a class admits only devices of that class, see
 *   rte_dma_domain_class_get());
 *   -EAGAIN: too many failed token checks from this uid; retry later;
 *   -ENOSPC: the broker's group table, or the token's member limit, is full;
 *   -ENOSPC also when this process is already in 256 groups;
 *   -ECONNREFUSED: no broker reachable (none listens, or its socket is
 *   not usable by this user; and none may be embedded);
 *   -ECONNRESET: the broker went away during the call;
 *   -ETIMEDOUT: the broker did not answer within 5 s (not counting the
 *   time this process spent mapping the windows sent ahead of the reply);
 *   -EPROTO: the broker's answer was malformed;
 *   -EPERM: the default socket's directory is not this user's or root's;
 *   errnos of creating the embedded broker's socket (e.g. -ENOMEM);
 *   the driver's group_attach error (the membership is then undone);
 *   -ENOMEM.
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_access_pair_group_create(int16_t dev_id, rte_uuid_t domain_id,
		rte_uuid_t token, int16_t *group_id,
		rte_dma_access_pair_group_event_cb_t cb);

/**
 * Destroy a group. Only its creator may, and only once no joiner remains.
 *
 * @param dev_id The creator's device.
 * @param group_id The group.
 * @return 0; -EINVAL (invalid device, or no inter-domain capability);
 *   -ENOTSUP (the driver has no inter-domain support); -ENOENT (this
 *   device is not in the group); -EPERM (not the creator); -EBUSY
 *   (joiners remain);
 *   -ECONNRESET / -ETIMEDOUT / -EPROTO (broker).
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_access_pair_group_destroy(int16_t dev_id, int16_t group_id);

/**
 * Join a group with the token it was created with.
 *
 * @param dev_id Device joining; it must support inter-domain transfers.
 * @param domain_id This process's domain id.
 * @param token The group's token.
 * @param group_id The group, as the creator shared it.
 * @param cb Event callback, or NULL.
 * @return 0; -EINVAL (as create, or group_id < 0); -ENOTSUP; -ENOENT (no
 *   such group); -EACCES (wrong token for the group, or the policy refuses
 *   this peer); -EAGAIN; -EEXIST (this domain or process is already a
 *   member); -EXDEV (the group's creator joined through a device of
 *   another class: every member of a group uses the same class, see
 *   enum rte_dma_domain_class); -ENOSPC (group or token full, or 256
 *   memberships in this process); -ECONNREFUSED; -ECONNRESET; -ETIMEDOUT;
 *   -EPROTO; -EPERM (socket directory); the driver's group_attach error.
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_access_pair_group_join(int16_t dev_id, rte_uuid_t domain_id,
		rte_uuid_t token, int16_t group_id,
		rte_dma_access_pair_group_event_cb_t cb);

/**
 * Leave a group. The other members get RTE_DMA_GROUP_EVENT_MEMBER_LEFT.
 *
 * @param dev_id The member's device.
 * @param group_id The group.
 * @return 0; -EINVAL (invalid device, or no inter-domain capability);
 *   -ENOTSUP (the driver has no inter-domain support); -ENOENT (not a
 *   member); -EPERM (the creator cannot leave: it destroys); -ECONNRESET / -ETIMEDOUT / -EPROTO (broker).
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_access_pair_group_leave(int16_t dev_id, int16_t group_id);

/**
 * Handler of a member domain (this process's own included), to put in
 * struct rte_dma_inter_domain_param.
 *
 * Handlers are non-zero and unique within the broker. One that is
 * released is not handed out again while any process that could have
 * learnt it is connected, unless all 65,535 are taken: then the one
 * released longest ago, at least 10 s ago, is reused (its holders were
 * told it was dead, by MEMBER_LEFT or GROUP_DESTROYED, milliseconds after
 * the release).
 *
 * @param dev_id A member's device.
 * @param group_id The group.
 * @param domain_id The member whose handler is wanted.
 * @param[out] handler The handler.
 * @return 0; -EINVAL (invalid device, NULL pointer, or no inter-domain
 *   capability); -ENOTSUP (the driver has no inter-domain support);
 *   -ENOENT (this device is not in the group, or @p domain_id is not a
 *   member);
 *   -ECONNRESET / -ETIMEDOUT / -EPROTO (broker).
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_access_pair_group_handler_get(int16_t dev_id, int16_t group_id,
		rte_uuid_t domain_id, uint16_t *handler);

#endif /* RTE_DMA_CAPA_INTER_PROCESS_DOMAIN */

/**
 * How a device reaches another domain's memory: its class (a dpdk-dma-xd
 * addition; upstream has Class A devices only and does not name them).
 *
 * A group takes the class of its creator's device, and every member joins
 * through a device of that class, because the class decides what each end
 * of a transfer needs.
 */
enum rte_dma_domain_class {
	/**
	 * A software device (dma_xd_skeleton): it maps the windows its
	 * peers share and copies with the CPU; a vchan may combine its own
	 * domain and any members.
	 */
	RTE_DMA_DOMAIN_CLASS_SOFTWARE = 0,
	/**
	 * Paired (Class A, like Marvell CN20K DPI): every member owns a
	 * device of the class, and a vchan joins the device's own domain to
	 * one member's: one handler is the device's own, the other a peer's.
	 */
	RTE_DMA_DOMAIN_CLASS_A = 1,
	/**
	 * Single-sided (Class B, like Intel DSA's inter-domain permission
	 * table): only the initiator owns a device; an owner of memory
	 * grants it windows.
	 */
	RTE_DMA_DOMAIN_CLASS_B = 2,
};

/**
 * The class of a device with inter-domain support.
 *
 * @param dev_id Device identifier.
 * @return An enum rte_dma_domain_class value (>= 0); -EINVAL (invalid
 *   device); -ENOTSUP (its driver has no inter-domain support).
 */
__rte_experimental
int rte_dma_domain_class_get(int16_t dev_id);


/**
 * Both handlers of a transfer at once (the original proposal's form):
 * rte_dma_access_pair_group_handler_get() for @p src_domain_id and for
 * @p dst_domain_id. Nothing is written unless both are found.
 *
 * @return As rte_dma_access_pair_group_handler_get().
 */
__rte_experimental
int rte_dma_access_pair_group_src_dst_handles_get(int16_t dev_id,
		int16_t group_id, rte_uuid_t src_domain_id,
		rte_uuid_t dst_domain_id, uint16_t *src_handle,
		uint16_t *dst_handle);

/**
 * Set up a virtual channel, with inter-domain parameters.
 *
 * Validation happens in DPDK 25.11's order and stops at the first failure;
 * nothing changes on failure (the vchan keeps its previous configuration):
 *
 *  1. @p dev_id is a valid device; @p conf and @p domain are not NULL
 *     (else -EINVAL).
 *  2. The device is stopped (else -EBUSY); it is configured and @p vchan
 *     is below its nb_vchans (else -EINVAL).
 *  3. With PROCESS or OS: the direction is RTE_DMA_DIR_MEM_TO_MEM, the
 *     device advertises the matching capability bit and reserved[] is all
 *     zero (else -EINVAL).
 *  4. DPDK's own checks of @p conf (direction, nb_desc, ports).
 *  5. The driver: an undefined type is -EINVAL; with PROCESS or OS its
 *     driver must have registered inter-domain support with this library
 *     (else -ENOTSUP), and its check of the handlers must pass (its errno,
 *     e.g. -ENOENT for an unknown handler).
 *
 * With type RTE_DMA_INTER_DOMAIN_NONE the handlers are ignored, as DPDK
 * ignores them, and this is exactly rte_dma_vchan_setup(). On DPDK >=
 * 25.11 this is rte_dma_vchan_setup() with conf->domain set to @p domain.
 *
 * @warning A vchan of type RTE_DMA_INTER_DOMAIN_NONE, like one set up with
 * the plain rte_dma_vchan_setup(), translates and checks nothing: its
 * addresses are this process's own. The library maps a peer's window at
 * the owner's address when that range is free in this process, so a copy
 * on such a vchan to a peer's address may seem to work, unchecked, and one
 * that runs past the window's end kills this process with SIGSEGV instead
 * of completing with RTE_DMA_STATUS_INVALID_DST_ADDR. To reach a peer,
 * set the vchan up with RTE_DMA_INTER_PROCESS_DOMAIN (or _OS_DOMAIN) and
 * the handlers from rte_dma_access_pair_group_handler_get() (or a grant):
 * every address is then checked against the peer's windows.
 *
 * @param dev_id Device identifier.
 * @param vchan Virtual channel, below the nb_vchans given at configure.
 * @param conf Ordinary vchan configuration.
 * @param domain Inter-domain parameters.
 * @return 0 on success; -EINVAL, -EBUSY, -ENOTSUP as above; or any error of
 *   rte_dma_vchan_setup().
 */
__rte_experimental
int rte_dma_domain_vchan_setup(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf,
		const struct rte_dma_inter_domain_param *domain);

/**
 * Get this process's domain identity.
 *
 * The id is chosen once per process, at the first call of this function
 * (from any thread), and never changes afterwards. In order of precedence:
 *
 *  1. the id given to rte_dma_domain_id_set() before that first call;
 *  2. the environment variable RTE_DMA_DOMAIN_ID, a UUID in its canonical
 *     36-character text form;
 *  3. a random (version 4) UUID from libuuid.
 *
 * Neither EAL nor any device is needed. A child created by fork() forgets
 * the parent's id and chooses again at its first call: from
 * RTE_DMA_DOMAIN_ID if it is set (the child inherits the environment, so
 * that is an explicit choice), otherwise a new random id; two processes
 * never share an id by accident.
 *
 * @param[out] id The domain id.
 * @return 0 on success; -EINVAL if @p id is NULL, or if RTE_DMA_DOMAIN_ID is
 *   set but is not a valid, non-nil UUID (nothing is chosen then: fix the
 *   variable or call rte_dma_domain_id_set()).
 */
__rte_experimental
int rte_dma_domain_id_get(rte_uuid_t id);

/**
 * Choose this process's domain identity, before it is first used.
 *
 * @param id The id to use; the nil UUID is refused.
 * @return 0 on success; -EINVAL if @p id is NULL or nil; -EBUSY if the id
 *   was already fixed by rte_dma_domain_id_get() or an earlier set.
 */
__rte_experimental
int rte_dma_domain_id_set(const rte_uuid_t id);

/**
 * Whether device @p dev_id supports inter-domain transfers of @p type:
 * it advertises the capability bit and its driver registered inter-domain
 * support with this library.
 *
 * @param dev_id Device identifier.
 * @param type RTE_DMA_INTER_PROCESS_DOMAIN or RTE_DMA_INTER_OS_DOMAIN.
 * @return true if supported; false otherwise, including for invalid
 *   arguments.
 */
__rte_experimental
bool rte_dma_domain_is_supported(int16_t dev_id,
		enum rte_dma_inter_domain_type type);

/**
 * @name Shareable memory
 *
 * A domain exposes memory to its peers only by registering it here. Each
 * registered range becomes a *window* in every member of every group this
 * process belongs to, now and later: the access broker passes the memory's
 * file descriptor to them (SCM_RIGHTS), and they map it. A peer's DMA can
 * then reach exactly the registered ranges, with the permissions given at
 * registration, and nothing else: the kernel, not the peer's code, draws
 * the line (a read-only window is mapped from a read-only descriptor).
 *
 * Memory must be file-backed: a memfd sealed with F_SEAL_SHRINK and
 * F_SEAL_GROW (rte_dma_domain_mem_alloc() makes one), a hugetlbfs file, or
 * a dma-buf. A memfd without those seals is refused, because its owner
 * could shrink it under a peer's mapping and crash the peer (SIGBUS).
 * hugetlbfs files and dma-bufs cannot be sealed: a peer maps them only if
 * their owner runs with the peer's own uid or as root (who could harm the
 * peer anyway, through ptrace or /proc/PID/mem).
 *
 * Addresses in windows are the owner's IOVAs, which are its virtual
 * addresses (EAL --iova-mode=va). Ranges start on a 4 KiB boundary and lie
 * below 2^48.
 *
 * Visibility: a window registered before a peer's handler_get for this
 * domain returns is mapped in that peer by then.
 *
 * These calls need EAL, are thread-safe, and must not be called from a
 * group event callback.
 * @{
 */

/** Peers may read the memory: use it as the source of transfers. */
#define RTE_DMA_DOMAIN_MEM_READ RTE_BIT64(0)
/** Peers may write the memory: use it as the destination of transfers. */
#define RTE_DMA_DOMAIN_MEM_WRITE RTE_BIT64(1)
/** rte_dma_domain_mem_alloc(): back the memory with huge pages. */
#define RTE_DMA_DOMAIN_MEM_HUGETLB RTE_BIT64(2)

/**
 * Allocate memory ready for sharing and register it.
 *
 * A memfd of @p len bytes (rounded up to the page size), sealed against
 * shrinking and growing, mapped shared with its pages populated, registered
 * with EAL as external memory, and registered for sharing with the
 * permissions in @p flags.
 *
 * @param len Bytes, > 0.
 * @param flags RTE_DMA_DOMAIN_MEM_READ and/or _WRITE (at least one), and
 *   optionally RTE_DMA_DOMAIN_MEM_HUGETLB.
 * @param[out] addr The memory, zero-filled.
 * @return 0; -EINVAL (len 0, NULL @p addr, no permission, unknown flag);
 *   -ENOMEM (no memory, or no free huge pages); -EMFILE; the errno of the
 *   failing memfd_create/mmap/fcntl; the errors of
 *   rte_dma_domain_mem_register().
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_domain_mem_alloc(size_t len, uint64_t flags, void **addr);

/**
 * Unregister and free memory from rte_dma_domain_mem_alloc().
 *
 * @param addr The address it returned.
 * @return 0; -EINVAL (NULL); -ENOENT (not from rte_dma_domain_mem_alloc());
 *   the errors of rte_dma_domain_mem_unregister() (the memory is then
 *   kept).
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_domain_mem_free(void *addr);

/**
 * Register memory this process already has mapped from a descriptor.
 *
 * The library keeps its own duplicate of @p fd (closing yours is fine) and,
 * when the range is unknown to EAL, registers it as external memory.
 *
 * @param addr Local (and IOVA) address of the first byte; a multiple of
 *   4 KiB.
 * @param len Bytes, > 0; addr + len below 2^48.
 * @param fd Descriptor the range is mapped from: a sealed memfd, a
 *   hugetlbfs file or a dma-buf; opened read-write if @p flags has
 *   RTE_DMA_DOMAIN_MEM_WRITE.
 * @param offset Offset of @p addr's byte in @p fd; a multiple of 4 KiB.
 * @param flags RTE_DMA_DOMAIN_MEM_READ and/or _WRITE.
 * @return 0; -EINVAL (bad alignment, range, flags); -EEXIST (overlaps a
 *   registered range); -EPERM (a memfd without F_SEAL_SHRINK and
 *   F_SEAL_GROW); -EBADF (not a usable descriptor kind); -ERANGE (the file
 *   or dma-buf is smaller than offset + len); -EACCES (read-only
 *   descriptor for a writable window); -ENODEV (a dma-buf whose exporter
 *   refuses a shared CPU mapping with the window's access: every peer
 *   maps it); -ENOSPC (4096 ranges registered already); -ENOMEM;
 *   errors of sharing with a connected broker (-ECONNRESET, -ETIMEDOUT,
 *   -EPROTO: the range is not registered then).
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_domain_mem_register(void *addr, size_t len, int fd,
		uint64_t offset, uint64_t flags);

/**
 * Stop sharing a registered range.
 *
 * Returns once every peer has unmapped it: peers' operations that were
 * using it have completed, and later ones fail with
 * RTE_DMA_STATUS_INVALID_SRC_ADDR / INVALID_DST_ADDR. The memory itself
 * stays mapped in this process.
 *
 * @param addr The address given at registration.
 * @return 0; -EINVAL (NULL); -ENOENT (not registered); -ETIMEDOUT (a peer
 *   did not confirm within 5 s: the range stays registered);
 *   -ECONNRESET, -EPROTO.
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_domain_mem_unregister(void *addr);

/**
 * Opt in to share DPDK's own memory: register every memory segment that
 * EAL backs with a file descriptor (hugetlbfs files, or memfds with
 * --in-memory), contiguous runs as one range each, so that buffers from
 * rte_malloc() and mempools can be used across domains.
 *
 * Segments whose file cannot back a window are skipped: with --no-huge,
 * DPDK 22.11 backs its memory with a memfd that cannot be sealed.
 *
 * @param flags RTE_DMA_DOMAIN_MEM_READ and/or _WRITE.
 * @return Ranges newly registered (0 when every shareable run was shared
 *   already); -EINVAL (flags); -ENOTSUP (no segment is backed by a file
 *   that can be shared: e.g. EAL --no-huge); errors of
 *   rte_dma_domain_mem_register().
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_domain_mem_share_dpdk(uint64_t flags);

/** @} */

/**
 * @name Class B grants
 *
 * Single-sided access (RTE_DMA_DOMAIN_CLASS_B): the owner of memory, which
 * needs no device, grants one window of memory it registered to one named
 * domain; that domain attaches the grant to a Class B device and uses the
 * grant's handler as a vchan's src_handler or dst_handler. Nothing else of
 * the owner's memory reaches the grantee, and the grant reaches nobody
 * else. The broker keeps grants like groups: a grant lives while its
 * owner's broker connection does, and the grantee's attachment is a
 * membership (its end is a RTE_DMA_GROUP_EVENT_GROUP_DESTROYED for the
 * grant's group, which appears in no group listing).
 * @{
 */

/**
 * Grant domain @p grantee access to [addr, addr + len) of memory this
 * process registered (rte_dma_domain_mem_alloc(), _register(),
 * _share_dpdk()). No device is needed. Without a broker daemon, the first
 * broker call of the process may start the embedded broker, as
 * rte_dma_access_pair_group_create() does, admitting @p token.
 *
 * @param token Access token; the grantee attaches with the same one. A
 *   token limited to a class must be for Class B.
 * @param grantee The only domain that may attach the grant; not this
 *   process's own.
 * @param addr First byte of a whole file in one registered range: the
 *   memory of one rte_dma_domain_mem_alloc(), or a registered file that
 *   holds nothing else. The grantee gets the file's descriptor, so its
 *   kernel lets it map exactly what was granted, and no more.
 * @param len Bytes: the file's size, or less within its last page.
 * @param perm RTE_DMA_DOMAIN_MEM_READ and/or _WRITE: what the grantee may
 *   do (read: a source; write: a destination); within the range's.
 * @param[out] handler The grant, non-zero: give it to the grantee.
 * @return 0; -EINVAL (NULL or nil argument, alignment, @p perm, grantee is
 *   this domain, not a whole file); -ENOENT (not inside one registered
 *   range); -EACCES
 *   (@p perm exceeds the range's, or the broker refused the token);
 *   -ENOSPC (grant table full here or at the broker); -EAGAIN; the
 *   broker errors of rte_dma_access_pair_group_create().
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_domain_grant_create(rte_uuid_t token, const rte_uuid_t grantee,
		const void *addr, size_t len, uint64_t perm, uint16_t *handler);

/**
 * Revoke a grant of this process. Returns once the grantee, if it
 * attached, has unmapped the window: its operations that were using it
 * have completed; later ones fail (RTE_DMA_STATUS_INVALID_SRC_ADDR /
 * _DST_ADDR, then RTE_DMA_STATUS_DEV_LINK_ERROR once the grantee learns
 * the grant is gone).
 *
 * @param handler A handler from rte_dma_domain_grant_create().
 * @return 0; -EINVAL (0); -ENOENT (not a grant of this process, or gone
 *   with a lost broker connection); -ETIMEDOUT (the grantee did not
 *   confirm within 5 s: the grant stays, and its memory registered; call
 *   again later); -EBUSY (an earlier revoke still waits for the grantee);
 *   -ECONNRESET (the broker went: the grant is gone), -EPROTO.
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_domain_grant_revoke(uint16_t handler);

/**
 * Attach a grant made for this domain to a Class B device. When this
 * returns, the window is mapped here and @p handler can name the owner's
 * side of a vchan of @p dev_id, with @p own_handler naming this domain's.
 *
 * @param dev_id A Class B device (rte_dma_domain_class_get()).
 * @param token The grant's token.
 * @param handler The grant, as its owner passed it on.
 * @param[out] own_handler This domain's handler for the grant.
 * @param cb Event callback, or NULL: RTE_DMA_GROUP_EVENT_GROUP_DESTROYED
 *   (with the owner's domain id) when the grant is revoked or its owner
 *   goes; the group id it gives is the broker's for this grant, the same
 *   in every event of it.
 * @return 0; -EINVAL (invalid device, NULL, 0, no inter-domain
 *   capability); -ENOTSUP (no inter-domain support); -ENOENT (no such
 *   grant, or revoked); -EACCES (wrong token, or the grant names another
 *   domain); -EXDEV (the device is not of Class B); -EEXIST (attached
 *   already); -ENOSPC; -EAGAIN; -ECONNREFUSED; -ECONNRESET; -ETIMEDOUT;
 *   -EPROTO; the driver's group_attach error.
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_domain_grant_attach(int16_t dev_id, rte_uuid_t token,
		uint16_t handler, uint16_t *own_handler,
		rte_dma_access_pair_group_event_cb_t cb);

/**
 * Detach a grant from a device: vchans using it fail from now on with
 * RTE_DMA_STATUS_DEV_LINK_ERROR; the owner keeps the grant and may see it
 * attached again.
 *
 * @param dev_id The device it was attached to.
 * @param handler The grant.
 * @return 0; -EINVAL (invalid device, 0); -ENOENT (not attached to
 *   @p dev_id); -ECONNRESET / -ETIMEDOUT / -EPROTO (broker).
 *   -E_RTE_SECONDARY in a DPDK secondary process: groups, memory
 *   and grants belong to the primary.
 */
__rte_experimental
int rte_dma_domain_grant_detach(int16_t dev_id, uint16_t handler);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* RTE_DMADEV_DOMAIN_H */
