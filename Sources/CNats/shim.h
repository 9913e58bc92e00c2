//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#ifndef PROVIDER_CNats_SHIM_H
#define PROVIDER_CNats_SHIM_H

#include <nats/nats.h>

#endif
