// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - stateless codec controls.
 *
 * All controls of all coded formats (daedalus_coded_fmts.c) live in one
 * handler per context; the OUTPUT format picks which ones a request must
 * set and which ones a job forwards.
 */

#include "daedalus.h"

int daedalus_ctrls_init(struct daedalus_ctx *ctx)
{
	struct v4l2_ctrl_handler *hdl = &ctx->hdl;
	const struct daedalus_coded_fmt *desc;
	unsigned int i, n, num_ctrls = 0;
	int ret;

	for (i = 0; (desc = daedalus_coded_fmt_at(i)); i++)
		num_ctrls += desc->num_ctrls;
	v4l2_ctrl_handler_init(hdl, num_ctrls);
	for (i = 0; (desc = daedalus_coded_fmt_at(i)); i++) {
		for (n = 0; n < desc->num_ctrls; n++) {
			v4l2_ctrl_new_custom(hdl, &desc->ctrls[n].cfg, NULL);
			if (hdl->error)
				goto err;
		}
	}
	ctx->fh.ctrl_handler = hdl;
	return v4l2_ctrl_handler_setup(hdl);

err:
	ret = hdl->error;
	v4l2_err(&ctx->dev->v4l2_dev, "control 0x%x failed: %d\n",
		 desc->ctrls[n].cfg.id, ret);
	v4l2_ctrl_handler_free(hdl);
	return ret;
}

/* Called from req_validate: refuse requests lacking mandatory controls. */
int daedalus_ctrls_check_request(struct daedalus_ctx *ctx,
				 struct media_request *req)
{
	const struct daedalus_coded_fmt *desc = ctx->coded_desc;
	struct v4l2_ctrl_handler *hdl;
	unsigned int i;
	int ret = 0;

	hdl = v4l2_ctrl_request_hdl_find(req, &ctx->hdl);
	if (!hdl)
		return -ENOENT;
	for (i = 0; i < desc->num_ctrls; i++) {
		if ((desc->ctrls[i].flags & DAEDALUS_CTRL_REQUIRED) &&
		    !v4l2_ctrl_request_hdl_ctrl_find(hdl, desc->ctrls[i].cfg.id)) {
			ret = -ENOENT;
			break;
		}
	}
	v4l2_ctrl_request_hdl_put(hdl);
	return ret;
}
