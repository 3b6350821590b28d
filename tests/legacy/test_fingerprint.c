/* The fingerprint collector field by field, against fake /proc and /sys
 * trees and fake lspci programs in the scratch dir (a real Jetson is not
 * available here; the trees copy the files' real layout). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint.h"
#include "secprov.h"

static char base[512];

static void put(const char *root, const char *rel, const char *text, mode_t mode)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    mkdir(root, 0755);
    for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static void collect(const char *root, const char *const *lspci, char *out, size_t len)
{
    const struct lg_fp_sources src = {.root = root, .lspci = lspci};
    assert_int_equal(lg_fingerprint_collect_from(&src, out, len), SECPROV_OK);
}

static const char orin_cpuinfo[] =
    "processor\t: 0\nBogoMIPS\t: 62.50\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32\n"
    "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x1\nCPU part\t: 0xd42\n"
    "CPU revision\t: 1\n\nprocessor\t: 1\nCPU implementer\t: 0x41\nCPU part\t: 0xd42\n";

static const char nano_cpuinfo[] =
    "processor\t: 0\nmodel name\t: ARMv8 Processor rev 1 (v8l)\n"
    "CPU implementer\t: 0x41\nCPU part\t: 0xd07\n";

static const char x86_cpuinfo[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\n"
    "model name\t: Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz\n";

static const char x86_lspci[] =
    "#!/bin/sh\necho '00:00.0 Host bridge: Intel Corporation Xeon E3-1200 v6/7th Gen Core Processor Host Bridge/DRAM Registers (rev 08)'\n"
    "echo '00:02.0 VGA compatible controller: Intel Corporation UHD Graphics 620 (rev 07)'\n"
    "echo '01:00.0 VGA compatible controller: NVIDIA Corporation GP108M [GeForce MX150] (rev a1)'\n";

/* The fake machines' files, each machine in its folder under base
 * (make_machines makes them, and the folder "empty"): orin, nano, x86 and
 * denver below. */
static const struct tree_file {
    const char *path, *text;
    mode_t mode;
} machines[] = {
    {"orin/proc/cpuinfo", orin_cpuinfo, 0644},
    {"orin/proc/meminfo", "MemTotal:        7451280 kB\nMemFree:  100 kB\n", 0644},
    {"orin/sys/block/loop0/serial", "LOOPSERIAL\n", 0644},
    {"orin/sys/block/nvme0n1/device/serial", "S5GXNX0T123456      \n", 0644},
    {"nano/proc/cpuinfo", nano_cpuinfo, 0644},
    {"nano/proc/meminfo", "MemTotal:        3964656 kB\n", 0644},
    {"nano/sys/block/mmcblk0boot0/device/serial", "0xbadbad00\n", 0644},
    {"nano/sys/block/mmcblk0/device/serial", "0x1c7f4a2e\n", 0644},
    {"nano/bin/lspci", "#!/bin/sh\necho '0000:00:00.0 PCI bridge: NVIDIA Corporation Device 229e (rev a1)'\n", 0755},
    {"x86/proc/cpuinfo", x86_cpuinfo, 0644},
    {"x86/proc/meminfo", "MemTotal:       16277304 kB\n", 0644},
    {"x86/sys/block/sda/device/model", "Samsung SSD\n", 0644},
    {"x86/sys/block/sdb/device/serial", "WD-WX11A12345\n", 0644},
    {"x86/bin/lspci-broken", "#!/bin/sh\nexit 1\n", 0755},
    {"x86/bin/lspci", x86_lspci, 0755},
    {"denver/proc/cpuinfo", "processor\t: 0\nCPU implementer\t: 0x4e\nCPU part\t: 0x000\n", 0644},
};

static int make_machines(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof machines / sizeof machines[0]; i++)
        put(base, machines[i].path, machines[i].text, machines[i].mode);
    char empty[600];
    snprintf(empty, sizeof empty, "%s/empty", base);
    mkdir(empty, 0755);
    return 0;
}

/* The fingerprint of machine NAME, its lspci candidates the programs PROGS
 * (under its bin/, at most two, NULL-ended). */
static void collect_machine(const char *name, const char *const *progs, char *out, size_t len)
{
    char root[600], exe[2][700];
    const char *lspci[3] = {NULL, NULL, NULL};
    snprintf(root, sizeof root, "%s/%s", base, name);
    for (size_t i = 0; progs[i] != NULL; i++) {
        assert_true(i < 2);
        snprintf(exe[i], sizeof exe[i], "%s/bin/%s", root, progs[i]);
        lspci[i] = exe[i];
    }
    collect(root, lspci, out, len);
}

