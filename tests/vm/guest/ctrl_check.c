// SPDX-License-Identifier: GPL-2.0
/*
 * ctrl_check - the codec controls refuse what they must, and only that.
 *
 *   ctrl_check
 *
 * For each case: set the OUTPUT format of the case's codec and size, then
 * hand one control to VIDIOC_TRY_EXT_CTRLS and expect 0 or EINVAL; the
 * refused ones are also set into a request (S_EXT_CTRLS with request_fd),
 * which must fail at once, before any job reaches a daemon.  Each valid
 * case is a payload a real client sends (FFmpeg's v4l2-request and
 * GStreamer's v4l2codecs fill them the same way), each invalid one that
 * payload with one field broken, in a way the v4l2-ctrls core alone would
 * accept (so each refusal is the module's own rule).  No daemon needs to
 * be attached.
 *
 * Prints "ok N cases" or the failing cases; exit 1 on any failure.
 */
#include "ktest.h"

#include <linux/v4l2-controls.h>

union payload {
	struct v4l2_ctrl_vp9_frame vp9;
	struct v4l2_ctrl_h264_sps sps;
	struct v4l2_ctrl_h264_pps pps;
	struct v4l2_ctrl_h264_scaling_matrix scaling;
	struct v4l2_ctrl_h264_pred_weights weights;
	struct v4l2_ctrl_h264_slice_params slice;
	struct v4l2_ctrl_h264_decode_params decode;
};

struct ctrl_case {
	const char *name;
	uint32_t fourcc;
	uint32_t width, height;
	uint32_t id;
	uint32_t size;
	void (*fill)(union payload *p);
	int expect;	/* 0 or EINVAL */
};

static int failures;

/* ---- VP9 ---------------------------------------------------------------- */

static void vp9_frame(union payload *p)
{
	p->vp9.profile = 0;
	p->vp9.bit_depth = 8;
	p->vp9.frame_width_minus_1 = 319;
	p->vp9.frame_height_minus_1 = 239;
	p->vp9.flags = V4L2_VP9_FRAME_FLAG_KEY_FRAME |
		       V4L2_VP9_FRAME_FLAG_SHOW_FRAME |
		       V4L2_VP9_FRAME_FLAG_X_SUBSAMPLING |
		       V4L2_VP9_FRAME_FLAG_Y_SUBSAMPLING;
}

/* 4:2:2, which the core allows in profile 1 and NV12 cannot hold. */
static void vp9_profile1(union payload *p)
{
	vp9_frame(p);
	p->vp9.profile = 1;
	p->vp9.flags &= ~V4L2_VP9_FRAME_FLAG_Y_SUBSAMPLING;
}

/* ---- H.264: a 1920x1080 High profile stream, as clients send it ----------- */

static void sps(union payload *p)
{
	p->sps.profile_idc = 100;
	p->sps.level_idc = 40;
	p->sps.chroma_format_idc = 1;
	p->sps.max_num_ref_frames = 4;
	p->sps.log2_max_frame_num_minus4 = 4;
	p->sps.log2_max_pic_order_cnt_lsb_minus4 = 2;
	p->sps.pic_width_in_mbs_minus1 = 119;
	p->sps.pic_height_in_map_units_minus1 = 67;
	p->sps.flags = V4L2_H264_SPS_FLAG_FRAME_MBS_ONLY |
		       V4L2_H264_SPS_FLAG_DIRECT_8X8_INFERENCE;
}

static void sps_422(union payload *p) { sps(p); p->sps.profile_idc = 122; p->sps.chroma_format_idc = 2; }
static void sps_10bit(union payload *p) { sps(p); p->sps.profile_idc = 110; p->sps.bit_depth_luma_minus8 = 2; }
static void sps_flag(union payload *p) { sps(p); p->sps.flags |= 0x80; }
static void sps_refs16(union payload *p) { sps(p); p->sps.max_num_ref_frames = 16; }
static void sps_refs17(union payload *p) { sps(p); p->sps.max_num_ref_frames = 17; }
static void sps_id(union payload *p) { sps(p); p->sps.seq_parameter_set_id = 32; }
static void sps_wide(union payload *p) { sps(p); p->sps.pic_width_in_mbs_minus1 = 120; }
static void sps_tall(union payload *p) { sps(p); p->sps.pic_height_in_map_units_minus1 = 68; }

