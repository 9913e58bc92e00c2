//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Counters of a `ConfigWatcher`, since it was created.
public struct ConfigWatcherStatistics: Hashable, Sendable {
    /// Config updates published.
    public var published: Int
    /// Re-evaluations that found the merged config unchanged, so nothing was published.
    public var unchanged: Int
    /// Updates not published because their JSON was larger than the payload limit (or the
    /// transport refused them as too large).
    public var oversized: Int
    /// Updates whose publish failed for another reason.
    public var failed: Int
    /// Changes received from the config store's watch (for every name, watched or not).
    public var changesReceived: Int
    /// Changes that carried a malformed value (not a JSON object of strings); they are skipped.
    public var invalidValues: Int
    /// The highest revision received from the watch.
    public var lastChangeRevision: UInt64
    /// How many times the watch was started (1 after a clean start; more after failures).
    public var watchStarts: Int

    /// Creates counters, all zero by default.
    public init(
        published: Int = 0,
        unchanged: Int = 0,
        oversized: Int = 0,
        failed: Int = 0,
        changesReceived: Int = 0,
        invalidValues: Int = 0,
        lastChangeRevision: UInt64 = 0,
        watchStarts: Int = 0
    ) {
        self.published = published
        self.unchanged = unchanged
        self.oversized = oversized
        self.failed = failed
        self.changesReceived = changesReceived
        self.invalidValues = invalidValues
        self.lastChangeRevision = lastChangeRevision
        self.watchStarts = watchStarts
    }
}