static void test_arm_table(void **state)
{
    (void)state;
    assert_string_equal(lg_arm_part_name(0x41, 0xd42), "Cortex-A78AE"); /* Orin */
    assert_string_equal(lg_arm_part_name(0x41, 0xd07), "Cortex-A57");   /* Nano, TX1/TX2 */
    assert_string_equal(lg_arm_part_name(0x4e, 0x004), "Carmel");       /* Xavier */
    assert_string_equal(lg_arm_part_name(0x4e, 0x003), "Denver 2");     /* TX2 */
    assert_string_equal(lg_arm_part_name(0x41, 0xd0c), "Neoverse-N1");
    assert_null(lg_arm_part_name(0x41, 0xfff));
    assert_null(lg_arm_part_name(0x99, 0xd42));
}

/* Jetson Orin Nano in a slim container: no lspci, NVMe serial padded with
 * blanks, eMMC boot partitions and loop devices ignored. */
static void test_jetson_no_lspci(void **state)
{
    (void)state;
    char fp[1024], again[1024];
    static const char *const none[] = {NULL};
    collect_machine("orin", none, fp, sizeof fp);
    assert_string_equal(fp, "CPU: Cortex-A78AE. GPU: unknown. Memory: 7451280. "
                            "DriveSerial: S5GXNX0T123456");
    collect_machine("orin", none, again, sizeof again);
    assert_string_equal(fp, again); /* stable across runs */
}

/* Jetson with lspci installed: lspci runs, has no VGA line -> unknown;
 * eMMC serial read from mmcblk0 (mmcblk0boot0 is skipped). */
static void test_jetson_lspci_no_vga(void **state)
{
    (void)state;
    char fp[1024];
    static const char *const progs[] = {"lspci", NULL};
    collect_machine("nano", progs, fp, sizeof fp);
    assert_string_equal(fp, "CPU: Cortex-A57. GPU: unknown. Memory: 3964656. "
                            "DriveSerial: 0x1c7f4a2e");
}

/* x86 with a VGA card: model name from /proc/cpuinfo, GPU = rest of lspci's
 * VGA line; a first lspci candidate that fails is skipped; sda without a
 * serial file is passed over for the next disk. */
static void test_x86_vga(void **state)
{
    (void)state;
    char fp[1024];
    static const char *const progs[] = {"lspci-broken", "lspci", NULL};
    collect_machine("x86", progs, fp, sizeof fp);
    assert_string_equal(fp, "CPU: Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz. "
                            "GPU: Intel Corporation UHD Graphics 620 (rev 07). "
                            "Memory: 16277304. DriveSerial: WD-WX11A12345");
}

/* Nothing readable: every field is unknown; lscpu's quirks: an ARM part it
 * cannot decode (or id 0) falls back to the model name, else unknown. */
static void test_missing_sources(void **state)
{
    (void)state;
    char fp[1024];
    static const char *const none[] = {NULL};
    collect_machine("empty", none, fp, sizeof fp);
    assert_string_equal(fp, "CPU: unknown. GPU: unknown. Memory: unknown. DriveSerial: unknown");

    collect_machine("denver", none, fp, sizeof fp);
    assert_string_equal(fp, "CPU: unknown. GPU: unknown. Memory: unknown. DriveSerial: unknown");
}

static void test_too_small(void **state)
{
    (void)state;
    char root[600], fp[16];
    static const char *const none[] = {NULL};
    snprintf(root, sizeof root, "%s/empty", base);
    const struct lg_fp_sources src = {.root = root, .lspci = none};
    assert_int_equal(lg_fingerprint_collect_from(&src, fp, sizeof fp), SECPROV_ERR_TOO_LARGE);
}

int main(void)
{
    const char *tmp = getenv("SECPROV_TEST_TMP");
    snprintf(base, sizeof base, "%s/fingerprint", tmp != NULL ? tmp : "/tmp");
    mkdir(base, 0755);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arm_table),
        cmocka_unit_test(test_jetson_no_lspci),
        cmocka_unit_test(test_jetson_lspci_no_vga),
        cmocka_unit_test(test_x86_vga),
        cmocka_unit_test(test_missing_sources),
        cmocka_unit_test(test_too_small),
    };
    return cmocka_run_group_tests(tests, make_machines, NULL);
}
