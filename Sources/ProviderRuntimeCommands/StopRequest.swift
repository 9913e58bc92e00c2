//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Synchronization

/// Whether the person running the command asked for the stop (a signal), shared between the task
/// that handles signals and the one that watches the provider's states.
final class StopRequest: Sendable {
    private let flag = Atomic<Bool>(false)

    /// A flag that is not set.
    init() {}

    /// Whether the stop was requested.
    var isSet: Bool { self.flag.load(ordering: .acquiring) }

    /// Records the request.
    func set() {
        self.flag.store(true, ordering: .releasing)
    }
}
