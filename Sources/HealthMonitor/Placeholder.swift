//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

// Placeholder until the HealthMonitor work fills this target.
enum HealthMonitorPlaceholder {}
