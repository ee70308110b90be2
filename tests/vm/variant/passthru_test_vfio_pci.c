// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * passthru_test_vfio_pci.c: a vfio variant driver for the QEMU tests only: vfio-pci's core
 * under another name, offered for QEMU's stdvga (1234:1111) through a vfio_pci: alias, as
 * the in-tree variants (mlx5_vfio_pci, nvgrace_gpu_vfio_pci, ...) are offered for theirs.
 * refuse=1 makes its probe fail, to show passthru-claim's fallback to vfio-pci.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

static bool refuse;
module_param(refuse, bool, 0444);
MODULE_PARM_DESC(refuse, "fail every probe (tests the fallback to vfio-pci)");

static int test_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	int ret = vfio_pci_core_enable(vdev);

	if (ret)
		return ret;
	vfio_pci_core_finish_enable(vdev);
	return 0;
}

static const struct vfio_device_ops test_ops = {
	.name = "passthru-test-vfio-pci",
	.init = vfio_pci_core_init_dev,
	.release = vfio_pci_core_release_dev,
	.open_device = test_open_device,
	.close_device = vfio_pci_core_close_device,
	.ioctl = vfio_pci_core_ioctl,
	.device_feature = vfio_pci_core_ioctl_feature,
	.read = vfio_pci_core_read,
	.write = vfio_pci_core_write,
	.mmap = vfio_pci_core_mmap,
	.request = vfio_pci_core_request,
	.match = vfio_pci_core_match,
};

static int test_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vfio_pci_core_device *vdev;
	int ret;

	if (refuse)
		return -ENODEV;
	vdev = vfio_alloc_device(vfio_pci_core_device, vdev, &pdev->dev, &test_ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	dev_set_drvdata(&pdev->dev, vdev);
	ret = vfio_pci_core_register_device(vdev);
	if (ret)
		vfio_put_device(&vdev->vdev);
	return ret;
}

static void test_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

static const struct pci_device_id test_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(0x1234, 0x1111) },	/* QEMU's stdvga */
	{}
};
MODULE_DEVICE_TABLE(pci, test_table);

static struct pci_driver test_driver = {
	.name = KBUILD_MODNAME,
	.id_table = test_table,
	.probe = test_probe,
	.remove = test_remove,
	.err_handler = &vfio_pci_core_err_handlers,
	.driver_managed_dma = true,
};
module_pci_driver(test_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("passthru's test vfio variant driver (QEMU stdvga)");
