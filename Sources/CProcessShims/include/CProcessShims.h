//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#ifndef PROVIDER_CPROCESSSHIMS_H
#define PROVIDER_CPROCESSSHIMS_H

/// Placeholder until the ProcessLauncher work fills this target.
int provider_shims_version(void);

#endif