/* Field coding: 34 map units of 32 rows are the same 1088 rows. */
static void sps_fields(union payload *p)
{
	sps(p);
	p->sps.flags &= ~V4L2_H264_SPS_FLAG_FRAME_MBS_ONLY;
	p->sps.flags |= V4L2_H264_SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD;
	p->sps.pic_height_in_map_units_minus1 = 33;
}

static void sps_fields_tall(union payload *p)
{
	sps_fields(p);
	p->sps.pic_height_in_map_units_minus1 = 34;
}

static void pps(union payload *p)
{
	p->pps.num_ref_idx_l0_default_active_minus1 = 2;
	p->pps.weighted_bipred_idc = 2;
	p->pps.chroma_qp_index_offset = -2;
	p->pps.second_chroma_qp_index_offset = -2;
	p->pps.flags = V4L2_H264_PPS_FLAG_ENTROPY_CODING_MODE |
		       V4L2_H264_PPS_FLAG_WEIGHTED_PRED |
		       V4L2_H264_PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT |
		       V4L2_H264_PPS_FLAG_TRANSFORM_8X8_MODE;
}

static void pps_flag(union payload *p) { pps(p); p->pps.flags |= 0x100; }
static void pps_fmo(union payload *p) { pps(p); p->pps.num_slice_groups_minus1 = 1; }
static void pps_sps_id(union payload *p) { pps(p); p->pps.seq_parameter_set_id = 32; }

/* Flat, with the 4:4:4 chroma 8x8 lists left zero as FFmpeg leaves them. */
static void scaling(union payload *p)
{
	memset(p->scaling.scaling_list_4x4, 16, sizeof(p->scaling.scaling_list_4x4));
	memset(p->scaling.scaling_list_8x8, 0, sizeof(p->scaling.scaling_list_8x8));
	memset(p->scaling.scaling_list_8x8[0], 16, sizeof(p->scaling.scaling_list_8x8[0]));
	memset(p->scaling.scaling_list_8x8[1], 16, sizeof(p->scaling.scaling_list_8x8[1]));
}

static void scaling_zero4(union payload *p) { scaling(p); p->scaling.scaling_list_4x4[5][15] = 0; }
static void scaling_zero8(union payload *p) { scaling(p); p->scaling.scaling_list_8x8[1][63] = 0; }

static void weights(union payload *p)
{
	int i;

	p->weights.luma_log2_weight_denom = 6;
	p->weights.chroma_log2_weight_denom = 6;
	for (i = 0; i < 3; i++) {
		p->weights.weight_factors[0].luma_weight[i] = 64;
		p->weights.weight_factors[0].luma_offset[i] = -128;
		p->weights.weight_factors[0].chroma_weight[i][0] = 127;
		p->weights.weight_factors[0].chroma_weight[i][1] = -128;
	}
}

static void weights_luma(union payload *p) { weights(p); p->weights.weight_factors[0].luma_weight[2] = 128; }
static void weights_offset(union payload *p) { weights(p); p->weights.weight_factors[1].chroma_offset[31][1] = -129; }

static void slice(union payload *p)
{
	p->slice.slice_type = V4L2_H264_SLICE_TYPE_B;
	p->slice.num_ref_idx_l0_active_minus1 = 1;
	p->slice.num_ref_idx_l1_active_minus1 = 0;
	p->slice.ref_pic_list0[0].index = 0;
	p->slice.ref_pic_list0[0].fields = V4L2_H264_FRAME_REF;
	p->slice.ref_pic_list0[1].index = 15;
	p->slice.ref_pic_list0[1].fields = V4L2_H264_FRAME_REF;
	p->slice.ref_pic_list1[0].index = 1;
	p->slice.ref_pic_list1[0].fields = V4L2_H264_FRAME_REF;
	p->slice.flags = V4L2_H264_SLICE_FLAG_DIRECT_SPATIAL_MV_PRED;
}

