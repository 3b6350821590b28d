/*
 * lscpu's ARM part-number table (util-linux sys-utils/lscpu-arm.c): the
 * "Model name" lscpu prints on ARM comes from (CPU implementer, CPU part),
 * not from /proc/cpuinfo.  The old collector printed lscpu's model name, so
 * the fingerprint needs the same names.  Covers the implementers of Jetson
 * (ARM Cortex-A57/A78AE, NVIDIA Denver/Carmel) and the common cores.
 */
#include "fingerprint.h"

#include <stddef.h>

struct part { int id; const char *name; };
struct impl { int id; const struct part *parts; };

static const struct part arm_parts[] = {
    {0xc05, "Cortex-A5"}, {0xc07, "Cortex-A7"}, {0xc08, "Cortex-A8"},
    {0xc09, "Cortex-A9"}, {0xc0d, "Cortex-A17"}, {0xc0f, "Cortex-A15"},
    {0xc0e, "Cortex-A17"}, {0xc14, "Cortex-R4"}, {0xc15, "Cortex-R5"},
    {0xc17, "Cortex-R7"}, {0xc18, "Cortex-R8"}, {0xd01, "Cortex-A32"},
    {0xd02, "Cortex-A34"}, {0xd03, "Cortex-A53"}, {0xd04, "Cortex-A35"},
    {0xd05, "Cortex-A55"}, {0xd06, "Cortex-A65"}, {0xd07, "Cortex-A57"},
    {0xd08, "Cortex-A72"}, {0xd09, "Cortex-A73"}, {0xd0a, "Cortex-A75"},
    {0xd0b, "Cortex-A76"}, {0xd0c, "Neoverse-N1"}, {0xd0d, "Cortex-A77"},
    {0xd0e, "Cortex-A76AE"}, {0xd13, "Cortex-R52"}, {0xd15, "Cortex-R82"},
    {0xd40, "Neoverse-V1"}, {0xd41, "Cortex-A78"}, {0xd42, "Cortex-A78AE"},
    {0xd43, "Cortex-A65AE"}, {0xd44, "Cortex-X1"}, {0xd46, "Cortex-A510"},
    {0xd47, "Cortex-A710"}, {0xd48, "Cortex-X2"}, {0xd49, "Neoverse-N2"},
    {0xd4a, "Neoverse-E1"}, {0xd4b, "Cortex-A78C"}, {0xd4c, "Cortex-X1C"},
    {0xd4d, "Cortex-A715"}, {0xd4e, "Cortex-X3"}, {0xd4f, "Neoverse-V2"},
    {-1, NULL},
};
static const struct part brcm_parts[] = {
    {0x0f, "Brahma-B15"}, {0x100, "Brahma-B53"}, {0x516, "ThunderX2"}, {-1, NULL},
};
static const struct part cavium_parts[] = {
    {0x0a0, "ThunderX"}, {0x0a1, "ThunderX-88XX"}, {0x0a2, "ThunderX-81XX"},
    {0x0a3, "ThunderX-83XX"}, {0x0af, "ThunderX2-99xx"}, {-1, NULL},
};
static const struct part fujitsu_parts[] = {{0x001, "A64FX"}, {-1, NULL}};
static const struct part hisi_parts[] = {
    {0xd01, "Kunpeng-920"}, {0xd40, "Cortex-A76"}, {-1, NULL},
};
static const struct part nvidia_parts[] = {
    {0x000, "Denver"}, {0x003, "Denver 2"}, {0x004, "Carmel"}, {-1, NULL},
};
static const struct part apm_parts[] = {{0x000, "X-Gene"}, {-1, NULL}};
static const struct part qcom_parts[] = {
    {0x00f, "Scorpion"}, {0x02d, "Scorpion"}, {0x04d, "Krait"}, {0x06f, "Krait"},
    {0x201, "Kryo"}, {0x205, "Kryo"}, {0x211, "Kryo"}, {0x800, "Falkor-V1/Kryo"},
    {0x801, "Kryo-V2"}, {0x802, "Kryo-3XX-Gold"}, {0x803, "Kryo-3XX-Silver"},
    {0x804, "Kryo-4XX-Gold"}, {0x805, "Kryo-4XX-Silver"}, {0xc00, "Falkor"},
    {0xc01, "Saphira"}, {-1, NULL},
};
static const struct part samsung_parts[] = {
    {0x001, "exynos-m1"}, {0x002, "exynos-m3"}, {0x003, "exynos-m4"},
    {0x004, "exynos-m5"}, {-1, NULL},
};
static const struct part apple_parts[] = {
    {0x022, "Icestorm-M1"}, {0x023, "Firestorm-M1"}, {0x032, "Blizzard-M2"},
    {0x033, "Avalanche-M2"}, {-1, NULL},
};
static const struct part ampere_parts[] = {
    {0xac3, "Ampere-1"}, {0xac4, "Ampere-1a"}, {-1, NULL},
};

static const struct impl implementers[] = {
    {0x41, arm_parts},   {0x42, brcm_parts},    {0x43, cavium_parts},
    {0x46, fujitsu_parts}, {0x48, hisi_parts},  {0x4e, nvidia_parts},
    {0x50, apm_parts},   {0x51, qcom_parts},    {0x53, samsung_parts},
    {0x61, apple_parts}, {0xc0, ampere_parts},  {-1, NULL},
};

const char *lg_arm_part_name(int implementer, int part)
{
    for (size_t i = 0; implementers[i].parts != NULL; i++) {
        if (implementers[i].id != implementer)
            continue;
        for (const struct part *p = implementers[i].parts; p->name != NULL; p++)
            if (p->id == part)
                return p->name;
        return NULL;
    }
    return NULL;
}
