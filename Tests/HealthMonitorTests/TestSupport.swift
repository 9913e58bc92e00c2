//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderCore
import ProviderTesting
import Synchronization
import Testing

/// Waits until the manual clock has a sleeper due at `seconds`, then moves time there.
func advance(_ clock: ManualClock, to seconds: Int, sourceLocation: SourceLocation = #_sourceLocation) async {
    let target = ManualClock.Instant(offset: .seconds(seconds))
    let ready = await eventually { clock.nextDeadline == target }
    #expect(
        ready,
        "nothing was scheduled at \(seconds) s (next: \(String(describing: clock.nextDeadline)))",
        sourceLocation: sourceLocation
    )
    clock.advance(to: target)
}

/// Answers health requests from a script: each request takes the next entry; `nil` stays silent.
final class ScriptedResponder: Sendable {
    private let script: Mutex<[HealthCheckResponse?]>
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(_ script: [HealthCheckResponse?]) {
        self.script = Mutex(script)
    }

    func append(_ entries: [HealthCheckResponse?]) {
        self.script.withLock { $0.append(contentsOf: entries) }
    }

    func start(on transport: any MessageTransport, subject: String) async throws {
        let subscription = try await transport.subscribe(to: subject)
        let task = Task {
            for await message in subscription {
                let next: HealthCheckResponse?? = self.script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                guard let reply = next ?? HealthCheckResponse(healthy: true), let replySubject = message.replySubject
                else { continue }
                try? await transport.publish((try? WireJSON.encode(reply)) ?? [], to: replySubject)
            }
        }
        self.task.withLock { $0 = task }
    }

    func stop() {
        self.task.withLock { $0?.cancel() }
    }
}
