/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * daedalus_v4l2_proto.h - wire protocol between the daedalus_v4l2 kernel
 * module and the userspace decode daemon, spoken over /dev/daedalus-v4l2.
 *
 * Usable from the kernel and from C/C++ userspace: only <linux/types.h>
 * and <linux/ioctl.h> types, fixed-width fields, explicit padding, every
 * struct a multiple of 8 bytes, sizes pinned by static asserts below.
 * All fields are in host byte order (kernel and daemon share a CPU).
 *
 * Transport
 * ---------
 * - One daemon at a time: a second open() of the chardev fails EBUSY.
 * - read() returns exactly one whole kernel->daemon message per call.
 *   The buffer must be at least DAEDALUS_MSG_MAX_SIZE bytes (a smaller
 *   buffer that cannot hold the next message gets EMSGSIZE and the
 *   message stays queued).  O_NONBLOCK read with nothing queued: EAGAIN.
 * - write() takes exactly one whole daemon->kernel message per call
 *   (hdr.size == count).  No writev/partial messages.
 * - poll(): EPOLLIN when a message is queued, EPOLLOUT always.
 * - Bitstream and pixels never travel through read()/write(): the daemon
 *   asks for dmabuf fds of the job's buffers with DAEDALUS_IOC_GET_BUF_FD
 *   and mmap()s or imports them (DAEDALUS_IOC_GET_BUF_ID tells it which
 *   ones it already holds).  Messages carry metadata only, so there is no
 *   frame-size cap.
 *
 * Session
 * -------
 * 1. daemon open()s, writes HELLO (hdr.version = its protocol version).
 *    The kernel queues a HELLO_REPLY.  If the version is unsupported the
 *    write() fails EPROTONOSUPPORT, the reply says status
 *    -EPROTONOSUPPORT and carries the kernel's version; the daemon should
 *    then exit.  Until a HELLO is accepted no jobs are sent and V4L2
 *    clients get ERROR buffers at once, as with no daemon at all.
 * 2. Before the first DECODE of a V4L2 context in this daemon session the
 *    kernel sends CTX_OPEN (and sends it again if codec or coded size
 *    change; a repeated CTX_OPEN for a known ctx_id replaces it).
 *    CTX_CLOSE is sent when the context goes away.  Neither is answered.
 * 3. DECODE (kernel->daemon, hdr.cookie = job cookie) is answered by
 *    exactly one DECODE_DONE carrying the same cookie.
 *    Jobs can be cancelled by the kernel (watchdog, client closed its
 *    file, stream off); a DECODE_DONE or GET_BUF_FD for a cancelled cookie
 *    fails ENOENT, which the daemon should treat as benign.
 * 4. close() (or daemon death) errors every queued and in-flight job.
 *
 * Errnos of write()
 * -----------------
 *   EFAULT        unreadable buffer
 *   EMSGSIZE      count > DAEDALUS_MSG_MAX_SIZE (nothing is copied)
 *   EINVAL        count < header, hdr.size != count, size wrong for the
 *                 type, nonzero hdr.flags/reserved fields, bad field value
 *   EBADMSG       hdr.magic != DAEDALUS_PROTO_MAGIC
 *   EPROTO        hdr.version != DAEDALUS_PROTO_VERSION (non-HELLO)
 *   EPROTONOSUPPORT  HELLO with a version the kernel does not speak
 *   ENOMSG        unknown type, or a kernel->daemon type
 *   ENOTCONN      anything but HELLO before the handshake
 *   EISCONN       a second HELLO
 *   ENOENT        DECODE_DONE for a cookie that is not in flight
 *   ERANGE        DECODE_DONE with bytesused > plane size or wrong
 *                 num_planes; the job is completed with an ERROR buffer
 */
#ifndef _DAEDALUS_V4L2_PROTO_H
#define _DAEDALUS_V4L2_PROTO_H

#include <linux/types.h>
#include <linux/ioctl.h>

#ifdef __cplusplus
#define DAEDALUS_STATIC_ASSERT(expr, msg) static_assert(expr, msg)
#else
#define DAEDALUS_STATIC_ASSERT(expr, msg) _Static_assert(expr, msg)
#endif

#define DAEDALUS_DEVICE_PATH	"/dev/daedalus-v4l2"
#define DAEDALUS_DEVICE_NAME	"daedalus-v4l2"

/* 'D','A','E','D' as bytes in memory on a little-endian CPU */
#define DAEDALUS_PROTO_MAGIC	0x44454144u
#define DAEDALUS_PROTO_VERSION	1u

/* Upper bound of any message in either direction; size read() buffers so. */
#define DAEDALUS_MSG_MAX_SIZE	(64u * 1024u)

