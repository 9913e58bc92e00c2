//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Waits until a condition holds, checking it every few milliseconds, for at most `limit` of
/// real time: the way a test waits for something another task does, without a fixed sleep.
///
/// ```swift
/// #expect(await eventually { await runtime.status(of: "p1")?.state == .running })
/// ```
/// - Parameters:
///   - limit: The most to wait; only a broken test waits this long.
///   - interval: How often the condition is checked.
///   - condition: The condition.
/// - Returns: Whether the condition held in time.
public func eventually(
    within limit: Duration = .seconds(10),
    checkingEvery interval: Duration = .milliseconds(2),
    _ condition: () async -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if await condition() {
            return true
        }
        try? await Task.sleep(for: interval)
    }
    return await condition()
}
