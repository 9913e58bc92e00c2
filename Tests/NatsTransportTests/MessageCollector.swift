//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import Synchronization

/// Reads a subscription in the background and lets a test wait, with a deadline, until what
/// arrived satisfies a condition.
final class MessageCollector: Sendable {
    private let reader: Task<Void, Never>
    private let box: PayloadBox

    init(_ subscription: MessageSubscription) {
        let box = PayloadBox()
        self.reader = Task {
            for await message in subscription {
                box.append(String(decoding: message.payload, as: UTF8.self))
            }
        }
        self.box = box
    }

    /// Everything received so far, as UTF-8 text.
    var received: [String] {
        self.box.snapshot
    }

    /// Waits until `condition` holds for what was received, or the limit passes.
    /// - Returns: Whether the condition held in time.
    func wait(within limit: Duration, _ condition: @Sendable ([String]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition(self.box.snapshot) {
                return true
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(self.box.snapshot)
    }

    deinit {
        self.reader.cancel()
    }
}

/// The collected payloads, behind a lock.
final class PayloadBox: Sendable {
    private let payloads = Mutex<[String]>([])

    func append(_ payload: String) {
        self.payloads.withLock { $0.append(payload) }
    }

    var snapshot: [String] {
        self.payloads.withLock { $0 }
    }
}
