/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef DMA_ACCESS_VM_H
#define DMA_ACCESS_VM_H

/*
 * Virtual machine peers: the broker's protocol across a VM boundary.
 * Internal to the project.
 *
 *     guest process                        host
 *   library --- byte stream --- QEMU --- relay (dxa_vm_relay_run) --- broker
 *   (virtio-serial port)     (chardev     one per bound channel:    SEQPACKET,
 *                             socket)     VM name, region, channel  as usual
 *
 * Nothing but bytes crosses the boundary: no descriptor, no credential.
 * The memory a guest can share is one hypervisor-shared region: an
 * ivshmem device backed by a memfd that the host side holds. The same
 * bytes are offset X in the region file on the host and offset X of the
 * device's BAR 2 in the guest, so a window of the region is named by its
 * offset on both sides.
 *
 * Framing: the stream carries the protocol's messages back to back, each
 * exactly as on the socket (struct dxa_hdr, whose length bounds it, then
 * its body); every frame is checked as a packet is. A message that would
 * carry a descriptor carries none: the region is implied.
 *  - Guest to host, DXA_MEM_EXPORT: its offset is in the region; the relay
 *    checks the range against the region bound to the channel and
 *    attaches the region's descriptor.
 *  - Host to guest, DXA_MEM_EVENT ADD: relayed only for a window whose
 *    descriptor is the region and whose range lies inside it (any other
 *    window the guest could not map: the relay answers its removal
 *    itself); the guest library opens the BAR for it.
 *
 * Sessions: a virtio-serial port tells the host nothing when a guest
 * process opens or closes it, and bytes of an earlier session may still
 * be in flight either way. So a guest process that opens the channel
 * first sends a struct dxa_vm_hello with a random nonce, and reads until
 * the relay echoes it; the relay discards what precedes a hello, and a
 * hello ends the previous session (its memberships with it) and starts a
 * new one; a hello repeated with the session's nonce (the guest sent it
 * again when the host end was briefly gone) is skipped. A guest process
 * that exits therefore keeps its memberships until the next one opens the
 * channel or the VM goes.
 *
 * When the relay ends a session, it sends a bye (a struct dxa_vm_hello
 * with version 0), then disconnects for a while: a guest reads either as
 * the end of its connection.
 *
 * Authentication: the broker sees the relay's connection, whose peer
 * credentials are those of whoever the administrator ran the relay as for
 * that VM; the guest adds its token as any member does. The relay passes
 * members' messages only (never administration), and a guest that sends
 * anything malformed, or claims a range outside its region, loses that
 * connection - its memberships - and nothing else: the relay breaks the
 * stream (the guest reads end-of-file) and waits for the next session.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dma_access_proto.h"

/* PCI ids of QEMU's ivshmem device, and its shared-memory BAR. */
#define DXA_VM_IVSHMEM_VENDOR 0x1af4
#define DXA_VM_IVSHMEM_DEVICE 0x1110
#define DXA_VM_IVSHMEM_BAR 2

/* Starts a session, both ways; never a valid struct dxa_hdr. */
#define DXA_VM_HELLO_MAGIC 0x4d565844u /* "DXVM" in memory order */

struct dxa_vm_hello {
	uint32_t magic;
	uint32_t version;  /* DXA_VERSION */
	uint64_t nonce;
};

/* A hello of this version ends the session instead (relay to guest). */
#define DXA_VM_BYE_VERSION 0

/* How long a guest waits for the relay's echo of its hello. */
#define DXA_VM_HELLO_MS 3000
/* And how long for each copy of it, before it sends another. */
#define DXA_VM_HELLO_RESEND_MS 500

/* ---- guest side (the library) ---- */

/*
 * Open the channel to the host's relay: @chan is a device path, or the
 * name of a virtio-serial port (/sys/class/virtio-ports/ * /name). Finds
 * the shared region: $RTE_DMA_ACCESS_VM_REGION (a resource file) or the
 * first ivshmem device's BAR 2 (enabled if need be). The process has one
 * channel at a time; the returned fd is a stream for dxa_conn_*().
 * Returns the fd, or -ENOENT (no such port, or no region), -EBUSY (the
 * port is open elsewhere), -ENODEV (not a character device),
 * -ECONNREFUSED (nobody relays it), -errno.
 */
int dxa_vm_chan_open(const char *chan);

/*
 * Start a session on the open port @fd: send a hello with a random nonce
 * and skip what the stream holds until the relay echoes it, for up to
 * DXA_VM_HELLO_MS; a host end that is disconnected meanwhile (the relay
 * broke an earlier session, or restarts) is waited for and greeted again,
 * and so is one that does not answer within DXA_VM_HELLO_RESEND_MS.
 * Returns 0, or -ECONNREFUSED (nobody relays this channel), -errno.
 */
int dxa_vm_hello(int fd);

/* Whether @fd is the open channel of this process. */
bool dxa_vm_chan_is(int fd);

/*
 * As shutdown(SHUT_RDWR) on a socket: a reader waiting on @fd returns
 * -ECONNRESET, and so does every later send or receive.
 */
void dxa_vm_chan_shutdown(int fd);

/* Close the channel @fd: it is no channel any more. */
void dxa_vm_chan_close(int fd);

/*
 * Whether @fd is this guest's shared region (the ivshmem BAR file, any
 * descriptor of it); sets *size to the region's size.
 */
bool dxa_vm_region_is(int fd, uint64_t *size);

/*
 * Whether window memory of descriptor @fd can be shared with peers over
 * this process's broker connections: in a guest with a channel, only its
 * region's can (its private memory is registered, for its own device,
 * but never leaves it); elsewhere any.
 */
bool dxa_vm_fd_crosses(int fd);

/*
 * Send one message on the channel: as dxa_conn_send_fd(); @pass_fd must
 * be -1 or the region (-EBADF otherwise: nothing else can cross).
 */
int dxa_vm_chan_send(int fd, uint16_t type, uint32_t seq, const void *body,
		size_t body_len, int pass_fd);

/*
 * Receive one message from the channel: as dxa_conn_recv_fd(). A window
 * that appears gets a new descriptor of the region in *rx_fd, read-write
 * or read-only as its permission says.
 */
int dxa_vm_chan_recv(int fd, void *buf, int timeout_ms, int *rx_fd);

/* ---- host side (the relay) ---- */

struct dxa_vm_relay_conf {
	const char *name;        /* the VM, for logs */
	const char *region_path; /* its shared region: a sealed memfd */
	const char *chan_path;   /* QEMU's chardev socket of the port */
	const char *broker_path; /* the broker's socket */
	int stop_fd;             /* readable: return */
	int logtype;
};

/*
 * Relay between one bound channel and the broker until conf->stop_fd is
 * readable. Each session (a connection to the channel) gets its own
 * broker connection, opened at its first message and closed when the
 * session ends: QEMU gone, the guest malformed or out of its region, or
 * the broker closed it. Returns 0, or a negative errno when the region
 * cannot be used (-EBADF: not a sealed memfd).
 */
int dxa_vm_relay_run(const struct dxa_vm_relay_conf *conf);

#endif /* DMA_ACCESS_VM_H */