/* Direction is encoded in the type: bit 15 set = kernel -> daemon. */
#define DAEDALUS_MSG_TO_DAEMON		0x8000u
#define DAEDALUS_MSG_HELLO		0x0001u	/* daemon -> kernel */
#define DAEDALUS_MSG_DECODE_DONE	0x0002u	/* daemon -> kernel */
#define DAEDALUS_MSG_HELLO_REPLY	0x8001u	/* kernel -> daemon */
#define DAEDALUS_MSG_CTX_OPEN		0x8002u	/* kernel -> daemon */
#define DAEDALUS_MSG_CTX_CLOSE		0x8003u	/* kernel -> daemon */
#define DAEDALUS_MSG_DECODE		0x8004u	/* kernel -> daemon */

/* Codec identifiers (wire-stable). */
#define DAEDALUS_CODEC_VP9	1u
#define DAEDALUS_CODEC_H264	2u
#define DAEDALUS_CODEC_AV1	3u
#define DAEDALUS_CODEC_BIT(c)	(1u << (c))

/* Limits of the fixed-size arrays below. */
#define DAEDALUS_MAX_PLANES	3u	/* memory planes and colour planes */
#define DAEDALUS_MAX_REFS	16u	/* H.264 DPB size, >= AV1 (8), VP9 (3) */
#define DAEDALUS_MAX_CTRLS	16u

/**
 * struct daedalus_msg_hdr - prefix of every message
 * @magic:   DAEDALUS_PROTO_MAGIC
 * @version: DAEDALUS_PROTO_VERSION of the sender
 * @type:    DAEDALUS_MSG_*
 * @size:    size of the whole message in bytes, header included
 * @flags:   0 (reserved)
 * @cookie:  job cookie for DECODE / DECODE_DONE, 0 otherwise
 */
struct daedalus_msg_hdr {
	__u32 magic;
	__u16 version;
	__u16 type;
	__u32 size;
	__u32 flags;
	__u64 cookie;
};

/**
 * struct daedalus_msg_hello - daemon -> kernel, first message of a session
 * @hdr:     hdr.version is the version the daemon speaks
 * @codecs:  DAEDALUS_CODEC_BIT() mask of codecs the daemon can decode;
 *           jobs of other codecs are failed by the kernel at once
 * @flags:   0
 * @reserved: 0
 * @name:    NUL-terminated daemon identification, for kernel logs
 */
struct daedalus_msg_hello {
	struct daedalus_msg_hdr hdr;
	__u32 codecs;
	__u32 flags;
	__u64 reserved;
	char name[32];
};

/**
 * struct daedalus_msg_hello_reply - kernel -> daemon answer to HELLO
 * @status:         0 when accepted, -EPROTONOSUPPORT when rejected
 * @proto_version:  the kernel's DAEDALUS_PROTO_VERSION
 * @max_msg_size:   DAEDALUS_MSG_MAX_SIZE of the kernel
 * @job_timeout_ms: watchdog: a job not answered within this is errored
 */
struct daedalus_msg_hello_reply {
	struct daedalus_msg_hdr hdr;
	__s32 status;
	__u32 proto_version;
	__u32 max_msg_size;
	__u32 job_timeout_ms;
	__u32 reserved[4];
};

/**
 * struct daedalus_msg_ctx_open - kernel -> daemon, a V4L2 context decodes
 * @ctx_id:       kernel-chosen id, unique while the module is loaded
 * @codec:        DAEDALUS_CODEC_*
 * @coded_width:  OUTPUT format width (coded size set by the client)
 * @coded_height: OUTPUT format height
 * @output_pixelformat: V4L2 fourcc of the OUTPUT (bitstream) queue
 */
struct daedalus_msg_ctx_open {
	struct daedalus_msg_hdr hdr;
	__u32 ctx_id;
	__u32 codec;
	__u32 coded_width;
	__u32 coded_height;
	__u32 output_pixelformat;
	__u32 reserved[3];
};

/** struct daedalus_msg_ctx_close - kernel -> daemon, context is gone */
struct daedalus_msg_ctx_close {
	struct daedalus_msg_hdr hdr;
	__u32 ctx_id;
	__u32 reserved;
};

/**
 * struct daedalus_plane_layout - where one colour plane lives
 * @mem_plane:    memory plane (dmabuf, GET_BUF_FD @plane) holding it
 * @offset:       byte offset of its first row within that memory plane
 * @bytesperline: stride in bytes
 * @height:       number of rows
 *
 * NV12: comp[0] = Y (height rows), comp[1] = interleaved CbCr
 * (height / 2 rows); both in mem_plane 0 for NV12, 0 and 1 for NV12M.
 */
struct daedalus_plane_layout {
	__u32 mem_plane;
	__u32 offset;
	__u32 bytesperline;
	__u32 height;
};

