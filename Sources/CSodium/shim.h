//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#ifndef PROVIDER_CSodium_SHIM_H
#define PROVIDER_CSodium_SHIM_H

#include <sodium.h>

#endif