static void slice_missing_ref(union payload *p) { slice(p); p->slice.ref_pic_list0[1].fields = 0; p->slice.ref_pic_list0[1].index = 0; }
static void slice_sp(union payload *p) { slice(p); p->slice.slice_type = V4L2_H264_SLICE_TYPE_SP; }
static void slice_type5(union payload *p) { slice(p); p->slice.slice_type = 5; }
static void slice_flag(union payload *p) { slice(p); p->slice.flags |= 0x04; }
static void slice_index(union payload *p) { slice(p); p->slice.ref_pic_list0[1].index = 16; }
static void slice_l1_fields(union payload *p) { slice(p); p->slice.ref_pic_list1[0].fields = 4; }
/* Past num_ref_idx_l0_active_minus1 the list is not read. */
static void slice_inactive(union payload *p) { slice(p); p->slice.ref_pic_list0[2].index = 200; }

static void decode(union payload *p)
{
	int i;

	p->decode.nal_ref_idc = 1;
	p->decode.frame_num = 3;
	p->decode.flags = V4L2_H264_DECODE_PARAM_FLAG_BFRAME;
	for (i = 0; i < 3; i++) {
		p->decode.dpb[i].reference_ts = 1000ull * (i + 1);
		p->decode.dpb[i].frame_num = i;
		p->decode.dpb[i].pic_num = i;
		p->decode.dpb[i].fields = V4L2_H264_FRAME_REF;
		p->decode.dpb[i].flags = V4L2_H264_DPB_ENTRY_FLAG_VALID |
					 V4L2_H264_DPB_ENTRY_FLAG_ACTIVE;
	}
	p->decode.dpb[2].flags |= V4L2_H264_DPB_ENTRY_FLAG_LONG_TERM;
	/* An entry that is not VALID is ignored, whatever it holds. */
	p->decode.dpb[7].flags = 0xf0;
	p->decode.dpb[7].fields = 9;
}

static void decode_flag(union payload *p) { decode(p); p->decode.flags |= 0x20; }
static void decode_bottom(union payload *p) { decode(p); p->decode.flags |= V4L2_H264_DECODE_PARAM_FLAG_BOTTOM_FIELD; }
static void decode_dpb_flag(union payload *p) { decode(p); p->decode.dpb[1].flags |= 0x10; }
static void decode_dpb_fields(union payload *p) { decode(p); p->decode.dpb[0].fields = 4; }

#define H264(id_, type_, fill_, expect_) { #fill_, V4L2_PIX_FMT_H264_SLICE, 1920, 1080, \
	V4L2_CID_STATELESS_H264_##id_, sizeof(struct v4l2_ctrl_h264_##type_), fill_, expect_ }

static const struct ctrl_case cases[] = {
	{ "vp9_frame", V4L2_PIX_FMT_VP9_FRAME, 320, 240, V4L2_CID_STATELESS_VP9_FRAME,
	  sizeof(struct v4l2_ctrl_vp9_frame), vp9_frame, 0 },
	{ "vp9_profile1", V4L2_PIX_FMT_VP9_FRAME, 320, 240, V4L2_CID_STATELESS_VP9_FRAME,
	  sizeof(struct v4l2_ctrl_vp9_frame), vp9_profile1, EINVAL },
	H264(SPS, sps, sps, 0),
	H264(SPS, sps, sps_refs16, 0),
	H264(SPS, sps, sps_fields, 0),
	H264(SPS, sps, sps_422, EINVAL),
	H264(SPS, sps, sps_10bit, EINVAL),
	H264(SPS, sps, sps_flag, EINVAL),
	H264(SPS, sps, sps_refs17, EINVAL),
	H264(SPS, sps, sps_id, EINVAL),
	H264(SPS, sps, sps_wide, EINVAL),
	H264(SPS, sps, sps_tall, EINVAL),
	H264(SPS, sps, sps_fields_tall, EINVAL),
	H264(PPS, pps, pps, 0),
	H264(PPS, pps, pps_flag, EINVAL),
	H264(PPS, pps, pps_fmo, EINVAL),
	H264(PPS, pps, pps_sps_id, EINVAL),
	H264(SCALING_MATRIX, scaling_matrix, scaling, 0),
	H264(SCALING_MATRIX, scaling_matrix, scaling_zero4, EINVAL),
	H264(SCALING_MATRIX, scaling_matrix, scaling_zero8, EINVAL),
	H264(PRED_WEIGHTS, pred_weights, weights, 0),
	H264(PRED_WEIGHTS, pred_weights, weights_luma, EINVAL),
	H264(PRED_WEIGHTS, pred_weights, weights_offset, EINVAL),
	H264(SLICE_PARAMS, slice_params, slice, 0),
	H264(SLICE_PARAMS, slice_params, slice_missing_ref, 0),
	H264(SLICE_PARAMS, slice_params, slice_inactive, 0),
	H264(SLICE_PARAMS, slice_params, slice_sp, EINVAL),
	H264(SLICE_PARAMS, slice_params, slice_type5, EINVAL),
	H264(SLICE_PARAMS, slice_params, slice_flag, EINVAL),
	H264(SLICE_PARAMS, slice_params, slice_index, EINVAL),
	H264(SLICE_PARAMS, slice_params, slice_l1_fields, EINVAL),
	H264(DECODE_PARAMS, decode_params, decode, 0),
	H264(DECODE_PARAMS, decode_params, decode_flag, EINVAL),
	H264(DECODE_PARAMS, decode_params, decode_bottom, EINVAL),
	H264(DECODE_PARAMS, decode_params, decode_dpb_flag, EINVAL),
	H264(DECODE_PARAMS, decode_params, decode_dpb_fields, EINVAL),
};

