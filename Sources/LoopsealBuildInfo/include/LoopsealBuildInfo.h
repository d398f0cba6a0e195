#ifndef LOOPSEAL_BUILD_INFO_H
#define LOOPSEAL_BUILD_INFO_H

/// The git commit the binary was built from ("unknown" in a development build). `make dist`
/// writes it into the ELF section `.loopseal_build` with objcopy, after linking.
const char *loopseal_build_commit(void);

#endif