/**
 * struct daedalus_capture_format - layout of the CAPTURE buffers
 * @pixelformat:     V4L2_PIX_FMT_NV12 or V4L2_PIX_FMT_NV12M
 * @width:           buffer width in pixels (>= frame width)
 * @height:          buffer height in pixels (>= frame height)
 * @num_mem_planes:  dmabufs per buffer (1 for NV12, 2 for NV12M)
 * @num_comp_planes: colour planes (2 for NV12/NV12M)
 * @sizeimage:       size of each memory plane in bytes
 * @comp:            colour plane layout
 */
struct daedalus_capture_format {
	__u32 pixelformat;
	__u32 width;
	__u32 height;
	__u32 num_mem_planes;
	__u32 num_comp_planes;
	__u32 sizeimage[DAEDALUS_MAX_PLANES];
	struct daedalus_plane_layout comp[DAEDALUS_MAX_PLANES];
};

#define DAEDALUS_REF_VALID	(1u << 0)	/* slot used by this frame */
#define DAEDALUS_REF_FOUND	(1u << 1)	/* capture_index resolved */

/**
 * struct daedalus_ref - one reference slot, resolved by the kernel
 * @timestamp:     reference timestamp from the control (ns)
 * @capture_index: CAPTURE buffer holding that frame, -1 if none matched
 * @flags:         DAEDALUS_REF_*
 *
 * Slot order is the codec's own: VP9 0=LAST 1=GOLDEN 2=ALTREF (from
 * v4l2_ctrl_vp9_frame); H.264 i = decode_params.dpb[i] (VALID iff the
 * DPB entry has V4L2_H264_DPB_ENTRY_FLAG_VALID); AV1 i =
 * v4l2_ctrl_av1_frame.reference_frame_ts[i].  Fetch the pixels with
 * GET_BUF_FD which=DAEDALUS_BUF_REF, ref=slot.
 */
struct daedalus_ref {
	__u64 timestamp;
	__s32 capture_index;
	__u32 flags;
};

#define DAEDALUS_CTRL_IN_REQUEST (1u << 0)	/* set in this very request */

/**
 * struct daedalus_ctrl_entry - one stateless control value in a DECODE
 * @id:     V4L2_CID_STATELESS_*
 * @size:   payload bytes (= elem_size * elems)
 * @elems:  number of elements (dynamic arrays: AV1 tile group entries)
 * @offset: payload offset from the start of the DECODE message, 8-aligned
 * @flags:  DAEDALUS_CTRL_*
 *
 * The payload is the control's uAPI struct verbatim (struct
 * v4l2_ctrl_vp9_frame, v4l2_ctrl_h264_sps, ... from
 * <linux/v4l2-controls.h>), i.e. the value the request applied.
 */
struct daedalus_ctrl_entry {
	__u32 id;
	__u32 size;
	__u32 elems;
	__u32 offset;
	__u32 flags;
	__u32 reserved;
};

#define DAEDALUS_DECODE_HOLD_CAPTURE (1u << 0) /* more slices follow */

/**
 * struct daedalus_msg_decode - kernel -> daemon, decode one frame
 * @hdr:                hdr.cookie identifies the job
 * @ctx_id:             context (see CTX_OPEN)
 * @codec:              DAEDALUS_CODEC_*
 * @output_index:       OUTPUT vb2 buffer index
 * @output_bytesused:   bitstream bytes, starting at @output_data_offset
 * @output_data_offset: bitstream start within OUTPUT plane 0
 * @output_length:      size of OUTPUT plane 0 (the dmabuf)
 * @timestamp:          OUTPUT timestamp (ns), copied to the CAPTURE buffer
 * @capture_index:      CAPTURE vb2 buffer index to decode into
 * @flags:              DAEDALUS_DECODE_*
 * @capture:            CAPTURE buffer layout
 * @num_refs:           number of used slots in @refs
 * @num_ctrls:          number of struct daedalus_ctrl_entry that follow
 * @refs:               reference slots, see struct daedalus_ref
 *
 * Immediately followed by @num_ctrls struct daedalus_ctrl_entry and then
 * the control payloads they point at; hdr.size covers all of it.
 */
struct daedalus_msg_decode {
	struct daedalus_msg_hdr hdr;
	__u32 ctx_id;
	__u32 codec;
	__u32 output_index;
	__u32 output_bytesused;
	__u32 output_data_offset;
	__u32 output_length;
	__u64 timestamp;
	__u32 capture_index;
	__u32 flags;
	struct daedalus_capture_format capture;
	__u32 num_refs;
	__u32 num_ctrls;
	struct daedalus_ref refs[DAEDALUS_MAX_REFS];
};

