#include "LoopsealBuildInfo.h"

/* 64 bytes in a section of its own, so that `objcopy --update-section .loopseal_build=FILE`
   can stamp a release binary with its commit without rebuilding it (scripts/stamp-commit.sh). */
__attribute__((used, section(".loopseal_build")))
static const char commit[64] = "unknown";

const char *loopseal_build_commit(void) { return commit; }