static void set_output_format(int video, const struct ctrl_case *c)
{
	struct v4l2_format f;

	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
	f.fmt.pix_mp.pixelformat = c->fourcc;
	f.fmt.pix_mp.width = c->width;
	f.fmt.pix_mp.height = c->height;
	f.fmt.pix_mp.num_planes = 1;
	if (kt_xioctl(video, VIDIOC_S_FMT, &f))
		kt_fail("S_FMT OUTPUT %.4s: %s", (char *)&c->fourcc, strerror(errno));
	if (f.fmt.pix_mp.pixelformat != c->fourcc || f.fmt.pix_mp.width != c->width ||
	    f.fmt.pix_mp.height != c->height)
		kt_fail("OUTPUT format is not %.4s %ux%u", (char *)&c->fourcc,
			c->width, c->height);
}

/* 0 or the errno of TRY_EXT_CTRLS (request_fd < 0) or S_EXT_CTRLS into it. */
static int apply(int video, const struct ctrl_case *c, union payload *p,
		 int request_fd)
{
	struct v4l2_ext_control ctrl;
	struct v4l2_ext_controls ctrls;

	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.id = c->id;
	ctrl.size = c->size;
	ctrl.ptr = p;
	memset(&ctrls, 0, sizeof(ctrls));
	ctrls.count = 1;
	ctrls.controls = &ctrl;
	if (request_fd >= 0) {
		ctrls.which = V4L2_CTRL_WHICH_REQUEST_VAL;
		ctrls.request_fd = request_fd;
		return kt_xioctl(video, VIDIOC_S_EXT_CTRLS, &ctrls) ? errno : 0;
	}
	return kt_xioctl(video, VIDIOC_TRY_EXT_CTRLS, &ctrls) ? errno : 0;
}

static void check(const struct ctrl_case *c, const char *how, int got)
{
	if (got == c->expect)
		return;
	printf("FAIL %s (%s): expected %s, got %s\n", c->name, how,
	       c->expect ? strerror(c->expect) : "success",
	       got ? strerror(got) : "success");
	failures++;
}

int main(void)
{
	int video, media, request_fd;
	unsigned int i;
	union payload p;

	kt_name = "ctrl_check";
	video = open(kt_video_path(), O_RDWR | O_CLOEXEC);
	if (video < 0)
		kt_fail("open %s: %s", kt_video_path(), strerror(errno));
	media = open(kt_media_path(), O_RDWR | O_CLOEXEC);
	if (media < 0)
		kt_fail("open %s: %s", kt_media_path(), strerror(errno));

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ctrl_case *c = &cases[i];

		set_output_format(video, c);
		memset(&p, 0, sizeof(p));
		c->fill(&p);
		check(c, "TRY_EXT_CTRLS", apply(video, c, &p, -1));
		if (!c->expect)
			continue;
		if (kt_xioctl(media, MEDIA_IOC_REQUEST_ALLOC, &request_fd))
			kt_fail("REQUEST_ALLOC: %s", strerror(errno));
		check(c, "S_EXT_CTRLS into a request", apply(video, c, &p, request_fd));
		close(request_fd);
	}
	close(media);
	close(video);
	if (failures)
		return 1;
	printf("ok %zu cases\n", sizeof(cases) / sizeof(cases[0]));
	return 0;
}
