// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - module init, platform device, V4L2/media registration.
 *
 * The module creates its own platform device (there is no hardware) so
 * that V4L2, the media controller and vb2 have a struct device to hang
 * on.  Buffers are vb2_vmalloc: no DMA mask or CMA pool is needed, and
 * vb2_vmalloc implements get_dmabuf, so both VIDIOC_EXPBUF for clients
 * and DAEDALUS_IOC_GET_BUF_FD for the daemon work.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <media/v4l2-ioctl.h>

#include "daedalus.h"

static const struct media_device_ops daedalus_media_ops = {
	.req_validate	= daedalus_request_validate,
	.req_queue	= v4l2_m2m_request_queue,
};

static void daedalus_vfd_release(struct video_device *vdev)
{
	struct daedalus_dev *dev = container_of(vdev, struct daedalus_dev, vfd);

	v4l2_m2m_release(dev->m2m_dev);
	media_device_cleanup(&dev->mdev);
	v4l2_device_unregister(&dev->v4l2_dev);
	mutex_destroy(&dev->chan_lock);
	kfree(dev);
}

static const struct video_device daedalus_videodev = {
	.name		= DAEDALUS_CARD,
	.vfl_dir	= VFL_DIR_M2M,
	.fops		= &daedalus_fops,
	.ioctl_ops	= &daedalus_ioctl_ops,
	.minor		= -1,
	.release	= daedalus_vfd_release,
	.device_caps	= V4L2_CAP_VIDEO_M2M_MPLANE | V4L2_CAP_STREAMING,
};

static int daedalus_probe(struct platform_device *pdev)
{
	struct daedalus_dev *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;

	dev->pdev = pdev;
	mutex_init(&dev->chan_lock);
	INIT_LIST_HEAD(&dev->outq);
	INIT_LIST_HEAD(&dev->jobs);
	init_waitqueue_head(&dev->read_wq);
	INIT_DELAYED_WORK(&dev->watchdog, daedalus_watchdog_fn);
	dev->next_cookie = 1;
	dev->session = 1;

	ret = v4l2_device_register(&pdev->dev, &dev->v4l2_dev);
	if (ret)
		goto err_free;

	dev->m2m_dev = v4l2_m2m_init(&daedalus_m2m_ops);
	if (IS_ERR(dev->m2m_dev)) {
		ret = PTR_ERR(dev->m2m_dev);
		goto err_v4l2;
	}

	dev->mdev.dev = &pdev->dev;
	strscpy(dev->mdev.model, DAEDALUS_CARD, sizeof(dev->mdev.model));
	strscpy(dev->mdev.bus_info, "platform:" DAEDALUS_CARD,
		sizeof(dev->mdev.bus_info));
	media_device_init(&dev->mdev);
	dev->mdev.ops = &daedalus_media_ops;
	dev->v4l2_dev.mdev = &dev->mdev;

	/*
	 * No vfd->lock: every ioctl is serialised by the per-context
	 * vb_mutex (queue ioctls via m2m_ctx->q_lock, the rest inside our
	 * handlers), so clients never contend on a device-wide lock.
	 */
	dev->vfd = daedalus_videodev;
	dev->vfd.v4l2_dev = &dev->v4l2_dev;
	video_set_drvdata(&dev->vfd, dev);
	platform_set_drvdata(pdev, dev);

	ret = video_register_device(&dev->vfd, VFL_TYPE_VIDEO, -1);
	if (ret)
		goto err_m2m;

	ret = v4l2_m2m_register_media_controller(dev->m2m_dev, &dev->vfd,
						 MEDIA_ENT_F_PROC_VIDEO_DECODER);
	if (ret)
		goto err_vfd;

	ret = media_device_register(&dev->mdev);
	if (ret)
		goto err_mc;

	ret = daedalus_chardev_register(dev);
	if (ret)
		goto err_mdev;
	daedalus_debugfs_init(dev);

	v4l2_info(&dev->v4l2_dev, "registered /dev/video%d, daemon chardev %s\n",
		  dev->vfd.num, DAEDALUS_DEVICE_PATH);
	return 0;

err_mdev:
	media_device_unregister(&dev->mdev);
err_mc:
	v4l2_m2m_unregister_media_controller(dev->m2m_dev);
err_vfd:
	/* daedalus_vfd_release() frees the rest once the node is gone. */
	video_unregister_device(&dev->vfd);
	return ret;
err_m2m:
	v4l2_m2m_release(dev->m2m_dev);
	media_device_cleanup(&dev->mdev);
err_v4l2:
	v4l2_device_unregister(&dev->v4l2_dev);
err_free:
	mutex_destroy(&dev->chan_lock);
	kfree(dev);
	return ret;
}

static void daedalus_remove_common(struct platform_device *pdev)
{
	struct daedalus_dev *dev = platform_get_drvdata(pdev);

	/*
	 * Module references held by open files (video nodes and the
	 * chardev) make rmmod wait until nothing is open, so there are no
	 * jobs left here; the chardev goes first so no daemon can attach.
	 */
	daedalus_chardev_unregister(dev);
	cancel_delayed_work_sync(&dev->watchdog);
	daedalus_debugfs_exit(dev);
	media_device_unregister(&dev->mdev);
	v4l2_m2m_unregister_media_controller(dev->m2m_dev);
	video_unregister_device(&dev->vfd);
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
static void daedalus_remove(struct platform_device *pdev)
{
	daedalus_remove_common(pdev);
}
#else
static int daedalus_remove(struct platform_device *pdev)
{
	daedalus_remove_common(pdev);
	return 0;
}
#endif

static struct platform_driver daedalus_pdrv = {
	.probe		= daedalus_probe,
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0) || \
	LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	.remove		= daedalus_remove,
#else
	.remove_new	= daedalus_remove,
#endif
	.driver		= {
		.name	= DAEDALUS_NAME,
	},
};

static struct platform_device *daedalus_pdev;

static int __init daedalus_init(void)
{
	int ret;

	ret = platform_driver_register(&daedalus_pdrv);
	if (ret)
		return ret;

	daedalus_pdev = platform_device_register_simple(DAEDALUS_NAME,
							PLATFORM_DEVID_NONE,
							NULL, 0);
	if (IS_ERR(daedalus_pdev)) {
		platform_driver_unregister(&daedalus_pdrv);
		return PTR_ERR(daedalus_pdev);
	}
	return 0;
}

static void __exit daedalus_exit(void)
{
	platform_device_unregister(daedalus_pdev);
	platform_driver_unregister(&daedalus_pdrv);
}

module_init(daedalus_init);
module_exit(daedalus_exit);

MODULE_DESCRIPTION("daedalus V4L2 stateless decoder forwarding to a userspace daemon");
MODULE_LICENSE("GPL");
/* dma_buf_put() & co. for DAEDALUS_IOC_GET_BUF_FD */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
MODULE_IMPORT_NS("DMA_BUF");
#else
MODULE_IMPORT_NS(DMA_BUF);
#endif