/**
 * struct daedalus_msg_decode_done - daemon -> kernel, job result
 * @hdr:        hdr.cookie from the DECODE
 * @status:     0 on success (CAPTURE buffer DONE), negative errno on
 *              failure (both buffers returned with V4L2_BUF_FLAG_ERROR)
 * @num_planes: on success: capture.num_mem_planes of the DECODE
 * @bytesused:  on success: bytes written per memory plane, each
 *              <= capture.sizeimage[i]; 0 means "whole sizeimage"
 * @flags:      0
 */
struct daedalus_msg_decode_done {
	struct daedalus_msg_hdr hdr;
	__s32 status;
	__u32 num_planes;
	__u32 bytesused[DAEDALUS_MAX_PLANES];
	__u32 flags;
};

/* GET_BUF_FD: which buffer of a job */
#define DAEDALUS_BUF_OUTPUT	0u	/* bitstream, exported O_RDONLY */
#define DAEDALUS_BUF_CAPTURE	1u	/* destination, exported O_RDWR */
#define DAEDALUS_BUF_REF	2u	/* reference slot @ref, O_RDONLY */

/**
 * struct daedalus_buf_fd - argument of DAEDALUS_IOC_GET_BUF_FD
 * @cookie: in: job cookie (must be in flight, i.e. read but not answered)
 * @which:  in: DAEDALUS_BUF_*
 * @ref:    in: reference slot when @which is DAEDALUS_BUF_REF, else 0
 * @plane:  in: memory plane
 * @fd:     out: new dmabuf fd in the caller's fd table (O_CLOEXEC);
 *          the caller must close() it
 * @length: out: size of the plane / dmabuf in bytes
 * @flags:  in: 0; out: O_ACCMODE flags the fd was opened with
 *
 * The fd stays valid after the job completes (dmabuf keeps the memory
 * alive) but writing to it after DECODE_DONE is a daemon bug.
 * Errors: ENOENT unknown cookie, EINVAL bad which/plane/flags,
 * ENODATA reference slot not resolved, ENOTCONN before HELLO.
 */
struct daedalus_buf_fd {
	__u64 cookie;
	__u32 which;
	__u32 ref;
	__u32 plane;
	__s32 fd;
	__u32 length;
	__u32 flags;
};

/**
 * struct daedalus_buf_id - argument of DAEDALUS_IOC_GET_BUF_ID
 * @cookie:   in: job cookie (must be in flight)
 * @which:    in: DAEDALUS_BUF_*
 * @ref:      in: reference slot when @which is DAEDALUS_BUF_REF, else 0
 * @id:       out: identity of the memory behind that buffer (in: 0)
 * @flags:    in: 0
 * @reserved: in: 0
 *
 * Two jobs that get the same @id name the same memory (all its planes),
 * so a dmabuf fd of it from the earlier job's GET_BUF_FD, and whatever
 * the daemon imported or mapped from that fd, stands for the buffer in the
 * later job too: e.g. a reference is read through the import the daemon
 * made when it decoded into that buffer, with no export, import or copy
 * per job. An id is never reused while the module is loaded; vb2 memory
 * that is freed, reallocated (REQBUFS, CREATE_BUFS) or replaced (a DMABUF
 * queue given another dmabuf) gets a new one. The daemon bounds what it
 * keeps: a kept fd keeps the memory allocated after the client freed it.
 * Errors as GET_BUF_FD; a module without this ioctl answers ENOTTY.
 */
struct daedalus_buf_id {
	__u64 cookie;
	__u32 which;
	__u32 ref;
	__u64 id;
	__u32 flags;
	__u32 reserved;
};

#define DAEDALUS_IOC_MAGIC	0xDA
#define DAEDALUS_IOC_GET_BUF_FD	_IOWR(DAEDALUS_IOC_MAGIC, 0x01, struct daedalus_buf_fd)
#define DAEDALUS_IOC_GET_BUF_ID	_IOWR(DAEDALUS_IOC_MAGIC, 0x02, struct daedalus_buf_id)

DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_msg_hdr) == 24, "hdr size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_msg_hello) == 72, "hello size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_msg_hello_reply) == 56,
		       "hello_reply size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_msg_ctx_open) == 56,
		       "ctx_open size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_msg_ctx_close) == 32,
		       "ctx_close size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_plane_layout) == 16,
		       "plane_layout size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_capture_format) == 80,
		       "capture_format size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_ref) == 16, "ref size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_ctrl_entry) == 24,
		       "ctrl_entry size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_msg_decode) == 408,
		       "decode size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_msg_decode_done) == 48,
		       "decode_done size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_buf_fd) == 32, "buf_fd size");
DAEDALUS_STATIC_ASSERT(sizeof(struct daedalus_buf_id) == 32, "buf_id size");

#endif /* _DAEDALUS_V4L2_PROTO_H */
